/**
 * The simulated DBD listings: juristic persons and yearly financial statements of the world's firms
 * (the same firms DIW's factories belong to), as paged JSON, with the quirks of real Thai government
 * data at `quirkRate` and invalid juristic IDs at `badRowRate`, both decided per firm from the seed,
 * and a day of changes per epoch step (see dbd-listing.ts). Ground truth without serving a byte:
 * `dbdListingTruth`.
 */
import type { SimulatorOptions } from '../simulator-options';
import type { Random } from '../random';
import { FIRM_STREAMS, randomOf } from '../world/firm-random';
import { FISCAL_YEARS, firmFinancials, firmProfile, type DirectorProfile, type FirmProfile, type FirmStatus, type ShareholderProfile } from '../world/firm-profile';
import { thaiPerson } from '../world/people';
import { firmAt, type Firm, type FirmKind } from '../world/world';
import { DbdEpoch, DbdListing, updatedAtMs, type DbdListingKind, type ListingEntry } from './dbd-listing';

export interface DbdListingQuery {
  /** Epoch steps (days) of changes since the base date; 0: every record as on the base date. */
  epoch: number;
  /** ISO date-time: only records updated after it. */
  updatedSince?: string;
  page: number;
  pageSize: number;
}

export interface DbdPage {
  page: number;
  pageSize: number;
  totalPages: number;
  /** Records in the listing (repeated items not counted). */
  totalItems: number;
  items: Record<string, unknown>[];
}

export interface DbdListingTruth {
  /** Distinct records in the listing (firms, or statements). */
  records: number;
  /** Records with an invalid juristic ID, which the hub must quarantine. */
  badRecords: number;
  /** Records the hub must load. */
  validRecords: number;
  /** Records carrying at least one quirk (all loadable unless also bad). */
  quirkyRecords: number;
  /** Extra copies of items served again at the start of the next page (with this page size). */
  duplicates: number;
  /** Items served over all pages: records + duplicates. */
  items: number;
  totalPages: number;
  /** Latest updatedAt in the listing (ISO), or null when it is empty: the cursor a full read ends with. */
  latestUpdatedAt: string | null;
}

// ---------------------------------------------------------------------------------------------
// Wordings

const TYPE_WORDING: Record<FirmKind, string> = {
  company: 'บริษัทจำกัด',
  'public-company': 'บริษัทมหาชนจำกัด',
  'limited-partnership': 'ห้างหุ้นส่วนจำกัด',
};

/** DBD's status wordings: the usual one, and the one used for every third firm (or a restored one). */
const STATUS_WORDINGS: Record<FirmStatus, readonly [string, string]> = {
  active: ['ยังดำเนินกิจการอยู่', 'คืนสู่ทะเบียน'],
  dissolved: ['เลิก', 'เสร็จการชำระบัญชี'],
  abandoned: ['ร้าง', 'ร้าง'],
  bankrupt: ['ล้มละลาย', 'พิทักษ์ทรัพย์เด็ดขาด'],
};

/** `คืนสู่ทะเบียน` (restored to the register) only for an active firm that was not always active. */
function statusWording(status: FirmStatus, index: number, restored: boolean): string {
  const [usual, other] = STATUS_WORDINGS[status];
  if (status === 'active') return restored ? other : usual;
  return index % 3 === 0 ? other : usual;
}

// ---------------------------------------------------------------------------------------------
// A firm's record at an epoch

/** What DBD holds about a firm at an epoch: its base profile with the epoch steps' changes applied. */
export interface CompanyState {
  firm: Firm;
  registeredCapitalBaht: number;
  paidUpCapitalBaht: number;
  status: FirmStatus;
  /** Which of the status's two wordings DBD uses for this firm. */
  statusWording: string;
  address: string;
  directors: DirectorProfile[];
  shareholders: ShareholderProfile[];
  /** Last change step (0: none). */
  step: number;
}

type ChangeKind = 'capital' | 'director' | 'status' | 'shareholders';

export function companyState(world: DbdEpoch, index: number): CompanyState {
  const { seed } = world;
  const firm = firmAt(seed, index);
  const profile: FirmProfile = firmProfile(seed, firm);
  const state: CompanyState = {
    firm,
    registeredCapitalBaht: profile.registeredCapitalBaht,
    paidUpCapitalBaht: profile.paidUpCapitalBaht,
    status: profile.status,
    statusWording: '',
    address: profile.address,
    directors: profile.directors.map((d) => ({ ...d })),
    shareholders: profile.shareholders.map((s) => ({ ...s })),
    step: 0,
  };
  let restored = false;
  for (const step of world.changeSteps('companies', index)) {
    const wasActive = state.status === 'active';
    applyChange(state, randomOf(seed, FIRM_STREAMS.dbdCompanyChangeKind, index, step), profile.parValueBaht);
    if (!wasActive && state.status === 'active') restored = true;
    state.step = step;
  }
  state.statusWording = statusWording(state.status, index, restored);
  return state;
}

