/**
 * The write side of stored eligibility (lending.eligibility_result and lending.eligibility_event),
 * used inside an ingestion run's transaction.
 */
import { Client } from 'pg';
import { shareWritersLock } from '../ingestion/bulk-load';
import type { Queryable } from '../ingestion/ingestion-run.repository';
import { parseRuleSet, type RuleSet } from './rules/rule-set';
import type { CriterionResult, Outcome } from './rules/evaluate';

export interface ProductRules {
  bankCode: string;
  productCode: string;
  ruleSetVersion: number;
  ruleSet: RuleSet;
}

export interface ComputedResult {
  bank_code: string;
  product_code: string;
  juristic_id: string;
  eligible: boolean;
  outcome: Outcome;
  criteria: CriterionResult[];
  details_hash: string;
  rule_set_version: number;
}

/**
 * Writers of eligibility events take this transaction-scoped advisory lock (two-key form, so it
 * cannot collide with the engine's one-key `ingest:<source>` locks) and hold it until commit.
 *
 * Why: a feed reader resumes after the last position it saw, so positions must become visible in
 * order. With one writer at a time, from before it reads the current results until its commit,
 * each writer numbers its events after every committed one (max + n), so positions are dense and in
 * commit order: a reader's snapshot always holds a prefix 1..n. A bigserial gives neither (a
 * transaction holding 10 may commit after one holding 11; rollbacks leave holes).
 *
 * The lock is taken before the firms' attributes are read, not only before the insert: with READ
 * COMMITTED each statement then sees every earlier writer's committed data, so two runs touching the
 * same firm concurrently cannot overwrite the later data's result with the earlier one, nor both
 * report the same change. The cost: the eligibility phase of concurrent runs is serialised (their
 * loads, the bulk of the work, still run in parallel), and the lock is held through the short rest
 * of the run (run record, COMMIT).
 */
export async function lockEventWriters(client: Queryable): Promise<void> {
  // Before the event lock, as every writer (src/ingestion/bulk-load.ts: no waiting for it while holding this one).
  await shareWritersLock(client);
  await client.query('SELECT pg_advisory_xact_lock(1763795, 1)');
}

/** The products now published with a rule set, optionally only those given. */
export async function loadProducts(client: Queryable, only?: readonly { bankCode: string; productCode: string }[]): Promise<ProductRules[]> {
  const { rows } = await client.query<{ bank_code: string; product_code: string; rule_set_version: number; rules: unknown }>(
    `SELECT bank_code, product_code, rule_set_version, rules FROM lending.loan_product
     WHERE absent_since_run_id IS NULL AND rule_set_version IS NOT NULL
       AND ($1::text[] IS NULL OR bank_code || '/' || product_code = ANY ($1::text[]))
     ORDER BY bank_code, product_code`,
    [only ? only.map((p) => `${p.bankCode}/${p.productCode}`) : null],
  );
  // Rules were validated when loaded; parsing again gives them their type.
  return rows.map((r) => ({ bankCode: r.bank_code, productCode: r.product_code, ruleSetVersion: r.rule_set_version, ruleSet: parseRuleSet(r.rules) }));
}

/** Products whose rule set this run versioned (new products included). */
export async function productsVersionedBy(client: Queryable, runId: string): Promise<{ bankCode: string; productCode: string }[]> {
  const { rows } = await client.query<{ bank_code: string; product_code: string }>(
    // Also a published product with no result at all: one that came back after being withdrawn (its
    // results were dropped) with rules already versioned, so no new version names it.
    `SELECT bank_code, product_code FROM lending.loan_product_rule_set WHERE created_by_run_id = $1
     UNION
     SELECT p.bank_code, p.product_code FROM lending.loan_product p
     WHERE p.absent_since_run_id IS NULL AND p.rule_set_version IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM lending.eligibility_result r WHERE r.bank_code = p.bank_code AND r.product_code = p.product_code)`,
    [runId],
  );
  return rows.map((r) => ({ bankCode: r.bank_code, productCode: r.product_code }));
}

const EVENT_COLUMNS = 'position, bank_code, product_code, juristic_id, kind, eligible, rule_set_version, run_id, bank_position';
/** max + n, in the order given: valid only under lockEventWriters (see there). */
const NEXT_POSITION = '(SELECT coalesce(max(position), 0) FROM lending.eligibility_event) + row_number() OVER (ORDER BY bank_code, product_code, juristic_id)';
/**
 * The same per bank, in the same order, for the bank's own feed (a bank must not count the other
 * bank's events from the gaps in its positions); `source` is the alias of the rows being appended.
 */
const nextBankPosition = (source: string, order = 'product_code, juristic_id'): string =>
  `(SELECT coalesce(max(x.bank_position), 0) FROM lending.eligibility_event x WHERE x.bank_code = ${source}.bank_code) + row_number() OVER (PARTITION BY ${source}.bank_code ORDER BY ${order})`;

