/**
 * Cleaning of single values as Thai government feeds write them: Excel-quoted IDs, `-` for empty,
 * Thai digits, Buddhist Era dates and years, decomposed Thai text. Used by the TISI, DIP and OIE
 * parsers; agency-neutral, so it can move to a shared folder under src/sources/ unchanged.
 *
 * Helpers that find a value unusable throw RowRejection (through `reject`): the parser turns it
 * into a rejected row with that message, and the rest of the feed loads.
 */
import { isValidThaiId } from '../../shared/thai-id';

/** A raw value: CSV fields are strings; JSON records may also carry numbers, booleans and null. */
export type FeedValue = string | number | boolean | null | undefined;

/** A row-level problem: the row goes to quarantine with this message. */
export class RowRejection extends Error {
  override readonly name = 'RowRejection';
}

export function reject(reason: string): never {
  throw new RowRejection(reason);
}

export const BUDDHIST_ERA_OFFSET = 543;
/** Years from this on are Buddhist Era (CE 1857); Common Era years in these feeds are far below. */
export const FIRST_BUDDHIST_ERA_YEAR = 2400;

const EMPTY_MARKERS = new Set(['', '-', '--', 'N/A', 'NULL', 'NONE']);

/** Thai digits ๐-๙ to ASCII 0-9; everything else unchanged. */
export function asciiDigits(value: string): string {
  return value.replace(/[\u0E50-\u0E59]/g, (digit) => String(digit.charCodeAt(0) - 0x0e50));
}

/**
 * Cleans a text value: unwraps Excel's `="..."`, NFC, folds the two-character sara am (nikhahit +
 * sara aa, possibly around a tone mark) into U+0E33, drops zero-width characters (U+200B-U+200D,
 * U+2060, U+FEFF), collapses whitespace, trims. Empty markers (blank, `-`, `--`, `N/A`, `NULL`,
 * `NONE`) become null. The one cleaning every source uses, so that a name cleans the same whichever
 * agency wrote it (linking compares them).
 */
export function cleanText(value: FeedValue): string | null {
  if (value === undefined || value === null) return null;
  const written = typeof value === 'string' ? value : String(value);
  // Most text is clean already: one test instead of the six passes below (same result, see CLEAN).
  if (CLEAN.test(written) && !MISORDERED_MARKS.test(written) && !written.startsWith('="')) return isEmptyMarker(written) ? null : written;
  const excel = /^\s*="(.*)"\s*$/s.exec(written);
  const cleaned = nfc(excel ? excel[1]! : written)
    .replace(/\u0E4D([\u0E48-\u0E4B]?)\u0E32/g, '$1\u0E33')
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return isEmptyMarker(cleaned) ? null : cleaned;
}

/** Markers are short ASCII; upper-casing long Thai text would cost more than the rest of cleaning. */
function isEmptyMarker(text: string): boolean {
  return text.length <= 4 && EMPTY_MARKERS.has(text.toUpperCase());
}

/**
 * Text that cleaning leaves as it is: printable ASCII and Thai other than nikhahit (U+0E4D, which
 * may be half of a two-character sara am), words separated by single spaces, no space at either
 * end. Such text has no Excel wrapper unless it starts with `="`, no zero-width characters, no
 * whitespace to collapse, and is NFC unless its Thai marks are out of canonical order
 * (MISORDERED_MARKS). Linear: a space always starts a new word.
 */
const CLEAN = /^(?:[!-~\u0E00-\u0E4C\u0E4E-\u0E7F]+(?: [!-~\u0E00-\u0E4C\u0E4E-\u0E7F]+)*)?$/;
/** A tone mark before a vowel below or phinthu, or a vowel below before phinthu: NFC reorders them. */
const MISORDERED_MARKS = /[\u0E48-\u0E4B][\u0E38-\u0E3A]|[\u0E38\u0E39]\u0E3A/;

/**
 * Unicode NFC, skipped when it cannot change anything (it is the costly step of cleaning). In
 * printable ASCII, whitespace and Thai, NFC only reorders combining marks written out of canonical
 * order: a tone mark (class 107) before a vowel below or phinthu (103, 9), or a vowel below before
 * phinthu. Thai has no canonical compositions.
 */
function nfc(text: string): string {
  const fast = /^[\s -~\u0E00-\u0E7F]*$/.test(text) && !MISORDERED_MARKS.test(text);
  return fast ? text : text.normalize('NFC');
}

/** Codes and numbers written as text: cleaned, ASCII digits, no whitespace at all. */
export function cleanCode(value: FeedValue): string | null {
  const cleaned = cleanText(value);
  return cleaned === null ? null : asciiDigits(cleaned).replace(/\s/g, '');
}

/**
 * A 13-digit Thai ID (juristic ID = tax ID of a juristic person; personal ID of an individual),
 * written with or without dashes or spaces, Excel-quoted or not. A wrong length or check digit
 * rejects the row: the hub never guesses IDs.
 */
