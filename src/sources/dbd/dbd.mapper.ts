/**
 * Maps one item of DBD's JSON listings to a record, or to a rejected row with a reason (the item
 * itself is the raw kept in quarantine, so `reparse` can map it again with today's rules). Nothing is
 * guessed: an ID that fails its check digit, a date that is not a date, an amount that is not a
 * number or a statement without its unit is quarantined, not repaired. See README.md.
 */
import type { ParsedRow, RawRow } from '../../ingestion/feed';
import { normaliseCompanyName } from './company-name';
import {
  DBD_STATUS_WORDINGS,
  DBD_TYPE_WORDINGS,
  type CompanyRecord,
  type CompanyStatus,
  type Director,
  type FinancialStatementRecord,
  type JuristicTypeCode,
  type ReportedUnit,
  type Shareholder,
} from './dbd.record';
import type { ItemFields } from './item-fields';
import { checkJuristicId, isValidJuristicId, normaliseJuristicId } from './juristic-id';
import {
  amountBaht,
  describe,
  fail,
  isoDate,
  optionalCode,
  optionalText,
  requiredText,
  timestampMs,
  ValueError,
  wholeNumber,
} from './thai-text';
import { asciiDigits, cleanText, commonEraYear, provinceName } from '../common/feed-values';

type Item = Record<string, unknown>;

/**
 * An item as a mapper may read it: only the declared fields (reading another name is a type error,
 * so the declarations below cannot fall behind the mappers).
 */
type ItemOf<F extends string> = { readonly [K in F]?: unknown };
type FieldOf<T extends ItemFields> = T['required'][number] | T['optional'][number];

/** The top-level fields of a juristic-person item (drift is checked against them: item-fields.ts). */
export const COMPANY_ITEM_FIELDS = {
  required: ['juristicId', 'nameTh', 'updatedAt'],
  optional: [
    'type',
    'nameEn',
    'status',
    'registeredOn',
    'registeredCapital',
    'paidUpCapital',
    'objective',
    'tsicCode',
    'address',
    'province',
    'directors',
    'shareholders',
  ],
} as const satisfies ItemFields;

/** The top-level fields of a financial-statement item. */
export const FINANCIAL_ITEM_FIELDS = {
  required: ['juristicId', 'fiscalYear', 'unit', 'updatedAt'],
  optional: ['revenue', 'totalAssets', 'fixedAssets', 'liabilities', 'equity', 'netProfit', 'employees'],
} as const satisfies ItemFields;

type CompanyItem = ItemOf<FieldOf<typeof COMPANY_ITEM_FIELDS>>;
type FinancialItem = ItemOf<FieldOf<typeof FINANCIAL_ITEM_FIELDS>>;

/** The raw form quarantine keeps: the item as received (it came from JSON.parse, so it is JSON). */
function rawOf(item: unknown): RawRow {
  return item === undefined ? null : (item as RawRow);
}

