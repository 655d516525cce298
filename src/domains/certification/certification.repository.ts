import { licenceWithin, type FirmScopeSql } from '../firm-scope-sql';
import { toGlobalId } from '../../platform/graphql/global-id';
import { linkIsSureSql } from '../../shared/firm-identity';
import { likeLiteral, SqlParams } from '../../platform/database/sql-params';
import type { KeysetPosition } from '../../platform/graphql/connection';
import type { LinkMethod } from '../factory/factory.type';
import { SortDirection } from '../../platform/graphql/sort-direction';
import type { TisLicense, TisLicenseFilter, TisLicenseOrderField, TisLicenseStatus, TisStandard, TisStandardFilter, TisStandardStatus } from './certification.type';
import type { SqlReader } from '../../platform/database/sql-reader';
import { fromJsonRows, jsonRowsSql } from '../../platform/database/json-rows';

interface StandardRow {
  tis_no: string;
  number: number;
  year_be: number;
  year_ce: number;
  name_th: string;
  mandatory: boolean;
  status: TisStandardStatus;
  status_text: string | null;
  withdrawn: boolean;
  source: string;
  source_run_id: string;
  fetched_at: Date;
}

const STANDARD_COLUMNS = `s.tis_no, s.number, s.year_be, s.year_ce, s.name_th, s.mandatory, s.status, s.status_text,
  s.absent_since_run_id IS NOT NULL AS withdrawn, s.source, s.source_run_id::text, s.fetched_at`;

function toStandard(r: StandardRow): TisStandard {
  return {
    id: toGlobalId('TisStandard', r.tis_no),
    tisNo: r.tis_no,
    number: r.number,
    yearBe: r.year_be,
    yearCe: r.year_ce,
    nameTh: r.name_th,
    mandatory: r.mandatory,
    status: r.status,
    statusText: r.status_text,
    withdrawnFromSource: r.withdrawn,
    provenance: { source: r.source, runId: r.source_run_id, fetchedAt: r.fetched_at, sourceUpdatedAt: null },
  };
}

interface LicenceRow {
  licence_no: string;
  licence_type: string | null;
  issued_on: string;
  tis_no: string;
  licensee_name: string | null;
  licensee_tax_id: string | null;
  licensee_is_company: boolean;
  company_juristic_id: string | null;
  link_method: LinkMethod | null;
  link_confidence: string | null;
  fid: string | null;
  status: TisLicenseStatus;
  status_text: string | null;
  suspended_on: string | null;
  cancelled_on: string | null;
  withdrawn: boolean;
  source: string;
  source_run_id: string;
  fetched_at: Date;
}

/**
 * Whether a licence row `l`'s licensee is known to be a DBD company (linked by tax ID or exact
 * name). Any other licensee is masked (see TisLicenseResolver), and its licence is not listed under a
 * company or a plant: listed there it would say whom the masked licensee resembles or where it works.
 */
export const LICENSEE_IS_COMPANY_SQL = linkIsSureSql('l');

/** Columns of a licence row `l`; whether the licensee is a DBD company is read here, so masking costs no statement. */
const LICENCE_COLUMNS = `l.licence_no, l.licence_type, to_char(l.issued_on, 'YYYY-MM-DD') AS issued_on, l.tis_no, l.licensee_name,
  l.licensee_tax_id, ${LICENSEE_IS_COMPANY_SQL} AS licensee_is_company,
  l.company_juristic_id, l.link_method, l.link_confidence::text,
  l.fid, l.status, l.status_text, to_char(l.suspended_on, 'YYYY-MM-DD') AS suspended_on, to_char(l.cancelled_on, 'YYYY-MM-DD') AS cancelled_on,
  l.absent_since_run_id IS NOT NULL AS withdrawn, l.source, l.source_run_id::text, l.fetched_at`;

/** Every list of licences has this order: newest issue date first, then licence number (descending); indexed. */
const LICENCE_ORDER = 'l.issued_on DESC, l.licence_no DESC';

