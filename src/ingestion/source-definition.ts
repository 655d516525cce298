import type { Readable } from 'node:stream';
import type { HubConfig } from '../config/config';
import type { ParseContext, ParsedRow } from './feed';

/** A value the engine writes into a staging column through COPY. */
export type ColumnValue = string | number | null;

/** One column of the target table that the source fills. */
export interface TargetColumn<R> {
  name: string;
  /** PostgreSQL type of the staging column, e.g. `text`, `numeric`, `date`. */
  type: string;
  value(record: R): ColumnValue;
}

/**
 * Where a source's records land: a table with a natural key. The engine stages rows with COPY and
 * upserts them in one statement, rewriting only rows whose content hash changed.
 */
export interface UpsertTarget<R> {
  /** Schema-qualified table, e.g. `registry.factory`. */
  table: string;
  /** The natural-key column (also a TargetColumn). */
  key: string;
  columns: TargetColumn<R>[];
}

/**
 * Everything the hub knows about one agency feed. Adding an agency means one folder under
 * src/sources/ exporting one of these, and one line in src/sources/registry.ts.
 */
export interface SourceDefinition<R> {
  /** Stable identifier used in the CLI, GraphQL, job names and run records, e.g. `diw`. */
  id: string;
  title: string;
  agency: string;
  feedUrl(config: HubConfig): string;
  /** Cron pattern, from configuration (each source has a named default beside it). */
  schedule(config: HubConfig): string;
  /** How many hours the data may age before the source counts as stale. */
  staleAfterHours: number;
  parse(body: Readable, context: ParseContext): AsyncIterable<ParsedRow<R>>;
  target: UpsertTarget<R>;
}
