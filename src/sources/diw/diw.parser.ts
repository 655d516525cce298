import { pipeline, type Readable } from 'node:stream';
import { parse, type Info } from 'csv-parse';
import { decodeFeed, startLine, trimLineBreaks } from '../common/feed-decoding';
import { asciiDigits, cleanCode, cleanText, optionalDate, optionalNumber, optionalThaiId, provinceName, reject, RowRejection } from '../common/feed-values';
import { FeedFormatError, type ParseContext, type ParsedRow } from '../../ingestion/feed';
import {
  DIW_OPTIONAL_COLUMNS,
  DIW_REQUIRED_COLUMNS,
  type DiwColumn,
  type DiwStatusCode,
  type FactoryRecord,
} from './diw.record';

/**
 * Streams DIW's factory CSV (open-data Factory_Data, optionally with FFLAG and TRADE) into
 * FactoryRecords. Rows that cannot be trusted are rejected one by one; a feed that is not the DIW
 * CSV at all (HTML page, missing columns) throws FeedFormatError. See README.md for the quirks.
 */
export async function* parseDiwFactories(
  input: NodeJS.ReadableStream | Readable,
  context: ParseContext,
): AsyncGenerator<ParsedRow<FactoryRecord>> {
  const skipped: ParsedRow<FactoryRecord>[] = [];
  const parser = parse({
    relax_quotes: true, // Excel-quoted IDs (="0123") put quotes inside unquoted fields
    relax_column_count: true, // a short or long row is rejected below, not fatal
    skip_empty_lines: true,
    skip_records_with_empty_values: true, // trailing ",,,," rows that spreadsheets leave behind
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_CHARS,
    raw: true,
    info: true,
    on_skip: (error, raw) => {
      if (error?.code === 'CSV_MAX_RECORD_SIZE') {
        // csv-parse silently stops after this error; failing loudly beats loading half a feed.
        parser.destroy(
          new FeedFormatError(`DIW feed has a record over ${MAX_RECORD_CHARS} characters near line ${parser.info.lines} (unbalanced quote?)`),
        );
        return;
      }
      const text = trimLineBreaks(raw ?? '');
      skipped.push({ kind: 'rejected', line: startLine(parser.info.lines, text), raw: text, reason: `unreadable CSV row: ${error?.message ?? 'unknown error'}` });
    },
  });
  // Errors of any stage (socket reset, HTML page) surface in the loop below; nothing to do here.
  pipeline(input, (source: AsyncIterable<Buffer | string>) => decodeFeed(source, context, 'DIW feed'), parser, () => {});

  let header: Header | undefined;
  const ignoredTaxIds: IgnoredTaxIds = { count: 0, first: undefined };
  for await (const { record, raw, info } of parser as AsyncIterable<CsvRow>) {
    const rawLine = trimLineBreaks(raw);
    const line = startLine(info.lines, rawLine);
    while (skipped.length > 0 && skipped[0]!.line < line) yield skipped.shift()!;
    if (header === undefined) header = readHeader(record, context);
    else yield parseRow(record, header, line, rawLine, ignoredTaxIds);
  }
  yield* skipped;
  if (header === undefined) throw new FeedFormatError('DIW feed is empty: no header line');
  if (ignoredTaxIds.first !== undefined) {
    context.warnings.push(`TRADE: ${ignoredTaxIds.count} operator tax ID(s) ignored, the factories loaded without them (first at line ${ignoredTaxIds.first})`);
  }
}

/** Operator tax IDs (TRADE) that failed their check, counted for one warning on the run. */
interface IgnoredTaxIds {
  count: number;
  /** `<line>: <reason>` of the first. */
  first: string | undefined;
}

const MAX_RECORD_CHARS = 64 * 1024;

interface CsvRow {
  record: string[];
  raw: string;
  info: Info;
}

interface Header {
  names: string[];
  index: Map<DiwColumn, number>;
}

/**
 * Re-parses one quarantined row, stored as column → value, with today's rules: a row rejected for a
 * cause since fixed (in the hub or by a corrected value) loads without fetching the feed again.
 */