/**
 * What a new result changes, as an event kind (null: no event), from the new row `n` and the stored
 * one `o` (null when the firm is seen for the first time): eligibility gained or lost; or, for a
 * firm eligible before and after, changed criteria values (a rerun with equal values is not a
 * change). A firm seen for the first time and not eligible is no event: the feed follows the set of
 * eligible firms.
 */
const EVENT_KIND = eventKindSql('n.eligible', 'o.eligible', 'n.details_hash', 'o.details_hash');

/** EVENT_KIND over any new and stored columns (the stored ones null when there was no result). */
function eventKindSql(eligible: string, storedEligible: string, detailsHash: string, storedDetailsHash: string): string {
  return `CASE WHEN ${eligible} AND NOT coalesce(${storedEligible}, false) THEN 'BECAME_ELIGIBLE'
               WHEN NOT ${eligible} AND coalesce(${storedEligible}, false) THEN 'NO_LONGER_ELIGIBLE'
               WHEN ${eligible} AND ${storedEligible} AND ${detailsHash} <> ${storedDetailsHash} THEN 'DETAILS_CHANGED' END`;
}

const UPSERT_RESULT = `ON CONFLICT (bank_code, product_code, juristic_id) DO UPDATE SET
  eligible = excluded.eligible, outcome = excluded.outcome, criteria = excluded.criteria, details_hash = excluded.details_hash,
  rule_set_version = excluded.rule_set_version, computed_at = excluded.computed_at, computed_by_run_id = excluded.computed_by_run_id`;

/** Where a run's computed results wait for their events and upsert: see stageResults. */
const STAGING = 'pg_temp.eligibility_staging';
/** The staged columns, in COPY order. */
export const STAGED_COLUMNS = ['batch', 'bank_code', 'product_code', 'juristic_id', 'eligible', 'outcome', 'criteria', 'details_hash', 'rule_set_version'] as const;

/**
 * A temporary table for a run's computed results (dropped at commit). `batch` numbers the calls of
 * the old one-statement writer that a result belonged to, so events keep their order: by batch,
 * then bank, product and firm.
 */
