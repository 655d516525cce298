import { bangkokDate } from '../shared/calendar';
/**
 * Computes stored eligibility for loan products × firms, inside an ingestion run's transaction:
 * set-based loads of attributes per batch of firms, pure evaluation in Node (evaluateRuleSet), the
 * results streamed by COPY into a temporary staging table, then two set-based statements per flush
 * (events, upsert: flushStagedResults). Called by the derivations after each run: for the firms the
 * run touched (after their profiles, so attributes are fresh), and for every firm when a bank run
 * gives a product a new rule set version or a whole register (factories, licences) first loads.
 */
import { hash } from 'node:crypto';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyTextFields, type ColumnValue } from '../ingestion/copy-format';
import type { Queryable } from '../ingestion/ingestion-run.repository';
import { attributesHash, companyIdBatches, loadAttributesAndInputHashes, loadCompanyAttributes, type ReadingRun, type RegisterAttribute, type WholeRegister } from './company-attributes';
import {
  appendBecameEligible,
  createResultStaging,
  dropWithdrawnProducts,
  flushStagedResults,
  loadProducts,
  lockEventWriters,
  noResultsYet,
  productsVersionedBy,
  saveAttributeHashes,
  type NewEligibility,
  STAGED_COLUMNS,
  type ProductRules,
} from './eligibility.repository';
import { criteriaText } from './criteria-text';
import type { EligibilitySummary } from './eligibility-summary';

export type { EligibilitySummary } from './eligibility-summary';
import type { CompanyAttributes } from './rules/company-attributes.type';
import { evaluateRuleSet } from './rules/evaluate';
import { ruleSetUses } from './rules/rule-set';

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
/** Firm IDs read per statement (then cut into FIRM_BATCH batches). */
const ID_PAGE = 20 * FIRM_BATCH;
/** BECAME_ELIGIBLE events (and attribute digests) of a first computation written per statement. */
const FLUSH_EVENTS = 50_000;
/** A first computation's results, straight into the table (computed_at takes its default, now()). */
const NEW_RESULTS_COPY = `COPY lending.eligibility_result (${STAGED_COLUMNS.slice(1, 9).join(', ')}, computed_by_run_id) FROM STDIN`;



/**
 * Every product × the firms listed in `pg_temp.profile_affected` (filled by the derivations, or by
 * the daily recompute of date-dependent rules, which passes the day to evaluate on).
 */
export async function recomputeForAffectedFirms(client: Queryable, run: ReadingRun, asOf?: string): Promise<EligibilitySummary> {
  await lockEventWriters(client);
  const products = await loadProducts(client);
  if (products.length === 0) return { results: 0, written: 0, events: 0, firmsUnchanged: 0 };
  // A firm whose attributes are as last evaluated is skipped, unless the day itself is the change.
  return computeBatches(client, run, products, affectedFirmBatches(client), { day: asOf, skipUnchangedFirms: asOf === undefined });
}

/**
 * Every firm whose attributes differ from those its results were last evaluated on (the others are
 * skipped): after a whole register's first load (a source's `derive.wholeRegister`), which changes an attribute of
 * every firm, not only of those it holds rows for (unknown becomes none); and on an operator's
 * request (`hub eligibility:recompute`), to repair results an earlier version left stale. After a
 * register's first load, a firm whose attributes are as last evaluated but for that register's is
 * evaluated only for the products whose rules read it (the others' results cannot change); any
 * other firm for every product.
 */
export async function recomputeForEveryFirm(client: Queryable, run: ReadingRun, register?: WholeRegister): Promise<EligibilitySummary> {
  await lockEventWriters(client);
  const products = await loadProducts(client);
  if (products.length === 0) return { results: 0, written: 0, events: 0, firmsUnchanged: 0 };
  const registerLoaded = register && {
    attribute: register.attribute,
    readers: products.filter((p) => ruleSetUses(p.ruleSet, [register.criterion])),
  };
  return computeBatches(client, run, products, companyIdBatches(client, ID_PAGE), { skipUnchangedFirms: true, registerLoaded });
}