export function thaiId(value: FeedValue, field: string): string {
  const cleaned = cleanText(value);
  if (cleaned === null) reject(`${field} is missing`);
  const digits = asciiDigits(cleaned).replace(/[\s-]/g, '');
  if (!/^\d{13}$/.test(digits)) reject(`${field} must be 13 digits, got "${cleaned}"`);
  if (!isValidThaiId(digits)) reject(`${field} has an invalid check digit: "${cleaned}"`);
  return digits;
}

/**
 * As thaiId, for a field an agency may leave empty: null when it is blank (`-`, ...) or the all-zero
 * placeholder some systems fill in (`0000000000000`, which passes the check digit but names no one).
 * A malformed or wrongly checked ID still rejects the row.
 */
export function optionalThaiId(value: FeedValue, field: string): string | null {
  const cleaned = cleanText(value);
  if (cleaned === null || /^[0\s-]+$/.test(asciiDigits(cleaned))) return null;
  return thaiId(cleaned, field);
}

/** A number, optionally with well-placed thousands separators; null when empty. */
export function optionalNumber(value: FeedValue, field: string, range?: { min: number; max: number }): number | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) reject(`${field} is not a number: ${value}`);
    return inRange(value, field, range);
  }
  const cleaned = cleanText(value);
  if (cleaned === null) return null;
  const written = asciiDigits(cleaned).replace(/\s/g, '');
  if (!/^[-+]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$|^[-+]?\.\d+$/.test(written)) reject(`${field} is not a number: "${cleaned}"`);
  return inRange(Number(written.replace(/,/g, '')), field, range);
}

export function requiredNumber(value: FeedValue, field: string, range?: { min: number; max: number }): number {
  const number = optionalNumber(value, field, range);
  if (number === null) reject(`${field} is empty`);
  return number;
}

function inRange(number: number, field: string, range: { min: number; max: number } | undefined): number {
  if (range && (number < range.min || number > range.max)) reject(`${field} must be between ${range.min} and ${range.max}, got ${number}`);
  return number;
}

/** A four-digit year in the Common Era; Buddhist Era years (2400 and above) are converted. */
export function commonEraYear(year: number): number {
  return year >= FIRST_BUDDHIST_ERA_YEAR ? year - BUDDHIST_ERA_OFFSET : year;
}

/** A year written as `2567` (BE) or `2024` (CE), Thai digits allowed; returned in the Common Era. */
export function year(value: FeedValue, field: string, range = { min: 1950, max: 2100 }): number {
  const cleaned = cleanCode(value);
  if (cleaned === null) reject(`${field} is missing`);
  if (!/^\d{4}(\.0+)?$/.test(cleaned)) reject(`${field} is not a year: "${cleaned}"`);
  const ce = commonEraYear(Math.trunc(Number(cleaned)));
  if (ce < range.min || ce > range.max) reject(`${field} is out of range: "${cleaned}"`);
  return ce;
}

/**
 * A date as ISO `2024-03-15` (a time part is ignored) or `15/03/2567` (day first; Buddhist Era
 * when the year is 2400 or more), Thai digits allowed. Returned as ISO (Common Era); null when
 * empty; a date that does not exist (`31/02/2567`) rejects the row.
 */
export function optionalDate(value: FeedValue, field: string): string | null {
  const cleaned = cleanText(value);
  if (cleaned === null) return null;
  const written = asciiDigits(cleaned);
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(written);
  const dmy = /^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?: .*)?$/.exec(written);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : dmy ? [dmy[3], dmy[2], dmy[1]] : [];
  if (y === undefined || m === undefined || d === undefined) reject(`${field} is not a date: "${cleaned}"`);
  const ce = commonEraYear(Number(y));
  const date = new Date(Date.UTC(ce, Number(m) - 1, Number(d)));
  if (date.getUTCFullYear() !== ce || date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) {
    reject(`${field} is not a valid date: "${cleaned}"`);
  }
  return date.toISOString().slice(0, 10);
}

export function requiredDate(value: FeedValue, field: string): string {
  const date = optionalDate(value, field);
  if (date === null) reject(`${field} is missing`);
  return date;
}

const BANGKOK = 'กรุงเทพมหานคร';
const BANGKOK_SHORT_FORMS = new Set(['กรุงเทพฯ', 'กรุงเทพ', 'กทม', 'กทม.', 'กรุงเทพมหานครฯ', 'bangkok']);

/**
 * A Thai province name as agencies write it, in the form the reference table has (what profiles,
 * filters and statistics join on): `จังหวัดชลบุรี` / `จ.ชลบุรี` -> `ชลบุรี`; `กรุงเทพฯ`, `กทม.` ->
 * `กรุงเทพมหานคร`. Anything else is kept as written.
 */
export function provinceName(province: string | null): string | null {
  if (province === null) return null;
  const name = province.replace(/^(จังหวัด|จ\.)\s*/, '');
  return BANGKOK_SHORT_FORMS.has(name.toLowerCase()) ? BANGKOK : name;
}
