import type { Readable } from 'node:stream';
import type { HubConfig } from '../config/config';
import type { ParseContext, ParsedRow, RawRow } from './feed';

/** A value the engine writes into a staging column through COPY. */
export type ColumnValue = string | number | boolean | null;

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

/**
 * Everything the hub knows about one agency feed. Adding an agency means one folder under
 * src/sources/ exporting one of these, and one line in src/sources/registry.ts.
 */
export interface SourceDefinition<R> {
  /** Stable identifier used in the CLI, GraphQL, job names and run records, e.g. `diw`. */
  id: string;
  title: string;
  agency: string;
  mode: SourceMode;
  /** The feed's address, for run records and the operator (paged sources: the first page). */
  feedUrl(config: HubConfig): string;
  /** Cron pattern, from configuration (each source has a named default beside it). */
  schedule(config: HubConfig): string;
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
}