function toLicence(r: LicenceRow): TisLicense {
  return {
    id: toGlobalId('TisLicense', r.licence_no),
    licenceNo: r.licence_no,
    licenceType: r.licence_type,
    issuedOn: r.issued_on,
    tisNo: r.tis_no,
    status: r.status,
    statusText: r.status_text,
    suspendedOn: r.suspended_on,
    cancelledOn: r.cancelled_on,
    fid: r.fid,
    withdrawnFromSource: r.withdrawn,
    licenseeNameData: r.licensee_name,
    licenseeTaxIdData: r.licensee_tax_id,
    licenseeIsCompany: r.licensee_is_company,
    link: r.company_juristic_id === null ? null : { companyJuristicId: r.company_juristic_id, method: r.link_method!, confidence: Number(r.link_confidence) },
    provenance: { source: r.source, runId: r.source_run_id, fetchedAt: r.fetched_at, sourceUpdatedAt: null },
  };
}

/** Sort expressions of the root licence list; ties are broken by licence number, in the same direction. */
const LICENCE_SORT: Readonly<Record<TisLicenseOrderField, { sql: string; cast: string }>> = {
  ISSUED_ON: { sql: 'l.issued_on', cast: 'date' },
  LICENCE_NO: { sql: 'l.licence_no', cast: 'text' },
};

/** Position of a licence in the licence order; cursors carry it. */
export interface LicencePosition {
  issuedOn: string;
  licenceNo: string;
}

/** Keyset condition: rows after `after` in LICENCE_ORDER. */
function afterLicence(after: LicencePosition, params: SqlParams): string {
  return `(l.issued_on, l.licence_no) < (${params.add(after.issuedOn)}::date, ${params.add(after.licenceNo)})`;
}


function standardConditions(criteria: TisStandardFilter | undefined, params: SqlParams): string[] {
  const where: string[] = [];
  if (!criteria) return where;
  if (criteria.mandatory !== undefined && criteria.mandatory !== null) where.push(`s.mandatory = ${params.add(criteria.mandatory)}`);
  if (criteria.status) where.push(`s.status = ${params.add(criteria.status)}`);
  if (criteria.number !== undefined && criteria.number !== null) where.push(`s.number = ${params.add(criteria.number)}`);
  if (criteria.withdrawnFromSource === true) where.push('s.absent_since_run_id IS NOT NULL');
  if (criteria.withdrawnFromSource === false) where.push('s.absent_since_run_id IS NULL');
  if (criteria.nameSearch) {
    // Both operators are served by the trigram index tis_standard_name_trgm_idx. `<%` (word similarity
    // at least pg_trgm.word_similarity_threshold, 0.6) forgives a slip; ILIKE finds short exact parts.
    where.push(`(s.name_th ILIKE ${params.add(`%${likeLiteral(criteria.nameSearch)}%`)} OR ${params.add(criteria.nameSearch)} <% s.name_th)`);
  }
  return where;
}

function licenceConditions(criteria: TisLicenseFilter | undefined, params: SqlParams, within?: FirmScopeSql): string[] {
  const where: string[] = [];
  if (within) where.push(licenceWithin(within, params));
  if (!criteria) return where;
  if (criteria.tisNo) where.push(`l.tis_no = ${params.add(criteria.tisNo)}`);
  if (criteria.status?.length) where.push(`l.status = ANY(${params.add(criteria.status)}::text[])`);
  if (criteria.licenceType) where.push(`l.licence_type = ${params.add(criteria.licenceType)}`);
  if (criteria.issuedFrom) where.push(`l.issued_on >= ${params.add(criteria.issuedFrom)}::date`);
  if (criteria.issuedTo) where.push(`l.issued_on <= ${params.add(criteria.issuedTo)}::date`);
  if (criteria.withdrawnFromSource === true) where.push('l.absent_since_run_id IS NOT NULL');
  if (criteria.withdrawnFromSource === false) where.push('l.absent_since_run_id IS NULL');
  return where;
}

const whereSql = (where: string[]): string => (where.length ? `WHERE ${where.join(' AND ')}` : '');

/** The parent column of each licence relation: licences of a standard, of a (linked) company, of a factory. */
export type LicenceParent = 'tis_no' | 'company_juristic_id' | 'fid';

/** Under a company or a plant, only licences whose licensee is shown (see LICENSEE_IS_COMPANY_SQL). */
const shownUnder = (parent: LicenceParent): string[] => (parent === 'tis_no' ? [] : [LICENSEE_IS_COMPANY_SQL]);

/** What a read plan asks of a company's licences (`Company.certifications` under one response key). */
export interface LicenceListShape {
  /** The response key the page answers (its alias, or `certifications`). */
  key: string;
  /** Page size: `size + 1` rows are read, the extra one telling whether more follow. */
  size: number;
  after: LicencePosition | undefined;
  withCount: boolean;
}

