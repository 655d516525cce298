/**
 * Writing simulated agency feeds as text the way Thai government files are written: CSV lines
 * (with Excel's formula-quoted IDs left unquoted), Thai digits, Buddhist Era dates, IDs with
 * dashes, company names as clerks type them. Pure functions, shared by the agency feeds.
 */
import type { Random } from '../random';

export const BUDDHIST_ERA_OFFSET = 543;
const THAI_DIGIT_ZERO = 0x0e50;

/** ASCII digits to Thai digits ๐-๙. */
export function thaiDigits(text: string): string {
  return text.replace(/\d/g, (digit) => String.fromCharCode(THAI_DIGIT_ZERO + Number(digit)));
}

/** ISO `2024-03-15` as `15/03/2567` (day first, Buddhist Era). */
export function buddhistDate(iso: string): string {
  const [year, month, day] = iso.split('-');
  return `${day}/${month}/${Number(year) + BUDDHIST_ERA_OFFSET}`;
}

/** A 13-digit ID written with dashes as on Thai ID cards: `0-10-5-536-11201-4`. */
export function dashedId(id: string): string {
  return `${id.slice(0, 1)}-${id.slice(1, 3)}-${id.slice(3, 4)}-${id.slice(4, 7)}-${id.slice(7, 12)}-${id.slice(12)}`;
}

/** The same ID with a wrong check digit. */
export function wrongCheckDigit(id: string): string {
  return `${id.slice(0, 12)}${(Number(id[12]) + 1 + (Number(id[0]) % 8)) % 10}`;
}

/** An ID as Excel exports a text cell that looks like a number: `="0105536112014"`. */
export function excelQuoted(value: string): string {
  return `="${value}"`;
}

/** Thai text typed the way old systems store it: decomposed sara am, tone mark before the vowel below. */
export function decomposedThai(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\u0E33/g, '\u0E4D\u0E32')
    .replace(/([\u0E38\u0E39])([\u0E48-\u0E4B])/g, '$2$1');
}

export function csvField(value: string): string {
  // Excel writes formula-quoted IDs (="0123") unquoted, and real files carry them that way.
  if (/^="[^",]*"$/.test(value)) return value;
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine<C extends string>(row: Record<C, string>, columns: readonly C[]): string {
  return `${columns.map((column) => csvField(row[column])).join(',')}\r\n`;
}

const ROWS_PER_CHUNK = 200;

/**
 * A CSV feed as text chunks, one row built at a time: the header, then rows 0..count-1. With
 * `truncate`, half of the rows and half of the next row (the sender then drops the connection).
 */
export function* csvChunks<C extends string>(options: {
  columns: readonly C[];
  /** Header names as written (defaults to the columns). */
  header?: readonly string[];
  count: number;
  rowAt: (index: number) => Record<C, string>;
  truncate?: boolean;
}): Generator<string> {
  const { columns, count, rowAt } = options;
  const rows = options.truncate ? Math.floor(count / 2) : count;
  let chunk = `${(options.header ?? columns).join(',')}\r\n`;
  for (let i = 0; i < rows; i++) {
    chunk += csvLine(rowAt(i), columns);
    if ((i + 1) % ROWS_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (options.truncate && rows < count) {
    const line = csvLine(rowAt(rows), columns);
    chunk += line.slice(0, Math.floor(line.length / 2));
  }
  if (chunk) yield chunk;
}

/** `(index * multiplier + offset) mod size`: a permutation of [0, size) when multiplier and size are coprime. */
export function permute(index: number, size: number, multiplier: number, offset: number): number {
  return (index * multiplier + offset) % size;
}

/**
 * The operator's name as clerks write it: the company form abbreviated (บจก., หจก., บมจ.), the
 * branch appended, or one letter dropped. The hub must still link the record to its firm
 * (DIW operators, TISI licensees and DIP participants without their tax ID all use it).
 */
export function operatorNameVariant(nameTh: string, random: Random): string {
  const core = nameTh
    .replace(/^บริษัท\s+(.*)\s+จำกัด\s*\(มหาชน\)$/, 'บมจ. $1')
    .replace(/^บริษัท\s+(.*)\s+จำกัด$/, 'บจก. $1')
    .replace(/^ห้างหุ้นส่วนจำกัด\s+(.*)$/, 'หจก. $1');
  switch (random.int(0, 2)) {
    case 0:
      return core;
    case 1:
      return `${nameTh} (สำนักงานใหญ่)`;
    default: {
      // A dropped letter inside the distinctive part of the name (a typing slip).
      const start = nameTh.indexOf(' ') + 2;
      const at = random.int(Math.min(start, nameTh.length - 2), nameTh.length - 2);
      return `${nameTh.slice(0, at)}${nameTh.slice(at + 1)}`;
    }
  }
}
