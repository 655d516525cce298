import { factoryWithin, type FirmScopeSql } from '../firm-scope-sql';
import { types } from 'pg';
import { toGlobalId } from '../../platform/graphql/global-id';
import { normaliseJuristicId } from '../../shared/thai-id';
import { MASK } from '../../shared/mask';
import { linkIsSure, operatorIsCompanySql } from '../../shared/firm-identity';
import { likeLiteral, SqlParams } from '../../platform/database/sql-params';
import type { KeysetPosition } from '../../platform/graphql/connection';
import { SortDirection } from '../../platform/graphql/sort-direction';
import { type Factory, FACTORY_SORT_KEY_TYPES, type FactoryOrderField, type FactoryStatus, type LinkMethod } from './factory.type';
import type { SqlReader } from '../../platform/database/sql-reader';

interface FactoryRow {
  fid: string;
  display_reg_no: string | null;
  legacy_reg_no: string | null;
  factory_type: string | null;
  name: string;
  operator_name: string | null;
  operator_tax_id: string | null;
  objective: string | null;
  address: string | null;
  moo: string | null;
  soi: string | null;
  road: string | null;
  subdistrict: string | null;
  district: string | null;
  province: string | null;
  capital_baht: string | null;
  workers: number | null;
  horsepower: string | null;
  latitude: number | null;
  longitude: number | null;
  isic_code: string | null;
  estate_code: string | null;
  estate_name: string | null;
  status: FactoryStatus;
  status_code: string | null;
  source: string;
  source_run_id: string;
  fetched_at: Date;
  source_updated_at: string | null;
  company_juristic_id: string | null;
  link_method: LinkMethod | null;
  link_confidence: string | null;
}

const COLUMNS = `fid, display_reg_no, legacy_reg_no, factory_type, name, operator_name, operator_tax_id, objective, address, moo,
  soi, road, subdistrict, district, province, capital_baht::text, workers, horsepower::text, latitude, longitude, isic_code,
  estate_code, estate_name, status, status_code, source, source_run_id::text, fetched_at, to_char(source_updated_at, 'YYYY-MM-DD') AS source_updated_at,
  company_juristic_id, link_method, link_confidence::text`;

const num = (value: string | null): number | null => (value === null ? null : Number(value));

/**
 * An operator is shown when it is known to be a company: its tax ID is a juristic ID, or the linker
 * matched it by tax ID or exact name. Any other operator may be a person (PDPA): masked for every
 * role, with the company a name match linked it to (`companyJuristicId`, `linkMethod`,
 * `linkConfidence`, `company` null), and its factory is listed under no company (`Company.factories`)
 * nor placed in an area or a firm's scope by that company (src/shared/firm-identity.ts).
 */
function operatorIsCompany(r: Pick<FactoryRow, 'operator_tax_id' | 'link_method'>): boolean {
  // A tax ID that is not a juristic ID is a personal ID, whatever the name matched.
  if (r.operator_tax_id !== null) return normaliseJuristicId(r.operator_tax_id) !== undefined;
  return linkIsSure(r.link_method);
}

/** operatorIsCompany over `registry.factory f` (stored tax IDs have passed the check digit). */
const OPERATOR_IS_COMPANY_SQL = operatorIsCompanySql('f');
/**
 * Which of a company's factories `Company.factories` lists (and counts): those whose operator is
 * shown. A masked operator's factory listed under the company a fuzzy name match linked it to
 * would say whom the operator resembles (as a masked licence or DIP record is listed under none).
 */
const SHOWN_UNDER_COMPANY = OPERATOR_IS_COMPANY_SQL;
/** A column of the factory's link over `registry.factory f`, withheld (null) when the operator is masked. */
const shownLink = (column: string): string => `CASE WHEN ${OPERATOR_IS_COMPANY_SQL} THEN ${column} END`;