/** Every change changes the record (so a loader must count it as updated). */
function applyChange(state: CompanyState, random: Random, parValueBaht: number): void {
  const kind = random.pick<ChangeKind>(['capital', 'capital', 'director', 'director', 'status', 'shareholders']);
  switch (kind) {
    case 'capital': {
      const before = state.registeredCapitalBaht;
      state.registeredCapitalBaht = Math.round((before * random.pick([1.2, 1.5, 2, 3])) / 100_000) * 100_000 + 100_000;
      const paidUp = random.chance(0.7) ? state.registeredCapitalBaht : Math.round(state.registeredCapitalBaht / 2);
      state.paidUpCapitalBaht = Math.max(state.paidUpCapitalBaht, paidUp);
      // New shares go to the existing holders in proportion (the first takes the rounding).
      const added = Math.round((state.registeredCapitalBaht - before) / parValueBaht);
      const first = state.shareholders[0];
      if (first) first.shares += added;
      return;
    }
    case 'director': {
      const names = new Set(state.directors.map((d) => d.name));
      let name = thaiPerson(random).name;
      while (names.has(name)) name = thaiPerson(random).name;
      const position = state.firm.kind === 'limited-partnership' ? 'หุ้นส่วนผู้จัดการ' : 'กรรมการ';
      state.directors.push({ name, position });
      if (state.directors.length > 9) state.directors.splice(1, 1);
      return;
    }
    case 'status':
      state.status = state.status === 'active' ? random.pick<FirmStatus>(['dissolved', 'dissolved', 'abandoned', 'bankrupt']) : 'active';
      return;
    case 'shareholders': {
      const person = thaiPerson(random);
      const from = state.shareholders[0];
      const shares = from ? Math.max(1, Math.floor(from.shares / 4)) : Math.round(state.registeredCapitalBaht / parValueBaht);
      if (from) from.shares -= shares;
      state.shareholders.push({ name: person.name, nationality: person.nationality, shares, personalId: person.personalId! });
      state.shareholders = state.shareholders.filter((s) => s.shares > 0);
      return;
    }
  }
}

/** A firm's statement for a fiscal year at an epoch: the latest year is amended at each change step. */
export function financialStatement(world: DbdEpoch, index: number, fiscalYear: number): { year: ReturnType<typeof firmFinancials>[number]; step: number } {
  const firm = firmAt(world.seed, index);
  const year = { ...firmFinancials(world.seed, firm).find((y) => y.fiscalYear === fiscalYear)! };
  let step = 0;
  if (fiscalYear === FISCAL_YEARS[FISCAL_YEARS.length - 1]) {
    for (const changeStep of world.changeSteps('financials', index)) {
      const random = randomOf(world.seed, FIRM_STREAMS.dbdFinancialChangeKind, index, changeStep);
      const factor = 1 + (random.chance(0.5) ? 1 : -1) * (0.02 + 0.08 * random.next());
      const revenue = Math.round(year.revenue * factor);
      year.revenue = revenue === year.revenue ? revenue + 1 : revenue; // an amendment always changes the statement
      year.netProfit = Math.round(year.netProfit * factor);
      step = changeStep;
    }
  }
  return { year, step };
}

/** Whether a firm's statements are written in million baht (a quarter of firms, per firm). */
export function reportsInMillions(seed: number, index: number): boolean {
  return randomOf(seed, FIRM_STREAMS.dbdUnit, index).chance(0.25);
}

// ---------------------------------------------------------------------------------------------
// Quirks and bad rows

const COMPANY_QUIRKS = ['dashedId', 'excelQuotedId', 'spacedId', 'buddhistEraDate', 'nameVariant', 'decomposedThai', 'amountsAsText', 'provinceVariant', 'duplicate'] as const;
const FINANCIAL_QUIRKS = ['dashedId', 'excelQuotedId', 'buddhistEraYear', 'amountsAsText', 'duplicate'] as const;

