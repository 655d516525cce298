import type { Queryable } from '../ingestion/ingestion-run.repository';

/**
 * Links factories to the juristic persons that operate them. DIW factories often lack the
 * operator's tax ID, so, in order of trust:
 *   1. TAX_ID: the factory's TRADE equals a company's juristic ID (confidence 1);
 *   2. EXACT_NAME_PROVINCE: the normalised operator name equals exactly one company's normalised
 *      name in the factory's province (0.97);
 *   3. EXACT_NAME: the same, nationwide, when exactly one company has the name (0.9): firms run
 *      factories outside their head-office province;
 *   4. FUZZY_NAME: the best trigram match (pg_trgm) above a threshold, clearly ahead of the next
 *      best; within the province from FUZZY_MIN_PROVINCE, nationwide from FUZZY_MIN_NATIONWIDE.
 *      The confidence is the similarity.
 * Every link records its method and confidence; a factory no rule links stays unlinked rather
 * than guessed. Thresholds are tuned against the simulator's ground truth (see the linking test).
 */
export const FUZZY_MIN_PROVINCE = 0.6;
export const FUZZY_MIN_NATIONWIDE = 0.72;
/** The best fuzzy match must beat the second best by this much, or the factory stays unlinked. */
export const FUZZY_MARGIN = 0.1;

export type LinkMethod = 'TAX_ID' | 'EXACT_NAME_PROVINCE' | 'EXACT_NAME' | 'FUZZY_NAME';

/**
 * Which factories to (re)link: those a DIW run changed or marked absent; after a company run, those
 * not linked by ID plus those whose tax ID is a company the run changed; or all.
 */
export type LinkScope = { kind: 'factory-run'; runId: string } | { kind: 'company-run'; runId: string } | { kind: 'all' };

export interface LinkOutcome {
  byMethod: Record<LinkMethod, number>;
  unlinked: number;
}

function scopeCondition(scope: LinkScope): { sql: string; params: unknown[] } {
  switch (scope.kind) {
    case 'factory-run':
      return { sql: 'f.source_run_id = $1 OR f.absent_since_run_id = $1', params: [scope.runId] };
    case 'company-run':
      return {
        sql: `f.link_method IS DISTINCT FROM 'TAX_ID'
              OR f.operator_tax_id IN (SELECT juristic_id FROM registry.company WHERE source_run_id = $1 OR absent_since_run_id = $1)`,
        params: [scope.runId],
      };
    case 'all':
      return { sql: 'true', params: [] };
  }
}

/**
 * Relinks the factories in scope, inside the caller's transaction. Leaves a temporary table
 * `link_affected_company` (juristic IDs whose factories gained or lost a link) for the profile
 * recomputation that follows.
 */
