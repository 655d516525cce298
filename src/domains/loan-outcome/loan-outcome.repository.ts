import type { DataSource } from 'typeorm';
import type { BankCode } from '../../access/roles';
import { toGlobalId } from '../../platform/graphql/global-id';
import { SqlParams } from '../../platform/database/sql-params';
import { companyConditions, type CompanyCriteria } from '../company/company.repository';
import type { CriterionOutcome, PartnerBank } from '../eligibility/eligibility.type';
import { areaJoins, CENTRE_KEY, GROUP_KEY } from '../geography/area-sql';
import { MAX_GROUPS } from '../statistics/statistics.type';
import { LoanTakeUpDimension, type LoanOutcome, type LoanOutcomeKind } from './loan-outcome.type';

interface OutcomeRow {
  id: string;
  bank_seq: string;
  bank_code: PartnerBank;
  product_code: string;
  juristic_id: string;
  outcome: LoanOutcomeKind;
  amount_baht: string | null;
  outcome_on: string;
  bank_reference: string | null;
  eligible_at_report: boolean | null;
  eligibility_outcome: CriterionOutcome | null;
  eligibility_computed_at: Date | null;
  rule_set_version: number | null;
  reported_at: Date;
}

const COLUMNS = `id::text, bank_seq::text, bank_code, product_code, juristic_id, outcome, amount_baht::text, to_char(outcome_on, 'YYYY-MM-DD') AS outcome_on,
  bank_reference, eligible_at_report, eligibility_outcome, eligibility_computed_at, rule_set_version, reported_at`;

/** A report's public ID: its bank and its number in that bank's own sequence (`SMED-17`). */
export const outcomeKey = (bank: string, bankSeq: string): string => `${bank}-${bankSeq}`;
const OUTCOME_KEY = /^(SMED|EXIM)-([1-9]\d{0,17})$/;

const toOutcome = (r: OutcomeRow): LoanOutcome => ({
  id: toGlobalId('LoanOutcome', outcomeKey(r.bank_code, r.bank_seq)),
  outcomeId: outcomeKey(r.bank_code, r.bank_seq),
  hubId: r.id,
  bank: r.bank_code,
  productCode: r.product_code,
  juristicId: r.juristic_id,
  outcome: r.outcome,
  amountBaht: r.amount_baht === null ? null : Number(r.amount_baht),
  outcomeOn: r.outcome_on,
  bankReference: r.bank_reference,
  eligibilityAtReport:
    r.eligible_at_report === null ? null : { eligible: r.eligible_at_report, outcome: r.eligibility_outcome!, computedAt: r.eligibility_computed_at! },
  ruleSetVersion: r.rule_set_version,
  reportedAt: r.reported_at,
});

export interface NewLoanOutcome {
  bank: BankCode;
  productCode: string;
  juristicId: string;
  outcome: LoanOutcomeKind;
  /** Baht, at most 2 decimals, as text so no binary rounding reaches the numeric column. */
  amountBaht: string | null;
  outcomeOn: string;
  bankReference: string | null;
  clientId: string;
}

/** Filters of a listing after validation; `bank` null means every bank. */
export interface OutcomeCriteria {
  bank: BankCode | null;
  productCode?: string;
  juristicId?: string;
  outcomes?: LoanOutcomeKind[];
  from?: string;
  to?: string;
}

export interface CatalogueProduct {
  bank: PartnerBank;
  code: string;
  nameEn: string;
  nameTh: string;
  maxAmountBaht: number | null;
  withdrawn: boolean;
}

/** One take-up group as the database returns it: a text key per dimension, then counts and sums. */
export interface TakeUpRow {
  keys: (string | null)[];
  eligibleFirms: number;
  appliedFirms: number;
  approvedFirms: number;
  disbursedFirms: number;
  rejectedFirms: number;
  takenUpEligibleFirms: number;
  appliedAmountBaht: number;
  approvedAmountBaht: number;
  disbursedAmountBaht: number;
}

export interface TakeUpRequest {
  bank: BankCode | null;
  /** Product codes; undefined: every product of the bank(s). */
  products?: string[];
  from?: string;
  to?: string;
  companies: CompanyCriteria | undefined;
  groupBy: readonly LoanTakeUpDimension[];
}

