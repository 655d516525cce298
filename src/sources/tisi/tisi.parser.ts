import type { Readable } from 'node:stream';
import type { ParseContext, ParsedRow } from '../../ingestion/feed';
import { parseCsvFeed, reparseCsvRow, type CsvFeedSpec } from '../common/csv-feed';
import { asciiDigits, BUDDHIST_ERA_OFFSET, cleanCode, cleanText, optionalDate, optionalThaiId, reject, requiredDate, type FeedValue } from '../common/feed-values';
import {
  TIS_LICENCE_STATUS_WORDS,
  TIS_STANDARD_STATUS_WORDS,
  TISI_LICENCE_OPTIONAL_COLUMNS,
  TISI_LICENCE_REQUIRED_COLUMNS,
  TISI_STANDARD_COLUMNS,
  type TisiLicenceColumn,
  type TisiStandardColumn,
  type TisLicenceRecord,
  type TisStandardRecord,
} from './tisi.record';

/**
 * Parsers of TISI's two CSV feeds: the standards list and the licences to use a standard mark.
 * Rows that cannot be trusted are rejected one by one (quarantined with a reason); a feed that is
 * not the expected CSV (HTML page, missing columns) throws FeedFormatError. See README.md.
 */
export function parseTisiStandards(input: NodeJS.ReadableStream | Readable, context: ParseContext): AsyncGenerator<ParsedRow<TisStandardRecord>> {
  return parseCsvFeed(input, context, STANDARDS_SPEC);
}

export function parseTisiLicences(input: NodeJS.ReadableStream | Readable, context: ParseContext): AsyncGenerator<ParsedRow<TisLicenceRecord>> {
  return parseCsvFeed(input, context, LICENCES_SPEC);
}

/** Re-parses one quarantined standards row (stored as column → value) with today's rules. */
export function reparseTisiStandard(raw: Record<string, string> | string): ParsedRow<TisStandardRecord> {
  return reparseCsvRow(raw, STANDARDS_SPEC);
}

/** Re-parses one quarantined licence row (stored as column → value) with today's rules. */
export function reparseTisiLicence(raw: Record<string, string> | string): ParsedRow<TisLicenceRecord> {
  return reparseCsvRow(raw, LICENCES_SPEC);
}

const STANDARDS_SPEC: CsvFeedSpec<TisiStandardColumn, TisStandardRecord> = {
  name: 'TISI standards feed',
  required: TISI_STANDARD_COLUMNS,
  optional: [],
  toRecord(get) {
    const { tisNo, number, yearBe } = standardNumber(get('TIS_NO'), 'TIS_NO');
    const nameTh = cleanText(get('TIS_NAME_TH'));
    if (nameTh === null) reject('TIS_NAME_TH is empty');
    const statusText = cleanText(get('STATUS'));
    return {
      tisNo,
      number,
      yearBe,
      yearCe: yearBe - BUDDHIST_ERA_OFFSET,
      nameTh,
      mandatory: mandatory(get('TIS_TYPE')),
      status: (statusText && TIS_STANDARD_STATUS_WORDS[statusText.toUpperCase()]) || 'UNKNOWN',
      statusText,
    };
  },
};

const LICENCES_SPEC: CsvFeedSpec<TisiLicenceColumn, TisLicenceRecord> = {
  name: 'TISI licences feed',
  required: TISI_LICENCE_REQUIRED_COLUMNS,
  optional: TISI_LICENCE_OPTIONAL_COLUMNS,
  toRecord(get) {
    const licenceNo = cleanCode(get('LICENSE_NO'))?.toUpperCase() ?? reject('LICENSE_NO is empty');
    const statusText = cleanText(get('STATUS'));
    const licenseeName = cleanText(get('LICENSEE_NAME'));
    // A blank tax ID loads when the licensee is named: the hub links such a licence by name.
    const licenseeTaxId = optionalThaiId(get('TAX_ID'), 'TAX_ID');
    if (licenseeTaxId === null && licenseeName === null) reject('TAX_ID is missing and LICENSEE_NAME is empty: the licensee cannot be identified');
    return {
      licenceNo,
      licenceType: cleanText(get('LICENSE_TYPE')),
      issuedOn: requiredDate(get('ISSUE_DATE'), 'ISSUE_DATE'),
      tisNo: standardNumber(get('TIS_NO'), 'TIS_NO').tisNo,
      licenseeName,
      licenseeTaxId,
      fid: factoryId(get('FID')),
      status: (statusText && TIS_LICENCE_STATUS_WORDS[statusText.toUpperCase()]) || 'UNKNOWN',
      statusText,
      suspendedOn: optionalDate(get('SUSPENDED_DATE'), 'SUSPENDED_DATE'),
      cancelledOn: optionalDate(get('CANCELLED_DATE'), 'CANCELLED_DATE'),
    };
  },
};

/** Years of standards' editions, Buddhist Era: TISI was founded in BE 2511 (1968). */
const FIRST_STANDARD_YEAR_BE = 2480;
const LAST_STANDARD_YEAR_BE = 2700;

/**
 * A standard number as TISI writes it, `มอก. 2416-2552`, also `มอก.2416-2552`, `มอก 2416 - 2552`,
 * `TIS 2416-2552`, `2416-2552`, Thai digits: normalised to `2416-2552` (number without leading
 * zeros, Buddhist Era year). A Common Era year (before 2400) is converted to the Buddhist Era.
 */
export function standardNumber(value: FeedValue, field: string): { tisNo: string; number: number; yearBe: number } {
  const cleaned = cleanText(value);
  if (cleaned === null) reject(`${field} is missing`);
  const written = asciiDigits(cleaned)
    .replace(/^(มอก|TIS)\s*\.?/i, '')
    .replace(/\s/g, '');
  const match = /^(\d{1,5})-(\d{4})$/.exec(written);
  if (!match) reject(`${field} is not a standard number (มอก. number-year): "${cleaned}"`);
  const number = Number(match[1]);
  const writtenYear = Number(match[2]);
  const yearBe = writtenYear >= 2400 ? writtenYear : writtenYear + BUDDHIST_ERA_OFFSET;
  if (number === 0 || yearBe < FIRST_STANDARD_YEAR_BE || yearBe > LAST_STANDARD_YEAR_BE) reject(`${field} is not a standard number (มอก. number-year): "${cleaned}"`);
  return { tisNo: `${number}-${yearBe}`, number, yearBe };
}

const MANDATORY_WORDS = new Map<string, boolean>([
  ['บ', true],
  ['บังคับ', true],
  ['M', true],
  ['MANDATORY', true],
  ['ท', false],
  ['ทั่วไป', false],
  ['V', false],
  ['VOLUNTARY', false],
]);

function mandatory(value: FeedValue): boolean {
  const cleaned = cleanText(value);
  const found = cleaned === null ? undefined : MANDATORY_WORDS.get(cleaned.toUpperCase());
  if (found === undefined) reject(`TIS_TYPE must be บ (mandatory) or ท (voluntary), got "${cleaned ?? ''}"`);
  return found;
}

/** FID: 14 digits, or nothing (TISI does not always know the plant). */
function factoryId(value: FeedValue): string | null {
  const cleaned = cleanText(value);
  if (cleaned === null) return null;
  const digits = asciiDigits(cleaned).replace(/[\s-]/g, '');
  if (!/^\d{14}$/.test(digits)) reject(`FID must be 14 digits, got "${cleaned}"`);
  return digits;
}
