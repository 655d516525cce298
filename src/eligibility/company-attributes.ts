/**
 * Loads the rule engine's view of companies (CompanyAttributes) from the registry: one set-based
 * statement for a whole batch of juristic IDs (one array parameter, so no parameter limit), each
 * value with the source and ingestion run it came from. Built for batch evaluation over every firm
 * (`companyIdBatches` walks the register by keyset) and for re-evaluating only the firms a run touched.
 */
import { hash } from 'node:crypto';
import type { Queryable } from '../ingestion/ingestion-run.repository';
import type { Region } from '../reference/reference-data';
import type { SmeSize } from '../reference/sme-size';
import type { CriterionKind } from './rules/rule-set';
import { JURISTIC_TYPE_CODES, type Attribute, type CompanyAttributes, type CompanyStatus, type JuristicTypeCode, type Provenance } from './rules/company-attributes.type';

/** Firms per statement: big enough to amortise the round trip, small enough to hold in memory. */
export const COMPANY_ATTRIBUTE_BATCH = 5000;

/**
 * The attributes counted over a whole register (operating factories, valid licences), each with the
 * register's table: until the register has loaded, the hub does not know any firm's count; once it
 * has, a firm with no row in it has none. So a register's first load changes that attribute for
 * every firm. The source that loads the table declares it (`derive.wholeRegister`, with the
 * criterion that reads the attribute); the attribute query asks about the table.
 */
export const REGISTER_TABLES = {
  operatingFactories: 'registry.factory',
  validLicenceStandards: 'registry.tis_licence',
} as const satisfies Partial<Record<keyof CompanyAttributes, string>>;

export type RegisterAttribute = keyof typeof REGISTER_TABLES;

/** A whole register a source loads: the attribute counted over it, and the criterion that reads it. */
export interface WholeRegister {
  attribute: RegisterAttribute;
  criterion: CriterionKind;
}

/**
 * The ingestion run reading the attributes, inside its own transaction: a register it loads
 * already holds this run's rows there, so it counts as loaded, as of this run (the register's last
 * successful run is recorded only at commit, after the derivations that read the attributes).
 */
export interface ReadingRun {
  source: string;
  runId: string;
  /** The table the run loads, if any. */
  table?: string;
}

interface AttributeRow {
  juristic_id: string;
  juristic_type_code: string;
  status: string;
  registered_on: string | null;
  thai_shareholding_pct: string | null;
  company_source: string;
  company_run_id: string;
  has_tsic: boolean;
  sme_size: SmeSize | null;
  target_industries: string[] | null;
  province_code: string | null;
  region: Region | null;
  eec: boolean | null;
  revenue_baht: string | null;
  fixed_assets_baht: string | null;
  employees: number | null;
  fin_source: string | null;
  fin_run_id: string | null;
  i40_level: string | null;
  i40_source: string | null;
  i40_run_id: string | null;
  licence_standards: string[] | null;
  licence_register_source: string | null;
  licence_register_run_id: string | null;
  operating_factories: number;
  factory_register_source: string | null;
  factory_register_run_id: string | null;
}

/**
 * Latest non-absent financial statement and Industry 4.0 assessment (as company_profile takes
 * them; assessments and licences through their links to the company, as the profile counts them); valid licences and operating factories counted only once their register has loaded (a
 * firm with none in a loaded register has none; before any load, the hub does not know).
 */
