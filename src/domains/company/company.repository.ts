import { SqlParams } from '../../platform/database/sql-params';
import { companyWithin } from '../firm-scope-sql';
import { aggregateAnswersFilter, aggregateConditions } from '../statistics/company-aggregate';
import { LICENSEE_IS_COMPANY_SQL } from '../certification/certification.repository';
import { toGlobalId } from '../../platform/graphql/global-id';
import { regionCodeOf, REGION_IN_DATABASE } from '../geography/region-code';
import type { CompanyCriteria } from './company-criteria';
import type { Company, CompanyStatus, FinancialStatement, JuristicType, SmeSector, SmeSize } from './company.type';

export type { CompanyCriteria } from './company-criteria';
import { COMPANY_SORT_KEY_TYPES, CompanyOrderField } from './company.type';
import { SortDirection } from '../../platform/graphql/sort-direction';
import { prefetchedKey } from '../../platform/graphql/read-plan';
import { factoryPageJsonSql, finishPlannedProvenance, provenanceJsonSql, type FactoryListShape } from '../factory/factory.repository';
import type { SqlReader } from '../../platform/database/sql-reader';
import { fromJsonRows, jsonRowsSql } from '../../platform/database/json-rows';
import { companyLicencePageJsonSql, licencesFromJson, type LicenceListShape } from '../certification/certification.repository';
import { assessmentsFromJson, assessmentsJsonSql, participationsFromJson, participationsJsonSql } from '../programme/programme.repository';
import type { FirmScopeSql } from '../firm-scope-sql';
import { activeConsentJsonSql, type ActiveConsent } from '../consent/consent.repository';
import type { BankCode } from '../../access/roles';
import type { TisLicense } from '../certification/certification.type';
import type { Industry40Assessment, ProgrammeParticipation } from '../programme/programme.type';

interface CompanyRow {
  juristic_id: string;
  juristic_type_code: JuristicType;
  juristic_type: string | null;
  name_th: string;
  name_en: string | null;
  status: CompanyStatus;
  status_raw: string | null;
  registered_on: string | null;
  registered_capital_baht: string | null;
  paid_up_capital_baht: string | null;
  objective: string | null;
  tsic_code: string | null;
  address: string | null;
  province: string | null;
  thai_shareholding_pct: string | null;
  directors?: Company['directorsData'];
  shareholders?: Company['shareholdersData'];
  sme_size: SmeSize | null;
  sme_sector: SmeSector | null;
  sme_size_reason: string | null;
  sme_fiscal_year: number | null;
  revenue_baht: string | null;
  employees: number | null;
  operating_factories: number | null;
  certifications: number | null;
  latest_i40_level: string | null;
  province_code: string | null;
  region: string | null;
  target_industries: string[] | null;
  source: string;
  source_run_id: string;
  fetched_at: Date;
  source_updated_at: string | null;
  sort_key?: string | null;
}

/**
 * Columns of a company row joined with its derived profile (`c` and `p`), as lists read them: the
 * directors and shareholders (about 700 bytes of JSON a row, most of a list's parsing cost) are
 * left out and read by ID when a client asks for them (see `personalDataOf`).
 */
const LIST_COLUMNS = `c.juristic_id, c.juristic_type_code, c.juristic_type, c.name_th, c.name_en, c.status, c.status_raw,
  to_char(c.registered_on, 'YYYY-MM-DD') AS registered_on, c.registered_capital_baht::text, c.paid_up_capital_baht::text,
  c.objective, c.tsic_code, c.address, c.province, c.thai_shareholding_pct::text,
  p.sme_size, p.sme_sector, p.sme_size_reason, p.sme_fiscal_year, p.revenue_baht::text, p.employees, p.operating_factories,
  p.certifications, p.latest_i40_level::text, p.province_code, p.region, p.target_industries,
  c.source, c.source_run_id::text, c.fetched_at, to_char(c.source_updated_at, 'YYYY-MM-DD') AS source_updated_at`;