/**
 * For a read plan (company.read-plan.ts): the licences `licencePagesByCounted` lists under the
 * company whose juristic ID is the SQL expression `parent` (shown licensees only, the caller's scope,
 * the same order and cursor), as one JSON value `{ rows, count }`; each row carries its standard
 * (`standard`, null when TISI's list lacks it), so `TisLicense.standard` reads nothing more.
 */
export function companyLicencePageJsonSql(parent: string, shape: LicenceListShape, params: SqlParams, within: FirmScopeSql | undefined): string {
  const counted = [`l.company_juristic_id = ${parent}`, ...shownUnder('company_juristic_id')];
  if (within) counted.push(licenceWithin(within, params));
  const where = [...counted];
  if (shape.after) where.push(afterLicence(shape.after, params));
  const standard = `(SELECT row_to_json(st) FROM (SELECT ${STANDARD_COLUMNS} FROM registry.tis_standard s WHERE s.tis_no = l.tis_no) st) AS standard`;
  const rows = jsonRowsSql(`${LICENCE_COLUMNS}, ${standard}`, `registry.tis_licence l WHERE ${where.join(' AND ')}`, LICENCE_ORDER, params.add(shape.size + 1));
  const count = shape.withCount ? `(SELECT count(*)::int FROM registry.tis_licence l WHERE ${counted.join(' AND ')})` : 'NULL::int';
  return `json_build_object('rows', ${rows}, 'count', ${count})`;
}

/** Rows of companyLicencePageJsonSql as the licence loaders answer them, each with its standard. */
export function licencesFromJson(rows: Record<string, unknown>[]): TisLicense[] {
  return fromJsonRows<LicenceRow & { standard: Record<string, unknown> | null }>(rows).map((row) => {
    const standard = row.standard === null ? null : toStandard(fromJsonRows<StandardRow>([row.standard])[0]!);
    return { ...toLicence(row), standardData: standard };
  });
}

export class CertificationRepository {
  constructor(private readonly dataSource: SqlReader) {}

  async standardsByTisNos(tisNos: readonly string[]): Promise<TisStandard[]> {
    const rows: StandardRow[] = await this.dataSource.query(`SELECT ${STANDARD_COLUMNS} FROM registry.tis_standard s WHERE s.tis_no = ANY($1::text[])`, [tisNos]);
    return rows.map(toStandard);
  }

  /** Keyset page of standards by number, then edition year (oldest first); `after` is a standard's position. */
  async standardPage(criteria: TisStandardFilter | undefined, after: { number: number; yearBe: number } | undefined, limit: number): Promise<TisStandard[]> {
    const params = new SqlParams();
    const where = standardConditions(criteria, params);
    if (after) where.push(`(s.number, s.year_be) > (${params.add(after.number)}::int, ${params.add(after.yearBe)}::int)`);
    const rows: StandardRow[] = await this.dataSource.query(
      `SELECT ${STANDARD_COLUMNS} FROM registry.tis_standard s ${whereSql(where)} ORDER BY s.number, s.year_be LIMIT ${params.add(limit)}`,
      params.values,
    );
    return rows.map(toStandard);
  }