/** After a bank product run: every firm for each product it versioned; withdrawn products' results dropped. */
export async function recomputeForProductRun(client: Queryable, run: ReadingRun): Promise<EligibilitySummary> {
  await lockEventWriters(client);
  const dropped = await dropWithdrawnProducts(client, run.runId);
  const versioned = await productsVersionedBy(client, run.runId);
  if (versioned.length === 0) return { results: 0, written: 0, events: dropped, firmsUnchanged: 0 };
  const summary = await computeBatches(client, run, await loadProducts(client, versioned), companyIdBatches(client, ID_PAGE), { skipUnchangedFirms: false });
  return { ...summary, events: summary.events + dropped };
}

interface ComputeOptions {
  /** The day to evaluate on (default today in Bangkok). */
  day?: string | undefined;
  /** Skip a firm whose attribute digest is the one its results were last evaluated on. */
  skipUnchangedFirms: boolean;
  /** A whole register's first load: its attribute, and the products whose rules read it. */
  registerLoaded?: { attribute: RegisterAttribute; readers: ProductRules[] } | undefined;
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
async function computeBatches(
  client: Queryable,
  run: ReadingRun,
  products: ProductRules[],
  batches: AsyncIterable<string[]>,
  options: ComputeOptions,
): Promise<EligibilitySummary> {
  // Read after the writers' lock, so a run that waited for it past midnight evaluates on the new day.
  const asOf = options.day ?? bangkokDate();
  const { runId } = run;
  const { registerLoaded } = options;
  const summary: EligibilitySummary = { results: 0, written: 0, events: 0, firmsUnchanged: 0 };
  const timings = { readMs: 0, evaluateMs: 0, writeMs: 0 };
  const fresh = client instanceof Client && (await noResultsYet(client, products));
  if (!fresh) await createResultStaging(client);
  const becameEligible: NewEligibility[] = [];
  /** A first computation's attribute digests not saved yet. */
  const freshHashes: [string, string][] = [];
  let firmsSeen = 0;
  /**
   * Every product's result for each firm of a batch, in order, as staged rows. A firm whose
   * attributes digest is the one its results were last evaluated on is skipped when the caller
   * allows it (its results could not change); the flush leaves a result equal to the stored one as it is.
   */
  function* results(batch: FirmBatch, first: number): Generator<StagedRow> {
    // `ids` are in juristic ID order; each firm's batch is its rank among the run's firms / EVENT_BATCH.
    for (const [i, id] of batch.ids.entries()) {
      const company = batch.attributes.get(id);
      if (!company) continue;
      const digest = attributesHash(company);
      const storedDigest = batch.storedHashes.get(id);
      if (options.skipUnchangedFirms && storedDigest === digest) {
        summary.firmsUnchanged += 1;
        continue;
      }
      if (storedDigest !== digest) batch.newHashes.push([id, digest]);
      const eventBatch = Math.floor((first + i) / EVENT_BATCH);
      const onlyRegisterChanged =
        registerLoaded !== undefined && storedDigest !== undefined && storedDigest === attributesHash({ ...company, [registerLoaded.attribute]: { value: null, provenance: null } });
      for (const product of onlyRegisterChanged ? registerLoaded.readers : products) {
        const result = evaluateRuleSet(product.ruleSet, company, { asOf });
        const text = criteriaText(result.criteria, product.ruleSet.criteria);
        summary.results += 1;
        if (fresh && result.eligible) becameEligible.push({ batch: eventBatch, bankCode: product.bankCode, productCode: product.productCode, juristicId: id, ruleSetVersion: product.ruleSetVersion });
        yield [eventBatch, product.bankCode, product.productCode, company.juristicId, result.eligible, result.outcome, text.json, hash('md5', text.details), product.ruleSetVersion];
      }
    }
  }

  // IDs come in pages of many batches, so that the next batch's IDs rarely need a round trip.
  const firms = rebatch(batches, FIRM_BATCH)[Symbol.asyncIterator]();
  // Statements are queued here, not on the connection: node-postgres deprecates a query sent while
  // another is running, and the next one starts as soon as the last answers either way.
  const connection = new StatementQueue();
  /** Reads the next batch (the IDs, then one statement), after what is queued; undefined when there is none. */
  function read(): Promise<FirmBatch | undefined> {
    const batch = connection.run(async (): Promise<FirmBatch | undefined> => {
      const ids = (await firms.next()).value as string[] | undefined;
      if (!ids) return undefined;
      const started = performance.now();
      try {
        if (fresh) return { ids, attributes: await loadCompanyAttributes(client, ids, run), storedHashes: new Map<string, string>(), newHashes: [] };
        return { ids, ...(await loadAttributesAndInputHashes(client, ids, run)), newHashes: [] };
      } finally {
        timings.readMs += performance.now() - started;
      }
    });
    batch.catch(() => undefined); // handled when awaited
    return batch;
  }
  let next = read();
  // While Node evaluates a batch, PostgreSQL flushes the previous one and then reads the next
  // (batches never share a firm, so the read does not depend on the flush).
  let flushing: Promise<{ events: number; written: number }> | undefined;
  for (let batch = await next; batch; batch = await next) {
    const first = firmsSeen;
    firmsSeen += batch.ids.length;
    if (fresh) {
      summary.written += await copyRows(client, NEW_RESULTS_COPY, results(batch, first), (row) => [...row.slice(1), runId]);
      // Saved, like the events, in a few large statements rather than a round trip per batch.
      freshHashes.push(...batch.newHashes);
      if (freshHashes.length >= FLUSH_EVENTS) await saveAttributeHashes(client, runId, freshHashes.splice(0));
      if (becameEligible.length >= FLUSH_EVENTS) summary.events += await appendBecameEligible(client, runId, becameEligible.splice(0));
      next = read();
      continue;
    }
    next = read();
    let mark = performance.now();
    const rows = await collectYielding(results(batch, first));
    timings.evaluateMs += performance.now() - mark;
    mark = performance.now();
    if (flushing) {
      const flushed = await flushing;
      summary.events += flushed.events;
      summary.written += flushed.written;
      flushing = undefined;
    }
    const { newHashes } = batch;
    if (rows.length > 0 || newHashes.length > 0) {
      // The COPY follows the next batch's read; flush and digests run while Node evaluates that batch.
      flushing = connection.run(async () => {
        let flushed = { events: 0, written: 0 };
        if (rows.length > 0) {
          await stage(client, rows);
          flushed = await flushStagedResults(client, runId);
        }
        await saveAttributeHashes(client, runId, newHashes);
        return flushed;
      });
      flushing.catch(() => undefined); // handled when awaited
    }
    timings.writeMs += performance.now() - mark;
  }
  const mark = performance.now();
  if (flushing) {
    const flushed = await flushing;
    summary.events += flushed.events;
    summary.written += flushed.written;
  }
  timings.writeMs += performance.now() - mark;
  summary.timings = { readMs: Math.round(timings.readMs), evaluateMs: Math.round(timings.evaluateMs), writeMs: Math.round(timings.writeMs) };
  if (becameEligible.length > 0) summary.events += await appendBecameEligible(client, runId, becameEligible);
  await saveAttributeHashes(client, runId, freshHashes);
  return summary;
}

/**
 * One batch of firms: IDs in order, attributes, each firm's stored attribute digest (none for a
 * first computation), and the digests to save for the firms evaluated.
 */
interface FirmBatch {
  ids: string[];
  attributes: Map<string, CompanyAttributes>;
  storedHashes: Map<string, string>;
  newHashes: [string, string][];
}

/** Results evaluated between two turns of the event loop (a few milliseconds of work). */
const EVALUATION_SLICE = 250;

/**
 * The rows of `rows`, giving the event loop a turn every EVALUATION_SLICE rows: a statement queued
 * on the connection is sent only from the event loop, so a batch evaluated in one go would leave
 * PostgreSQL idle between the statements it had queued (the COPY, the flush, the next read).
 */
async function collectYielding<T>(rows: Iterable<T>): Promise<T[]> {
  const all: T[] = [];
  for (const row of rows) {
    if (all.push(row) % EVALUATION_SLICE === 0) await yieldToEventLoop();
  }
  return all;
}

/** Runs async work on one connection one after another, each as soon as the one before it has settled. */
class StatementQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** The IDs of `source`, in the same order, re-cut into batches of `size`. */
async function* rebatch(source: AsyncIterable<string[]>, size: number): AsyncGenerator<string[]> {
  for await (const page of source) {
    for (let i = 0; i < page.length; i += size) yield page.slice(i, i + size);
  }
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
      [after, ID_PAGE],
    );
    if (rows.length === 0) return;
    yield rows.map((r) => r.juristic_id);
    after = rows.at(-1)!.juristic_id;
  }
}