/** Every column, for companies read by ID. */
const COLUMNS = `${LIST_COLUMNS}, c.directors, c.shareholders`;
const FROM = `registry.company c LEFT JOIN registry.company_profile p ON p.juristic_id = c.juristic_id`;

const num = (value: string | null): number | null => (value === null ? null : Number(value));

function toCompany(r: CompanyRow): Company {
  return {
    id: toGlobalId('Company', r.juristic_id),
    juristicId: r.juristic_id,
    juristicType: r.juristic_type_code,
    juristicTypeText: r.juristic_type,
    nameTh: r.name_th,
    nameEn: r.name_en,
    status: r.status,
    statusText: r.status_raw,
    registeredOn: r.registered_on,
    registeredCapitalBaht: num(r.registered_capital_baht),
    paidUpCapitalBaht: num(r.paid_up_capital_baht),
    objective: r.objective,
    tsicCode: r.tsic_code,
    address: r.address,
    provinceText: r.province,
    thaiShareholdingPct: num(r.thai_shareholding_pct),
    smeSize: r.sme_size,
    smeSector: r.sme_sector,
    smeSizeReason: r.sme_size_reason,
    smeFiscalYear: r.sme_fiscal_year,
    latestRevenueBaht: num(r.revenue_baht),
    latestEmployees: r.employees,
    operatingFactoryCount: r.operating_factories ?? 0,
    validLicenceCount: r.certifications ?? 0,
    latestIndustry40Level: num(r.latest_i40_level),
    regionCode: regionCodeOf(r.region),
    targetIndustryCodes: r.target_industries ?? [],
    provinceCode: r.province_code,
    directorsData: r.directors,
    shareholdersData: r.shareholders,
    provenance: { source: r.source, runId: r.source_run_id, fetchedAt: r.fetched_at, sourceUpdatedAt: r.source_updated_at },
  };
}

interface StatementRow {
  juristic_id: string;
  fiscal_year: number;
  reported_unit: string;
  revenue_baht: string | null;
  total_assets_baht: string | null;
  fixed_assets_baht: string | null;
  liabilities_baht: string | null;
  equity_baht: string | null;
  net_profit_baht: string | null;
  employees: number | null;
  source: string;
  source_run_id: string;
  fetched_at: Date;
  source_updated_at: string | null;
}

function toStatement(r: StatementRow): FinancialStatement {
  return {
    id: toGlobalId('FinancialStatement', `${r.juristic_id}:${r.fiscal_year}`),
    juristicId: r.juristic_id,
    fiscalYear: r.fiscal_year,
    reportedUnit: r.reported_unit,
    revenueBaht: num(r.revenue_baht),
    totalAssetsBaht: num(r.total_assets_baht),
    fixedAssetsBaht: num(r.fixed_assets_baht),
    liabilitiesBaht: num(r.liabilities_baht),
    equityBaht: num(r.equity_baht),
    netProfitBaht: num(r.net_profit_baht),
    employees: r.employees,
    provenance: { source: r.source, runId: r.source_run_id, fetchedAt: r.fetched_at, sourceUpdatedAt: r.source_updated_at },
  };
}

const STATEMENT_COLUMNS = `juristic_id, fiscal_year, reported_unit, revenue_baht::text, total_assets_baht::text, fixed_assets_baht::text,
  liabilities_baht::text, equity_baht::text, net_profit_baht::text, employees, source, source_run_id::text, fetched_at,
  to_char(source_updated_at, 'YYYY-MM-DD') AS source_updated_at`;


/** Sort key SQL per order field: never null (missing values sort lowest), so keyset comparisons hold. */
export const SORT_EXPRESSIONS: Readonly<Record<CompanyOrderField, string>> = {
  JURISTIC_ID: 'c.juristic_id',
  NAME_TH: 'c.name_th',
  REGISTERED_ON: `coalesce(c.registered_on, DATE '0001-01-01')`,
  REGISTERED_CAPITAL: 'coalesce(c.registered_capital_baht, -1)',
  REVENUE: 'coalesce(p.revenue_baht, -1)',
  RELEVANCE: '', // depends on the search text; see sortExpression
};