function isObject(value: unknown): value is Item {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mapItem<R>(item: unknown, line: number, what: string, map: (item: Item) => R): ParsedRow<R> {
  if (!isObject(item)) return { kind: 'rejected', line, raw: rawOf(item), reason: `${what} item must be a JSON object, got ${describe(item)}` };
  try {
    return { kind: 'record', line, record: map(item) };
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    return { kind: 'rejected', line, raw: rawOf(item), reason: error.message };
  }
}

function juristicIdOf(item: ItemOf<'juristicId'>): string {
  const check = checkJuristicId(item['juristicId']);
  if (!check.ok) fail(check.reason);
  return check.id;
}

function updatedAtOf(item: ItemOf<'updatedAt'>): string {
  return new Date(timestampMs(item['updatedAt'], 'updatedAt')).toISOString();
}

/**
 * The item's `updatedAt` in milliseconds, or undefined when it has none that can be read: the paged
 * reader advances its cursor over every item it saw, rejected ones included.
 */
export function itemUpdatedAtMs(item: unknown): number | undefined {
  if (!isObject(item)) return undefined;
  try {
    return timestampMs(item['updatedAt'], 'updatedAt');
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Juristic persons

export function mapCompanyItem(item: unknown, line: number): ParsedRow<CompanyRecord> {
  return mapItem(item, line, 'juristic person', toCompany);
}

function toCompany(item: CompanyItem): CompanyRecord {
  const juristicId = juristicIdOf(item);
  const nameTh = requiredText(item['nameTh'], 'nameTh');
  const juristicType = optionalText(item['type'], 'type');
  const statusRaw = optionalText(item['status'], 'status');
  const tsicCode = optionalCode(item['tsicCode'], 'tsicCode');
  if (tsicCode !== null && !/^\d{4,5}$/.test(tsicCode)) fail(`tsicCode must be a 5-digit TSIC code, got "${tsicCode}"`);
  const shareholders = listOf(item['shareholders'], 'shareholders', toShareholder);
  return {
    juristicId,
    juristicType,
    juristicTypeCode: decodeType(juristicType),
    nameTh,
    nameThNormalised: normaliseCompanyName(nameTh),
    nameEn: optionalText(item['nameEn'], 'nameEn'),
    statusRaw,
    status: decodeStatus(statusRaw),
    registeredOn: isoDate(item['registeredOn'], 'registeredOn'),
    registeredCapitalBaht: amountBaht(item['registeredCapital'], 'registeredCapital'),
    paidUpCapitalBaht: amountBaht(item['paidUpCapital'], 'paidUpCapital'),
    objective: optionalText(item['objective'], 'objective'),
    tsicCode,
    address: optionalText(item['address'], 'address'),
    province: provinceName(optionalText(item['province'], 'province')),
    directors: listOf(item['directors'], 'directors', toDirector),
    shareholders,
    thaiShareholdingPct: thaiShareholdingPct(shareholders),
    sourceUpdatedAt: updatedAtOf(item),
  };
}

/** Looks a wording up as written, then without spaces, then in lower case (English). */
function lookUp<T>(table: Readonly<Record<string, T>>, text: string | null): T | undefined {
  if (text === null) return undefined;
  return table[text] ?? table[text.replace(/\s/g, '')] ?? table[text.toLowerCase()];
}

export function decodeStatus(statusRaw: string | null): CompanyStatus {
  return lookUp(DBD_STATUS_WORDINGS, statusRaw) ?? 'UNKNOWN';
}

function decodeType(juristicType: string | null): JuristicTypeCode {
  return lookUp(DBD_TYPE_WORDINGS, juristicType) ?? 'UNKNOWN';
}

function listOf<T>(value: unknown, field: string, map: (entry: unknown, at: string) => T): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(`${field} must be a list, got ${describe(value)}`);
  return value.map((entry, i) => map(entry, `${field}[${i}]`));
}

function toDirector(entry: unknown, at: string): Director {
  if (typeof entry === 'string') return { name: requiredText(entry, `${at}`), position: null };
  if (!isObject(entry)) fail(`${at} must be an object, got ${describe(entry)}`);
  return { name: requiredText(entry['name'], `${at}.name`), position: optionalText(entry['position'], `${at}.position`) };
}

function toShareholder(entry: unknown, at: string): Shareholder {
  if (!isObject(entry)) fail(`${at} must be an object, got ${describe(entry)}`);
  const shares = wholeNumber(entry['shares'], `${at}.shares`);
  if (shares === null) fail(`${at}.shares is missing`);
  const shareholder: Shareholder = {
    name: requiredText(entry['name'], `${at}.name`),
    nationality: optionalText(entry['nationality'], `${at}.nationality`),
    shares,
  };
  // Personal data: kept as given (the API masks it); only its type is checked.
  const personalId = entry['personalId'];
  if (personalId !== undefined && personalId !== null) {
    if (typeof personalId !== 'string' && typeof personalId !== 'number') fail(`${at}.personalId must be text, got ${describe(personalId)}`);
    shareholder.personalId = String(personalId);
  }
  const juristicId = optionalText(entry['juristicId'], `${at}.juristicId`);
  if (juristicId !== null) shareholder.juristicId = normaliseJuristicId(juristicId);
  return shareholder;
}

const THAI_NATIONALITY = new Set(['ไทย', 'สัญชาติไทย', 'thai', 'th', 'tha', 'thailand']);

/**
 * Thai shareholder: nationality Thai; or, when no nationality is given, a juristic person with a valid
 * Thai juristic ID (registered in Thailand). A shareholder of another or unknown nationality is not.
 */
export function isThaiShareholder(shareholder: Shareholder): boolean {
  if (shareholder.nationality !== null) return THAI_NATIONALITY.has(shareholder.nationality.replace(/\s/g, '').toLowerCase());
  return shareholder.juristicId !== undefined && isValidJuristicId(shareholder.juristicId);
}

/** Share (0-100, 2 decimals) of the listed shares held by Thai shareholders; null with no shares listed. */
export function thaiShareholdingPct(shareholders: readonly Shareholder[]): number | null {
  let total = 0;
  let thai = 0;
  for (const shareholder of shareholders) {
    total += shareholder.shares;
    if (isThaiShareholder(shareholder)) thai += shareholder.shares;
  }
  return total === 0 ? null : Math.round((thai / total) * 10_000) / 100;
}

// ---------------------------------------------------------------------------------------------
// Financial statements

export function mapFinancialItem(item: unknown, line: number): ParsedRow<FinancialStatementRecord> {
  return mapItem(item, line, 'financial statement', toFinancialStatement);
}

const UNIT_WORDINGS: Readonly<Record<string, ReportedUnit>> = {
  THB: 'THB',
  BAHT: 'THB',
  บาท: 'THB',
  THB_MILLION: 'THB_MILLION',
  MTHB: 'THB_MILLION',
  'MILLION THB': 'THB_MILLION',
  ล้านบาท: 'THB_MILLION',
};

/** Years outside this range (after BE conversion) are typing mistakes, not statements. */
const FISCAL_YEARS = { min: 1950, max: 2100 };

function toFinancialStatement(item: FinancialItem): FinancialStatementRecord {
  const juristicId = juristicIdOf(item);
  const unitText = optionalText(item['unit'], 'unit');
  if (unitText === null) fail('unit is missing: amounts could be baht or million baht (THB or THB_MILLION)');
  const reportedUnit = UNIT_WORDINGS[unitText.toUpperCase()];
  if (reportedUnit === undefined) fail(`unit must be THB or THB_MILLION, got "${unitText}"`);
  const millions = reportedUnit === 'THB_MILLION';
  return {
    juristicId,
    fiscalYear: fiscalYear(item['fiscalYear']),
    reportedUnit,
    revenueBaht: amountBaht(item['revenue'], 'revenue', { millions }),
    totalAssetsBaht: amountBaht(item['totalAssets'], 'totalAssets', { millions }),
    fixedAssetsBaht: amountBaht(item['fixedAssets'], 'fixedAssets', { millions }),
    liabilitiesBaht: amountBaht(item['liabilities'], 'liabilities', { millions }),
    equityBaht: amountBaht(item['equity'], 'equity', { millions, signed: true }),
    netProfitBaht: amountBaht(item['netProfit'], 'netProfit', { millions, signed: true }),
    employees: wholeNumber(item['employees'], 'employees'),
    sourceUpdatedAt: updatedAtOf(item),
  };
}

/** `2023`, `2566`, `"๒๕๖๖"` -> 2023. */
function fiscalYear(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? cleanText(value) : null;
  if (text === null) fail(value === undefined || value === null || typeof value === 'string' ? 'fiscalYear is missing' : `fiscalYear must be a year, got ${describe(value)}`);
  const written = asciiDigits(text);
  if (!/^\d{4}$/.test(written)) fail(`fiscalYear must be a 4-digit year, got "${text}"`);
  const year = commonEraYear(Number(written));
  if (year < FISCAL_YEARS.min || year > FISCAL_YEARS.max) fail(`fiscalYear ${text} is out of range (${FISCAL_YEARS.min}-${FISCAL_YEARS.max} CE)`);
  return year;
}
