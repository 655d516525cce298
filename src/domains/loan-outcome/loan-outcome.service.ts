import { may, P } from '../../access/permissions';
import { bangkokDate, isIsoDate } from '../../shared/calendar';
import { normaliseJuristicId } from '../../shared/thai-id';
import type { ApiClient } from '../../access/api-client.repository';
import type { BankCode } from '../../access/roles';
import { DomainError } from '../../platform/errors/domain-error';
import { checkRangeOrder } from '../../platform/graphql/ranges';
import { checkPageSize, decodeCursor, invalidCursor, pageOf, withTotalCount } from '../../platform/graphql/connection';
import type { CompanyService } from '../company/company.service';
import type { DateRange } from '../company/company.type';
import type { EligibilityService } from '../eligibility/eligibility.service';
import type { StatisticsRepository } from '../statistics/statistics.repository';
import { centreShape, checkGroupBy, checkGroupCount, fixed, groupShape, REGION_SHAPE, shapeGroups, SME_SIZE_LABELS, type KeyShape } from '../statistics/statistics.service';
import { LoanOutcomeRepository, type CatalogueProduct, type OutcomeCriteria } from './loan-outcome.repository';
import {
  AMOUNT_REQUIRED,
  type LoanOutcome,
  type LoanOutcomeConnection,
  type LoanOutcomeKind,
  type LoanOutcomeFilter,
  type LoanTakeUpDimension,
  type LoanTakeUpFilter,
  type LoanTakeUpStats,
  type ReportLoanOutcomeInput,
  type ReportLoanOutcomePayload,
} from './loan-outcome.type';

export const OUTCOME_CURSOR = 'loanOutcome';
/**
 * Printable: no control characters (C0, C1), no format characters (bidi overrides such as U+202E,
 * zero-width spaces: a reference that displays as another), no private-use, unassigned or
 * surrogate code points, no line or paragraph separators. A reference is an identifier, not a note.
 */
const REFERENCE = /^[^\p{C}\p{Zl}\p{Zp}]{1,100}$/u;
/**
 * The largest amount of one report, for products without a maximum of their own: 100 billion baht,
 * beyond any loan of a state bank to one firm (*assumed*; the column holds numeric(18, 2)).
 */
export const MAX_OUTCOME_AMOUNT_BAHT = 100_000_000_000;
/**
 * The earliest day an outcome may have happened: the ministry's data linkage with the partner banks
 * began in 2019 (domain brief), so no outcome reported through the hub answers an earlier eligibility.
 */
export const EARLIEST_OUTCOME_ON = '2019-01-01';

const BANK_LABELS = fixed({
  SMED: { nameEn: 'SME Development Bank', nameTh: 'ธนาคารพัฒนาวิสาหกิจขนาดกลางและขนาดย่อมแห่งประเทศไทย' },
  EXIM: { nameEn: 'Export-Import Bank of Thailand', nameTh: 'ธนาคารเพื่อการส่งออกและนำเข้าแห่งประเทศไทย' },
});

/** The message a bank client gets for a product that is not its bank's, whether it exists or not. */
export const notYourProduct = (code: string): string => `product "${code}" is not one of your bank’s products`;

function checkDate(value: string, argument: string): string {
  if (!isIsoDate(value.trim())) {
    throw new DomainError('BAD_USER_INPUT', `${argument} must be an ISO date (YYYY-MM-DD), got "${value}"`, { argument });
  }
  return value.trim();
}

