/**
 * TSIC 2009 codes (Thailand Standard Industrial Classification): ISIC Rev.4 with a fifth, Thai digit.
 * A code is a section letter (A-U), or digits: division (2), group (3), class (4), subclass (5).
 *
 * The section of each division is ISIC Rev.4's structure, which changes only with a new edition of
 * the classification; it is kept here (pure rules need it without reading files), and a unit test
 * checks it against data/reference/tsic-2009-*.csv.
 */

export type TsicSection = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'N' | 'O' | 'P' | 'Q' | 'R' | 'S' | 'T' | 'U';

/** ISIC Rev.4 sections and their division ranges (inclusive). Divisions 04, 34, 40, ... do not exist. */
export const TSIC_SECTION_DIVISIONS: Readonly<Record<TsicSection, readonly (readonly [number, number])[]>> = {
  A: [[1, 3]],
  B: [[5, 9]],
  C: [[10, 33]],
  D: [[35, 35]],
  E: [[36, 39]],
  F: [[41, 43]],
  G: [[45, 47]],
  H: [[49, 53]],
  I: [[55, 56]],
  J: [[58, 63]],
  K: [[64, 66]],
  L: [[68, 68]],
  M: [[69, 75]],
  N: [[77, 82]],
  O: [[84, 84]],
  P: [[85, 85]],
  Q: [[86, 88]],
  R: [[90, 93]],
  S: [[94, 96]],
  T: [[97, 98]],
  U: [[99, 99]],
};

/** The section of a two-digit division, or null when ISIC Rev.4 has no such division. */
export function sectionOfDivision(division: string): TsicSection | null {
  if (!/^[0-9]{2}$/.test(division)) return null;
  const n = Number(division);
  for (const [section, ranges] of Object.entries(TSIC_SECTION_DIVISIONS) as [TsicSection, (readonly [number, number])[]][]) {
    if (ranges.some(([from, to]) => n >= from && n <= to)) return section;
  }
  return null;
}

const THAI_DIGITS = /[๐-๙]/g;

/**
 * A TSIC code as the hub stores it: a section letter (`C`) or 2-5 ASCII digits (`10111`), or null
 * when the input is empty, `-`, malformed, or names a division ISIC Rev.4 does not have.
 * Accepts Thai digits, spaces, dots and dashes inside the number (`10-11-1`, `๑๐๑๑๑`), and a leading
 * section letter that agrees with the division (`C10111`).
 */
export function normaliseTsicCode(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const text = raw
    .normalize('NFC')
    .replace(THAI_DIGITS, (d) => String(d.charCodeAt(0) - 0x0e50))
    .replace(/[\s.-]/g, '')
    .toUpperCase();
  if (/^[A-U]$/.test(text)) return text;
  const match = /^([A-U])?([0-9]{2,5})$/.exec(text);
  if (!match) return null;
  const [, letter, digits] = match as unknown as [string, string | undefined, string];
  const section = sectionOfDivision(digits.slice(0, 2));
  if (section === null) return null;
  if (letter !== undefined && letter !== section) return null;
  return digits;
}

/** Whether a normalised TSIC code (letter or digits) belongs to section C, manufacturing. */
export function isManufacturingTsic(code: string): boolean {
  if (/^[A-U]$/.test(code)) return code === 'C';
  return sectionOfDivision(code.slice(0, 2)) === 'C';
}