/** SQL of each dimension's key (text) over a (product, firm) pair `x`, its company `c` and profile `p`. */
const TAKE_UP_DIMENSIONS: Readonly<Record<LoanTakeUpDimension, string>> = {
  BANK: 'x.bank_code',
  PRODUCT: 'x.product_code',
  REGION: 'p.region',
  PROVINCE: 'p.province_code',
  PROMOTION_CENTRE: CENTRE_KEY,
  PROVINCE_GROUP: GROUP_KEY,
  TARGET_INDUSTRY: 'ti.code',
  SME_SIZE: 'p.sme_size',
};

/** The banks' reports (lending.loan_outcome) and take-up against stored eligibility. */
export class LoanOutcomeRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** A bank's product by code, withdrawn ones included (a loan granted before a withdrawal is still reported). */
  async productOfBank(bank: BankCode, code: string): Promise<CatalogueProduct | undefined> {
    return (await this.catalogue(bank, [code]))[0];
  }

  /** Products of a bank (or every bank), withdrawn ones included, optionally only the codes given. */
  async catalogue(bank: BankCode | null, codes?: readonly string[]): Promise<CatalogueProduct[]> {
    const rows: { bank_code: PartnerBank; product_code: string; name_en: string; name_th: string; max_amount_baht: string | null; withdrawn: boolean }[] =
      await this.dataSource.query(
        `SELECT bank_code, product_code, name_en, name_th, max_amount_baht::text, absent_since_run_id IS NOT NULL AS withdrawn
         FROM lending.loan_product WHERE ($1::text IS NULL OR bank_code = $1) AND ($2::text[] IS NULL OR product_code = ANY ($2::text[]))
         ORDER BY bank_code, product_code`,
        [bank, codes ?? null],
      );
    return rows.map((r) => ({
      bank: r.bank_code,
      code: r.product_code,
      nameEn: r.name_en,
      nameTh: r.name_th,
      maxAmountBaht: r.max_amount_baht === null ? null : Number(r.max_amount_baht),
      withdrawn: r.withdrawn,
    }));
  }

  async companyExists(juristicId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM registry.company WHERE juristic_id = $1', [juristicId]);
    return rows.length > 0;
  }

  /**
   * Records a report with the firm's stored eligibility and the product's rule set version as they
   * are now, in one statement (so the snapshot is the one in force when the row was written).
   * Undefined when the bank already used the reference: the caller reads that report instead.
   */
  async insert(report: NewLoanOutcome): Promise<LoanOutcome | undefined> {
    // The bank's next number: two reports racing for it collide on the unique (bank, number) and
    // the later one takes the next (a bank must not count the other bank's reports from its IDs).
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.insertNumbered(report);
      } catch (error) {
        const constraint = (error as { driverError?: { constraint?: unknown } }).driverError?.constraint;
        if (constraint !== 'loan_outcome_bank_seq' || attempt >= 20) throw error;
      }
    }
  }

  private async insertNumbered(report: NewLoanOutcome): Promise<LoanOutcome | undefined> {
    const rows: OutcomeRow[] = await this.dataSource.query(
      `INSERT INTO lending.loan_outcome (bank_code, product_code, juristic_id, outcome, amount_baht, outcome_on, bank_reference,
         eligible_at_report, eligibility_outcome, eligibility_computed_at, rule_set_version, reported_by_client_id, bank_seq)
       SELECT p.bank_code, p.product_code, $3, $4, $5::numeric, $6::date, $7, r.eligible, r.outcome, r.computed_at, p.rule_set_version, $8,
              (SELECT coalesce(max(x.bank_seq), 0) + 1 FROM lending.loan_outcome x WHERE x.bank_code = p.bank_code)
       FROM lending.loan_product p
       LEFT JOIN lending.eligibility_result r ON r.bank_code = p.bank_code AND r.product_code = p.product_code AND r.juristic_id = $3
       WHERE p.bank_code = $1 AND p.product_code = $2
       ON CONFLICT (bank_code, bank_reference) WHERE bank_reference IS NOT NULL DO NOTHING
       RETURNING ${COLUMNS}`,
      [report.bank, report.productCode, report.juristicId, report.outcome, report.amountBaht, report.outcomeOn, report.bankReference, report.clientId],
    );
    return rows[0] && toOutcome(rows[0]);
  }

  async findByReference(bank: BankCode, reference: string): Promise<LoanOutcome | undefined> {
    const rows: OutcomeRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM lending.loan_outcome WHERE bank_code = $1 AND bank_reference = $2`, [bank, reference]);
    return rows[0] && toOutcome(rows[0]);
  }

  /** Reports by public ID (`SMED-17`), of the given bank only when one is given. */
  async findByIds(ids: readonly string[], bank: BankCode | null): Promise<LoanOutcome[]> {
    const keys = ids.flatMap((id) => {
      const match = OUTCOME_KEY.exec(id);
      return match && (bank === null || match[1] === bank) ? [[match[1]!, match[2]!] as const] : [];
    });
    if (keys.length === 0) return [];
    const rows: OutcomeRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM lending.loan_outcome WHERE (bank_code, bank_seq) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))`,
      [keys.map((k) => k[0]), keys.map((k) => k[1])],
    );
    return rows.map(toOutcome);
  }

  private where(criteria: OutcomeCriteria, params: SqlParams): string {
    const where: string[] = [];
    if (criteria.bank) where.push(`bank_code = ${params.add(criteria.bank)}`);
    if (criteria.productCode) where.push(`product_code = ${params.add(criteria.productCode)}`);
    if (criteria.juristicId) where.push(`juristic_id = ${params.add(criteria.juristicId)}`);
    if (criteria.outcomes?.length) where.push(`outcome = ANY (${params.add(criteria.outcomes)}::text[])`);
    if (criteria.from) where.push(`outcome_on >= ${params.add(criteria.from)}::date`);
    if (criteria.to) where.push(`outcome_on <= ${params.add(criteria.to)}::date`);
    return where.length ? `WHERE ${where.join(' AND ')}` : '';
  }

  /**
   * Newest first, after the previous page's last report: by the bank's own number for one bank's
   * reports (a bank's cursors carry no hub-wide ID), by the hub-wide id for every bank's.
   */
  async list(criteria: OutcomeCriteria, before: string | undefined, limit: number): Promise<LoanOutcome[]> {
    const params = new SqlParams();
    let where = this.where(criteria, params);
    // `o.id`, `o.bank_seq`: the bare names would sort by the output columns, which are text.
    const key = criteria.bank ? 'o.bank_seq' : 'o.id';
    if (before) where = `${where ? `${where} AND` : 'WHERE'} ${key} < ${params.add(before)}::bigint`;
    const rows: OutcomeRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM lending.loan_outcome o ${where} ORDER BY ${key} DESC LIMIT ${params.add(limit)}`, params.values);
    return rows.map(toOutcome);
  }

  /** What a list's cursor carries for a report (see `list`): `SMED.17` in one bank's list, the hub-wide id in every bank's. */
  static cursorKey(outcome: LoanOutcome, bank: BankCode | null): string {
    return bank ? `${bank}.${outcome.outcomeId.split('-')[1]!}` : outcome.hubId;
  }

  /** The number after which a list resumes, from a cursor key of the same list; undefined when it is not one. */
  static cursorNumber(key: string, bank: BankCode | null): string | undefined {
    const match = /^(?:([A-Z]+)\.)?([1-9]\d{0,17})$/.exec(key);
    return match && (match[1] ?? null) === bank ? match[2] : undefined;
  }

  async count(criteria: OutcomeCriteria): Promise<number> {
    const params = new SqlParams();
    const rows: { n: number }[] = await this.dataSource.query(`SELECT count(*)::int AS n FROM lending.loan_outcome ${this.where(criteria, params)}`, params.values);
    return rows[0]!.n;
  }

  /**
   * Take-up per group, in one statement. The universe is the (product, firm) pairs where the firm
   * is eligible today for the product (stored results) or the bank reported on it in the period;
   * each pair is grouped by the firm's attributes (company and profile, as `companyStats` does) and
   * firms are counted distinct per group. At most MAX_GROUPS + 1 rows, unordered.
   */
  async takeUp(request: TakeUpRequest): Promise<TakeUpRow[]> {
    const params = new SqlParams();
    const bank = params.add(request.bank);
    const codes = params.add(request.products ?? null);
    const products = `SELECT bank_code, product_code FROM lending.loan_product
      WHERE (${bank}::text IS NULL OR bank_code = ${bank}) AND (${codes}::text[] IS NULL OR product_code = ANY (${codes}::text[]))`;
    const period = [
      request.from ? `o.outcome_on >= ${params.add(request.from)}::date` : '',
      request.to ? `o.outcome_on <= ${params.add(request.to)}::date` : '',
    ].filter(Boolean);
    const where = companyConditions(request.companies, params);
    const byIndustry = request.groupBy.includes(LoanTakeUpDimension.TARGET_INDUSTRY);
    const keys = request.groupBy.map((d, i) => `${TAKE_UP_DIMENSIONS[d]} AS k${i}`).join(', ');
    const sql = `
      WITH products AS (${products}),
      reported AS (
        SELECT o.bank_code, o.product_code, o.juristic_id,
          bool_or(o.outcome IN ('APPROVED', 'DISBURSED')) AS approved,
          bool_or(o.outcome = 'DISBURSED') AS disbursed,
          bool_or(o.outcome = 'REJECTED') AS rejected,
          coalesce(sum(o.amount_baht) FILTER (WHERE o.outcome = 'APPLIED'), 0) AS applied_amount,
          coalesce(sum(o.amount_baht) FILTER (WHERE o.outcome = 'APPROVED'), 0) AS approved_amount,
          coalesce(sum(o.amount_baht) FILTER (WHERE o.outcome = 'DISBURSED'), 0) AS disbursed_amount
        FROM lending.loan_outcome o JOIN products USING (bank_code, product_code)
        ${period.length ? `WHERE ${period.join(' AND ')}` : ''}
        GROUP BY 1, 2, 3
      ),
      eligible AS (
        SELECT r.bank_code, r.product_code, r.juristic_id FROM lending.eligibility_result r JOIN products USING (bank_code, product_code) WHERE r.eligible
      ),
      pairs AS (
        SELECT bank_code, product_code, juristic_id, e.juristic_id IS NOT NULL AS eligible, o.juristic_id IS NOT NULL AS applied,
          coalesce(o.approved, false) AS approved, coalesce(o.disbursed, false) AS disbursed, coalesce(o.rejected, false) AS rejected,
          coalesce(o.applied_amount, 0) AS applied_amount, coalesce(o.approved_amount, 0) AS approved_amount, coalesce(o.disbursed_amount, 0) AS disbursed_amount
        FROM eligible e FULL JOIN reported o USING (bank_code, product_code, juristic_id)
      )
      SELECT ${keys},
        count(DISTINCT x.juristic_id) FILTER (WHERE x.eligible)::int AS eligible_firms,
        count(DISTINCT x.juristic_id) FILTER (WHERE x.applied)::int AS applied_firms,
        count(DISTINCT x.juristic_id) FILTER (WHERE x.approved)::int AS approved_firms,
        count(DISTINCT x.juristic_id) FILTER (WHERE x.disbursed)::int AS disbursed_firms,
        count(DISTINCT x.juristic_id) FILTER (WHERE x.rejected)::int AS rejected_firms,
        count(DISTINCT x.juristic_id) FILTER (WHERE x.eligible AND x.approved)::int AS taken_up_eligible_firms,
        sum(x.applied_amount)::text AS applied_amount, sum(x.approved_amount)::text AS approved_amount, sum(x.disbursed_amount)::text AS disbursed_amount
      FROM pairs x
      JOIN registry.company c ON c.juristic_id = x.juristic_id
      LEFT JOIN registry.company_profile p ON p.juristic_id = c.juristic_id
      ${areaJoins(request.groupBy, 'p.province_code', 'p.region')}
      ${byIndustry ? `CROSS JOIN LATERAL unnest(CASE WHEN cardinality(p.target_industries) > 0 THEN p.target_industries ELSE ARRAY[NULL::text] END) AS ti(code)` : ''}
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      GROUP BY ${request.groupBy.map((_, i) => i + 1).join(', ')}
      LIMIT ${MAX_GROUPS + 1}`;
    const rows: Record<string, string | number | null>[] = await this.dataSource.query(sql, params.values);
    return rows.map((row) => ({
      keys: request.groupBy.map((_, i) => (row[`k${i}`] ?? null) as string | null),
      eligibleFirms: Number(row['eligible_firms']),
      appliedFirms: Number(row['applied_firms']),
      approvedFirms: Number(row['approved_firms']),
      disbursedFirms: Number(row['disbursed_firms']),
      rejectedFirms: Number(row['rejected_firms']),
      takenUpEligibleFirms: Number(row['taken_up_eligible_firms']),
      appliedAmountBaht: Number(row['applied_amount']),
      approvedAmountBaht: Number(row['approved_amount']),
      disbursedAmountBaht: Number(row['disbursed_amount']),
    }));
  }
}