/** What a read plan asks of a company's factories (`Company.factories` under one response key). */
export interface FactoryListShape {
  /** The response key the page answers (its alias, or `factories`). */
  key: string;
  /** Page size: `size + 1` rows are read, the extra one telling whether more follow. */
  size: number;
  afterFid: string | undefined;
  withCount: boolean;
  /** Factory fields asked for, each a key of FACTORY_FIELD_SQL. */
  fields: string[];
  /** Provenance fields asked for, if any (keys of PROVENANCE_FIELD_SQL). */
  provenance: string[] | undefined;
  /** The factory's global ID is asked for. */
  id: boolean;
}

/**
 * The JSON value of each Factory field a read plan may build, over `registry.factory f`: the same
 * columns toFactory maps, so both paths answer the same (numbers as PostgreSQL prints them, which
 * JSON.parse reads as Number() reads the text). The operator's three fields are masked in
 * finishPlannedFactory by the same rule as toFactory, and the link's three withheld here with them
 * (a masked operator's factory is listed under no company, so a plan never meets one: kept all the
 * same); `fid`, `companyJuristicId` and `provinceName` are always built: the firm-data guard reads them.
 */
export const FACTORY_FIELD_SQL: Readonly<Record<string, string>> = {
  fid: 'f.fid',
  displayRegNo: 'f.display_reg_no',
  legacyRegNo: 'f.legacy_reg_no',
  factoryType: 'f.factory_type',
  name: 'f.name',
  operatorName: 'f.operator_name',
  operatorTaxId: 'f.operator_tax_id',
  operatorMasked: 'NULL::boolean',
  objective: 'f.objective',
  address: 'f.address',
  moo: 'f.moo',
  soi: 'f.soi',
  road: 'f.road',
  subdistrict: 'f.subdistrict',
  district: 'f.district',
  provinceName: 'f.province',
  capitalBaht: 'f.capital_baht',
  workers: 'f.workers',
  horsepower: 'f.horsepower',
  latitude: 'f.latitude',
  longitude: 'f.longitude',
  isicCode: 'f.isic_code',
  estateCode: 'f.estate_code',
  estateName: 'f.estate_name',
  status: 'f.status',
  statusCode: 'f.status_code',
  companyJuristicId: shownLink('f.company_juristic_id'),
  linkMethod: shownLink('f.link_method'),
  linkConfidence: shownLink('f.link_confidence'),
};
const OPERATOR_FIELDS = ['operatorName', 'operatorTaxId', 'operatorMasked'];
const ALWAYS_BUILT = ['fid', 'companyJuristicId', 'provinceName'];

/** A record's provenance, over its table's alias: as the row mappers read it (fetchedAt parsed in JS as `pg` parses it). */
export function provenanceJsonSql(alias: string, fields: readonly string[]): string {
  const sql: Readonly<Record<string, string>> = {
    source: `${alias}.source`,
    runId: `${alias}.source_run_id::text`,
    fetchedAt: `${alias}.fetched_at::text`,
    sourceUpdatedAt: `to_char(${alias}.source_updated_at, 'YYYY-MM-DD')`,
  };
  return `json_build_object(${fields.map((field) => `'${field}', ${sql[field]!}`).join(', ')})`;
}
export const PROVENANCE_FIELDS: ReadonlySet<string> = new Set(['source', 'runId', 'fetchedAt', 'sourceUpdatedAt']);

/** `pg`'s own parser of timestamptz text: a planned provenance's fetchedAt is the Date a row read gives. */
const parseTimestamptz = types.getTypeParser(1184, 'text') as (text: string) => Date;

/** Turns a planned provenance's text timestamp into the Date the row mappers give. */
export function finishPlannedProvenance(provenance: Record<string, unknown> | undefined): void {
  if (provenance && typeof provenance['fetchedAt'] === 'string') provenance['fetchedAt'] = parseTimestamptz(provenance['fetchedAt']);
}

/**
 * The factories of the company whose juristic ID is `parent` (an SQL expression of the outer
 * query), as one JSON value: `{ rows: [...], count }`, `size + 1` rows in FID order after the
 * cursor, and the count of all its factories when asked (as `pagesByCompanies` and
 * `countByCompanies` read them: only those whose operator is shown, SHOWN_UNDER_COMPANY).
 */
