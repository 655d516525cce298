import type { Queryable } from '../ingestion/ingestion-run.repository';
import type { LinkMethod, LinkTarget } from './link-target';

export type { LinkMethod, LinkTarget } from './link-target';

/**
 * Links other agencies' records to the juristic persons they concern: DIW factories to their
 * operators, TISI licences to their licensees, DIP participations and Industry 4.0 assessments to
 * their participants. Agencies often lack the firm's tax ID, so, in order of trust:
 *   1. TAX_ID: the record's tax ID equals a company's juristic ID (confidence 1);
 *   2. EXACT_NAME_PROVINCE: the normalised name equals exactly one company's normalised name in the
 *      record's province (0.97);
 *   3. EXACT_NAME: the same, nationwide, when exactly one company has the name (0.9): firms run
 *      factories outside their head-office province;
 *   4. FUZZY_NAME: the best trigram match (pg_trgm) above a threshold, clearly ahead of the next
 *      best; within the province from FUZZY_MIN_PROVINCE, nationwide from FUZZY_MIN_NATIONWIDE, but
 *      from FUZZY_MIN_CROSS_PROVINCE when the record and the company each know their province and
 *      they differ. The confidence is the similarity.
 * One code path for every kind of record: a LinkTarget, declared by the source that loads the
 * table (its `derive.links`), names the table, its key and its tax ID, name and province. Every
 * link records its method and confidence; a record no rule links stays unlinked rather than guessed. Thresholds are tuned against the simulator's ground truth (see the
 * linking test).
 */
export const FUZZY_MIN_PROVINCE = 0.6;
export const FUZZY_MIN_NATIONWIDE = 0.72;
/**
 * A fuzzy match with a company in another province than the record's, when both give one, must be
 * nearly the same name: a similar name in another province is more often another firm (an Ayutthaya
 * record went to a Phuket firm at 0.737). Identical names across provinces are the EXACT_NAME rule's.
 */
export const FUZZY_MIN_CROSS_PROVINCE = 0.85;
/** The best fuzzy match must beat the second best by this much, or the record stays unlinked. */
export const FUZZY_MARGIN = 0.1;
/**
 * Below this similarity a company can neither win a fuzzy match nor block one (a runner-up matters
 * only within FUZZY_MARGIN of a winner): a company run looks for records its companies match from here.
 */
export const FUZZY_FLOOR = Math.min(FUZZY_MIN_PROVINCE, FUZZY_MIN_NATIONWIDE) - FUZZY_MARGIN;

/**
 * Which rows to (re)link:
 * - `source-run`: the rows a run of the table's own source wrote or marked absent;
 * - `company-run`: after a company run, the rows whose link it may change (see companyRunCandidates);
 * - `province-run`: after a run of the source the target takes its province from, the rows not linked
 *   by ID whose province it may have moved;
 * - `all`.
 */
export type LinkScope =
  | { kind: 'source-run'; runId: string }
  | { kind: 'company-run'; runId: string }
  | { kind: 'province-run'; runId: string }
  | { kind: 'all' };

export interface LinkOutcome {
  byMethod: Record<LinkMethod, number>;
  unlinked: number;
  /** Rows examined. */
  scoped: number;
  /** Rows whose link changed (linked, relinked, upgraded or unlinked), and so were written. */
  changed: number;
  /** For a company run: whether only the rows its companies may match were examined (see companyRunCandidates). */
  narrowed?: boolean;
}

const NOT_BY_ID = `t.link_method IS DISTINCT FROM 'TAX_ID'`;

/**
 * Relinks the target's rows in scope, inside the caller's transaction. Every rule writes into a
 * temporary result; each row is then written once, and only if its link changed (a daily run
 * rewrites almost nothing). Leaves a temporary table `link_affected_company` (juristic IDs whose
 * records gained or lost a link, or, for the table's own run, whose records changed) for the
 * profile recomputation that follows.
 */
