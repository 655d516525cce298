import { bangkokDate } from '../reference/calendar';
/**
 * Computes stored eligibility for loan products × firms, inside an ingestion run's transaction:
 * set-based loads of attributes per batch of firms, pure evaluation in Node (evaluateRuleSet), the
 * results streamed by COPY into a temporary staging table, then two set-based statements per flush
 * (events, upsert: flushStagedResults). Called by the derivations after each run: for the firms the
 * run touched (after their profiles, so attributes are fresh), and for every firm when a bank run
 * gives a product a new rule set version.
 */
import { hash } from 'node:crypto';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyTextFields } from '../ingestion/copy-format';
import type { Queryable } from '../ingestion/ingestion-run.repository';
import { companyIdBatches, loadCompanyAttributes } from './company-attributes';
import type { ColumnValue } from '../ingestion/source-definition';
import {
  appendBecameEligible,
  createResultStaging,
  dropWithdrawnProducts,
  flushStagedResults,
  loadProducts,
  lockEventWriters,
  noResultsYet,
  productsVersionedBy,
  type NewEligibility,
  STAGED_COLUMNS,
  type ProductRules,
} from './eligibility.repository';
import type { CompanyAttributes, Provenance } from './rules/company-attributes.type';
import { evaluateRuleSet, type CriterionResult } from './rules/evaluate';

/**
 * Events are numbered per batch of this many firms (by batch, then bank, product and firm), as the
 * writer did when it wrote one batch per statement: the order of the feed does not depend on how
 * the work is split now.
 */
const EVENT_BATCH = 1000;
/**
 * Firms whose attributes are read in one statement; their results are staged and flushed (events,
 * upsert) together, while the next batch is evaluated.
 */
const FIRM_BATCH = 1000;
/** BECAME_ELIGIBLE events of a first computation appended per statement. */
const FLUSH_EVENTS = 50_000;
/** A first computation's results, straight into the table (computed_at takes its default, now()). */
const NEW_RESULTS_COPY = `COPY lending.eligibility_result (${STAGED_COLUMNS.slice(1, 9).join(', ')}, computed_by_run_id) FROM STDIN`;

export interface EligibilitySummary {
  /** Firm × product results written. */
  results: number;
  events: number;
}


/**
 * Every product × the firms listed in `pg_temp.profile_affected` (filled by the derivations, or by
 * the daily recompute of date-dependent rules, which passes the day to evaluate on).
 */