  async countStandards(criteria: TisStandardFilter | undefined): Promise<number> {
    const params = new SqlParams();
    const rows: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM registry.tis_standard s ${whereSql(standardConditions(criteria, params))}`,
      params.values,
    );
    return rows[0]!.n;
  }

  async licencesByNos(licenceNos: readonly string[]): Promise<TisLicense[]> {
    const rows: LicenceRow[] = await this.dataSource.query(`SELECT ${LICENCE_COLUMNS} FROM registry.tis_licence l WHERE l.licence_no = ANY($1::text[])`, [licenceNos]);
    return rows.map(toLicence);
  }

  /** Keyset page of licences in the requested order (LICENCE_ORDER is ISSUED_ON descending); each row with its sort key. */
  async licencePage(
    criteria: TisLicenseFilter | undefined,
    order: { field: TisLicenseOrderField; direction: SortDirection },
    after: KeysetPosition | undefined,
    limit: number,
    within?: FirmScopeSql,
  ): Promise<{ licence: TisLicense; sortKey: string }[]> {
    const params = new SqlParams();
    const where = licenceConditions(criteria, params, within);
    const sort = LICENCE_SORT[order.field];
    const dir = order.direction === SortDirection.DESC ? 'DESC' : 'ASC';
    if (after) where.push(`(${sort.sql}, l.licence_no) ${dir === 'DESC' ? '<' : '>'} (${params.add(after.sortKey)}::${sort.cast}, ${params.add(after.id)})`);
    const rows: (LicenceRow & { sort_key: string })[] = await this.dataSource.query(
      `SELECT ${LICENCE_COLUMNS}, ${sort.sql}::text AS sort_key FROM registry.tis_licence l ${whereSql(where)}
       ORDER BY ${sort.sql} ${dir}, l.licence_no ${dir} LIMIT ${params.add(limit)}`,
      params.values,
    );
    return rows.map((row) => ({ licence: toLicence(row), sortKey: row.sort_key }));
  }

  async countLicences(criteria: TisLicenseFilter | undefined, within?: FirmScopeSql): Promise<number> {
    const params = new SqlParams();
    const rows: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM registry.tis_licence l ${whereSql(licenceConditions(criteria, params, within))}`,
      params.values,
    );
    return rows[0]!.n;
  }

  /** Per parent (standard, licensee or factory), up to `limit` of its licences after `after`: one statement for all. */
  async licencePagesBy(parent: LicenceParent, parents: readonly string[], after: LicencePosition | undefined, limit: number, within?: FirmScopeSql): Promise<TisLicense[]> {
    const params = new SqlParams();
    const parentList = params.add(parents);
    const where = [`l.${parent} = parent.key`, ...shownUnder(parent)];
    if (within) where.push(licenceWithin(within, params));
    if (after) where.push(afterLicence(after, params));
    const rows: LicenceRow[] = await this.dataSource.query(
      `SELECT page.* FROM unnest(${parentList}::text[]) AS parent(key)
       CROSS JOIN LATERAL (
         SELECT ${LICENCE_COLUMNS} FROM registry.tis_licence l WHERE ${where.join(' AND ')} ORDER BY ${LICENCE_ORDER} LIMIT ${params.add(limit)}
       ) page`,
      params.values,
    );
    return rows.map(toLicence);
  }

  /**
   * `licencePagesBy` with, in the same statement, `countLicencesBy` of each parent with a
   * non-empty page (the same conditions less the cursor), counted once per parent.
   */
  async licencePagesByCounted(
    parent: LicenceParent,
    parents: readonly string[],
    after: LicencePosition | undefined,
    limit: number,
    within?: FirmScopeSql,
  ): Promise<{ licences: TisLicense[]; counts: Map<string, number> }> {
    const params = new SqlParams();
    const parentList = params.add(parents);
    const counted = [`l.${parent} = parent.key`, ...shownUnder(parent)];
    if (within) counted.push(licenceWithin(within, params));
    const where = [`l.${parent} = parent.key`, ...shownUnder(parent)];
    if (within) where.push(licenceWithin(within, params));
    if (after) where.push(afterLicence(after, params));
    const rows: (LicenceRow & { parent_key: string; total_count: number })[] = await this.dataSource.query(
      `SELECT page.*, parent.key AS parent_key, counted.n AS total_count FROM unnest(${parentList}::text[]) AS parent(key)
       CROSS JOIN LATERAL (SELECT count(*)::int AS n FROM registry.tis_licence l WHERE ${counted.join(' AND ')}) counted
       CROSS JOIN LATERAL (
         SELECT ${LICENCE_COLUMNS} FROM registry.tis_licence l WHERE ${where.join(' AND ')} ORDER BY ${LICENCE_ORDER} LIMIT ${params.add(limit)}
       ) page`,
      params.values,
    );
    return { licences: rows.map(toLicence), counts: new Map(rows.map((r) => [r.parent_key, r.total_count])) };
  }

  async countLicencesBy(parent: LicenceParent, parents: readonly string[], within?: FirmScopeSql): Promise<Map<string, number>> {
    const params = new SqlParams();
    const where = [`l.${parent} = ANY(${params.add(parents)}::text[])`, ...shownUnder(parent)];
    if (within) where.push(licenceWithin(within, params));
    const rows: { key: string; n: number }[] = await this.dataSource.query(
      `SELECT l.${parent} AS key, count(*)::int AS n FROM registry.tis_licence l WHERE ${where.join(' AND ')} GROUP BY 1`,
      params.values,
    );
    return new Map(rows.map((r) => [r.key, r.n]));
  }
}