export function factoryPageJsonSql(parent: string, shape: FactoryListShape, params: SqlParams): string {
  const fields = new Set([...ALWAYS_BUILT, ...shape.fields]);
  if (shape.fields.some((field) => OPERATOR_FIELDS.includes(field))) {
    for (const field of OPERATOR_FIELDS) fields.add(field);
    fields.add('linkMethod');
  }
  const members = [...fields].map((field) => `'${field}', ${FACTORY_FIELD_SQL[field]!}`);
  if (shape.provenance) members.push(`'provenance', ${provenanceJsonSql('f', shape.provenance)}`);
  const after = shape.afterFid === undefined ? '' : ` AND f.fid > ${params.add(shape.afterFid)}`;
  const rows = `(SELECT coalesce(json_agg(json_build_object(${members.join(', ')}) ORDER BY f.fid), '[]'::json)
    FROM (SELECT * FROM registry.factory f WHERE f.company_juristic_id = ${parent} AND ${SHOWN_UNDER_COMPANY}${after} ORDER BY f.fid LIMIT ${params.add(shape.size + 1)}) f)`;
  const count = shape.withCount ? `(SELECT count(*)::int FROM registry.factory f WHERE f.company_juristic_id = ${parent} AND ${SHOWN_UNDER_COMPANY})` : 'NULL::int';
  return `json_build_object('rows', ${rows}, 'count', ${count})`;
}

/** A factory as a plan's JSON builds it, made what toFactory would answer for the fields asked. */
export function finishPlannedFactory(record: Record<string, unknown>, shape: FactoryListShape): Record<string, unknown> {
  if (shape.id) record['id'] = toGlobalId('Factory', record['fid'] as string);
  if ('operatorMasked' in record) {
    const operatorMasked = !operatorIsCompany({ operator_tax_id: record['operatorTaxId'] as string | null, link_method: record['linkMethod'] as LinkMethod | null });
    record['operatorMasked'] = operatorMasked;
    if (operatorMasked && record['operatorName'] !== null) record['operatorName'] = MASK;
    if (operatorMasked && record['operatorTaxId'] !== null) record['operatorTaxId'] = MASK;
  }
  finishPlannedProvenance(record['provenance'] as Record<string, unknown> | undefined);
  return record;
}

function toFactory(r: FactoryRow): Factory {
  const operatorMasked = !operatorIsCompany(r);
  return {
    id: toGlobalId('Factory', r.fid),
    fid: r.fid,
    displayRegNo: r.display_reg_no,
    legacyRegNo: r.legacy_reg_no,
    factoryType: r.factory_type,
    name: r.name,
    operatorName: operatorMasked && r.operator_name !== null ? MASK : r.operator_name,
    operatorTaxId: operatorMasked && r.operator_tax_id !== null ? MASK : r.operator_tax_id,
    operatorMasked,
    objective: r.objective,
    address: r.address,
    moo: r.moo,
    soi: r.soi,
    road: r.road,
    subdistrict: r.subdistrict,
    district: r.district,
    provinceName: r.province,
    capitalBaht: num(r.capital_baht),
    workers: r.workers,
    horsepower: num(r.horsepower),
    latitude: r.latitude,
    longitude: r.longitude,
    isicCode: r.isic_code,
    estateCode: r.estate_code,
    estateName: r.estate_name,
    status: r.status,
    statusCode: r.status_code,
    // A masked operator's company is withheld with it: it would say whom the operator resembles.
    companyJuristicId: operatorMasked ? null : r.company_juristic_id,
    linkMethod: operatorMasked ? null : r.link_method,
    linkConfidence: operatorMasked ? null : num(r.link_confidence),
    provenance: { source: r.source, runId: r.source_run_id, fetchedAt: r.fetched_at, sourceUpdatedAt: r.source_updated_at },
  };
}


/**
 * A factory filter as the repository applies it: provinces resolved to the Thai names the registry
 * writes. Each entry of `provinceSets` must hold (AND): the filter's province, its region, and the
 * province or region a relation is scoped to.
 */
