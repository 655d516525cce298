import type { Queryable } from '../../ingestion/ingestion-run.repository';

/**
 * After a product run, in its transaction: every product the run wrote whose rules differ from its
 * latest rule set version gets version n + 1 (version 1 for a new product), and the product row
 * points at it. Products whose name or rate changed but not their rules keep their version. Rules
 * that change back to an earlier form still get a new version: versions record history, in order.
 */
export async function recordRuleSetVersions(client: Queryable, runId: string): Promise<number> {
  const result = await client.query(
    `WITH changed AS (
       SELECT p.bank_code, p.product_code, p.rules, p.rules_hash, coalesce(latest.version, 0) + 1 AS version
       FROM lending.loan_product p
       LEFT JOIN LATERAL (
         SELECT r.version, r.rules_hash FROM lending.loan_product_rule_set r
         WHERE r.bank_code = p.bank_code AND r.product_code = p.product_code
         ORDER BY r.version DESC LIMIT 1
       ) latest ON true
       WHERE p.source_run_id = $1 AND latest.rules_hash IS DISTINCT FROM p.rules_hash
     ), added AS (
       INSERT INTO lending.loan_product_rule_set (bank_code, product_code, version, rules, rules_hash, created_by_run_id)
       SELECT bank_code, product_code, version, rules, rules_hash, $1 FROM changed
       RETURNING bank_code, product_code, version
     )
     UPDATE lending.loan_product p SET rule_set_version = a.version
     FROM added a WHERE p.bank_code = a.bank_code AND p.product_code = a.product_code`,
    [runId],
  );
  return result.rowCount ?? 0;
}
