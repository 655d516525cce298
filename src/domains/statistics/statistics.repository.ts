import { SqlParams } from '../../platform/database/sql-params';
import { companyConditions, type CompanyCriteria } from '../company/company.repository';
import { factoryConditions, type FactoryCriteria } from '../factory/factory.repository';
import { operatorIsCompanySql } from '../../shared/firm-identity';
import type { ReferenceRepository, ReferenceTables } from '../reference/reference.repository';
import { areaJoins, CENTRE_KEY, GROUP_KEY, groupJoin } from '../geography/area-sql';
import { aggregateAnswersFilter, aggregateConditions } from './company-aggregate';
import { CompanyStatsDimension, FactoryStatsDimension, MAX_GROUPS, StatsSource } from './statistics.type';
import type { SqlReader } from '../../platform/database/sql-reader';

/** One group as the database returns it: a text key per dimension, then the measures. */
export interface StatsRow {
  keys: (string | null)[];
  count: number;
  measures: Record<string, { sum: number | null; known: number }>;
}

export interface CompanyStatsResult {
  rows: StatsRow[];
  source: StatsSource;
  refreshedAt: Date | null;
}

/** Names of reference values, read once: they change only with a migration. */
export interface ReferenceNames {
  provinces: Map<string, { nameEn: string; nameTh: string }>;
  tsicDivisions: Map<string, { nameEn: string; nameTh: string | null }>;
  targetIndustries: Map<string, { nameEn: string; nameTh: string; order: number }>;
  /** Regional centres by number (as text), in number order. */
  centres: Map<string, { nameEn: string; nameTh: string; order: number }>;
  /** Province groups by code, in the order of the six-region scheme. */
  provinceGroups: Map<string, { nameEn: string; nameTh: string; order: number }>;
}


/** SQL of a dimension's key (as text) over the live rows, and over the aggregate when it holds it. */
interface DimensionSql {
  live: string;
  aggregate?: string;
}

const TARGET_INDUSTRY_KEY = 'ti.code';
const I40_BUCKET = (level: string): string => `floor(${level})::int::text || '.0'`;

const COMPANY_DIMENSIONS: Readonly<Record<CompanyStatsDimension, DimensionSql>> = {
  REGION: { live: 'p.region', aggregate: 'a.region' },
  PROVINCE: { live: 'p.province_code', aggregate: 'a.province_code' },
  PROMOTION_CENTRE: { live: CENTRE_KEY, aggregate: CENTRE_KEY },
  PROVINCE_GROUP: { live: GROUP_KEY, aggregate: GROUP_KEY },
  TSIC_DIVISION: { live: `nullif(left(c.tsic_code, 2), '')` },
  TARGET_INDUSTRY: { live: TARGET_INDUSTRY_KEY, aggregate: TARGET_INDUSTRY_KEY },
  SME_SIZE: { live: 'p.sme_size', aggregate: 'a.sme_size' },
  INDUSTRY40_LEVEL: { live: I40_BUCKET('p.latest_i40_level'), aggregate: I40_BUCKET('a.i40_level') },
  REGISTRATION_YEAR: { live: 'extract(year FROM c.registered_on)::int::text' },
  STATUS: { live: 'c.status', aggregate: 'a.status' },
  JURISTIC_TYPE: { live: 'c.juristic_type_code', aggregate: 'a.juristic_type' },
};

/** True when the aggregate holds every dimension and every filter given. */
export function aggregateServes(criteria: CompanyCriteria | undefined, groupBy: readonly CompanyStatsDimension[]): boolean {
  return groupBy.every((d) => COMPANY_DIMENSIONS[d].aggregate !== undefined) && aggregateAnswersFilter(criteria);
}

/** A multi-valued target-industry set as rows; an empty or missing set as one null row (the unknown group). */
const unnestIndustries = (column: string): string =>
  `CROSS JOIN LATERAL unnest(CASE WHEN cardinality(${column}) > 0 THEN ${column} ELSE ARRAY[NULL::text] END) AS ti(code)`;

const COMPANY_MEASURES_LIVE = `count(*)::bigint AS count,
  sum(c.registered_capital_baht)::text AS capital_sum, count(c.registered_capital_baht)::bigint AS capital_known,
  sum(p.revenue_baht)::text AS revenue_sum, count(p.revenue_baht)::bigint AS revenue_known,
  sum(p.employees)::text AS employees_sum, count(p.employees)::bigint AS employees_known`;