export async function linkFactories(client: Queryable, scope: LinkScope): Promise<LinkOutcome> {
  const { sql, params } = scopeCondition(scope);
  await client.query('DROP TABLE IF EXISTS pg_temp.link_scope');
  await client.query(
    `CREATE TEMP TABLE link_scope ON COMMIT DROP AS
     SELECT f.fid, f.company_juristic_id AS old_company FROM registry.factory f WHERE ${sql}`,
    params,
  );
  await client.query('CREATE INDEX ON pg_temp.link_scope (fid)');
  await client.query('ANALYZE pg_temp.link_scope');
  await client.query(
    `UPDATE registry.factory f SET company_juristic_id = NULL, link_method = NULL, link_confidence = NULL, linked_at = NULL
     FROM pg_temp.link_scope s WHERE f.fid = s.fid`,
  );

  await client.query(
    `UPDATE registry.factory f SET company_juristic_id = c.juristic_id, link_method = 'TAX_ID', link_confidence = 1, linked_at = now()
     FROM pg_temp.link_scope s, registry.company c
     WHERE f.fid = s.fid AND f.operator_tax_id = c.juristic_id`,
  );
  const exact = (method: LinkMethod, confidence: number, sameProvince: boolean) =>
    client.query(
      `WITH candidate AS (
         SELECT f.fid, c.juristic_id, count(*) OVER (PARTITION BY f.fid) AS n
         FROM pg_temp.link_scope s
         JOIN registry.factory f ON f.fid = s.fid
         JOIN registry.company c ON c.name_th_normalised = f.operator_name_normalised ${sameProvince ? 'AND c.province = f.province' : ''}
         WHERE f.company_juristic_id IS NULL AND f.operator_name_normalised <> ''
       )
       UPDATE registry.factory f SET company_juristic_id = candidate.juristic_id, link_method = $1, link_confidence = $2, linked_at = now()
       FROM candidate WHERE candidate.fid = f.fid AND candidate.n = 1`,
      [method, confidence],
    );
  await exact('EXACT_NAME_PROVINCE', 0.97, true);
  await exact('EXACT_NAME', 0.9, false);

  const fuzzy = async (threshold: number, sameProvince: boolean) => {
    // The % operator uses the trigram index with this threshold; similarity() then ranks.
    await client.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(threshold)]);
    await client.query(
      `WITH candidate AS (
         SELECT f.fid, c.juristic_id, similarity(c.name_th_normalised, f.operator_name_normalised) AS score,
                row_number() OVER w AS rank, lead(similarity(c.name_th_normalised, f.operator_name_normalised)) OVER w AS runner_up
         FROM pg_temp.link_scope s
         JOIN registry.factory f ON f.fid = s.fid
         JOIN registry.company c ON c.name_th_normalised % f.operator_name_normalised ${sameProvince ? 'AND c.province = f.province' : ''}
         WHERE f.company_juristic_id IS NULL AND length(f.operator_name_normalised) >= 4
         WINDOW w AS (PARTITION BY f.fid ORDER BY similarity(c.name_th_normalised, f.operator_name_normalised) DESC, c.juristic_id)
       )
       UPDATE registry.factory f SET company_juristic_id = candidate.juristic_id, link_method = 'FUZZY_NAME',
         link_confidence = round(candidate.score::numeric, 3), linked_at = now()
       FROM candidate
       WHERE candidate.fid = f.fid AND candidate.rank = 1 AND candidate.score >= $1
         AND (candidate.runner_up IS NULL OR candidate.score - candidate.runner_up >= $2)`,
      [threshold, FUZZY_MARGIN],
    );
  };
  await fuzzy(FUZZY_MIN_PROVINCE, true);
  await fuzzy(FUZZY_MIN_NATIONWIDE, false);

  await client.query('DROP TABLE IF EXISTS pg_temp.link_affected_company');
  // A factory run changed the factories themselves (status, absence): their firms are affected even
  // when the link stayed. A company run only relinks: only firms whose links moved are affected.
  const onlyMoved = scope.kind === 'company-run' ? 'AND s.old_company IS DISTINCT FROM f.company_juristic_id' : '';
  await client.query(
    `CREATE TEMP TABLE link_affected_company ON COMMIT DROP AS
     SELECT s.old_company AS juristic_id FROM pg_temp.link_scope s JOIN registry.factory f ON f.fid = s.fid
       WHERE s.old_company IS NOT NULL ${onlyMoved}
     UNION
     SELECT f.company_juristic_id FROM pg_temp.link_scope s JOIN registry.factory f ON f.fid = s.fid
       WHERE f.company_juristic_id IS NOT NULL ${onlyMoved}`,
  );
  const counts = await client.query<{ method: LinkMethod | null; n: number }>(
    `SELECT f.link_method AS method, count(*)::int AS n FROM pg_temp.link_scope s JOIN registry.factory f ON f.fid = s.fid GROUP BY 1`,
  );
  const byMethod: Record<LinkMethod, number> = { TAX_ID: 0, EXACT_NAME_PROVINCE: 0, EXACT_NAME: 0, FUZZY_NAME: 0 };
  let unlinked = 0;
  for (const row of counts.rows) {
    if (row.method === null) unlinked = row.n;
    else byMethod[row.method] = row.n;
  }
  return { byMethod, unlinked };
}