export async function createResultStaging(client: Queryable): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${STAGING}`);
  await client.query(
    `CREATE TEMP TABLE eligibility_staging (batch integer NOT NULL, bank_code text NOT NULL, product_code text NOT NULL, juristic_id text NOT NULL,
       eligible boolean NOT NULL, outcome text NOT NULL, criteria jsonb NOT NULL, details_hash text NOT NULL, rule_set_version integer NOT NULL) ON COMMIT DROP`,
  );
}

/**
 * Writes the staged results and their events (EVENT_KIND), and empties the staging table, under
 * lockEventWriters (so nothing else changes the results meanwhile). One statement, one pass over
 * the stored results of the staged firms:
 * - `stored`: their rows, found by the firm index (a firm's six results share its index entry's
 *   page and, mostly, one heap page), with their physical addresses;
 * - `updated`: each stored result that differs from the new one in eligibility, outcome, criteria
 *   values (details_hash) or rule set version, rewritten through its address (no second index
 *   lookup; with the table's free space, a HOT update that touches no index), returning its event
 *   kind; an equal result is left as it is (no event could come of it);
 * - `inserted`: the results not stored yet, with theirs;
 * - the events, numbered as before; and the count of results written.
 * This is what writeResults does (an upsert and its events), with a third of the page reads: looked
 * up by primary key, a firm's six results are six index pages, read once for the events and once
 * more for the upsert, and at a million firms they are no longer in shared buffers the second time.
 *
 * The plan does not depend on statistics of the staging table (the firm lookup is per firm); JIT is
 * off (its compilation costs more than these statements) and sorts get 64 MB. On a pg connection it is one round trip, so that the caller can evaluate the next
 * firms meanwhile; the run ID is inlined for that (the simple protocol takes no parameters).
 */
export async function flushStagedResults(client: Queryable, runId: string): Promise<{ events: number; written: number }> {
  if (!/^[0-9]+$/.test(runId)) throw new RangeError(`not a run ID: ${runId}`);
  const statements = [
    // JIT off and more sort memory for these statements, and the session's settings back after them
    // (iih.* are placeholder variables).
    `SELECT set_config('iih.jit', current_setting('jit'), true), set_config('jit', 'off', true),
            set_config('iih.work_mem', current_setting('work_mem'), true), set_config('work_mem', '64MB', true)`,
    `WITH stored AS MATERIALIZED (
       -- Per firm (LATERAL): always by the firm index, however the planner would have sized a join.
       SELECT r.* FROM (SELECT DISTINCT juristic_id FROM ${STAGING}) f CROSS JOIN LATERAL (
         SELECT r.ctid AS address, r.bank_code, r.product_code, r.juristic_id, r.eligible, r.outcome, r.details_hash, r.rule_set_version
         FROM lending.eligibility_result r WHERE r.juristic_id = f.juristic_id
       ) r
     ), updated AS (
       -- A result equal to the stored one is left as it is (it keeps its computed_at, run and provenance).
       UPDATE lending.eligibility_result r SET eligible = n.eligible, outcome = n.outcome, criteria = n.criteria, details_hash = n.details_hash,
         rule_set_version = n.rule_set_version, computed_at = now(), computed_by_run_id = ${runId}
       FROM ${STAGING} n JOIN stored o USING (bank_code, product_code, juristic_id)
       WHERE r.ctid = o.address
         AND (n.eligible, n.outcome, n.details_hash, n.rule_set_version) IS DISTINCT FROM (o.eligible, o.outcome, o.details_hash, o.rule_set_version)
       RETURNING n.batch, n.bank_code, n.product_code, n.juristic_id, n.eligible, n.rule_set_version, ${eventKindSql('n.eligible', 'o.eligible', 'n.details_hash', 'o.details_hash')} AS kind
     ), inserted AS (
       INSERT INTO lending.eligibility_result (bank_code, product_code, juristic_id, eligible, outcome, criteria, details_hash, rule_set_version, computed_at, computed_by_run_id)
       SELECT bank_code, product_code, juristic_id, eligible, outcome, criteria, details_hash, rule_set_version, now(), ${runId} FROM ${STAGING} n
       WHERE NOT EXISTS (SELECT 1 FROM stored o WHERE o.bank_code = n.bank_code AND o.product_code = n.product_code AND o.juristic_id = n.juristic_id)
       RETURNING bank_code, product_code, juristic_id
     ), changes AS (
       SELECT batch, bank_code, product_code, juristic_id, eligible, rule_set_version, kind FROM updated
       UNION ALL
       SELECT n.batch, n.bank_code, n.product_code, n.juristic_id, n.eligible, n.rule_set_version,
              ${eventKindSql('n.eligible', 'NULL::boolean', 'n.details_hash', 'NULL::text')}
       FROM inserted JOIN ${STAGING} n USING (bank_code, product_code, juristic_id)
     ), added AS (
       INSERT INTO lending.eligibility_event (${EVENT_COLUMNS})
       SELECT (SELECT coalesce(max(position), 0) FROM lending.eligibility_event) + row_number() OVER (ORDER BY batch, bank_code, product_code, juristic_id),
              bank_code, product_code, juristic_id, kind, eligible, rule_set_version, ${runId}, ${nextBankPosition('c', 'batch, product_code, juristic_id')}
       FROM changes c WHERE kind IS NOT NULL
       RETURNING 1
     )
     SELECT (SELECT count(*)::int FROM added) AS events, (SELECT count(*)::int FROM changes) AS written`,
    `TRUNCATE ${STAGING}`,
    `SELECT set_config('jit', current_setting('iih.jit'), true), set_config('work_mem', current_setting('iih.work_mem'), true)`,
  ];
  let counts = { events: 0, written: 0 };
  if (client instanceof Client) {
    const results = (await client.query(statements.join(';\n'))) as unknown as { rows: { events: number; written: number }[] }[];
    counts = results[1]!.rows[0]!;
  } else {
    for (const [i, sql] of statements.entries()) {
      const { rows } = await client.query<{ events: number; written: number }>(sql);
      if (i === 1) counts = rows[0]!;
    }
  }
  return { events: counts.events, written: counts.written };
}

/**
 * Records the attribute digests the firms' results were just evaluated on (lending.eligibility_input),
 * so that a later run that changes none of their attributes can skip them.
 */
export async function saveAttributeHashes(client: Queryable, runId: string, hashes: readonly (readonly [string, string])[]): Promise<void> {
  if (hashes.length === 0) return;
  await client.query(
    `INSERT INTO lending.eligibility_input (juristic_id, attributes_hash, run_id)
     SELECT * FROM unnest($1::text[], $2::text[], array_fill($3::bigint, ARRAY[cardinality($1::text[])]))
     ON CONFLICT (juristic_id) DO UPDATE SET attributes_hash = excluded.attributes_hash, run_id = excluded.run_id`,
    [hashes.map(([id]) => id), hashes.map(([, digest]) => digest), runId],
  );
}

/** Whether none of the products has a stored result (read under lockEventWriters, so it stays true). */
export async function noResultsYet(client: Queryable, products: readonly { bankCode: string; productCode: string }[]): Promise<boolean> {
  const { rows } = await client.query<{ none: boolean }>(
    `SELECT NOT EXISTS (SELECT 1 FROM lending.eligibility_result r JOIN unnest($1::text[], $2::text[]) AS p(bank_code, product_code) USING (bank_code, product_code)) AS none`,
    [products.map((p) => p.bankCode), products.map((p) => p.productCode)],
  );
  return rows[0]!.none;
}

/** A result of a first computation that is eligible: a BECAME_ELIGIBLE event. */
export interface NewEligibility {
  /** As the staged results' batch: events are numbered by batch, then bank, product and firm. */
  batch: number;
  bankCode: string;
  productCode: string;
  juristicId: string;
  ruleSetVersion: number;
}

/**
 * Appends BECAME_ELIGIBLE events for the eligible results of a first computation (the firms had no
 * result for these products, so EVENT_KIND gives exactly these), numbered as flushStagedResults does.
 */
export async function appendBecameEligible(client: Queryable, runId: string, rows: readonly NewEligibility[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await client.query(
    `INSERT INTO lending.eligibility_event (${EVENT_COLUMNS})
     SELECT (SELECT coalesce(max(position), 0) FROM lending.eligibility_event) + row_number() OVER (ORDER BY batch, bank_code, product_code, juristic_id),
            bank_code, product_code, juristic_id, 'BECAME_ELIGIBLE', true, rule_set_version, $6, ${nextBankPosition('e', 'batch, product_code, juristic_id')}
     FROM unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::integer[]) AS e(batch, bank_code, product_code, juristic_id, rule_set_version)`,
    [rows.map((r) => r.batch), rows.map((r) => r.bankCode), rows.map((r) => r.productCode), rows.map((r) => r.juristicId), rows.map((r) => r.ruleSetVersion), runId],
  );
  return result.rowCount ?? 0;
}

/**
 * Upserts one batch of results and appends an event for each change (EVENT_KIND), in one statement
 * whose CTEs all read the results as they were before it, for a caller holding lockEventWriters.
 * The runs' derivations use the bulk path instead (staging, flushStagedResults).
 */
export async function writeResults(client: Queryable, runId: string, results: readonly ComputedResult[]): Promise<number> {
  if (results.length === 0) return 0;
  const { rows } = await client.query<{ events: number }>(
    `WITH new AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(bank_code text, product_code text, juristic_id text, eligible boolean, outcome text,
                                                        criteria jsonb, details_hash text, rule_set_version integer)
     ), old AS MATERIALIZED (
       -- Materialised: inlined into the join below, it was re-run per new row (quadratic in the batch).
       SELECT r.bank_code, r.product_code, r.juristic_id, r.eligible, r.details_hash
       FROM lending.eligibility_result r JOIN new USING (bank_code, product_code, juristic_id)
     ), upserted AS (
       INSERT INTO lending.eligibility_result (bank_code, product_code, juristic_id, eligible, outcome, criteria, details_hash, rule_set_version, computed_at, computed_by_run_id)
       SELECT bank_code, product_code, juristic_id, eligible, outcome, criteria, details_hash, rule_set_version, now(), $2 FROM new
       ${UPSERT_RESULT}
     ), changes AS (
       SELECT n.bank_code, n.product_code, n.juristic_id, n.eligible, n.rule_set_version, ${EVENT_KIND} AS kind
       FROM new n LEFT JOIN old o USING (bank_code, product_code, juristic_id)
     ), added AS (
       INSERT INTO lending.eligibility_event (${EVENT_COLUMNS})
       SELECT ${NEXT_POSITION}, bank_code, product_code, juristic_id, kind, eligible, rule_set_version, $2, ${nextBankPosition('c')}
       FROM changes c WHERE kind IS NOT NULL
       RETURNING 1
     )
     SELECT count(*)::int AS events FROM added`,
    [JSON.stringify(results), runId],
  );
  return rows[0]!.events;
}

/** Results of products this run withdrew are deleted; firms that were eligible get NO_LONGER_ELIGIBLE. */
export async function dropWithdrawnProducts(client: Queryable, runId: string): Promise<number> {
  const { rows } = await client.query<{ events: number }>(
    `WITH dropped AS (
       DELETE FROM lending.eligibility_result r USING lending.loan_product p
       WHERE p.bank_code = r.bank_code AND p.product_code = r.product_code AND p.absent_since_run_id = $1
       RETURNING r.bank_code, r.product_code, r.juristic_id, r.eligible, r.rule_set_version
     ), added AS (
       INSERT INTO lending.eligibility_event (${EVENT_COLUMNS})
       SELECT ${NEXT_POSITION}, bank_code, product_code, juristic_id, 'NO_LONGER_ELIGIBLE', false, rule_set_version, $1, ${nextBankPosition('d')}
       FROM dropped d WHERE eligible
       RETURNING 1
     )
     SELECT count(*)::int AS events FROM added`,
    [runId],
  );
  return rows[0]!.events;
}