function relevanceExpression(search: NonNullable<CompanyCriteria['nameSearch']>, params: SqlParams): string {
  return `greatest(word_similarity(${params.add(search.normalised)}, c.name_th_normalised), word_similarity(${params.add(search.raw)}, lower(coalesce(c.name_en, ''))))`;
}

/** WHERE conditions of a company filter over `c` (company) and `p` (profile). */
export function companyConditions(criteria: CompanyCriteria | undefined, params: SqlParams): string[] {
  const where: string[] = [];
  if (!criteria) return where;
  if (criteria.within) where.push(companyWithin(criteria.within, params));
  if (criteria.provinceCode) where.push(`p.province_code = ${params.add(criteria.provinceCode)}`);
  if (criteria.region) where.push(`p.region = ${params.add(REGION_IN_DATABASE[criteria.region])}`);
  if (criteria.centreArea) where.push(`p.province_code = ANY(${params.add(criteria.centreArea.provinceCodes)}::text[])`);
  if (criteria.groupArea) where.push(`p.province_code = ANY(${params.add(criteria.groupArea.provinceCodes)}::text[])`);
  if (criteria.tsicPrefix) where.push(`c.tsic_code LIKE ${params.add(`${criteria.tsicPrefix}%`)}`);
  if (criteria.tsicPrefixAny) where.push(`c.tsic_code LIKE ANY(${params.add(criteria.tsicPrefixAny.map((prefix) => `${prefix}%`))}::text[])`);
  if (criteria.targetIndustry) where.push(`p.target_industries @> ARRAY[${params.add(criteria.targetIndustry)}::text]`);
  if (criteria.alsoTargetIndustry) where.push(`p.target_industries @> ARRAY[${params.add(criteria.alsoTargetIndustry)}::text]`);
  if (criteria.smeSize?.length) where.push(`p.sme_size = ANY(${params.add(criteria.smeSize)}::text[])`);
  if (criteria.status?.length) where.push(`c.status = ANY(${params.add(criteria.status)}::text[])`);
  if (criteria.juristicType?.length) where.push(`c.juristic_type_code = ANY(${params.add(criteria.juristicType)}::text[])`);
  const range = (column: string, bounds: { min?: number | null; max?: number | null } | null | undefined): void => {
    if (bounds?.min !== undefined && bounds.min !== null) where.push(`${column} >= ${params.add(bounds.min)}`);
    if (bounds?.max !== undefined && bounds.max !== null) where.push(`${column} <= ${params.add(bounds.max)}`);
  };
  range('c.registered_capital_baht', criteria.registeredCapital);
  range('p.revenue_baht', criteria.revenue);
  if (criteria.industry40LevelAtLeast !== undefined && criteria.industry40LevelAtLeast !== null) {
    where.push(`p.latest_i40_level >= ${params.add(criteria.industry40LevelAtLeast)}`);
  }
  if (criteria.holdsLicenceFor) {
    // Only licences whose licensee is shown: a masked one must not answer which firm it resembles.
    where.push(`EXISTS (SELECT 1 FROM registry.tis_licence l WHERE l.company_juristic_id = c.juristic_id
      AND l.tis_no = ${params.add(criteria.holdsLicenceFor)} AND l.status = 'VALID' AND l.absent_since_run_id IS NULL AND ${LICENSEE_IS_COMPANY_SQL})`);
  }
  if (criteria.eligibleFor) {
    where.push(`EXISTS (SELECT 1 FROM lending.eligibility_result e WHERE e.bank_code = ${params.add(criteria.eligibleFor.bankCode)}
      AND e.product_code = ${params.add(criteria.eligibleFor.productCode)} AND e.juristic_id = c.juristic_id AND e.eligible)`);
  }
  if (criteria.hasOperatingFactory === true) where.push('p.operating_factories > 0');
  if (criteria.hasOperatingFactory === false) where.push('coalesce(p.operating_factories, 0) = 0');
  if (criteria.registeredBetween?.from) where.push(`c.registered_on >= ${params.add(criteria.registeredBetween.from)}::date`);
  if (criteria.registeredBetween?.to) where.push(`c.registered_on <= ${params.add(criteria.registeredBetween.to)}::date`);
  if (criteria.nameSearch) {
    // `<%`: word similarity above pg_trgm.word_similarity_threshold (0.6), served by the trigram indexes.
    where.push(`(${params.add(criteria.nameSearch.normalised)} <% c.name_th_normalised OR ${params.add(criteria.nameSearch.raw)} <% lower(coalesce(c.name_en, '')))`);
  }
  return where;
}

