/**
 * The write side of stored eligibility (lending.eligibility_result and lending.eligibility_event),
 * used inside an ingestion run's transaction.
 */
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
    'SELECT bank_code, product_code FROM lending.loan_product_rule_set WHERE created_by_run_id = $1',
    [runId],
  );
  return rows.map((r) => ({ bankCode: r.bank_code, productCode: r.product_code }));
}

const EVENT_COLUMNS = 'position, bank_code, product_code, juristic_id, kind, eligible, rule_set_version, run_id';
/** max + n, in the order given: valid only under lockEventWriters (see there). */
const NEXT_POSITION = '(SELECT coalesce(max(position), 0) FROM lending.eligibility_event) + row_number() OVER (ORDER BY bank_code, product_code, juristic_id)';

/**
 * Upserts a batch of results and appends an event for each change, in one statement (its CTEs all
 * read the results as they were before it): eligibility gained or lost; or, for a firm eligible
 * before and after, changed criteria values (a rerun with equal values is not a change). A firm
 * seen for the first time and not eligible is no event: the feed follows the set of eligible firms.
 */
export async function writeResults(client: Queryable, runId: string, results: readonly ComputedResult[]): Promise<number> {
  if (results.length === 0) return 0;
  const { rows } = await client.query<{ events: number }>(
    `WITH new AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(bank_code text, product_code text, juristic_id text, eligible boolean, outcome text,
                                                        criteria jsonb, details_hash text, rule_set_version integer)
     ), old AS (
       SELECT r.bank_code, r.product_code, r.juristic_id, r.eligible, r.details_hash
       FROM lending.eligibility_result r JOIN new USING (bank_code, product_code, juristic_id)
     ), upserted AS (
       INSERT INTO lending.eligibility_result (bank_code, product_code, juristic_id, eligible, outcome, criteria, details_hash, rule_set_version, computed_at, computed_by_run_id)
       SELECT bank_code, product_code, juristic_id, eligible, outcome, criteria, details_hash, rule_set_version, now(), $2 FROM new
       ON CONFLICT (bank_code, product_code, juristic_id) DO UPDATE SET
         eligible = excluded.eligible, outcome = excluded.outcome, criteria = excluded.criteria, details_hash = excluded.details_hash,
         rule_set_version = excluded.rule_set_version, computed_at = excluded.computed_at, computed_by_run_id = excluded.computed_by_run_id
     ), changes AS (
       SELECT n.bank_code, n.product_code, n.juristic_id, n.eligible, n.rule_set_version,
              CASE WHEN n.eligible AND NOT coalesce(o.eligible, false) THEN 'BECAME_ELIGIBLE'
                   WHEN NOT n.eligible AND coalesce(o.eligible, false) THEN 'NO_LONGER_ELIGIBLE'
                   WHEN n.eligible AND o.eligible AND n.details_hash <> o.details_hash THEN 'DETAILS_CHANGED' END AS kind
       FROM new n LEFT JOIN old o USING (bank_code, product_code, juristic_id)
     ), added AS (
       INSERT INTO lending.eligibility_event (${EVENT_COLUMNS})
       SELECT ${NEXT_POSITION}, bank_code, product_code, juristic_id, kind, eligible, rule_set_version, $2
       FROM changes WHERE kind IS NOT NULL
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
       SELECT ${NEXT_POSITION}, bank_code, product_code, juristic_id, 'NO_LONGER_ELIGIBLE', false, rule_set_version, $1
       FROM dropped WHERE eligible
       RETURNING 1
     )
     SELECT count(*)::int AS events FROM added`,
    [runId],
  );
  return rows[0]!.events;
}
