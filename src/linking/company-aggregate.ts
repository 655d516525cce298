import { shareWritersLock } from '../ingestion/bulk-load';
import type { Queryable } from '../ingestion/ingestion-run.repository';

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
