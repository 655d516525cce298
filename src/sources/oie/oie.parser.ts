import type { Readable } from 'node:stream';
import type { ParseContext, ParsedRow } from '../../ingestion/feed';
import { parseCsvFeed, reparseCsvRow, type CsvFeedSpec } from '../common/csv-feed';
import { cleanCode, cleanText, commonEraYear, optionalNumber, reject, requiredNumber, type FeedValue } from '../common/feed-values';
import { OIE_MPI_OPTIONAL_COLUMNS, OIE_MPI_REQUIRED_COLUMNS, type IndustrialIndexRecord, type OieMpiColumn } from './oie.record';

/**
 * Parser of OIE's monthly MPI and capacity-utilisation CSV. Rows that cannot be trusted are
 * rejected one by one; a feed that is not this CSV throws FeedFormatError. See README.md.
 */
export function parseOieMpi(input: NodeJS.ReadableStream | Readable, context: ParseContext): AsyncGenerator<ParsedRow<IndustrialIndexRecord>> {
  return parseCsvFeed(input, context, MPI_SPEC);
}

/** Re-parses one quarantined row (stored as column → value) with today's rules. */
export function reparseOieMpiRow(raw: Record<string, string> | string): ParsedRow<IndustrialIndexRecord> {
  return reparseCsvRow(raw, MPI_SPEC);
}

/** An index far above this is a typing error, not an industry boom. */
const MPI_MAX = 1000;

const MPI_SPEC: CsvFeedSpec<OieMpiColumn, IndustrialIndexRecord> = {
  name: 'OIE MPI feed',
  required: OIE_MPI_REQUIRED_COLUMNS,
  optional: OIE_MPI_OPTIONAL_COLUMNS,
  toRecord(get) {
    return {
      industryCode: industryCode(get('INDUSTRY_CODE')),
      industryName: cleanText(get('INDUSTRY_NAME')),
      month: month(get('MONTH')),
      mpi: requiredNumber(get('MPI'), 'MPI', { min: 0, max: MPI_MAX }),
      capacityUtilisation: optionalNumber(get('CAP_U'), 'CAP_U', { min: 0, max: 100 }),
    };
  },
};

/** `C` (all manufacturing) or a TSIC code of 2 to 5 digits. */
function industryCode(value: FeedValue): string {
  const cleaned = cleanCode(value)?.toUpperCase();
  if (cleaned === undefined) reject('INDUSTRY_CODE is missing');
  if (!/^(C|\d{2,5})$/.test(cleaned)) reject(`INDUSTRY_CODE must be C or 2-5 digits, got "${cleaned}"`);
  return cleaned;
}

/**
 * `2024-03`, `2567-03` (Buddhist Era), `03/2567`, `2024-03-01`, Thai digits: the ISO date of the
 * month's first day, Common Era.
 */
export function month(value: FeedValue): string {
  const cleaned = cleanCode(value);
  if (cleaned === null) reject('MONTH is missing');
  const ym = /^(\d{4})[-/.](\d{1,2})(?:[-/.]01)?$/.exec(cleaned);
  const my = /^(\d{1,2})[-/.](\d{4})$/.exec(cleaned);
  const [y, m] = ym ? [ym[1], ym[2]] : my ? [my[2], my[1]] : [];
  if (y === undefined || m === undefined) reject(`MONTH is not a month (YYYY-MM): "${cleaned}"`);
  const ce = commonEraYear(Number(y));
  if (Number(m) < 1 || Number(m) > 12 || ce < 1990 || ce > 2100) reject(`MONTH is not a valid month: "${cleaned}"`);
  return `${ce}-${m.padStart(2, '0')}-01`;
}
