/**
 * Company names, for display and for linking. DBD writes a company as `บริษัท ศรีทอง จำกัด`; other
 * agencies write the same firm `บจก. ศรีทอง`, `ศรีทอง จำกัด`, `บริษัท ศรีทอง จำกัด (มหาชน)`, in decomposed
 * Unicode or with the two-character sara am. `normaliseCompanyName` maps all of them to one key
 * (`ศรีทอง`), used to link factories and other agencies' records to a juristic person when they lack
 * its ID. It is deliberately conservative: form words are stripped only at the start or the end of a
 * name, so a word inside a name (`ทองจำกัด` inside a brand) is kept.
 */
import { asciiDigits, cleanText } from '../common/feed-values';

/** Company-form words written before the name, longest first (spaces inside are optional). */
const PREFIX_FORMS = [
  'บริษัทมหาชนจำกัด',
  'ห้างหุ้นส่วนสามัญนิติบุคคล',
  'ห้างหุ้นส่วนจำกัด',
  'ห้างหุ้นส่วนสามัญ',
  'ห้างหุ้นส่วน',
  'บริษัท',
  'บมจ.',
  'บจก.',
  'บจ.',
  'หจก.',
  'หสน.',
  'บมจ',
  'บจก',
  'หจก',
  'หสน',
];

/**
 * Company-form words written after the name, longest first. Matched after lower-casing. The
 * head-office mark (`(สำนักงานใหญ่)`, as tax invoices and clerks add it) says where, not who: it goes too.
 */
const SUFFIX_FORMS = [
  '(สำนักงานใหญ่)',
  'สำนักงานใหญ่',
  '(head office)',
  'head office',
  '(มหาชน)',
  'มหาชน',
  'จำกัด',
  'public company limited',
  'company limited',
  'limited partnership',
  'public co., ltd.',
  'co., ltd.',
  'co.,ltd.',
  'co., ltd',
  'co.,ltd',
  'co ltd',
  'corporation',
  'limited',
  'ltd.',
  'ltd',
  'pcl.',
  'pcl',
  'plc.',
  'plc',
  'inc.',
  'inc',
  'corp.',
  'corp',
  'l.p',
];

/** Separators left at either end once a form word is gone (`บจก. `, `X, Ltd.`); brackets stay. */
const EDGE_PUNCTUATION_START = /^[\s.,:;-]+/;
const EDGE_PUNCTUATION_END = /[\s.,:;-]+$/;

/** Punctuation and symbols removed from the key (Thai characters, Latin letters and digits stay). */
const PUNCTUATION = /[\s\p{P}\p{S}]/gu;

/**
 * The linking key of a company name: cleaned (NFC, sara am folded, whitespace), Thai digits to ASCII,
 * lower case, company-form words stripped at both ends (repeatedly: `บริษัท X จำกัด (มหาชน)`), then
 * punctuation and spaces removed. Returns '' for a name made only of form words.
 *
 * `บริษัท ศรีทองฟู้ดส์ (ประเทศไทย) จำกัด`, `บจก.ศรีทองฟู้ดส์ (ประเทศไทย)` -> `ศรีทองฟู้ดส์ประเทศไทย`;
 * `Srithong Foods (Thailand) Co., Ltd.` -> `srithongfoodsthailand`.
 */
export function normaliseCompanyName(name: string): string {
  // Only Latin letters have case here; toLowerCase on Thai text is slow and changes nothing.
  let rest = asciiDigits(cleanText(name) ?? '').replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  for (let changed = true; changed; ) {
    rest = rest.replace(EDGE_PUNCTUATION_START, '').replace(EDGE_PUNCTUATION_END, '');
    const prefix = firstMatch(PREFIX_FORMS, (form) => startsWithLoose(rest, form));
    if (prefix !== null) rest = rest.slice(prefix).trimStart();
    const suffix = firstMatch(SUFFIX_FORMS, (form) => endsWithLoose(rest, form));
    if (suffix !== null) rest = rest.slice(0, rest.length - suffix).trimEnd();
    changed = prefix !== null || suffix !== null;
  }
  return rest.replace(PUNCTUATION, '');
}

function firstMatch(forms: readonly string[], match: (form: string) => number | null): number | null {
  for (const form of forms) {
    const length = match(form);
    if (length !== null) return length;
  }
  return null;
}

/**
 * Length of the prefix of `text` that spells `form` with optional spaces between its characters
 * (`บจก .`, `บ จ ก.`), or null. A form must not swallow the whole name.
 */
function startsWithLoose(text: string, form: string): number | null {
  let i = 0;
  for (const char of form) {
    while (text[i] === ' ' && char !== ' ') i++;
    if (text[i] !== char) return null;
    i++;
  }
  return i < text.length ? i : null;
}

/** Same as startsWithLoose, at the end of the text; the form must follow a space or punctuation. */
function endsWithLoose(text: string, form: string): number | null {
  let i = text.length - 1;
  // Forms are in the Basic Multilingual Plane: one UTF-16 unit per character.
  for (let k = form.length - 1; k >= 0; k--) {
    const char = form[k]!;
    while (text[i] === ' ' && char !== ' ') i--;
    if (text[i] !== char) return null;
    i--;
  }
  if (i < 0) return null;
  // English words must stand alone (`ltd` in `xltd` is not a form); Thai is written without spaces.
  if (/^[a-z]/.test(form) && /[a-z0-9]/.test(text[i]!)) return null;
  return text.length - 1 - i;
}