/** One to three distinct quirks for a quirky firm (none otherwise), and the generator they draw from. */
function quirksOf<Q extends string>(options: SimulatorOptions, kind: DbdListingKind, index: number, names: readonly Q[]): { quirks: Set<Q>; random: Random } {
  const random = randomOf(options.seed, kind === 'companies' ? FIRM_STREAMS.dbdCompanyQuirk : FIRM_STREAMS.dbdFinancialQuirk, index);
  const quirks = new Set<Q>();
  if (options.quirkRate <= 0 || !random.chance(options.quirkRate)) return { quirks, random };
  const count = random.int(1, 3);
  while (quirks.size < count) quirks.add(random.pick(names));
  return { quirks, random };
}

/** Bad firms of a listing: their juristic ID is written with a wrong check digit. */
export function isBadRecord(options: SimulatorOptions, kind: DbdListingKind, index: number): boolean {
  if (options.badRowRate <= 0) return false;
  return randomOf(options.seed, kind === 'companies' ? FIRM_STREAMS.dbdCompanyBad : FIRM_STREAMS.dbdFinancialBad, index).chance(options.badRowRate);
}

/** Served again at the start of the next page (good records only: the loader reduces them). */
function isDuplicated(options: SimulatorOptions, kind: DbdListingKind, index: number): boolean {
  if (isBadRecord(options, kind, index)) return false;
  const names: readonly string[] = kind === 'companies' ? COMPANY_QUIRKS : FINANCIAL_QUIRKS;
  return quirksOf(options, kind, index, names).quirks.has('duplicate');
}

function isQuirky(options: SimulatorOptions, kind: DbdListingKind, index: number): boolean {
  const names: readonly string[] = kind === 'companies' ? COMPANY_QUIRKS : FINANCIAL_QUIRKS;
  return quirksOf(options, kind, index, names).quirks.size > 0;
}

function wrongCheckDigit(id: string, random: Random): string {
  const right = Number(id[12]);
  return `${id.slice(0, 12)}${(right + random.int(1, 9)) % 10}`;
}

const THAI_DIGIT_ZERO = 0x0e50;
const thaiDigits = (text: string): string => text.replace(/\d/g, (digit) => String.fromCharCode(THAI_DIGIT_ZERO + Number(digit)));
const amountFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 });

/** `0105536112014` -> `0-10-5-536-11201-4`: how DBD's certificates print it. */
function dashed(id: string): string {
  return `${id[0]}-${id.slice(1, 3)}-${id[3]}-${id.slice(4, 7)}-${id.slice(7, 12)}-${id[12]}`;
}

function writeId(id: string, quirks: ReadonlySet<string>): string {
  if (quirks.has('dashedId')) id = dashed(id);
  if (quirks.has('spacedId')) id = ` ${dashed(id.replace(/-/g, '')).replace(/-/g, ' ')} `;
  if (quirks.has('excelQuotedId')) id = `="${id}"`;
  return id;
}

function decompose(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\u0E33/g, '\u0E4D\u0E32') // sara am typed as nikhahit + sara aa
    .replace(/([\u0E38\u0E39])([\u0E48-\u0E4B])/g, '$2$1'); // tone mark typed before the vowel below
}

/** `บริษัท X จำกัด` -> `บจก. X`, `บริษัท X จำกัด (มหาชน)` -> `บมจ. X`, `ห้างหุ้นส่วนจำกัด X` -> `หจก. X`. */
function abbreviatedName(firm: Firm): string {
  const core = firm.nameTh
    .replace(/^บริษัท /, '')
    .replace(/^ห้างหุ้นส่วนจำกัด /, '')
    .replace(/ จำกัด( \(มหาชน\))?$/, '');
  const form = firm.kind === 'company' ? 'บจก.' : firm.kind === 'public-company' ? 'บมจ.' : 'หจก.';
  return `${form} ${core}`;
}

// ---------------------------------------------------------------------------------------------
// Items