const COMPANY_MEASURES_AGGREGATE = `sum(a.companies)::bigint AS count,
  sum(a.capital_sum)::text AS capital_sum, sum(a.capital_known)::bigint AS capital_known,
  sum(a.revenue_sum)::text AS revenue_sum, sum(a.revenue_known)::bigint AS revenue_known,
  sum(a.employees_sum)::text AS employees_sum, sum(a.employees_known)::bigint AS employees_known`;

type RawRow = Record<string, string | null>;

function toStatsRow(row: RawRow, dimensions: number, measures: readonly string[]): StatsRow {
  const keys: (string | null)[] = [];
  for (let i = 0; i < dimensions; i += 1) keys.push(row[`k${i}`] ?? null);
  const result: StatsRow = { keys, count: Number(row['count']), measures: {} };
  for (const name of measures) {
    const sum = row[`${name}_sum`] ?? null;
    result.measures[name] = { sum: sum === null ? null : Number(sum), known: Number(row[`${name}_known`]) };
  }
  return result;
}

export class StatisticsRepository {
  private names: { tables: ReferenceTables; names: ReferenceNames } | undefined;

  constructor(
    private readonly dataSource: SqlReader,
    private readonly reference: ReferenceRepository,
  ) {}

  /** Labels of province, TSIC division and target industry codes, from the cached reference tables. */
  async referenceNames(): Promise<ReferenceNames> {
    const tables = await this.reference.load();
    if (this.names?.tables !== tables) {
      const divisions = [...tables.tsic.values()].filter((entry) => entry.level === 'division');
      this.names = {
        tables,
        names: {
          provinces: new Map(tables.provinces.map((p) => [p.code, { nameEn: p.nameEn, nameTh: p.nameTh }])),
          tsicDivisions: new Map(divisions.map((d) => [d.code, { nameEn: d.nameEn, nameTh: d.nameTh }])),
          targetIndustries: new Map(tables.targetIndustries.map((t) => [t.code, { nameEn: t.nameEn, nameTh: t.nameTh, order: t.displayOrder }])),
          centres: new Map(tables.promotionCentres.map((c) => [String(c.number), { nameEn: c.nameEn, nameTh: c.nameTh, order: c.number }])),
          provinceGroups: new Map(tables.provinceGroups.map((g, order) => [g.code, { nameEn: g.nameEn, nameTh: g.nameTh, order }])),
        },
      };
    }
    return this.names.names;
  }

  /**
   * Companies grouped by the dimensions: from the aggregate when it serves the request (and
   * `source` does not insist on LIVE), else from the company and profile rows. At most
   * MAX_GROUPS + 1 rows come back, unordered: the caller refuses more than MAX_GROUPS and orders.
   */
  async companyStats(criteria: CompanyCriteria | undefined, groupBy: readonly CompanyStatsDimension[], source?: StatsSource): Promise<CompanyStatsResult> {
    const params = new SqlParams();
    const fromAggregate = source !== StatsSource.LIVE && aggregateServes(criteria, groupBy);
    const byIndustry = groupBy.includes(CompanyStatsDimension.TARGET_INDUSTRY);
    const keys = groupBy.map((d, i) => `${fromAggregate ? COMPANY_DIMENSIONS[d].aggregate! : COMPANY_DIMENSIONS[d].live} AS k${i}`).join(', ');
    const where = fromAggregate ? aggregateConditions(criteria, params) : companyConditions(criteria, params);
    const from = fromAggregate
      ? `stats.company_aggregate a ${areaJoins(groupBy, 'a.province_code', 'a.region')} ${byIndustry ? unnestIndustries('a.target_industries') : ''}`
      : `registry.company c LEFT JOIN registry.company_profile p ON p.juristic_id = c.juristic_id ${areaJoins(groupBy, 'p.province_code', 'p.region')}
         ${byIndustry ? unnestIndustries('p.target_industries') : ''}`;
    const sql = `SELECT ${keys}, ${fromAggregate ? COMPANY_MEASURES_AGGREGATE : COMPANY_MEASURES_LIVE}
      FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      GROUP BY ${groupBy.map((_, i) => i + 1).join(', ')} LIMIT ${MAX_GROUPS + 1}`;
    let refreshedAt: Date | null = null;
    let rows: RawRow[];
    if (fromAggregate) {
      // The groups and the refresh time in one statement: one snapshot, so they always describe the
      // same refresh, and one round trip instead of a five-statement transaction. No groups still
      // gives the refresh row, with a null count.
      const found = await this.dataSource.query<(RawRow & { refreshed_at: Date | null })[]>(
        `SELECT r.refreshed_at, g.* FROM (SELECT max(refreshed_at) AS refreshed_at FROM stats.aggregate_refresh WHERE name = 'company') r
         LEFT JOIN LATERAL (${sql}) g ON true`,
        params.values,
      );
      refreshedAt = found[0]?.refreshed_at ?? null;
      rows = found.filter((row) => row['count'] !== null);
    } else {
      rows = await this.dataSource.query(sql, params.values);
    }
    return {
      rows: rows.map((row) => toStatsRow(row, groupBy.length, ['capital', 'revenue', 'employees'])),
      source: fromAggregate ? StatsSource.AGGREGATE : StatsSource.LIVE,
      refreshedAt,
    };
  }

