import type { Readable } from 'node:stream';
import { parseCsvFeed, reparseCsvRow, type CsvFeedSpec, type CsvRowNotes } from '../common/csv-feed';
import { asciiDigits, cleanCode, cleanText, optionalDate, optionalNumber, optionalThaiId, provinceName, reject, RowRejection } from '../common/feed-values';
import type { ParseContext, ParsedRow } from '../../ingestion/feed';
import {
  DIW_OPTIONAL_COLUMNS,
  DIW_REQUIRED_COLUMNS,
  type DiwColumn,
  type DiwStatusCode,
  type FactoryRecord,
} from './diw.record';

/**
 * Streams DIW's factory CSV (open-data Factory_Data, optionally with FFLAG and TRADE) into
 * FactoryRecords, through the CSV reader every agency shares (src/sources/common/csv-feed.ts). Rows
 * that cannot be trusted are rejected one by one; a feed that is not the DIW CSV at all (HTML page,
 * missing columns) throws FeedFormatError. See README.md for the quirks.
 */
export function parseDiwFactories(input: NodeJS.ReadableStream | Readable, context: ParseContext): AsyncGenerator<ParsedRow<FactoryRecord>> {
  return parseCsvFeed(input, context, DIW_SPEC);
}

/**
 * Re-parses one quarantined row, stored as column → value, with today's rules: a row rejected for a
 * cause since fixed (in the hub or by a corrected value) loads without fetching the feed again.
 */
export function reparseDiwRow(raw: Record<string, string> | string): ParsedRow<FactoryRecord> {
  return reparseCsvRow(raw, DIW_SPEC);
}

/**
 * Names other DIW feeds (the web service, older downloads) use for the same columns. A feed using
 * one loads, with a warning on the run, so the drift is visible without failing the load.
 */
const COLUMN_ALIASES: Readonly<Record<string, DiwColumn>> = {
  PROVINCE: 'FPROVNAME',
  PROV_NAME: 'FPROVNAME',
  AMPHUR: 'FAMPNAME',
  TAMBOL: 'FTUMNAME',
  FACTORY_NAME: 'FNAME',
  CAPITAL: 'TOTAL_CAP',
  WORKER: 'TOTAL_WORKER',
  TAX_ID: 'TRADE',
};

/** What a TRADE value that failed its check is tallied as (one warning per feed). */
const TRADE_IGNORED = 'TRADE';

const DIW_SPEC: CsvFeedSpec<DiwColumn, FactoryRecord> = {
  name: 'DIW feed',
  required: DIW_REQUIRED_COLUMNS,
  optional: DIW_OPTIONAL_COLUMNS,
  aliases: COLUMN_ALIASES,
  toRecord: (get, notes) => toFactory(get, notes),
  tallyWarning: (what, count, first) =>
    what === TRADE_IGNORED ? `TRADE: ${count} operator tax ID(s) ignored, the factories loaded without them (first at line ${first})` : `${what}: ${count} row(s) (first at line ${first})`,
};

// ---------------------------------------------------------------------------------------------
// Rows

function toFactory(get: (column: DiwColumn) => string | undefined, notes: CsvRowNotes): FactoryRecord {
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
    operatorTaxId: operatorTaxId(get('TRADE'), (reason) => notes.tally(TRADE_IGNORED, reason)),
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