export interface FactoryCriteria {
  provinceSets?: string[][];
  status?: FactoryStatus;
  isicPrefix?: string;
  nameContains?: string;
  linked?: boolean;
  /** The caller's scope (an area role's, a firm's): set by `factoryList`, never by a filter. */
  within?: FirmScopeSql;
}

/** WHERE conditions of factory criteria over `registry.factory f`; shared with the statistics. */
export function factoryConditions(criteria: FactoryCriteria | undefined, params: SqlParams): string[] {
  const where: string[] = [];
  if (criteria?.within) where.push(factoryWithin(criteria.within, params));
  for (const names of criteria?.provinceSets ?? []) where.push(`f.province = ANY(${params.add(names)}::text[])`);
  if (criteria?.status) where.push(`f.status = ${params.add(criteria.status)}`);
  if (criteria?.isicPrefix) where.push(`f.isic_code LIKE ${params.add(`${likeLiteral(criteria.isicPrefix)}%`)}`);
  if (criteria?.nameContains) {
    const pattern = params.add(`%${likeLiteral(criteria.nameContains)}%`);
    // A masked operator's name is not searchable: a match would answer what the mask hides.
    where.push(`(f.name ILIKE ${pattern} OR (f.operator_name ILIKE ${pattern} AND ${OPERATOR_IS_COMPANY_SQL}))`);
  }
  // Linked as the factory shows it: a masked operator's link is withheld, so its factory is unlinked here too.
  if (criteria?.linked === true) where.push(`(f.company_juristic_id IS NOT NULL AND ${OPERATOR_IS_COMPANY_SQL})`);
  if (criteria?.linked === false) where.push(`(f.company_juristic_id IS NULL OR NOT ${OPERATOR_IS_COMPANY_SQL})`);
  return where;
}

/** Sort expressions: missing values sort as lowest, so keyset comparisons never meet a null. */
const SORT_EXPRESSIONS: Readonly<Record<FactoryOrderField, { sql: string; cast: string }>> = {
  FID: { sql: 'f.fid', cast: FACTORY_SORT_KEY_TYPES.FID },
  NAME: { sql: 'f.name', cast: FACTORY_SORT_KEY_TYPES.NAME },
  CAPITAL: { sql: 'coalesce(f.capital_baht, -1)', cast: FACTORY_SORT_KEY_TYPES.CAPITAL },
  WORKERS: { sql: 'coalesce(f.workers, -1)', cast: FACTORY_SORT_KEY_TYPES.WORKERS },
};

export interface FactoryPageRequest {
  criteria: FactoryCriteria | undefined;
  order: { field: FactoryOrderField; direction: SortDirection };
  /** Sort key and FID of the last row of the previous page. */
  after: KeysetPosition | undefined;
  limit: number;
}

const whereSql = (where: string[]): string => (where.length ? `WHERE ${where.join(' AND ')}` : '');

export class FactoryRepository {
  constructor(private readonly dataSource: SqlReader) {}