  /**
   * Factories grouped by the dimensions, from the registry rows (a few hundred thousand: no
   * aggregate needed). The operating company's facts come from its profile and registration; the
   * target industries from the factory's own ISIC code, by the mapping version company profiles use.
   */
  async factoryStats(criteria: FactoryCriteria | undefined, groupBy: readonly FactoryStatsDimension[]): Promise<StatsRow[]> {
    const params = new SqlParams();
    const where = factoryConditions(criteria, params);
    const dimension: Readonly<Record<FactoryStatsDimension, string>> = {
      REGION: 'rp.region',
      PROVINCE: 'rp.code',
      PROMOTION_CENTRE: 'rp.promotion_centre::text',
      PROVINCE_GROUP: GROUP_KEY,
      ISIC_DIVISION: `nullif(left(f.isic_code, 2), '')`,
      TARGET_INDUSTRY: 'ti.industry_code',
      STATUS: 'f.status',
      SME_SIZE: 'p.sme_size',
      INDUSTRY40_LEVEL: I40_BUCKET('p.latest_i40_level'),
      REGISTRATION_YEAR: 'extract(year FROM c.registered_on)::int::text',
    };
    const uses = (...dimensions: FactoryStatsDimension[]): boolean => dimensions.some((d) => groupBy.includes(d));
    const joins: string[] = [];
    if (uses(FactoryStatsDimension.REGION, FactoryStatsDimension.PROVINCE, FactoryStatsDimension.PROMOTION_CENTRE, FactoryStatsDimension.PROVINCE_GROUP)) {
      joins.push('LEFT JOIN reference.province rp ON rp.name_th = f.province');
    }
    if (uses(FactoryStatsDimension.PROVINCE_GROUP)) joins.push(groupJoin('rp.region'));
    if (uses(FactoryStatsDimension.TARGET_INDUSTRY)) {
      const version = params.add((await this.reference.load()).mappingVersion);
      // One row per target industry of the code, or one null row for none (the unknown group).
      joins.push(`LEFT JOIN LATERAL (SELECT DISTINCT m.industry_code FROM reference.target_industry_tsic m
        WHERE m.mapping_version = ${version} AND f.isic_code LIKE m.tsic_prefix || '%') ti ON true`);
    }
    // The operating company as the factory shows it: none when its operator is masked (its link withheld, src/shared/firm-identity.ts).
    const operatingCompany = `f.company_juristic_id AND ${operatorIsCompanySql('f')}`;
    if (uses(FactoryStatsDimension.SME_SIZE, FactoryStatsDimension.INDUSTRY40_LEVEL)) joins.push(`LEFT JOIN registry.company_profile p ON p.juristic_id = ${operatingCompany}`);
    if (uses(FactoryStatsDimension.REGISTRATION_YEAR)) joins.push(`LEFT JOIN registry.company c ON c.juristic_id = ${operatingCompany}`);
    const rows: RawRow[] = await this.dataSource.query(
      `SELECT ${groupBy.map((d, i) => `${dimension[d]} AS k${i}`).join(', ')}, count(*)::bigint AS count,
         sum(f.capital_baht)::text AS capital_sum, count(f.capital_baht)::bigint AS capital_known,
         sum(f.workers)::text AS workers_sum, count(f.workers)::bigint AS workers_known
       FROM registry.factory f ${joins.join(' ')}
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       GROUP BY ${groupBy.map((_, i) => i + 1).join(', ')} LIMIT ${MAX_GROUPS + 1}`,
      params.values,
    );
    return rows.map((row) => toStatsRow(row, groupBy.length, ['capital', 'workers']));
  }
}
