/**
 * SQL of the daily recompute of date-dependent eligibility (src/eligibility/daily-recompute.ts),
 * on the job's pinned connection and inside its transaction.
 */
import type { Queryable, RunTrigger } from '../ingestion/ingestion-run.repository';
import { parseRuleSet, type RuleSet } from './rules/rule-set';

/** Whole years from a registration date column to a date parameter, exactly as `fullYearsBetween` counts them. */
export const fullYearsSql = (registered: string, day: string): string =>
  `(extract(year FROM ${day})::int - extract(year FROM ${registered})::int
    - CASE WHEN (extract(month FROM ${day}), extract(day FROM ${day})) < (extract(month FROM ${registered}), extract(day FROM ${registered})) THEN 1 ELSE 0 END)`;

/** The products now published with a rule set, with their rules (to tell which depend on the date). */
export async function publishedRuleSets(client: Queryable): Promise<{ bankCode: string; productCode: string; ruleSet: RuleSet }[]> {
  const { rows } = await client.query<{ bank_code: string; product_code: string; rules: unknown }>(
    `SELECT bank_code, product_code, rules FROM lending.loan_product WHERE absent_since_run_id IS NULL AND rule_set_version IS NOT NULL ORDER BY 1, 2`,
  );
  return rows.map((r) => ({ bankCode: r.bank_code, productCode: r.product_code, ruleSet: parseRuleSet(r.rules) }));
}

/**
 * The day stored results were last evaluated on when no daily run has recorded one: the earliest
 * Bangkok day any stored result was computed (the start of the window a first run must cover).
 */
export async function earliestResultDay(client: Queryable): Promise<string | undefined> {
  const { rows } = await client.query<{ day: string | null }>(
    `SELECT to_char(min(computed_at) AT TIME ZONE 'Asia/Bangkok', 'YYYY-MM-DD') AS day FROM lending.eligibility_result`,
  );
  return rows[0]?.day ?? undefined;
}

/**
 * Fills `pg_temp.profile_affected` (the list `recomputeForAffectedFirms` reads) with the firms whose
 * whole years since registration differ between the two days: on the forward path, those whose
 * registration anniversary fell after `from` and on or before `to` (or that were registered in
 * between). Returns how many.
 */
export async function listFirmsWithYearsChanged(client: Queryable, from: string, to: string): Promise<number> {
  await client.query('DROP TABLE IF EXISTS pg_temp.profile_affected');
  await client.query('CREATE TEMP TABLE profile_affected (juristic_id text NOT NULL) ON COMMIT DROP');
  const result = await client.query(
    `INSERT INTO pg_temp.profile_affected
     SELECT juristic_id FROM registry.company
     WHERE registered_on IS NOT NULL AND ${fullYearsSql('registered_on', '$1::date')} <> ${fullYearsSql('registered_on', '$2::date')}`,
    [from, to],
  );
  return result.rowCount ?? 0;
}

/** A run record of the daily job (no feed: `feed_url` stays empty), committed before its work starts. */
export async function createRecomputeRun(client: Queryable, source: string, trigger: RunTrigger, jobId: string | null, attempt: number): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO ingestion.run (source, trigger, job_id, attempt, feed_url, full_refresh) VALUES ($1, $2, $3, $4, NULL, false) RETURNING id::text`,
    [source, trigger, jobId, attempt],
  );
  return rows[0]!.id;
}

/** The window's start, on the run record (its end is saved as the run's cursor when it commits). */
export async function recordWindowStart(client: Queryable, runId: string, from: string): Promise<void> {
  await client.query('UPDATE ingestion.run SET cursor_before = $2 WHERE id = $1', [runId, from]);
}

/** The feed events a run appended (read only when an earlier attempt of a job is reported again). */
export async function countEventsOfRun(client: Queryable, runId: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM lending.eligibility_event WHERE run_id = $1', [runId]);
  return rows[0]!.n;
}