export function companyItem(options: SimulatorOptions, world: DbdEpoch, index: number): Record<string, unknown> {
  const state = companyState(world, index);
  const { firm } = state;
  const { quirks, random } = quirksOf(options, 'companies', index, COMPANY_QUIRKS);
  let juristicId = firm.juristicId;
  if (isBadRecord(options, 'companies', index)) juristicId = wrongCheckDigit(juristicId, randomOf(options.seed, FIRM_STREAMS.dbdCompanyBad, index, 1));
  const [year, month, day] = firm.registeredOn.split('-');
  const beDate = `${day}/${month}/${Number(year) + 543}`;
  const text = (value: string): string => (quirks.has('decomposedThai') ? decompose(value) : value);
  const amount = (value: number): number | string => (quirks.has('amountsAsText') ? amountFormat.format(value) : value);
  const province = firm.province.code === '10' ? 'กรุงเทพฯ' : `จังหวัด${firm.province.nameTh}`;
  return {
    juristicId: writeId(juristicId, quirks),
    type: TYPE_WORDING[firm.kind],
    nameTh: text(quirks.has('nameVariant') ? abbreviatedName(firm) : firm.nameTh),
    // The same variants in English (domain.md item 4): `Co., Ltd.` written out as `Company Limited`.
    nameEn: quirks.has('nameVariant') ? firm.nameEn.replace(/ Co\., Ltd\.$/, ' Company Limited') : firm.nameEn,
    status: text(state.statusWording),
    registeredOn: quirks.has('buddhistEraDate') ? (random.chance(0.7) ? thaiDigits(beDate) : beDate) : firm.registeredOn,
    registeredCapital: amount(state.registeredCapitalBaht),
    paidUpCapital: amount(state.paidUpCapitalBaht),
    objective: text(firm.industry.objective),
    tsicCode: firm.industry.tsic,
    address: state.address,
    province: quirks.has('provinceVariant') ? province : firm.province.nameTh,
    directors: state.directors.map((d) => ({ name: d.name, position: d.position })),
    shareholders: state.shareholders.map((s) => ({ ...s })),
    updatedAt: new Date(updatedAtMs(state.step, index)).toISOString(),
  };
}