export function reparseDiwRow(raw: Record<string, string> | string): ParsedRow<FactoryRecord> {
  if (typeof raw === 'string') {
    return { kind: 'rejected', line: 0, raw, reason: 'a row that could not be split into the header\'s columns needs a corrected feed' };
  }
  const header = readHeader(Object.keys(raw), { warnings: [] });
  return parseRow(Object.values(raw), header, 0, '');
}

// ---------------------------------------------------------------------------------------------
// Header

/**
 * Names other DIW feeds (the web service, older downloads) use for the same columns. A feed using
 * one loads, with a warning on the run, so the drift is visible without failing the load.
 */
const COLUMN_ALIASES: Record<string, DiwColumn> = {
  PROVINCE: 'FPROVNAME',
  PROV_NAME: 'FPROVNAME',
  AMPHUR: 'FAMPNAME',
  TAMBOL: 'FTUMNAME',
  FACTORY_NAME: 'FNAME',
  CAPITAL: 'TOTAL_CAP',
  WORKER: 'TOTAL_WORKER',
  TAX_ID: 'TRADE',
};

function readHeader(fields: string[], context: ParseContext): Header {
  const names = fields.map((name) => name.replace(/\uFEFF/g, '').trim());
  const known = new Set<string>([...DIW_REQUIRED_COLUMNS, ...DIW_OPTIONAL_COLUMNS]);
  const index = new Map<DiwColumn, number>();
  const unknown: string[] = [];
  const aliased: string[] = [];
  names.forEach((name, i) => {
    const upper = name.toUpperCase();
    const alias = COLUMN_ALIASES[upper];
    const key = known.has(upper) ? upper : alias;
    if (key === undefined) unknown.push(name);
    else if (!index.has(key as DiwColumn)) {
      index.set(key as DiwColumn, i);
      if (key !== upper) aliased.push(`${name} as ${key}`);
    }
  });
  if (aliased.length > 0) context.warnings.push(`column(s) read under another name: ${aliased.join(', ')}`);
  const missing = DIW_REQUIRED_COLUMNS.filter((column) => !index.has(column));
  if (missing.length > 0) throw new FeedFormatError(`DIW feed is missing required column(s): ${missing.join(', ')}`);
  if (unknown.length > 0) context.warnings.push(`unknown column(s) ignored: ${unknown.join(', ')}`);
  return { names, index };
}

// ---------------------------------------------------------------------------------------------
// Rows

function parseRow(fields: string[], header: Header, line: number, rawLine: string, ignoredTaxIds?: IgnoredTaxIds): ParsedRow<FactoryRecord> {
  if (fields.length !== header.names.length) {
    return { kind: 'rejected', line, raw: rawLine, reason: `expected ${header.names.length} fields, got ${fields.length}` };
  }
  try {
    const onTaxIdIgnored = (reason: string): void => {
      if (!ignoredTaxIds) return;
      ignoredTaxIds.count += 1;
      ignoredTaxIds.first ??= `${line}: ${reason}`;
    };
    return { kind: 'record', line, record: toFactory(fields, header, onTaxIdIgnored) };
  } catch (error) {
    if (!(error instanceof RowRejection)) throw error;
    const raw = Object.fromEntries(header.names.map((name, i) => [name, fields[i] ?? '']));
    return { kind: 'rejected', line, raw, reason: error.message };
  }
}

