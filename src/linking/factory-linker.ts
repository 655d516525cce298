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
 * Relinks the factories in scope, inside the caller's transaction. Every rule writes into a
 * temporary result; each factory row is then written once, and only if its link changed (a daily
 * run rewrites almost nothing). Leaves a temporary table `link_affected_company` (juristic IDs whose
 * factories gained or lost a link) for the profile recomputation that follows.
 */
export async function linkFactories(client: Queryable, scope: LinkScope): Promise<LinkOutcome> {
  const { sql, params } = scopeCondition(scope);
  await client.query('DROP TABLE IF EXISTS pg_temp.link_scope, pg_temp.link_result');
  await client.query(
    `CREATE TEMP TABLE link_scope ON COMMIT DROP AS
     SELECT f.fid, f.company_juristic_id AS old_company, f.operator_tax_id, f.operator_name_normalised AS name, f.province
     FROM registry.factory f WHERE ${sql}`,
    params,
  );
  await client.query('CREATE UNIQUE INDEX ON pg_temp.link_scope (fid)');
  await client.query('ANALYZE pg_temp.link_scope');
  await client.query(
    `CREATE TEMP TABLE link_result (fid text PRIMARY KEY, juristic_id text NOT NULL, method text NOT NULL, confidence numeric(4, 3) NOT NULL)
     ON COMMIT DROP`,
  );
  const unlinked = `NOT EXISTS (SELECT 1 FROM pg_temp.link_result r WHERE r.fid = s.fid)`;

  await client.query(
    `INSERT INTO pg_temp.link_result SELECT s.fid, c.juristic_id, 'TAX_ID', 1
     FROM pg_temp.link_scope s JOIN registry.company c ON c.juristic_id = s.operator_tax_id`,
  );
  const exact = (method: LinkMethod, confidence: number, sameProvince: boolean) =>
    client.query(
      `INSERT INTO pg_temp.link_result
       SELECT fid, juristic_id, $1, $2 FROM (
         SELECT s.fid, c.juristic_id, count(*) OVER (PARTITION BY s.fid) AS n
         FROM pg_temp.link_scope s
         JOIN registry.company c ON c.name_th_normalised = s.name ${sameProvince ? 'AND c.province = s.province' : ''}
         WHERE s.name <> '' AND ${unlinked}
       ) candidate WHERE n = 1`,
      [method, confidence],
    );
  await exact('EXACT_NAME_PROVINCE', 0.97, true);
  await exact('EXACT_NAME', 0.9, false);

  // Fuzzy: the best trigram match (the % operator uses the GIN trigram index at this threshold),
  // clearly ahead of the runner-up; first within the province, then nationwide at a higher bar.
  const fuzzy = async (threshold: number, sameProvince: boolean) => {
    await client.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(threshold)]);
    await client.query(
      `INSERT INTO pg_temp.link_result
       SELECT fid, juristic_id, 'FUZZY_NAME', round(score::numeric, 3) FROM (
         SELECT s.fid, c.juristic_id, similarity(c.name_th_normalised, s.name) AS score,
                row_number() OVER w AS rank, lead(similarity(c.name_th_normalised, s.name)) OVER w AS runner_up
         FROM pg_temp.link_scope s
         JOIN registry.company c ON c.name_th_normalised % s.name ${sameProvince ? 'AND c.province = s.province' : ''}
         WHERE length(s.name) >= 4 AND ${unlinked}
         WINDOW w AS (PARTITION BY s.fid ORDER BY similarity(c.name_th_normalised, s.name) DESC, c.juristic_id)
       ) candidate
       WHERE rank = 1 AND score >= $1 AND (runner_up IS NULL OR score - runner_up >= $2)`,
      [threshold, FUZZY_MARGIN],
    );
  };
  await fuzzy(FUZZY_MIN_PROVINCE, true);
  await fuzzy(FUZZY_MIN_NATIONWIDE, false);

  await client.query('ANALYZE pg_temp.link_result');
  await client.query(
    `UPDATE registry.factory f SET company_juristic_id = r.juristic_id, link_method = r.method, link_confidence = r.confidence,
       linked_at = CASE WHEN r.juristic_id IS NULL THEN NULL ELSE now() END
     FROM (SELECT s.fid, l.juristic_id, l.method, l.confidence FROM pg_temp.link_scope s LEFT JOIN pg_temp.link_result l USING (fid)) r
     WHERE f.fid = r.fid
       AND (f.company_juristic_id, f.link_method, f.link_confidence) IS DISTINCT FROM (r.juristic_id, r.method, r.confidence)`,
  );

  // A factory run changed the factories themselves (status, absence): their firms are affected even
  // when the link stayed. A company run only relinks: only firms whose links moved are affected.
  const onlyMoved = scope.kind === 'company-run' ? 'AND s.old_company IS DISTINCT FROM l.juristic_id' : '';
  await client.query('DROP TABLE IF EXISTS pg_temp.link_affected_company');
  await client.query(
    `CREATE TEMP TABLE link_affected_company ON COMMIT DROP AS
     SELECT s.old_company AS juristic_id FROM pg_temp.link_scope s LEFT JOIN pg_temp.link_result l USING (fid)
       WHERE s.old_company IS NOT NULL ${onlyMoved}
     UNION
     SELECT l.juristic_id FROM pg_temp.link_scope s JOIN pg_temp.link_result l USING (fid)
       WHERE true ${onlyMoved}`,
  );
  const counts = await client.query<{ method: LinkMethod; n: number }>(`SELECT method, count(*)::int AS n FROM pg_temp.link_result GROUP BY 1`);
  const byMethod: Record<LinkMethod, number> = { TAX_ID: 0, EXACT_NAME_PROVINCE: 0, EXACT_NAME: 0, FUZZY_NAME: 0 };
  for (const row of counts.rows) byMethod[row.method] = row.n;
  const scoped = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_temp.link_scope')).rows[0]!.n;
  return { byMethod, unlinked: scoped - Object.values(byMethod).reduce((a, b) => a + b, 0) };
}