export function financialItem(options: SimulatorOptions, world: DbdEpoch, index: number, fiscalYear: number): Record<string, unknown> {
  const firm = firmAt(options.seed, index);
  const { year, step } = financialStatement(world, index, fiscalYear);
  const { quirks, random } = quirksOf(options, 'financials', index, FINANCIAL_QUIRKS);
  let juristicId = firm.juristicId;
  if (isBadRecord(options, 'financials', index)) juristicId = wrongCheckDigit(juristicId, randomOf(options.seed, FIRM_STREAMS.dbdFinancialBad, index, 1));
  const millions = reportsInMillions(options.seed, index);
  const amount = (baht: number): number | string => {
    const value = millions ? Number((baht / 1e6).toFixed(6)) : baht;
    return quirks.has('amountsAsText') ? amountFormat.format(value) : value;
  };
  const beYear = fiscalYear + 543;
  return {
    juristicId: writeId(juristicId, quirks),
    fiscalYear: quirks.has('buddhistEraYear') ? (random.chance(0.5) ? thaiDigits(String(beYear)) : beYear) : fiscalYear,
    unit: millions ? 'THB_MILLION' : 'THB',
    revenue: amount(year.revenue),
    totalAssets: amount(year.totalAssets),
    fixedAssets: amount(year.fixedAssets),
    liabilities: amount(year.liabilities),
    equity: amount(year.equity),
    netProfit: amount(year.netProfit),
    employees: year.employees,
    updatedAt: new Date(updatedAtMs(step, index)).toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------
// Pages

function listingOf(options: SimulatorOptions, kind: DbdListingKind, query: Pick<DbdListingQuery, 'epoch' | 'updatedSince'>): DbdListing {
  const since = query.updatedSince === undefined ? undefined : Date.parse(query.updatedSince);
  return new DbdListing(new DbdEpoch(options.seed, options.scale, query.epoch), kind, since);
}

function itemOf(options: SimulatorOptions, listing: DbdListing, entry: ListingEntry): Record<string, unknown> {
  return listing.kind === 'companies' ? companyItem(options, listing.world, entry.index) : financialItem(options, listing.world, entry.index, entry.fiscalYear!);
}

/**
 * Page `page` (1-based) of a listing: the records at ranks [(page-1) x pageSize, page x pageSize),
 * after the duplicated records of the page before (as an offset-paged API shows when its data
 * shift between two requests).
 */
export function dbdPage(options: SimulatorOptions, kind: DbdListingKind, query: DbdListingQuery): DbdPage {
  const listing = listingOf(options, kind, query);
  const totalItems = listing.count();
  const totalPages = Math.ceil(totalItems / query.pageSize);
  const start = (query.page - 1) * query.pageSize;
  const entries = start < totalItems ? listing.range(start, start + query.pageSize) : [];
  const repeated = query.page > 1 && start < totalItems ? listing.range(start - query.pageSize, start).filter((e) => isDuplicated(options, kind, e.index)) : [];
  return {
    page: query.page,
    pageSize: query.pageSize,
    totalPages,
    totalItems,
    items: [...repeated, ...entries].map((entry) => itemOf(options, listing, entry)),
  };
}

/** Faults that change the items' fields, as an agency's schema drifts (the CSV feeds' `missing-column`, `renamed-column`). */
export type DbdColumnFault = 'missing-column' | 'renamed-column' | 'extra-column';

/**
 * The drift each column fault makes, per listing: `missing-column` drops a required field,
 * `renamed-column` calls the juristic ID by another name, `extra-column` adds a field the hub does
 * not read (a plausible one DBD's DataWarehouse shows).
 */
export const DBD_COLUMN_FAULTS: Readonly<Record<DbdListingKind, { missing: string; renamed: readonly [string, string]; extra: readonly [string, unknown] }>> = {
  companies: { missing: 'nameTh', renamed: ['juristicId', 'juristicNo'], extra: ['businessSize', 'S'] },
  financials: { missing: 'unit', renamed: ['juristicId', 'juristicNo'], extra: ['costOfSales', 0] },
};

/** A page's items after a column fault (new objects; key order kept, a renamed field stays in place). */
export function withColumnFault(kind: DbdListingKind, items: readonly Record<string, unknown>[], fault: DbdColumnFault): Record<string, unknown>[] {
  const drift = DBD_COLUMN_FAULTS[kind];
  return items.map((item) => {
    switch (fault) {
      case 'missing-column':
        return Object.fromEntries(Object.entries(item).filter(([key]) => key !== drift.missing));
      case 'renamed-column':
        return Object.fromEntries(Object.entries(item).map(([key, value]) => [key === drift.renamed[0] ? drift.renamed[1] : key, value]));
      case 'extra-column':
        return { ...item, [drift.extra[0]]: drift.extra[1] };
    }
  });
}

/** What a correct load of the listing yields; O(records), builds no items. */
export function dbdListingTruth(options: SimulatorOptions, kind: DbdListingKind, query: Omit<DbdListingQuery, 'page'>): DbdListingTruth {
  const listing = listingOf(options, kind, query);
  let records = 0;
  let badRecords = 0;
  let quirkyRecords = 0;
  let dupCandidates = 0;
  let latest = Number.NEGATIVE_INFINITY;
  const total = listing.count();
  const lastPageStart = Math.max(0, (Math.ceil(total / query.pageSize) - 1) * query.pageSize);
  for (const entry of listing.all()) {
    if (isBadRecord(options, kind, entry.index)) badRecords++;
    if (isQuirky(options, kind, entry.index)) quirkyRecords++;
    // A duplicated record is served again only when a next page exists.
    if (records < lastPageStart && isDuplicated(options, kind, entry.index)) dupCandidates++;
    latest = Math.max(latest, updatedAtMs(entry.step, entry.index));
    records++;
  }
  return {
    records,
    badRecords,
    validRecords: records - badRecords,
    quirkyRecords,
    duplicates: dupCandidates,
    items: records + dupCandidates,
    totalPages: Math.ceil(records / query.pageSize),
    latestUpdatedAt: Number.isFinite(latest) ? new Date(latest).toISOString() : null,
  };
}

export interface DbdGroundTruth {
  epoch: number;
  companies: DbdListingTruth;
  financials: DbdListingTruth;
  /** Firms whose juristic-person record changed at this epoch's step (none at epoch 0). */
  changedCompanies: number[];
  /** Firms whose latest statement was amended at this epoch's step. */
  changedFinancials: number[];
}

/**
 * Ground truth of both listings at an epoch (with `updatedSince` and a page size as a loader would
 * ask), and the firms that changed at that epoch's step.
 */
export function dbdGroundTruth(options: SimulatorOptions, epoch = 0, listing: { updatedSince?: string; pageSize?: number } = {}): DbdGroundTruth {
  const query = { epoch, pageSize: listing.pageSize ?? 1000, ...(listing.updatedSince === undefined ? {} : { updatedSince: listing.updatedSince }) };
  const world = new DbdEpoch(options.seed, options.scale, epoch);
  return {
    epoch,
    companies: dbdListingTruth(options, 'companies', query),
    financials: dbdListingTruth(options, 'financials', query),
    changedCompanies: epoch === 0 ? [] : world.changedAt('companies', epoch),
    changedFinancials: epoch === 0 ? [] : world.changedAt('financials', epoch),
  };
}