const attributesSql = (withInputHash: boolean): string => `
  WITH ids AS (
    SELECT DISTINCT unnest($1::text[]) AS juristic_id
  ), fin AS (
    SELECT DISTINCT ON (fs.juristic_id) fs.juristic_id, fs.revenue_baht, fs.fixed_assets_baht, fs.employees, fs.source, fs.source_run_id
    FROM registry.financial_statement fs JOIN ids USING (juristic_id)
    WHERE fs.absent_since_run_id IS NULL ORDER BY fs.juristic_id, fs.fiscal_year DESC
  ), i40 AS (
    SELECT DISTINCT ON (a.company_juristic_id) a.company_juristic_id AS juristic_id, a.overall_level, a.source, a.source_run_id
    FROM registry.dip_i40_assessment a JOIN ids ON ids.juristic_id = a.company_juristic_id
    WHERE a.absent_since_run_id IS NULL ORDER BY a.company_juristic_id, a.assessed_on DESC, a.overall_level DESC, a.participant_key
  ), lic AS (
    SELECT l.company_juristic_id AS juristic_id, array_agg(DISTINCT l.tis_no ORDER BY l.tis_no) AS standards
    FROM registry.tis_licence l JOIN ids ON ids.juristic_id = l.company_juristic_id
    WHERE l.status = 'VALID' AND l.absent_since_run_id IS NULL GROUP BY 1
  ), fac AS (
    SELECT f.company_juristic_id AS juristic_id, count(*)::int AS n
    FROM registry.factory f JOIN ids ON ids.juristic_id = f.company_juristic_id
    WHERE f.status = 'OPERATING' AND f.absent_since_run_id IS NULL GROUP BY 1
  )
  SELECT c.juristic_id, c.juristic_type_code, c.status, c.registered_on::text, c.thai_shareholding_pct::text,
         c.source AS company_source, c.source_run_id::text AS company_run_id, c.tsic_code IS NOT NULL AS has_tsic,
         p.sme_size, p.target_industries, prov.code AS province_code, prov.region, prov.eec,
         fin.revenue_baht::text, fin.fixed_assets_baht::text, fin.employees, fin.source AS fin_source, fin.source_run_id::text AS fin_run_id,
         i40.overall_level::text AS i40_level, i40.source AS i40_source, i40.source_run_id::text AS i40_run_id,
         lic.standards AS licence_standards,
         lic_register.source AS licence_register_source, lic_register.run_id AS licence_register_run_id,
         coalesce(fac.n, 0) AS operating_factories,
         fac_register.source AS factory_register_source, fac_register.run_id AS factory_register_run_id${
           withInputHash ? `,
         (SELECT i.attributes_hash FROM lending.eligibility_input i WHERE i.juristic_id = c.juristic_id) AS attributes_hash` : ''
         }
  FROM ids
  JOIN registry.company c ON c.juristic_id = ids.juristic_id
  LEFT JOIN registry.company_profile p ON p.juristic_id = c.juristic_id
  LEFT JOIN reference.province prov ON prov.name_th = c.province
  LEFT JOIN fin ON fin.juristic_id = c.juristic_id
  LEFT JOIN i40 ON i40.juristic_id = c.juristic_id
  LEFT JOIN lic ON lic.juristic_id = c.juristic_id
  LEFT JOIN fac ON fac.juristic_id = c.juristic_id
  LEFT JOIN LATERAL (${registerLoadedBy(REGISTER_TABLES.validLicenceStandards)}) lic_register ON true
  LEFT JOIN LATERAL (${registerLoadedBy(REGISTER_TABLES.operatingFactories)}) fac_register ON true
  ORDER BY c.juristic_id`;

/**
 * The source and run that last loaded a register table, or none when it never loaded: the reading
 * run itself when it loads that table ($2 its source, $3 its run, $4 its table), since inside its own
 * transaction its success is not recorded yet.
 */
function registerLoadedBy(table: string): string {
  return `SELECT $2::text AS source, $3::text AS run_id WHERE $4::text = '${table}'
    UNION ALL
    (SELECT s.source, s.last_success_run_id::text FROM ingestion.source_state s
     WHERE s.target_table = '${table}' AND s.last_success_run_id IS NOT NULL AND $4::text IS DISTINCT FROM '${table}'
     ORDER BY s.last_success_at DESC LIMIT 1)`;
}
const ATTRIBUTES_SQL = attributesSql(false);
const ATTRIBUTES_WITH_INPUT_HASH_SQL = attributesSql(true);

/**
 * The attributes of the given firms, keyed by juristic ID; an ID the register does not hold is
 * left out. At most COMPANY_ATTRIBUTE_BATCH IDs per call. `run`: the ingestion run reading them,
 * if any (see ReadingRun).
 */
export async function loadCompanyAttributes(db: Queryable, juristicIds: readonly string[], run?: ReadingRun): Promise<Map<string, CompanyAttributes>> {
  return (await queryAttributes(db, juristicIds, false, run)).attributes;
}

/**
 * As loadCompanyAttributes, and the digest of each firm's attributes when its eligibility was last
 * evaluated (lending.eligibility_input), in one statement: one statement, so that it can run in
 * PostgreSQL while Node evaluates the previous batch (node-postgres sends a query only once the one
 * before it has answered, which needs the event loop).
 */
export function loadAttributesAndInputHashes(
  db: Queryable,
  juristicIds: readonly string[],
  run?: ReadingRun,
): Promise<{ attributes: Map<string, CompanyAttributes>; storedHashes: Map<string, string> }> {
  return queryAttributes(db, juristicIds, true, run);
}

async function queryAttributes(
  db: Queryable,
  juristicIds: readonly string[],
  withInputHash: boolean,
  run: ReadingRun | undefined,
): Promise<{ attributes: Map<string, CompanyAttributes>; storedHashes: Map<string, string> }> {
  if (juristicIds.length > COMPANY_ATTRIBUTE_BATCH) throw new RangeError(`at most ${COMPANY_ATTRIBUTE_BATCH} firms per batch, got ${juristicIds.length}`);
  const attributes = new Map<string, CompanyAttributes>();
  const storedHashes = new Map<string, string>();
  if (juristicIds.length === 0) return { attributes, storedHashes };
  const { rows } = await db.query<AttributeRow & { attributes_hash?: string | null }>(withInputHash ? ATTRIBUTES_WITH_INPUT_HASH_SQL : ATTRIBUTES_SQL, [
    juristicIds,
    run?.source ?? null,
    run?.runId ?? null,
    run?.table ?? null,
  ]);
  for (const row of rows) {
    attributes.set(row.juristic_id, toAttributes(row));
    if (row.attributes_hash) storedHashes.set(row.juristic_id, row.attributes_hash);
  }
  return { attributes, storedHashes };
}