function toFactory(fields: string[], header: Header, onTaxIdIgnored: (reason: string) => void): FactoryRecord {
  const get = (column: DiwColumn): string | undefined => {
    const i = header.index.get(column);
    return i === undefined ? undefined : fields[i];
  };
  const name = cleanText(get('FNAME'));
  if (name === null) reject('FNAME is empty');
  const { lat, lng } = coordinates(get('LAT'), get('LNG'));
  return {
    fid: factoryId(get('FID')),
    legacyRegNo: cleanCode(get('FACREG')),
    displayRegNo: cleanCode(get('DISPFACREG')),
    factoryType: cleanCode(get('FACTYPE')),
    name,
    operatorName: cleanText(get('ONAME')),
    objective: cleanText(get('OBJECT')),
    address: cleanText(get('FADDR')),
    moo: cleanCode(get('FMOO')),
    soi: cleanText(get('FSOI')),
    road: cleanText(get('FROAD')),
    subdistrict: cleanText(get('FTUMNAME')),
    district: cleanText(get('FAMPNAME')),
    province: provinceName(cleanText(get('FPROVNAME'))),
    capitalBaht: amount(get('TOTAL_CAP'), 'TOTAL_CAP'),
    workers: amount(get('TOTAL_WORKER'), 'TOTAL_WORKER', { integer: true }),
    horsepower: amount(get('HP'), 'HP'),
    lat,
    lng,
    isicCode: cleanCode(get('ISIC_CODE')),
    estateCode: cleanCode(get('ESTATE')),
    estateName: cleanText(get('ESTATE_NAME_TH')),
    sourceUpdatedAt: optionalDate(get('LAST_UPDATE'), 'LAST_UPDATE'),
    statusCode: statusCode(get('FFLAG')),
    operatorTaxId: operatorTaxId(get('TRADE'), onTaxIdIgnored),
  };
}

/**
 * TRADE: the operator's tax ID, or nothing. A malformed one or a wrong check digit is never guessed
 * at and never used: the factory loads without it (and is linked by name), counted in a warning on
 * the run. Rejecting the row instead would drop the factory from a snapshot feed, and with it the
 * firm's operating factories, over a typo in an optional column.
 */
function operatorTaxId(value: string | undefined, onIgnored: (reason: string) => void): string | null {
  try {
    return optionalThaiId(value, 'TRADE');
  } catch (error) {
    if (!(error instanceof RowRejection)) throw error;
    onIgnored(error.message);
    return null;
  }
}

function factoryId(value: string | undefined): string {
  const cleaned = cleanText(value);
  if (cleaned === null) reject('FID is missing');
  const digits = asciiDigits(cleaned).replace(/[\s-]/g, '');
  if (!/^\d{14}$/.test(digits)) reject(`FID must be 14 digits, got "${cleaned}"`);
  return digits;
}

function statusCode(value: string | undefined): DiwStatusCode | null {
  const cleaned = cleanCode(value);
  return cleaned === '0' || cleaned === '1' || cleaned === '2' || cleaned === '3' ? cleaned : null;
}

/** Non-negative number, optionally with thousands separators (`1,250,000.50`). */
function amount(value: string | undefined, column: string, { integer = false } = {}): number | null {
  const number = optionalNumber(value, column);
  if (number === null) return null;
  if (number < 0) reject(`${column} must not be negative, got ${cleanText(value)}`);
  if (integer && !Number.isInteger(number)) reject(`${column} must be a whole number, got ${cleanText(value)}`);
  return number;
}

const THAILAND = { minLat: 5, maxLat: 21, minLng: 97, maxLng: 106 };

function insideThailand(lat: number, lng: number): boolean {
  return lat >= THAILAND.minLat && lat <= THAILAND.maxLat && lng >= THAILAND.minLng && lng <= THAILAND.maxLng;
}

/**
 * 0 and 1 mean "unknown" in DIW data, and anything outside Thailand is wrong: both become null.
 * The latitude and longitude ranges of Thailand do not overlap, so swapped columns are fixed.
 */
function coordinates(latValue: string | undefined, lngValue: string | undefined): { lat: number | null; lng: number | null } {
  const lat = coordinate(latValue);
  const lng = coordinate(lngValue);
  if (lat === null || lng === null) return { lat: null, lng: null };
  if (insideThailand(lat, lng)) return { lat, lng };
  if (insideThailand(lng, lat)) return { lat: lng, lng: lat };
  return { lat: null, lng: null };
}

function coordinate(value: string | undefined): number | null {
  const cleaned = cleanText(value);
  if (cleaned === null) return null;
  const number = Number(asciiDigits(cleaned));
  return Number.isFinite(number) ? number : null;
}
