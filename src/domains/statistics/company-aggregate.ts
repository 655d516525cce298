import { shareWritersLock } from '../../ingestion/bulk-load';
import type { Queryable } from '../../ingestion/ingestion-run.repository';
import type { SqlParams } from '../../platform/database/sql-params';
import type { CompanyCriteria } from '../company/company.repository';
import { REGION_IN_DATABASE } from '../geography/region-code';

/**
 * The materialised company aggregate `stats.company_aggregate`: counts and sums of companies per
 * full combination of the low-cardinality dimensions (province, hence region; the set of target
 * industries; SME size; exact Industry 4.0 level; status; juristic type; has an operating factory).
 * Target industries are kept as the company's whole set, not one row per industry, so that
 * groupings without them never count a company twice; queries unnest the set when they need it.
 * TSIC division and registration year are left out: with them the combinations approach the number
 * of companies and the aggregate stops being small; those groupings run live.
 */
export const COMPANY_AGGREGATE_FILL = `
  INSERT INTO stats.company_aggregate (region, province_code, target_industries, sme_size, i40_level, status, juristic_type,
    has_operating_factory, companies, capital_sum, capital_known, revenue_sum, revenue_known, employees_sum, employees_known)
  SELECT p.region, p.province_code, coalesce(p.target_industries, '{}'), p.sme_size, p.latest_i40_level, c.status, c.juristic_type_code,
    coalesce(p.operating_factories, 0) > 0, count(*), sum(c.registered_capital_baht), count(c.registered_capital_baht),
    sum(p.revenue_baht), count(p.revenue_baht), sum(p.employees), count(p.employees)
  FROM registry.company c LEFT JOIN registry.company_profile p ON p.juristic_id = c.juristic_id
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`;

/**
 * Rebuilds the aggregate from the company and profile rows, in the caller's transaction: the
 * ingestion engine calls it right after recomputing profiles, so readers see the old aggregate
 * until the run commits and the new one with the run's data, never a mix. DELETE rather than
 * TRUNCATE, which would lock readers out until the commit. The transaction-level advisory lock
 * serialises concurrent runs of different sources; it is taken last in a run (after every row
 * lock), so it cannot deadlock with them, and the rebuild's snapshot, taken after the lock, sees
 * the other run's committed data.
 */
export async function refreshCompanyAggregate(client: Queryable, runId: string | null): Promise<number> {
  // Before the aggregate's lock, as every writer (src/ingestion/bulk-load.ts: no waiting for it while holding this one).
  await shareWritersLock(client);
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('stats:company_aggregate'))`);
  await client.query('DELETE FROM stats.company_aggregate');
  const filled = await client.query(COMPANY_AGGREGATE_FILL);
  const groups = filled.rowCount ?? 0;
  await client.query(
    `INSERT INTO stats.aggregate_refresh (name, refreshed_at, run_id, groups) VALUES ('company', now(), $1, $2)
     ON CONFLICT (name) DO UPDATE SET refreshed_at = now(), run_id = EXCLUDED.run_id, groups = EXCLUDED.groups`,
    [runId, groups],
  );
  return groups;
}

/**
 * The filters the aggregate answers exactly. Anything else in a filter (including filters added to
 * CompanyFilter later) sends the request to the live query, so a new filter can never be ignored.
 */
const AGGREGATE_FILTERS = new Set<string>(['provinceCode', 'region', 'targetIndustry', 'smeSize', 'status', 'juristicType', 'industry40LevelAtLeast', 'hasOperatingFactory']);

const used = (value: unknown): boolean => value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);

/** True when the aggregate answers every filter given exactly (groupings have their own check). */
export function aggregateAnswersFilter(criteria: CompanyCriteria | undefined): boolean {
  return Object.entries(criteria ?? {}).every(([name, value]) => !used(value) || AGGREGATE_FILTERS.has(name));
}

/** The conditions of `companyConditions`, over the aggregate's columns (`a`); only AGGREGATE_FILTERS. */
export function aggregateConditions(criteria: CompanyCriteria | undefined, params: SqlParams): string[] {
  const where: string[] = [];
  if (!criteria) return where;
  if (criteria.provinceCode) where.push(`a.province_code = ${params.add(criteria.provinceCode)}`);
  if (criteria.region) where.push(`a.region = ${params.add(REGION_IN_DATABASE[criteria.region])}`);
  if (criteria.targetIndustry) where.push(`a.target_industries @> ARRAY[${params.add(criteria.targetIndustry)}::text]`);
  if (criteria.smeSize?.length) where.push(`a.sme_size = ANY(${params.add(criteria.smeSize)}::text[])`);
  if (criteria.status?.length) where.push(`a.status = ANY(${params.add(criteria.status)}::text[])`);
  if (criteria.juristicType?.length) where.push(`a.juristic_type = ANY(${params.add(criteria.juristicType)}::text[])`);
  if (criteria.industry40LevelAtLeast !== undefined && criteria.industry40LevelAtLeast !== null) {
    where.push(`a.i40_level >= ${params.add(criteria.industry40LevelAtLeast)}`);
  }
  if (criteria.hasOperatingFactory === true) where.push('a.has_operating_factory');
  if (criteria.hasOperatingFactory === false) where.push('NOT a.has_operating_factory');
  return where;
}
