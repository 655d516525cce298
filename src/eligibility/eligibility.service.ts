/**
 * Computes stored eligibility for loan products × firms, inside an ingestion run's transaction:
 * set-based loads of attributes per batch of firms, pure evaluation in Node (evaluateRuleSet), one
 * upsert-and-events statement per batch. Called by the derivations after each run: for the firms the
 * run touched (after their profiles, so attributes are fresh), and for every firm when a bank run
 * gives a product a new rule set version.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../ingestion/ingestion-run.repository';
import { companyIdBatches, loadCompanyAttributes } from './company-attributes';
import { dropWithdrawnProducts, loadProducts, lockEventWriters, productsVersionedBy, writeResults, type ComputedResult, type ProductRules } from './eligibility.repository';
import { evaluateRuleSet, type CriterionResult } from './rules/evaluate';

/** Firms per batch: attributes of 1000 firms × every product stay a few MB. */
const FIRM_BATCH = 1000;

export interface EligibilitySummary {
  /** Firm × product results written. */
  results: number;
  events: number;
}

/** The day rules are applied on: today in Bangkok (UTC+7, no daylight saving). */
export function bangkokToday(now = new Date()): string {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

/** Every product × the firms listed in `pg_temp.profile_affected` (filled by the derivations). */
export async function recomputeForAffectedFirms(client: Queryable, runId: string): Promise<EligibilitySummary> {
  await lockEventWriters(client);
  const products = await loadProducts(client);
  if (products.length === 0) return { results: 0, events: 0 };
  return computeBatches(client, runId, products, affectedFirmBatches(client));
}

/** After a bank product run: every firm for each product it versioned; withdrawn products' results dropped. */
export async function recomputeForProductRun(client: Queryable, runId: string): Promise<EligibilitySummary> {
  await lockEventWriters(client);
  const dropped = await dropWithdrawnProducts(client, runId);
  const versioned = await productsVersionedBy(client, runId);
  if (versioned.length === 0) return { results: 0, events: dropped };
  const summary = await computeBatches(client, runId, await loadProducts(client, versioned), companyIdBatches(client, FIRM_BATCH));
  return { results: summary.results, events: summary.events + dropped };
}

async function computeBatches(client: Queryable, runId: string, products: ProductRules[], batches: AsyncIterable<string[]>): Promise<EligibilitySummary> {
  const asOf = bangkokToday();
  const summary: EligibilitySummary = { results: 0, events: 0 };
  for await (const ids of batches) {
    const attributes = await loadCompanyAttributes(client, ids);
    const results: ComputedResult[] = [];
    for (const company of attributes.values()) {
      for (const product of products) {
        const result = evaluateRuleSet(product.ruleSet, company, { asOf });
        results.push({
          bank_code: product.bankCode,
          product_code: product.productCode,
          juristic_id: company.juristicId,
          eligible: result.eligible,
          outcome: result.outcome,
          criteria: result.criteria,
          details_hash: detailsHash(result.criteria),
          rule_set_version: product.ruleSetVersion,
        });
      }
    }
    summary.events += await writeResults(client, runId, results);
    summary.results += results.length;
  }
  return summary;
}

async function* affectedFirmBatches(client: Queryable): AsyncGenerator<string[]> {
  let after = '';
  for (;;) {
    const { rows } = await client.query<{ juristic_id: string }>(
      'SELECT DISTINCT juristic_id FROM pg_temp.profile_affected WHERE juristic_id > $1 ORDER BY juristic_id LIMIT $2',
      [after, FIRM_BATCH],
    );
    if (rows.length === 0) return;
    yield rows.map((r) => r.juristic_id);
    after = rows.at(-1)!.juristic_id;
  }
}

/** What a bank would call the details: outcomes and values, not which run supplied them. */
export function detailsHash(criteria: readonly CriterionResult[]): string {
  const strip = (list: readonly CriterionResult[]): unknown[] =>
    list.map(({ provenance: _provenance, criteria: inner, ...rest }) => (inner ? { ...rest, criteria: strip(inner) } : rest));
  return createHash('md5').update(JSON.stringify(strip(criteria))).digest('hex');
}