/**
 * How many companies a filter matches. When the stored aggregate answers every filter given (the
 * bank's screening: status, SME size, target industry, operating factory, region...) its groups
 * are summed: the aggregate is rebuilt in the transaction of every run that changes companies, so
 * the sum is exact, and it costs a few hundred groups instead of a scan of a million companies.
 * `liveWhere`: the filter's conditions over `c` and `p` when the caller already built them.
 */
function countSql(criteria: CompanyCriteria | undefined, params: SqlParams, liveWhere?: string[]): string {
  if (aggregateAnswersFilter(criteria)) {
    const where = aggregateConditions(criteria, params);
    return `SELECT coalesce(sum(a.companies), 0)::int FROM stats.company_aggregate a ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
  }
  const where = liveWhere ?? companyConditions(criteria, params);
  return `SELECT count(*)::int FROM ${FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
}

export interface CompanyPageRequest {
  criteria: CompanyCriteria | undefined;
  order: { field: CompanyOrderField; direction: SortDirection };
  /** Sort key and juristic ID of the last row of the previous page. */
  after: { sortKey: string; juristicId: string } | undefined;
  limit: number;
  /** Also count every company the criteria match (the list's `totalCount`), in the same statement. */
  withCount?: boolean;
}

/** One keyset page; `total` when asked for and the page has a row to carry it. */
export interface CompanyPage {
  rows: { company: Company; sortKey: string }[];
  total: number | undefined;
}

/** What a read plan asks of a page of companies (docs/performance.md, company.read-plan.ts). */
export interface CompanyShape {
  /** Company fields asked for, each a key of COMPANY_FIELD_SQL. */
  fields: string[];
  /** The company's global ID is asked for. */
  id: boolean;
  /** Provenance fields asked for, if any. */
  provenance: string[] | undefined;
  /** `factories` pages asked for, one per response key. */
  factories: FactoryListShape[];
}

/**
 * The JSON value of each Company field a read plan may build, over `c` and `p`: the columns
 * toCompany maps, with its defaults (counts 0, no target industry: an empty list). `juristicId`
 * and `provinceCode` are always built: the firm-data guard and the relations read them.
 */
export const COMPANY_FIELD_SQL: Readonly<Record<string, string>> = {
  juristicId: 'c.juristic_id',
  juristicType: 'c.juristic_type_code',
  juristicTypeText: 'c.juristic_type',
  nameTh: 'c.name_th',
  nameEn: 'c.name_en',
  status: 'c.status',
  statusText: 'c.status_raw',
  registeredOn: `to_char(c.registered_on, 'YYYY-MM-DD')`,
  registeredCapitalBaht: 'c.registered_capital_baht',
  paidUpCapitalBaht: 'c.paid_up_capital_baht',
  objective: 'c.objective',
  tsicCode: 'c.tsic_code',
  address: 'c.address',
  provinceText: 'c.province',
  thaiShareholdingPct: 'c.thai_shareholding_pct',
  smeSize: 'p.sme_size',
  smeSector: 'p.sme_sector',
  smeSizeReason: 'p.sme_size_reason',
  smeFiscalYear: 'p.sme_fiscal_year',
  latestRevenueBaht: 'p.revenue_baht',
  latestEmployees: 'p.employees',
  operatingFactoryCount: 'coalesce(p.operating_factories, 0)',
  validLicenceCount: 'coalesce(p.certifications, 0)',
  latestIndustry40Level: 'p.latest_i40_level',
  // regionCodeOf in finishPlannedCompany, as toCompany.
  regionCode: 'p.region',
  targetIndustryCodes: `coalesce(p.target_industries, '{}')`,
  provinceCode: 'p.province_code',
};

/** A company as a plan's JSON builds it, made what toCompany would answer for the fields asked. */
function finishPlannedCompany(record: Record<string, unknown>, shape: CompanyShape): Record<string, unknown> {
  if (shape.id) record['id'] = toGlobalId('Company', record['juristicId'] as string);
  if ('regionCode' in record) record['regionCode'] = regionCodeOf(record['regionCode'] as string | null);
  finishPlannedProvenance(record['provenance'] as Record<string, unknown> | undefined);
  return record;
}

/** What a read plan of one company (`Query.company`) reads with it: its relations, each in the statement that reads the company. */
export interface CompanyProfileShape {
  /** `factories` pages, one per response key, every Factory field built (the nodes are whole factories). */
  factories: FactoryListShape[];
  /** `certifications` pages, one per response key. */
  certifications: LicenceListShape[];
  financialStatements: boolean;
  programmeParticipations: boolean;
  industry40Assessments: boolean;
  /** A bank asking for consent-gated fields: its active consent for the company is read too (as ConsentRepository.activeFor). */
  consentOf?: { bank: BankCode; today: string; purpose: string | null };
}

/** A company read with its relations: each as the loaders of the resolver path answer it. */
export interface CompanyProfile {
  company: Company;
  /** Per factories shape, in order: the raw page (`rows`: size + 1 at most, `count` when asked). */
  factoryPages: { rows: Record<string, unknown>[]; count: number | null }[];
  /** Per certifications shape, in order. */
  licencePages: { rows: TisLicense[]; count: number | null }[];
  statements: FinancialStatement[] | undefined;
  participations: ProgrammeParticipation[] | undefined;
  assessments: Industry40Assessment[] | undefined;
  /** With `consentOf`: the bank's active consent, or null when it has none. */
  consent: ActiveConsent | null | undefined;
}

export class CompanyRepository {
  constructor(private readonly dataSource: SqlReader) {}

  async findByIds(juristicIds: readonly string[]): Promise<Company[]> {
    const rows: CompanyRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE c.juristic_id = ANY($1::text[])`, [juristicIds]);
    return rows.map(toCompany);
  }

  /**
   * One company by ID with the relations `shape` names, in ONE statement: the company's row as
   * `findByIds` reads it, and each relation as a JSON column of correlated subqueries with the
   * conditions, order and limits of its loader's own statement (licences in the caller's scope
   * `within`, as their loader scopes them). Undefined when there is no such company.
   */
  async findProfile(juristicId: string, shape: CompanyProfileShape, within: FirmScopeSql | undefined): Promise<CompanyProfile | undefined> {
    const params = new SqlParams();
    const id = params.add(juristicId);
    const columns = [COLUMNS];
    shape.factories.forEach((factories, i) => columns.push(`${factoryPageJsonSql('c.juristic_id', factories, params)} AS "factories_${i}"`));
    shape.certifications.forEach((licences, i) => columns.push(`${companyLicencePageJsonSql('c.juristic_id', licences, params, within)} AS "licences_${i}"`));
    if (shape.financialStatements) {
      columns.push(`${jsonRowsSql(STATEMENT_COLUMNS, 'registry.financial_statement s WHERE s.juristic_id = c.juristic_id', 's.fiscal_year DESC')} AS statements`);
    }
    if (shape.programmeParticipations) columns.push(`${participationsJsonSql('c.juristic_id')} AS participations`);
    if (shape.industry40Assessments) columns.push(`${assessmentsJsonSql('c.juristic_id')} AS assessments`);
    if (shape.consentOf) columns.push(`${activeConsentJsonSql('c.juristic_id', shape.consentOf.bank, shape.consentOf.today, shape.consentOf.purpose, params)} AS consent`);
    type ProfileRow = CompanyRow & Record<string, unknown>;
    const [row] = await this.dataSource.query<ProfileRow[]>(`SELECT ${columns.join(', ')} FROM ${FROM} WHERE c.juristic_id = ${id}`, params.values);
    if (!row) return undefined;
    const json = (name: string): Record<string, unknown>[] => row[name] as Record<string, unknown>[];
    return {
      company: toCompany(row),
      factoryPages: shape.factories.map((_, i) => row[`factories_${i}`] as { rows: Record<string, unknown>[]; count: number | null }),
      licencePages: shape.certifications.map((_, i) => {
        const page = row[`licences_${i}`] as { rows: Record<string, unknown>[]; count: number | null };
        return { rows: licencesFromJson(page.rows), count: page.count };
      }),
      statements: shape.financialStatements ? fromJsonRows<StatementRow>(json('statements')).map(toStatement) : undefined,
      participations: shape.programmeParticipations ? participationsFromJson(json('participations')) : undefined,
      assessments: shape.industry40Assessments ? assessmentsFromJson(json('assessments')) : undefined,
      consent: shape.consentOf ? (row['consent'] as ActiveConsent | null) : undefined,
    };
  }

  /** One keyset page: up to `limit` rows after the cursor, in the requested order; each row carries its sort key. */
  async findPage(request: CompanyPageRequest): Promise<CompanyPage> {
    return (await this.findPages([request]))[0]!;
  }

  /**
   * Several keyset pages in one statement (the companies of every province on a page): each page is
   * its own ORDER BY ... LIMIT subquery, glued with UNION ALL and tagged with its position.
   */
  async findPages(requests: readonly CompanyPageRequest[]): Promise<CompanyPage[]> {
    const params = new SqlParams();
    const pages = requests.map((request, index) => {
      const where = companyConditions(request.criteria, params);
      // The count is an uncorrelated subquery: planned once, carried on every row of the page.
      const total = request.withCount ? `(${countSql(request.criteria, params, where)})` : 'NULL::int';
      const { field, direction } = request.order;
      const sortKey = field === CompanyOrderField.RELEVANCE ? relevanceExpression(request.criteria!.nameSearch!, params) : SORT_EXPRESSIONS[field];
      const dir = direction === SortDirection.DESC ? 'DESC' : 'ASC';
      if (request.after) {
        const cast = COMPANY_SORT_KEY_TYPES[field];
        where.push(`(${sortKey}, c.juristic_id) ${dir === 'DESC' ? '<' : '>'} (${params.add(request.after.sortKey)}::${cast}, ${params.add(request.after.juristicId)})`);
      }
      const order = `${sortKey} ${dir}, c.juristic_id ${dir}`;
      // Only several pages need their rows numbered; a window over a single page's query stops
      // PostgreSQL from keeping just the top rows of its sort (it would sort every match).
      const ordinal = requests.length > 1 ? `row_number() OVER (ORDER BY ${order})` : '0::bigint';
      return `(SELECT ${LIST_COLUMNS}, (${sortKey})::text AS sort_key, ${index} AS page_index, ${ordinal} AS ordinal, ${total} AS total_count
        FROM ${FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${params.add(request.limit)})`;
    });
    const rows: (CompanyRow & { page_index: number; ordinal: string; total_count: number | null })[] = await this.dataSource.query(
      pages.length === 1 ? pages[0]! : `SELECT * FROM (${pages.join(' UNION ALL ')}) pages ORDER BY page_index, ordinal`,
      params.values,
    );
    const result = requests.map((): CompanyPage => ({ rows: [], total: undefined }));
    for (const row of rows) {
      const page = result[row.page_index]!;
      page.rows.push({ company: toCompany(row), sortKey: row.sort_key ?? '' });
      page.total = row.total_count ?? undefined;
    }
    return result;
  }

  /**
   * One keyset page as a read plan shapes it, in one statement: the page's rows (only the columns
   * asked for) are chosen first, ordered and limited as findPages does, then each row's JSON is
   * built with its factory pages as correlated subqueries over the page's rows only, so a
   * list sorted without an index never builds JSON or reads factories for rows it does not return.
   */
  async findShapedPage(request: CompanyPageRequest, shape: CompanyShape): Promise<{ rows: { company: Record<string, unknown>; sortKey: string }[]; total: number | undefined }> {
    const params = new SqlParams();
    const where = companyConditions(request.criteria, params);
    const total = request.withCount ? `(${countSql(request.criteria, params, where)})` : 'NULL::int';
    const { field, direction } = request.order;
    const sortKey = field === CompanyOrderField.RELEVANCE ? relevanceExpression(request.criteria!.nameSearch!, params) : SORT_EXPRESSIONS[field];
    const dir = direction === SortDirection.DESC ? 'DESC' : 'ASC';
    if (request.after) {
      where.push(`(${sortKey}, c.juristic_id) ${dir === 'DESC' ? '<' : '>'} (${params.add(request.after.sortKey)}::${COMPANY_SORT_KEY_TYPES[field]}, ${params.add(request.after.juristicId)})`);
    }
    const fields = [...new Set(['juristicId', 'provinceCode', ...shape.fields])];
    const columns = fields.map((name, i) => `${COMPANY_FIELD_SQL[name]!} AS f${i}`);
    if (shape.provenance) columns.push(`${provenanceJsonSql('c', shape.provenance)} AS provenance`);
    const members = fields.map((name, i) => `'${name}', page.f${i}`);
    if (shape.provenance) members.push(`'provenance', page.provenance`);
    for (const factories of shape.factories) members.push(`'${prefetchedKey(factories.key)}', ${factoryPageJsonSql('page.f0', factories, params)}`);
    // The whole page is one JSON value: one row for the driver to parse, not one per company.
    const sql = `SELECT coalesce(json_agg(json_build_array(page.sk::text, page.total_count, json_build_object(${members.join(', ')})) ORDER BY page.sk ${dir}, page.f0 ${dir}), '[]'::json) AS page
      FROM (SELECT ${columns.join(', ')}, ${sortKey} AS sk, ${total} AS total_count
        FROM ${FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${sortKey} ${dir}, c.juristic_id ${dir} LIMIT ${params.add(request.limit)}) page`;
    const [{ page }] = await this.dataSource.query<[{ page: [string | null, number | null, Record<string, unknown>][] }]>(sql, params.values);
    return {
      rows: page.map(([sortKey, , node]) => ({ company: finishPlannedCompany(node, shape), sortKey: sortKey ?? '' })),
      total: page[0]?.[1] ?? undefined,
    };
  }

  async count(criteria: CompanyCriteria | undefined): Promise<number> {
    return (await this.counts([criteria]))[0]!;
  }

  /** Counts for several filters in one statement. */
  async counts(criteria: readonly (CompanyCriteria | undefined)[]): Promise<number[]> {
    const params = new SqlParams();
    const counts = criteria.map((one, index) => `SELECT ${index} AS page_index, (${countSql(one, params)}) AS n`);
    const rows: { page_index: number; n: number }[] = await this.dataSource.query(counts.join(' UNION ALL '), params.values);
    const result = criteria.map(() => 0);
    for (const row of rows) result[row.page_index] = row.n;
    return result;
  }

  /** Financial statements of these companies, newest year first per company. */
  async statementsOf(juristicIds: readonly string[]): Promise<FinancialStatement[]> {
    const rows: StatementRow[] = await this.dataSource.query(
      `SELECT ${STATEMENT_COLUMNS} FROM registry.financial_statement WHERE juristic_id = ANY($1::text[]) ORDER BY juristic_id, fiscal_year DESC`,
      [juristicIds],
    );
    return rows.map(toStatement);
  }

  async statementsByKey(keys: readonly { juristicId: string; fiscalYear: number }[]): Promise<FinancialStatement[]> {
    const rows: StatementRow[] = await this.dataSource.query(
      `SELECT ${STATEMENT_COLUMNS} FROM registry.financial_statement
       WHERE (juristic_id, fiscal_year) IN (SELECT * FROM unnest($1::text[], $2::int[]))`,
      [keys.map((k) => k.juristicId), keys.map((k) => k.fiscalYear)],
    );
    return rows.map(toStatement);
  }
}