/**
 * A digest of what the rules can read of a firm: every attribute's value, in a fixed order, not
 * which run supplied it (lending.eligibility_input). Equal digests, equal results for the same
 * rule sets on the same day.
 */
export function attributesHash(company: CompanyAttributes): string {
  const values = ATTRIBUTE_NAMES.map((name) => company[name].value);
  return hash('md5', JSON.stringify(values));
}

/** Every attribute of CompanyAttributes (the compiler checks the list is complete). */
const ATTRIBUTE_NAMES = (() => {
  const names = {
    juristicType: true,
    status: true,
    registeredOn: true,
    thaiShareholdingPct: true,
    province: true,
    targetIndustries: true,
    smeSize: true,
    employees: true,
    revenueBaht: true,
    fixedAssetsBaht: true,
    i40Level: true,
    validLicenceStandards: true,
    operatingFactories: true,
  } satisfies Record<Exclude<keyof CompanyAttributes, 'juristicId'>, true>;
  return Object.keys(names) as (keyof typeof names)[];
})();

/** Every juristic ID of the register, in batches by keyset (constant cost per batch over a million firms). */
export async function* companyIdBatches(db: Queryable, size = COMPANY_ATTRIBUTE_BATCH): AsyncGenerator<string[]> {
  let after = '';
  for (;;) {
    const { rows } = await db.query<{ juristic_id: string }>(
      'SELECT juristic_id FROM registry.company WHERE juristic_id > $1 ORDER BY juristic_id LIMIT $2',
      [after, size],
    );
    if (rows.length === 0) return;
    yield rows.map((r) => r.juristic_id);
    after = rows.at(-1)!.juristic_id;
  }
}

function toAttributes(row: AttributeRow): CompanyAttributes {
  const company: Provenance = { source: row.company_source, runId: row.company_run_id };
  const financials: Provenance | null = row.fin_source && row.fin_run_id ? { source: row.fin_source, runId: row.fin_run_id } : null;
  const fromCompany = <T>(value: T | null): Attribute<T> => ({ value, provenance: company });
  const fromFinancials = <T>(value: T | null): Attribute<T> => ({ value, provenance: financials });
  /** A whole register (licences, factories): known for every firm once it has loaded. */
  const fromRegister = <T>(source: string | null, runId: string | null, value: T): Attribute<T> =>
    runId === null || source === null ? { value: null, provenance: null } : { value, provenance: { source, runId } };

  return {
    juristicId: row.juristic_id,
    juristicType: fromCompany(isJuristicType(row.juristic_type_code) ? row.juristic_type_code : null),
    status: fromCompany(isStatus(row.status) ? row.status : null),
    registeredOn: fromCompany(row.registered_on),
    thaiShareholdingPct: fromCompany(toNumber(row.thai_shareholding_pct)),
    province: fromCompany(row.province_code && row.region ? { code: row.province_code, region: row.region, eec: row.eec === true } : null),
    // No TSIC code: the firm's industries are unknown (an empty list would claim it has none).
    targetIndustries: fromCompany(row.has_tsic ? row.target_industries : null),
    // The size is a lower bound when the statement lacks one of its two measures (2019 rule).
    smeSize: fromFinancials(row.sme_size === null ? null : { size: row.sme_size, exact: row.revenue_baht !== null && row.employees !== null }),
    employees: fromFinancials(row.employees),
    revenueBaht: fromFinancials(toNumber(row.revenue_baht)),
    fixedAssetsBaht: fromFinancials(toNumber(row.fixed_assets_baht)),
    i40Level:
      row.i40_source && row.i40_run_id ? { value: toNumber(row.i40_level), provenance: { source: row.i40_source, runId: row.i40_run_id } } : { value: null, provenance: null },
    validLicenceStandards: fromRegister(row.licence_register_source, row.licence_register_run_id, row.licence_standards ?? []),
    operatingFactories: fromRegister(row.factory_register_source, row.factory_register_run_id, row.operating_factories),
  };
}

function toNumber(value: string | null): number | null {
  return value === null ? null : Number(value);
}

function isJuristicType(code: string): code is JuristicTypeCode {
  return (JURISTIC_TYPE_CODES as readonly string[]).includes(code);
}

const STATUSES: readonly CompanyStatus[] = ['ACTIVE', 'DISSOLVED', 'ABANDONED', 'BANKRUPT'];

function isStatus(status: string): status is CompanyStatus {
  return (STATUSES as readonly string[]).includes(status);
}
