import type { Readable } from 'node:stream';
import type { FeedDeclaration, HubConfig } from '../config/config';
import type { ReadingRun, WholeRegister } from '../eligibility/company-attributes';
import type { EligibilitySummary } from '../eligibility/eligibility-summary';
import type { LinkTarget } from '../linking/link-target';
import type { ColumnValue } from './copy-format';
import type { ParseContext, ParsedRow, RawRow } from './feed';
import type { BulkCandidate } from './bulk-load';
import type { Queryable } from './ingestion-run.repository';

export type { ColumnValue } from './copy-format';

/** One column of the target table that the source fills. */
export interface TargetColumn<R> {
  name: string;
  /** PostgreSQL type of the staging column, e.g. `text`, `numeric`, `date`, `jsonb`. */
  type: string;
  value(record: R): ColumnValue;
}

/**
 * Where a source's records land: a table with a natural key. The engine stages rows with COPY and
 * upserts them in one statement, rewriting only rows whose content hash changed. Every target table
 * has the provenance columns `row_hash`, `source`, `source_run_id`, `fetched_at`, `updated_at` and
 * `absent_since_run_id` (see migrations).
 */
export interface UpsertTarget<R> {
  /** Schema-qualified table, e.g. `registry.factory`. */
  table: string;
  /** The natural-key columns (each also a TargetColumn), e.g. `['fid']` or `['juristic_id', 'fiscal_year']`. */
  key: string[];
  columns: TargetColumn<R>[];
}

/** What a source may use while it reads its feed. */
export interface SourceRunContext extends ParseContext {
  config: HubConfig;
  /** The feed's URL, as configured (`<PREFIX>_FEED_URL`, or the simulator's). */
  feedUrl: string;
  /** The values of the source's own settings (its feed's `settings`), by variable name. */
  settings: Readonly<Record<string, unknown>>;
  /** Cursor saved by the last successful run; undefined on a first run or a forced full refresh. */
  cursor: string | undefined;
  /** True when an operator forced a full refresh (`hub ingest <source> --full`). */
  full: boolean;
  /** Opens a URL as a byte stream, with the hub's timeouts and transient/permanent classification. */
  fetchStream(url: string): Promise<Readable>;
  /** Fetches and parses a JSON document, with the same classification (bad JSON is permanent). */
  fetchJson<T>(url: string): Promise<T>;
  /** The cursor to save when (and only when) the run commits. */
  setCursor(cursor: string): void;
}

/**
 * - `snapshot`: every run carries the whole dataset; records absent from a complete snapshot are
 *   marked absent (with the run that noticed), never deleted.
 * - `incremental`: a run carries the changes since the saved cursor (a full refresh when forced or
 *   when there is no cursor yet); absence means nothing.
 */
export type SourceMode = 'snapshot' | 'incremental';

/** How a source's feed is configured: its FeedDeclaration, less the source ID (the definition's own). */
export type FeedSettings = Omit<FeedDeclaration, 'sourceId'>;

/**
 * What a run of the source changes downstream, in the run's transaction: the derivation step
 * (src/linking/derivations.ts) loops over these hooks, so that no code outside a source's folder
 * names a source. Then, for every firm a run concerned: profiles, the statistics aggregate and
 * eligibility.
 */
export interface SourceDerivations {
  /**
   * For a register keyed by juristic ID: SQL ($1 the run) listing the juristic IDs whose derived
   * facts the run may change (rows it wrote or marked absent).
   */
  affectedCompanies?: string;
  /** The source's records name firms: how its table is linked to companies (the run relinks the rows it changed). */
  links?: LinkTarget;
  /** The company register: a run relinks, in every linked table, the rows whose link it may change. */
  companyRegister?: boolean;
  /** A register an eligibility attribute counts over: its first load makes that attribute known for every firm. */
  wholeRegister?: WholeRegister;
  /** More work in the run's transaction, after links, profiles and statistics, before eligibility; its result is logged as `name`. */
  afterLoad?: { name: string; run(client: Queryable, runId: string): Promise<unknown> };
  /**
   * The source changes what eligibility is judged on (loan products) rather than firms: its run's
   * eligibility step, instead of the firms' (e.g. every firm for the products it versioned), and, for
   * a first load's bulk mode, how many results that may write.
   */
  eligibility?: { recompute(client: Queryable, run: ReadingRun): Promise<EligibilitySummary>; bulkCandidates(client: Queryable): Promise<BulkCandidate[]> };
}

/**
 * Everything the hub knows about one agency feed. Adding an agency means one folder under
 * src/sources/ exporting one of these, one line in src/sources/registry.ts, a migration for its
 * table and a route in the agency simulator.
 */
export interface SourceDefinition<R> {
  /** Stable identifier used in the CLI, GraphQL, job names and run records, e.g. `diw`. */
  id: string;
  title: string;
  agency: string;
  mode: SourceMode;
  /** Its configuration variables and defaults; the configuration module and table are generated from these. */
  feed: FeedSettings;
  /**
   * Sources whose first load should come before this one's (registers before the records that name
   * them): a fresh hub's first loads follow this order. Any order gives the same picture in the end
   * (the derivations see to that); this one gets there with the least rework.
   */
  after?: readonly string[];
  /** How many hours the data may age before the source counts as stale. */
  staleAfterHours: number;
  /** Reads the feed: records and rejected rows, streamed. */
  read(context: SourceRunContext): AsyncIterable<ParsedRow<R>>;
  /**
   * Re-parses one quarantined row (its stored raw form) with today's rules, so rows rejected for a
   * cause since fixed can be retried without fetching the feed again.
   */
  reparse?(raw: RawRow): ParsedRow<R>;
  target: UpsertTarget<R>;
  /** What its runs change downstream (links, derived facts); none for a source nothing is derived from. */
  derive?: SourceDerivations;
}