function checkRange(range: DateRange | null | undefined, argument: string): { from?: string; to?: string } {
  const from = range?.from ? checkDate(range.from, `${argument}.from`) : undefined;
  const to = range?.to ? checkDate(range.to, `${argument}.to`) : undefined;
  checkRangeOrder(from, to, argument);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** Baht with at most two decimals, at least one satang, as exact text for the numeric column. */
function amountText(amount: number): string | undefined {
  if (!Number.isFinite(amount) || amount <= 0) return undefined;
  const satang = Math.round(amount * 100);
  // 1e-300 rounds to 0 satang: not an amount (it reached the column's CHECK, a 500, before).
  if (satang < 1 || Math.abs(amount * 100 - satang) > 1e-6 * Math.max(1, Math.abs(amount))) return undefined;
  return (satang / 100).toFixed(2);
}

/** The same report? A retry must not differ in anything the bank sent. */
function sameReport(recorded: LoanOutcome, bank: BankCode, sent: { productCode: string; juristicId: string; outcome: LoanOutcomeKind; amountBaht: string | null; outcomeOn: string }): boolean {
  return (
    String(recorded.bank) === bank &&
    recorded.productCode === sent.productCode &&
    recorded.juristicId === sent.juristicId &&
    recorded.outcome === sent.outcome &&
    (recorded.amountBaht === null ? null : recorded.amountBaht.toFixed(2)) === sent.amountBaht &&
    recorded.outcomeOn === sent.outcomeOn
  );
}

/**
 * Loan outcomes: the banks' reports on their own products (validated, idempotent by the bank's
 * reference, recorded with the eligibility then in force) and take-up against stored eligibility.
 * Bank scoping is the eligibility service's, so every lending read agrees on who sees what.
 */
export class LoanOutcomeService {
  constructor(
    private readonly repository: LoanOutcomeRepository,
    private readonly eligibility: EligibilityService,
    private readonly companies: CompanyService,
    private readonly statistics: StatisticsRepository,
    /** Today is read from here (tests set it). */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records a bank's report on one of its own products (a retry with the same reference returns the first). */
  async report(client: ApiClient, input: ReportLoanOutcomeInput): Promise<ReportLoanOutcomePayload> {
    if (client.role !== 'bank' || client.bankCode === null) throw new DomainError('FORBIDDEN', 'only a bank client reports loan outcomes, on its own bank’s products');
    const bank = client.bankCode;
    const juristicId = normaliseJuristicId(input.juristicId);
    if (juristicId === undefined) throw new DomainError('BAD_USER_INPUT', `"${input.juristicId}" is not a juristic ID: 13 digits starting with 0, with a valid check digit`, { argument: 'input.juristicId' });
    const productCode = input.productCode.trim();
    const product = await this.repository.productOfBank(bank, productCode);
    if (!product) throw new DomainError('FORBIDDEN', notYourProduct(productCode));

    const outcomeOn = checkDate(input.outcomeOn, 'input.outcomeOn');
    const today = bangkokDate(this.now());
    if (outcomeOn > today) throw new DomainError('BAD_USER_INPUT', `outcomeOn ${outcomeOn} is in the future (today is ${today} in Bangkok)`, { argument: 'input.outcomeOn' });
    if (outcomeOn < EARLIEST_OUTCOME_ON) {
      throw new DomainError('BAD_USER_INPUT', `outcomeOn ${outcomeOn} is before ${EARLIEST_OUTCOME_ON}, when the banks' data linkage with the ministry began`, { argument: 'input.outcomeOn' });
    }

    let amountBaht: string | null = null;
    if (input.amountBaht !== undefined && input.amountBaht !== null) {
      const text = amountText(input.amountBaht);
      if (text === undefined) throw new DomainError('BAD_USER_INPUT', `amountBaht must be more than 0 baht (at least 0.01) with at most 2 decimals, got ${input.amountBaht}`, { argument: 'input.amountBaht' });
      if (Number(text) > MAX_OUTCOME_AMOUNT_BAHT) {
        throw new DomainError('BAD_USER_INPUT', `amountBaht must be at most ${MAX_OUTCOME_AMOUNT_BAHT} baht, got ${input.amountBaht}`, { argument: 'input.amountBaht' });
      }
      if (product.maxAmountBaht !== null && Number(text) > product.maxAmountBaht) {
        throw new DomainError('BAD_USER_INPUT', `amountBaht ${text} is more than the product’s maximum of ${product.maxAmountBaht} baht (amounts are in baht, not millions)`, {
          argument: 'input.amountBaht',
        });
      }
      amountBaht = text;
    } else if (AMOUNT_REQUIRED.has(input.outcome)) {
      throw new DomainError('BAD_USER_INPUT', `amountBaht is required for ${input.outcome}`, { argument: 'input.amountBaht' });
    }

    let bankReference: string | null = null;
    if (input.bankReference !== undefined && input.bankReference !== null) {
      bankReference = input.bankReference.trim();
      if (!REFERENCE.test(bankReference)) throw new DomainError('BAD_USER_INPUT', 'bankReference is 1 to 100 printable characters: no control or format characters (line breaks, bidi overrides, zero-width spaces)', { argument: 'input.bankReference' });
    }
    if (!(await this.repository.companyExists(juristicId))) throw new DomainError('NOT_FOUND', `no company with juristic ID ${juristicId}`, { argument: 'input.juristicId' });

    const sent = { productCode: product.code, juristicId, outcome: input.outcome, amountBaht, outcomeOn };
    const inserted = await this.repository.insert({ ...sent, bank, bankReference, clientId: client.id });
    if (inserted) return { loanOutcome: inserted, replayed: false };
    // The reference was used before (perhaps by a concurrent retry): the same report, or a mistake.
    const recorded = await this.repository.findByReference(bank, bankReference!);
    if (recorded && sameReport(recorded, bank, sent)) return { loanOutcome: recorded, replayed: true };
    throw new DomainError('BAD_USER_INPUT', `bankReference "${bankReference}" was already used for a different report (${recorded?.outcomeId ?? 'unknown'}); a correction needs a new reference`, {
      argument: 'input.bankReference',
    });
  }

  /** Reports newest first: a bank client its own bank's, the ministry and admins every bank's (or one). */
  async list(client: ApiClient, args: { filter?: LoanOutcomeFilter | null; first?: number | null; after?: string | null }): Promise<LoanOutcomeConnection> {
    const size = checkPageSize(args.first);
    const filter = args.filter ?? {};
    const bank = this.eligibility.bankScope(client, filter.bank);
    const cursor = decodeCursor(OUTCOME_CURSOR, args.after);
    const before = cursor === undefined ? undefined : LoanOutcomeRepository.cursorNumber(cursor, bank);
    if (cursor !== undefined && before === undefined) throw invalidCursor();
    const criteria: OutcomeCriteria = {
      bank,
      ...(filter.productCode ? { productCode: filter.productCode.trim() } : {}),
      ...(filter.juristicId ? { juristicId: filter.juristicId.replace(/[\s-]/g, '') } : {}),
      ...(filter.outcome?.length ? { outcomes: filter.outcome } : {}),
      ...checkRange(filter.outcomeBetween, 'filter.outcomeBetween'),
    };
    const rows = await this.repository.list(criteria, before, size + 1);
    return withTotalCount(pageOf(rows, size, OUTCOME_CURSOR, (o) => LoanOutcomeRepository.cursorKey(o, bank)), () => this.repository.count(criteria));
  }

  /**
   * Take-up per group: firms eligible today against the firms the banks reported on, for the
   * products in scope (a bank client: its own bank's only; naming another bank's product is
   * FORBIDDEN with the message of a product that does not exist).
   */
  async takeUp(client: ApiClient, filter: LoanTakeUpFilter | null | undefined, groupBy: readonly LoanTakeUpDimension[]): Promise<LoanTakeUpStats> {
    checkGroupBy(groupBy);
    const bank = this.eligibility.bankScope(client, filter?.bank);
    const catalogue = await this.repository.catalogue(bank);
    let products: string[] | undefined;
    if (filter?.products) {
      products = [...new Set(filter.products.map((code) => code.trim()))];
      const known = new Set(catalogue.map((p) => p.code));
      const unknown = products.find((code) => !known.has(code));
      if (unknown !== undefined) {
        if (client.role === 'bank') throw new DomainError('FORBIDDEN', notYourProduct(unknown));
        throw new DomainError('NOT_FOUND', `no loan product "${unknown}"${bank ? ` of ${bank}` : ''}`, { argument: 'filter.products' });
      }
    }
    // Below the ministry, except a bank reading its own reports.
    const disclosure = !may(client.role, P.statisticsExact) && client.role !== 'bank';
    if (disclosure) checkCoarseCompanyFilter(filter?.companies);
    const [companies, names] = await Promise.all([this.companies.criteria(filter?.companies), this.statistics.referenceNames()]);
    const rows = await this.repository.takeUp({ bank, ...(products ? { products } : {}), ...checkRange(filter?.outcomeBetween, 'filter.outcomeBetween'), companies, groupBy });
    checkGroupCount(rows.length);
    const shapes = takeUpShapes(names, catalogue);
    // Banks' reports on a handful of firms are those firms' loans: such a group is left out, however
    // many firms it counts as eligible (see also withoutSmallCells in the resolver).
    const shown = disclosure ? rows.filter((row) => row.appliedFirms === 0 || row.appliedFirms >= MIN_REPORTED_FIRMS) : rows;
    return {
      groupBy: [...groupBy],
      suppressedGroups: rows.length - shown.length,
      groups: shapeGroups(shown, groupBy, shapes).map(({ row, keys }) => ({
        keys,
        eligibleFirms: row.eligibleFirms,
        appliedFirms: row.appliedFirms,
        approvedFirms: row.approvedFirms,
        disbursedFirms: row.disbursedFirms,
        rejectedFirms: row.rejectedFirms,
        takenUpEligibleFirms: row.takenUpEligibleFirms,
        takeUpRate: row.eligibleFirms > 0 ? row.takenUpEligibleFirms / row.eligibleFirms : null,
        appliedAmountBaht: row.appliedAmountBaht,
        approvedAmountBaht: row.approvedAmountBaht,
        disbursedAmountBaht: row.disbursedAmountBaht,
      })),
    };
  }

  /** The repository's `findByIds`, for the domain's loaders (one statement per batch). */
  findByIds(...args: Parameters<LoanOutcomeRepository['findByIds']>): ReturnType<LoanOutcomeRepository['findByIds']> {
    return this.repository.findByIds(...args);
  }
}

/**
 * Fewest firms a bank reported on that a group must count before an analyst sees it (statistical
 * disclosure control: a group of one firm is that firm's loan).
 */
export const MIN_REPORTED_FIRMS = 5;

/** Company filters an analyst may narrow take-up by: areas and classes, not firm-level traits. */
const COARSE_COMPANY_FILTERS = new Set(['province', 'region', 'promotionCentre', 'provinceGroup', 'tsicPrefix', 'targetIndustry', 'smeSize', 'status', 'juristicType']);

function checkCoarseCompanyFilter(filter: object | null | undefined): void {
  for (const [name, value] of Object.entries(filter ?? {})) {
    if (value === undefined || value === null || COARSE_COMPANY_FILTERS.has(name)) continue;
    throw new DomainError('FORBIDDEN', `analysts may narrow take-up by ${[...COARSE_COMPANY_FILTERS].join(', ')}, not by ${name}: a narrow filter would single out firms' loans`, {
      argument: `filter.companies.${name}`,
    });
  }
}

function takeUpShapes(names: Awaited<ReturnType<StatisticsRepository['referenceNames']>>, catalogue: readonly CatalogueProduct[]): Readonly<Record<LoanTakeUpDimension, KeyShape>> {
  const products = new Map(catalogue.map((p) => [p.code, { nameEn: p.nameEn, nameTh: p.nameTh }]));
  return {
    BANK: BANK_LABELS,
    PRODUCT: { code: (v) => v, label: (c) => products.get(c) },
    REGION: REGION_SHAPE,
    PROVINCE: { code: (v) => v, label: (c) => names.provinces.get(c) },
    PROMOTION_CENTRE: centreShape(names),
    PROVINCE_GROUP: groupShape(names),
    TARGET_INDUSTRY: { code: (v) => v, label: (c) => names.targetIndustries.get(c), rank: (c) => names.targetIndustries.get(c)?.order },
    SME_SIZE: fixed(SME_SIZE_LABELS),
  };
}