export async function linkRecords(client: Queryable, target: LinkTarget, scope: LinkScope): Promise<LinkOutcome> {
  const keys = target.key.join(', ');
  const columns = `${target.key.map((k) => `t.${k}`).join(', ')}, t.company_juristic_id AS old_company, t.${target.taxId} AS tax_id,
    t.${target.name} AS name, ${target.province} AS province`;
  await client.query('DROP TABLE IF EXISTS pg_temp.link_scope, pg_temp.link_result');
  let narrowed: boolean | undefined;
  switch (scope.kind) {
    case 'source-run':
      await createScope(client, `SELECT ${columns} FROM ${target.table} t WHERE t.source_run_id = $1 OR t.absent_since_run_id = $1`, [scope.runId]);
      break;
    case 'province-run':
      if (target.provinceFrom) await createScope(client, `SELECT ${columns} FROM ${target.table} t WHERE ${NOT_BY_ID} AND ${target.provinceFrom.rows}`, [scope.runId]);
      else await createScope(client, `SELECT ${columns} FROM ${target.table} t WHERE false`, []);
      break;
    case 'company-run':
      narrowed = await companyRunCandidates(client, target, scope.runId);
      await createScope(
        client,
        narrowed
          ? `SELECT ${columns} FROM (SELECT DISTINCT ${keys} FROM pg_temp.link_candidate) k JOIN ${target.table} t USING (${keys})`
          : `SELECT ${columns} FROM ${target.table} t WHERE ${NOT_BY_ID} OR t.${target.taxId} IN (SELECT juristic_id FROM pg_temp.link_changed_company)`,
        [],
      );
      break;
    case 'all':
      await createScope(client, `SELECT ${columns} FROM ${target.table} t`, []);
      break;
  }
  await client.query(
    `CREATE TEMP TABLE link_result (sid integer PRIMARY KEY, juristic_id text NOT NULL, method text NOT NULL, confidence numeric(4, 3) NOT NULL)
     ON COMMIT DROP`,
  );
  const unlinked = `NOT EXISTS (SELECT 1 FROM pg_temp.link_result r WHERE r.sid = s.sid)${target.namesOnlyWithoutTaxId ? ' AND s.tax_id IS NULL' : ''}`;

  await client.query(
    `INSERT INTO pg_temp.link_result SELECT s.sid, c.juristic_id, 'TAX_ID', 1
     FROM pg_temp.link_scope s JOIN registry.company c ON c.juristic_id = s.tax_id`,
  );
  const exact = (method: LinkMethod, confidence: number, sameProvince: boolean) =>
    client.query(
      `INSERT INTO pg_temp.link_result
       SELECT sid, juristic_id, $1, $2 FROM (
         SELECT s.sid, c.juristic_id, count(*) OVER (PARTITION BY s.sid) AS n
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
  // Nationwide, a winner in another province than the record's (both known) must clear FUZZY_MIN_CROSS_PROVINCE;
  // it still counts as a runner-up below that, so a near miss elsewhere keeps a weak match unlinked.
  const fuzzy = async (threshold: number, sameProvince: boolean) => {
    await client.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(threshold)]);
    await client.query(
      `INSERT INTO pg_temp.link_result
       SELECT sid, juristic_id, 'FUZZY_NAME', round(score::numeric, 3) FROM (
         SELECT s.sid, c.juristic_id, similarity(c.name_th_normalised, s.name) AS score,
                s.province IS NOT NULL AND c.province IS NOT NULL AND c.province <> s.province AS crosses,
                row_number() OVER w AS rank, lead(similarity(c.name_th_normalised, s.name)) OVER w AS runner_up
         FROM pg_temp.link_scope s
         JOIN registry.company c ON c.name_th_normalised % s.name ${sameProvince ? 'AND c.province = s.province' : ''}
         WHERE length(s.name) >= 4 AND ${unlinked}
         WINDOW w AS (PARTITION BY s.sid ORDER BY similarity(c.name_th_normalised, s.name) DESC, c.juristic_id)
       ) candidate
       WHERE rank = 1 AND score >= CASE WHEN crosses THEN $3::real ELSE $1::real END AND (runner_up IS NULL OR score - runner_up >= $2::real)`,
      [threshold, FUZZY_MARGIN, FUZZY_MIN_CROSS_PROVINCE],
    );
  };
  await fuzzy(FUZZY_MIN_PROVINCE, true);
  await fuzzy(FUZZY_MIN_NATIONWIDE, false);

  await client.query('ANALYZE pg_temp.link_result');
  const written = await client.query(
    `UPDATE ${target.table} t SET company_juristic_id = r.juristic_id, link_method = r.method, link_confidence = r.confidence,
       linked_at = CASE WHEN r.juristic_id IS NULL THEN NULL ELSE now() END
     FROM (SELECT ${target.key.map((k) => `s.${k}`).join(', ')}, l.juristic_id, l.method, l.confidence
           FROM pg_temp.link_scope s LEFT JOIN pg_temp.link_result l USING (sid)) r
     WHERE ${target.key.map((k) => `t.${k} = r.${k}`).join(' AND ')}
       AND (t.company_juristic_id, t.link_method, t.link_confidence) IS DISTINCT FROM (r.juristic_id, r.method, r.confidence)`,
  );

  // The table's own run changed the records themselves (status, absence): their firms are affected
  // even when the link stayed. Other runs only relink: only firms whose links moved are affected.
  const onlyMoved = scope.kind === 'source-run' || scope.kind === 'all' ? '' : 'AND s.old_company IS DISTINCT FROM l.juristic_id';
  await client.query('DROP TABLE IF EXISTS pg_temp.link_affected_company');
  await client.query(
    `CREATE TEMP TABLE link_affected_company ON COMMIT DROP AS
     SELECT s.old_company AS juristic_id FROM pg_temp.link_scope s LEFT JOIN pg_temp.link_result l USING (sid)
       WHERE s.old_company IS NOT NULL ${onlyMoved}
     UNION
     SELECT l.juristic_id FROM pg_temp.link_scope s JOIN pg_temp.link_result l USING (sid)
       WHERE true ${onlyMoved}`,
  );
  const counts = await client.query<{ method: LinkMethod; n: number }>(`SELECT method, count(*)::int AS n FROM pg_temp.link_result GROUP BY 1`);
  const byMethod: Record<LinkMethod, number> = { TAX_ID: 0, EXACT_NAME_PROVINCE: 0, EXACT_NAME: 0, FUZZY_NAME: 0 };
  for (const row of counts.rows) byMethod[row.method] = row.n;
  const scoped = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_temp.link_scope')).rows[0]!.n;
  return {
    byMethod,
    unlinked: scoped - Object.values(byMethod).reduce((a, b) => a + b, 0),
    scoped,
    changed: written.rowCount ?? 0,
    ...(narrowed === undefined ? {} : { narrowed }),
  };
}

/** The rows to link, numbered (`sid`) so that the rules need not carry composite keys. */
async function createScope(client: Queryable, select: string, params: unknown[]): Promise<void> {
  await client.query(`CREATE TEMP TABLE link_scope ON COMMIT DROP AS SELECT row_number() OVER ()::int AS sid, x.* FROM (${select}) x`, params);
  await client.query('CREATE UNIQUE INDEX ON pg_temp.link_scope (sid)');
  await client.query('ANALYZE pg_temp.link_scope');
}

/**
 * After a company run, a record's link can change if
 *   (a) its linked company changed in the run (renamed, moved, marked absent),
 *   (b) its tax ID is a company the run changed or added,
 *   (c) a company the run changed or added has exactly its name, or a company the run renamed had, or
 *   (d) a company the run added, renamed or marked absent is similar to its name (or a renamed
 *       company's old name is) from FUZZY_FLOOR (below it a company neither wins nor blocks a fuzzy
 *       match).
 * Rows linked by tax ID stay so unless (a) or (b). The trigram probe (d) is limited to the companies
 * whose name is new to the register or gone from it: probing every changed company's name cost
 * minutes at a million firms (a daily run changes ten thousand, nearly all without a new name). A
 * rename is told by `renamed_by_run_id` and `renamed_from_normalised`, which a trigger sets as the
 * upsert overwrites the name (migration 1763803000000). Collects those rows' keys in
 * `pg_temp.link_candidate`, each branch set-based through an index (company, tax ID, name btree and
 * trigram GIN), and returns true; or
 * returns false, leaving the broad scope (every row not linked by ID, and the rows whose tax ID the
 * run changed), when the run brought at least as many names new to the register or gone from it as
 * that scope has rows (a first load): each side's cost is one trigram probe per name or row.
 */
async function companyRunCandidates(client: Queryable, target: LinkTarget, runId: string): Promise<boolean> {
  // One run per transaction: the first target builds the list of changed companies, the others reuse it.
  await client.query(
    `CREATE TEMP TABLE IF NOT EXISTS link_changed_company ON COMMIT DROP AS
     SELECT juristic_id, name_th_normalised AS name,
            -- Inserted in this run's transaction (created_at defaults to its start), renamed or marked absent by it.
            created_at = now() OR renamed_by_run_id IS NOT DISTINCT FROM $1 OR absent_since_run_id IS NOT DISTINCT FROM $1 AS name_new_or_gone
     FROM registry.company WHERE source_run_id = $1 OR absent_since_run_id = $1
     UNION ALL
     -- A renamed company's old name: records carrying it may have been tied or runners-up to it.
     SELECT juristic_id, renamed_from_normalised, true
     FROM registry.company WHERE source_run_id = $1 AND renamed_by_run_id = $1`,
    [runId],
  );
  // The two scopes' costs are their trigram probes: the narrow one probes the target with each name
  // new to the register or gone from it (its other branches are index joins, microseconds a company),
  // the broad one probes the company register with each of its rows. Comparing all changed companies
  // instead chose the broad scope for a 1 % DBD run whenever a table was mostly linked by ID (TISI,
  // DIP: 11,000 fuzzy probes of a million names, 330 s at a million firms, against about a second).
  const newOrGone = (await client.query<{ n: number }>('SELECT count(*) FILTER (WHERE name_new_or_gone)::int AS n FROM pg_temp.link_changed_company')).rows[0]!.n;
  const broad = (
    await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${target.table} t WHERE ${NOT_BY_ID} OR t.${target.taxId} IN (SELECT juristic_id FROM pg_temp.link_changed_company)`,
    )
  ).rows[0]!.n;
  if (newOrGone >= broad) return false;
  await client.query('ANALYZE pg_temp.link_changed_company');
  const keys = target.key.map((k) => `t.${k}`).join(', ');
  const name = `t.${target.name}`;
  await client.query('DROP TABLE IF EXISTS pg_temp.link_candidate');
  await client.query(
    `CREATE TEMP TABLE link_candidate ON COMMIT DROP AS
     SELECT ${keys} FROM pg_temp.link_changed_company c JOIN ${target.table} t ON t.company_juristic_id = c.juristic_id
     UNION ALL
     SELECT ${keys} FROM pg_temp.link_changed_company c JOIN ${target.table} t ON t.${target.taxId} = c.juristic_id
     UNION ALL
     SELECT ${keys} FROM pg_temp.link_changed_company c JOIN ${target.table} t ON ${name} = c.name
     WHERE c.name <> '' AND ${NOT_BY_ID}`,
  );
  await client.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(FUZZY_FLOOR)]);
  await client.query(
    `INSERT INTO pg_temp.link_candidate
     SELECT ${keys} FROM pg_temp.link_changed_company c JOIN ${target.table} t ON ${name} % c.name
     WHERE c.name_new_or_gone AND length(${name}) >= 4 AND ${NOT_BY_ID}`,
  );
  return true;
}
