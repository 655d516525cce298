/**
 * Cleaning of the values DBD's JSON carries: Thai text, numbers written as numbers or strings,
 * Buddhist-Era dates, Thai digits. Pure functions; a value that cannot be read throws ValueError,
 * which the item mappers turn into a rejected row with the message as its reason. Text cleaning,
 * Thai digits and Buddhist-Era years are the ones every source shares (common/feed-values.ts).
 */
import { asciiDigits, cleanText, commonEraYear } from '../common/feed-values';

/** A value that cannot be read as what its field needs; the message is the quarantine reason. */
export class ValueError extends Error {
  override readonly name = 'ValueError';
}

export function fail(reason: string): never {
  throw new ValueError(reason);
}

/** A text field of a JSON item: a string (cleaned), a number (as written) or absent. */
export function optionalText(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') fail(`${field} must be text, got ${describe(value)}`);
  return cleanText(value);
}

export function requiredText(value: unknown, field: string): string {
  const text = optionalText(value, field);
  if (text === null) fail(`${field} is empty`);
  return text;
}

/** Digits-only codes (TSIC): Thai digits to ASCII, spaces and Excel quoting removed. */
export function optionalCode(value: unknown, field: string): string | null {
  const text = optionalText(value, field);
  return text === null ? null : asciiDigits(text).replace(/\s/g, '');
}

/**
 * A number written as a JSON number or as a string (`1,250,000.50`, Thai digits, `-` for empty).
 * Returns the decimal as written, as a string, so that unit conversion stays exact.
 */
export function decimalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(`${field} is not a finite number`);
    return plainDecimal(value);
  }
  if (typeof value !== 'string') fail(`${field} must be a number, got ${describe(value)}`);
  const text = cleanText(value);
  if (text === null) return null;
  const written = asciiDigits(text).replace(/[\s\u00A0]/g, '');
  if (!/^-?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$/.test(written)) fail(`${field} is not a number: "${text}"`);
  return written.replace(/,/g, '').replace(/^(-?)0+(?=\d)/, '$1');
}

/** A JS number as a plain decimal string (no exponent): 1e21 -> "1000000000000000000000". */
function plainDecimal(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  const [mantissa, exponentText] = text.toLowerCase().split('e') as [string, string];
  const negative = mantissa.startsWith('-');
  const [whole, fraction = ''] = mantissa.replace('-', '').split('.') as [string, string?];
  return (negative ? '-' : '') + shiftDecimal(`${whole}${fraction ? `.${fraction}` : ''}`, Number(exponentText));
}

/** Moves the decimal point of a non-negative decimal string: shiftDecimal("12.5", 6) = "12500000". */
export function shiftDecimal(decimal: string, places: number): string {
  const [whole, fraction = ''] = decimal.split('.') as [string, string?];
  let digits = whole + fraction;
  let point = whole.length + places;
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const intPart = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const fracPart = digits.slice(point).replace(/0+$/, '');
  return fracPart ? `${intPart}.${fracPart}` : intPart;
}

/** An amount in baht, optionally given in million baht; rounded to satang (2 decimals). */
export function amountBaht(value: unknown, field: string, options: { millions?: boolean; signed?: boolean } = {}): number | null {
  const decimal = decimalString(value, field);
  if (decimal === null) return null;
  const negative = decimal.startsWith('-');
  if (negative && !options.signed) fail(`${field} must not be negative, got ${decimal}`);
  const magnitude = negative ? decimal.slice(1) : decimal;
  const baht = Number(options.millions ? shiftDecimal(magnitude, 6) : magnitude);
  const rounded = Math.round(baht * 100) / 100;
  if (rounded >= 1e16) fail(`${field} is too large: ${decimal}${options.millions ? ' million' : ''} baht`);
  return negative && rounded !== 0 ? -rounded : rounded;
}

export function wholeNumber(value: unknown, field: string): number | null {
  const decimal = decimalString(value, field);
  if (decimal === null) return null;
  const number = Number(decimal);
  if (!Number.isSafeInteger(number) || number < 0) fail(`${field} must be a whole number, not negative, got ${decimal}`);
  return number;
}

/** ISO `2024-03-15` (a time part is ignored), or `15/03/2567` (Buddhist Era when 2400 or more); Thai digits allowed. */
export function isoDate(value: unknown, field: string): string | null {
  const text = optionalText(value, field);
  if (text === null) return null;
  const written = asciiDigits(text);
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(written);
  const dmy = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(written);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : dmy ? [dmy[3], dmy[2], dmy[1]] : [];
  if (year === undefined || month === undefined || day === undefined) fail(`${field} is not a date: "${text}"`);
  const ce = commonEraYear(Number(year));
  const date = new Date(Date.UTC(ce, Number(month) - 1, Number(day)));
  if (date.getUTCFullYear() !== ce || date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) {
    fail(`${field} is not a valid date: "${text}"`);
  }
  return date.toISOString().slice(0, 10);
}

/** DBD's clock is Bangkok time: a timestamp written without a zone is read as +07:00. */
export const DBD_DEFAULT_UTC_OFFSET = '+07:00';

/** An ISO date-time (`2025-01-01T00:00:00.123Z`, `...+07:00`, or no zone = Bangkok) in milliseconds. */
export function timestampMs(value: unknown, field: string): number {
  const text = optionalText(value, field);
  if (text === null) fail(`${field} is missing`);
  const written = asciiDigits(text);
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(written);
  if (!match) fail(`${field} is not an ISO date-time: "${text}"`);
  const [, date, time = '00:00:00', zone] = match;
  const offset = zone === undefined ? DBD_DEFAULT_UTC_OFFSET : zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  // Date.parse reads at most milliseconds: cut finer fractions (the cursor compares in ms).
  const ms = Date.parse(`${date}T${time.replace(/(\.\d{3})\d+$/, '$1')}${offset}`);
  if (Number.isNaN(ms)) fail(`${field} is not a valid date-time: "${text}"`);
  return ms;
}

export function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