export async function recomputeForAffectedFirms(client: Queryable, runId: string, asOf?: string): Promise<EligibilitySummary> {
  await lockEventWriters(client);
  const products = await loadProducts(client);
  if (products.length === 0) return { results: 0, events: 0 };
  return computeBatches(client, runId, products, affectedFirmBatches(client), asOf);
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

/**
 * Evaluates every product for each batch of firms (in juristic ID order) and writes the results
 * as they are computed (a batch's results are streamed, never held).
 *
 * Usually each batch's results are staged and flushed (events, then the upsert) in one round trip,
 * which PostgreSQL runs while Node evaluates the next batch. When none of the products has a stored result yet (a first computation: every result
 * is new, no event but BECAME_ELIGIBLE is possible), they are COPYed straight into the results
 * table, and the eligible ones become BECAME_ELIGIBLE events, numbered in the same order: the
 * same rows and events, written once instead of twice.
 */
async function computeBatches(client: Queryable, runId: string, products: ProductRules[], batches: AsyncIterable<string[]>, day?: string): Promise<EligibilitySummary> {
  // Read after the writers' lock, so a run that waited for it past midnight evaluates on the new day.
  const asOf = day ?? bangkokDate();
  const summary: EligibilitySummary = { results: 0, events: 0 };
  const fresh = client instanceof Client && (await noResultsYet(client, products));
  if (!fresh) await createResultStaging(client);
  const becameEligible: NewEligibility[] = [];
  let firmsSeen = 0;
  /** Every product's result for each firm of a batch, in order, as staged rows. */
  function* results(ids: readonly string[], attributes: Map<string, CompanyAttributes>, first: number): Generator<StagedRow> {
    // `ids` are in juristic ID order; each firm's batch is its rank among the run's firms / EVENT_BATCH.
    for (const [i, id] of ids.entries()) {
      const company = attributes.get(id);
      if (!company) continue;
      const batch = Math.floor((first + i) / EVENT_BATCH);
      for (const product of products) {
        const result = evaluateRuleSet(product.ruleSet, company, { asOf });
        const encoded = encodeCriteria(result.criteria);
        if (fresh && result.eligible) becameEligible.push({ batch, bankCode: product.bankCode, productCode: product.productCode, juristicId: id, ruleSetVersion: product.ruleSetVersion });
        yield [batch, product.bankCode, product.productCode, company.juristicId, result.eligible, result.outcome, encoded.json, hash('md5', encoded.details), product.ruleSetVersion];
      }
    }
  }

  const firms = batches[Symbol.asyncIterator]();
  let ids = (await firms.next()).value as string[] | undefined;
  let attributes = ids ? await loadCompanyAttributes(client, ids) : undefined;
  // The previous batch's flush, running in PostgreSQL while this batch is evaluated in Node: one
  // query at a time on the connection, so the next batch's reads come before it.
  let flushing: Promise<number> | undefined;
  while (ids && attributes) {
    const first = firmsSeen;
    firmsSeen += ids.length;
    if (fresh) {
      summary.results += await copyRows(client, NEW_RESULTS_COPY, results(ids, attributes, first), (row) => [...row.slice(1), runId]);
      if (becameEligible.length >= FLUSH_EVENTS) summary.events += await appendBecameEligible(client, runId, becameEligible.splice(0));
      ids = (await firms.next()).value as string[] | undefined;
      attributes = ids ? await loadCompanyAttributes(client, ids) : undefined;
      continue;
    }
    const rows = [...results(ids, attributes, first)];
    if (flushing) summary.events += await flushing;
    summary.results += await stage(client, rows);
    ids = (await firms.next()).value as string[] | undefined;
    attributes = ids ? await loadCompanyAttributes(client, ids) : undefined;
    flushing = flushStagedResults(client, runId);
    flushing.catch(() => undefined); // handled when awaited
  }
  if (flushing) summary.events += await flushing;
  if (becameEligible.length > 0) summary.events += await appendBecameEligible(client, runId, becameEligible);
  return summary;
}

/** One staged result, in STAGED_COLUMNS order (criteria as JSON text). */
type StagedRow = [number, string, string, string, boolean, string, string, string, number];

/**
 * Stages results as they are produced: COPY (text format) on a pg connection, else one INSERT with
 * the rows as a JSON parameter. Returns how many.
 */
async function stage(client: Queryable, rows: Iterable<StagedRow>): Promise<number> {
  if (!(client instanceof Client)) {
    const all = [...rows];
    if (all.length > 0) {
      await client.query(
        `INSERT INTO pg_temp.eligibility_staging (${STAGED_COLUMNS.join(', ')})
         SELECT (r->>0)::integer, r->>1, r->>2, r->>3, (r->>4)::boolean, r->>5, (r->>6)::jsonb, r->>7, (r->>8)::integer
         FROM jsonb_array_elements($1::jsonb) AS r`,
        [JSON.stringify(all)],
      );
    }
    return all.length;
  }
  return copyRows(client, `COPY pg_temp.eligibility_staging (${STAGED_COLUMNS.join(', ')}) FROM STDIN`, rows, (row) => row);
}

/** COPY (text format) of rows as they are produced, with backpressure; returns how many. */
async function copyRows<T>(client: Client, sql: string, rows: Iterable<T>, fields: (row: T) => readonly ColumnValue[]): Promise<number> {
  const stream = client.query(copyFrom(sql));
  let count = 0;
  try {
    let chunk = '';
    for (const row of rows) {
      chunk += `${copyTextFields(fields(row))}\n`;
      count += 1;
      if (chunk.length >= 1 << 16) {
        if (!stream.write(chunk)) await once(stream, 'drain');
        chunk = '';
      }
    }
    if (chunk) stream.write(chunk);
    stream.end();
    await finished(stream);
  } catch (error) {
    stream.destroy(error as Error);
    await finished(stream).catch(() => undefined);
    throw error;
  }
  return count;
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
  return hash('md5', encodeCriteria(criteria).details);
}

/** A firm's attributes share a few provenance objects across every product's criteria: each is written once. */
const provenanceText = new WeakMap<Provenance, string>();
function provenanceJson(provenance: Provenance): string {
  let text = provenanceText.get(provenance);
  if (text === undefined) {
    text = `,"provenance":{"source":${JSON.stringify(provenance.source)},"runId":${JSON.stringify(provenance.runId)}}`;
    provenanceText.set(provenance, text);
  }
  return text;
}

/**
 * The criteria as JSON in one pass, twice: `json` as stored (with provenance), and `details`, which
 * is exactly `JSON.stringify` of the criteria without their provenance (keys path, kind, id,
 * outcome, value, then the inner criteria of a group): what detailsHash hashes, so that a hash
 * stored by an earlier version of the hub still compares equal. Two JSON.stringify calls and the
 * copying of each object without its provenance cost more than the evaluation itself.
 */
export function encodeCriteria(list: readonly CriterionResult[]): { json: string; details: string } {
  let json = '[';
  let details = '[';
  for (let i = 0; i < list.length; i += 1) {
    const c = list[i]!;
    if (i > 0) {
      json += ',';
      details += ',';
    }
    // JSON.stringify leaves out a key whose value is undefined.
    const value = c.value === undefined ? '' : `,"value":${JSON.stringify(c.value)}`;
    const head = `{"path":${JSON.stringify(c.path)},"kind":${JSON.stringify(c.kind)},"id":${JSON.stringify(c.id)},"outcome":${JSON.stringify(c.outcome)}${value}`;
    const provenance = c.provenance ? provenanceJson(c.provenance) : ',"provenance":null';
    if (c.criteria) {
      const inner = encodeCriteria(c.criteria);
      json += `${head}${provenance},"criteria":${inner.json}}`;
      details += `${head},"criteria":${inner.details}}`;
    } else {
      json += `${head}${provenance}}`;
      details += `${head}}`;
    }
  }
  return { json: `${json}]`, details: `${details}]` };
}