  async findByFids(fids: readonly string[]): Promise<Factory[]> {
    const rows: FactoryRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM registry.factory WHERE fid = ANY($1::text[])`, [fids]);
    return rows.map(toFactory);
  }

  /** Per company, up to `limit` of its factories ordered by FID after `afterFid`: one statement for all. */
  async pagesByCompanies(juristicIds: readonly string[], afterFid: string | undefined, limit: number): Promise<Factory[]> {
    const rows: FactoryRow[] = await this.dataSource.query(
      `SELECT f.* FROM unnest($1::text[]) AS parent(juristic_id)
       CROSS JOIN LATERAL (
         SELECT ${COLUMNS} FROM registry.factory f
         WHERE company_juristic_id = parent.juristic_id AND ${SHOWN_UNDER_COMPANY} AND ($2::text IS NULL OR fid > $2) ORDER BY fid LIMIT $3
       ) f`,
      [juristicIds, afterFid ?? null, limit],
    );
    return rows.map(toFactory);
  }

  /** `pagesByCompanies` with, in the same statement, `countByCompanies` of each company with a non-empty page. */
  async pagesByCompaniesCounted(juristicIds: readonly string[], afterFid: string | undefined, limit: number): Promise<{ factories: Factory[]; counts: Map<string, number> }> {
    const rows: (FactoryRow & { total_count: number })[] = await this.dataSource.query(
      `SELECT f.*, counted.n AS total_count FROM unnest($1::text[]) AS parent(juristic_id)
       CROSS JOIN LATERAL (SELECT count(*)::int AS n FROM registry.factory f WHERE company_juristic_id = parent.juristic_id AND ${SHOWN_UNDER_COMPANY}) counted
       CROSS JOIN LATERAL (
         SELECT ${COLUMNS} FROM registry.factory f
         WHERE company_juristic_id = parent.juristic_id AND ${SHOWN_UNDER_COMPANY} AND ($2::text IS NULL OR fid > $2) ORDER BY fid LIMIT $3
       ) f`,
      [juristicIds, afterFid ?? null, limit],
    );
    return { factories: rows.map(toFactory), counts: new Map(rows.map((r) => [r.company_juristic_id!, r.total_count])) };
  }

  async countByCompanies(juristicIds: readonly string[]): Promise<Map<string, number>> {
    const rows: { juristic_id: string; n: number }[] = await this.dataSource.query(
      `SELECT company_juristic_id AS juristic_id, count(*)::int AS n FROM registry.factory f WHERE company_juristic_id = ANY($1::text[]) AND ${SHOWN_UNDER_COMPANY} GROUP BY 1`,
      [juristicIds],
    );
    return new Map(rows.map((r) => [r.juristic_id, r.n]));
  }

  /**
   * Keyset pages, each in its own order, in one statement (the factories of every province on a
   * page): each page is an ORDER BY ... LIMIT subquery, glued with UNION ALL and tagged with its
   * position. Every row carries its sort key for the cursor.
   */
  async findPages(requests: readonly FactoryPageRequest[]): Promise<{ factory: Factory; sortKey: string }[][]> {
    const params = new SqlParams();
    const pages = requests.map((request, index) => {
      const where = factoryConditions(request.criteria, params);
      const sort = SORT_EXPRESSIONS[request.order.field];
      const dir = request.order.direction === SortDirection.DESC ? 'DESC' : 'ASC';
      if (request.after) where.push(`(${sort.sql}, f.fid) ${dir === 'DESC' ? '<' : '>'} (${params.add(request.after.sortKey)}::${sort.cast}, ${params.add(request.after.id)})`);
      const order = `${sort.sql} ${dir}, f.fid ${dir}`;
      // Only several pages need their rows numbered: a window over one page's query would make
      // PostgreSQL sort every match instead of keeping the top rows.
      const ordinal = requests.length > 1 ? `row_number() OVER (ORDER BY ${order})` : '0::bigint';
      return `(SELECT ${COLUMNS}, (${sort.sql})::text AS sort_key, ${index} AS page_index, ${ordinal} AS ordinal
        FROM registry.factory f ${whereSql(where)} ORDER BY ${order} LIMIT ${params.add(request.limit)})`;
    });
    const rows: (FactoryRow & { sort_key: string; page_index: number })[] = await this.dataSource.query(
      pages.length === 1 ? pages[0]! : `SELECT * FROM (${pages.join(' UNION ALL ')}) pages ORDER BY page_index, ordinal`,
      params.values,
    );
    const result = requests.map((): { factory: Factory; sortKey: string }[] => []);
    for (const row of rows) result[row.page_index]!.push({ factory: toFactory(row), sortKey: row.sort_key });
    return result;
  }

  /** The number of factories each criteria match, in one statement. */
  async counts(criteria: readonly (FactoryCriteria | undefined)[]): Promise<number[]> {
    const params = new SqlParams();
    const columns = criteria.map((c, i) => `(SELECT count(*)::int FROM registry.factory f ${whereSql(factoryConditions(c, params))}) AS n${i}`);
    const [row] = await this.dataSource.query<Record<string, number>[]>(`SELECT ${columns.join(', ')}`, params.values);
    return criteria.map((_, i) => row![`n${i}`]!);
  }
}
