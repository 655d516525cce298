import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { feedOf, type HubConfig } from '../config/config';
import { pgPool } from '../platform/database/data-source';
import type { Logger } from '../platform/logging/logger';
import { FeedFormatError, type ParsedRow, type RawRow } from './feed';
import { fetchJsonDocument, openFeed } from './feed-fetcher';
import { PermanentIngestionError, TransientIngestionError } from './ingestion-errors';
import { withRunLock, type RunLockState } from './run-lock';
import { IngestionRunRepository, ZERO_RUN_COUNTS, type IngestionRunRecord, type RunCounts, type RunErrorKind, type RunTrigger } from './ingestion-run.repository';
import { derivedBulkCandidates, deriveAfterLoad, type DerivationCatalogue, type DerivationSummary } from '../linking/derivations';
import { BulkLoad, shareWritersLock } from './bulk-load';
import { lockRegisterWriters } from './register-lock';
import type { SourceDefinition, SourceRunContext } from './source-definition';
import { withProgress, type RunProgress } from './run-progress';
import { StagingRepository } from './staging.repository';

type AnySource = SourceDefinition<unknown>;

/** The sources the engine runs (src/sources/registry.ts). */
export interface SourceCatalogue extends DerivationCatalogue {
  get(id: string): AnySource | undefined;
  ids(): string[];
}

export interface RunRequest {
  source: string;
  trigger: RunTrigger;
  jobId?: string;
  /** When the job was created (ms): a finished run of the same job ID older than that is another job's. */
  jobCreatedAt?: number;
  attempt?: number;
  /** Ignore the saved cursor and read the whole feed. */
  full?: boolean;
  /** Told, before the commit, where a successful run's time went (benchmarks, diagnostics). */
  onPhases?: (phases: RunPhases) => void;
  /** Told, after a bulk first load was committed and recorded, how long vacuuming each table it loaded took. */
  onVacuumed?: (msByTable: Record<string, number>) => void;
  /** Told the rows read so far, about once a second while the feed is read. */
  onProgress?: (progress: RunProgress) => void;
}

/** Where a run's time went, in milliseconds. */
export interface RunPhases extends DerivationSummary {
  /** Reading the feed, staging, quarantine, the upsert and absence marking. */
  loadMs: number;
  /** Of loadMs: reading the feed into staging (fetch, parse, COPY). */
  readMs: number;
  /** Of loadMs: the upsert into the target table (and, on a bulk first load, rebuilding its indexes unless its links come first). */
  upsertMs: number;
  /**
   * Rebuilding the indexes and keys of tables loaded in bulk after their links (the target its own
   * source links, between the links and the profiles) or after the derivations (derived tables).
   */
  rebuildMs: number;
  /** Of rebuildMs, per table. */
  rebuildMsByTable: Record<string, number>;
  /** Tables whose index and key maintenance this run deferred (bulk-load.ts). */
  bulkTables: string[];
}

/** A load that wrote at least this many rows refreshes the target table's planner statistics. */
const ANALYZE_AFTER_ROWS = 10_000;
/**
 * A run that writes at least this many rows into an empty table (a first load) defers that table's
 * index and foreign-key maintenance to one rebuild (bulk-load.ts).
 */
export const BULK_LOAD_MIN_ROWS = 50_000;
/** Rows a bulk load writes per chunk, while the next chunk is read (and held in memory: a few tens of MB). */
export const BULK_LOAD_CHUNK_ROWS = 20_000;

export interface EngineOptions {
  /** Overrides BULK_LOAD_MIN_ROWS (tests use small feeds). */
  bulkLoadMinRows?: number;
  /** Overrides BULK_LOAD_CHUNK_ROWS. */
  bulkLoadChunkRows?: number;
}

/** What one load produced; the cursor is saved with the data, in the same transaction. */
interface LoadResult {
  counts: RunCounts;
  cursorAfter: string | null;
  /** Tables this run loaded in bulk (bulk-load.ts), to vacuum once the run is recorded. */
  bulkTables: string[];
}

/**
 * Runs one source end to end: read (streamed) → COPY into staging → quarantine bad rows → one
 * upsert → (snapshot sources) mark absent rows → save the cursor → commit, all in one transaction on
 * one pinned connection, so a failure at any point leaves the previously loaded data and cursor
 * exactly as they were. Every run, good or bad, leaves a run record.
 */
export class IngestionEngine {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sources: SourceCatalogue,
    private readonly config: HubConfig,
    private readonly logger: Logger,
    private readonly options: EngineOptions = {},
  ) {}

  async run(request: RunRequest): Promise<IngestionRunRecord> {
    const source = this.sources.get(request.source);
    if (!source) throw new PermanentIngestionError(`unknown source "${request.source}" (known: ${this.sources.ids().join(', ')})`);
    // One run per source at a time, and one per job however often the queue hands it out (run-lock.ts).
    const lock = { source: source.id, lockKey: `ingest:${source.id}`, jobId: request.jobId, jobCreatedAt: request.jobCreatedAt };
    return withRunLock(this.dataSource, lock, {
      alreadyDone: async (done) => {
        this.logger.info({ runId: done.id, source: source.id, jobId: request.jobId }, 'an earlier attempt of this job already loaded the source; reporting its run');
        return done;
      },
      run: (client, state) => this.runLocked(source, request, client, state),
    });
  }

  private async runLocked(source: AnySource, request: RunRequest, client: PoolClient, state: RunLockState): Promise<IngestionRunRecord> {
    const cursorBefore = (await IngestionRunRepository.cursorOf(client, source.id)) ?? null;
    const full = request.full === true || source.mode === 'snapshot' || cursorBefore === null;
    const feed = feedOf(this.config, source.id);
    const feedUrl = feed.url;
    const run = await IngestionRunRepository.create(client, {
      source: source.id,
      trigger: request.trigger,
      jobId: request.jobId ?? null,
      attempt: request.attempt ?? 1,
      feedUrl,
      fullRefresh: full,
      cursorBefore,
    });
    const log = this.logger.child({ runId: run.id, source: source.id, jobId: request.jobId, attempt: run.attempt });
    if (state.abandoned > 0) log.warn({ abandoned: state.abandoned }, 'marked runs left by a stopped worker as failed');
    log.info({ feedUrl, trigger: request.trigger, full, cursorBefore }, 'ingestion run started');

    let nextCursor: string | null = null;
    const context: SourceRunContext = {
      config: this.config,
      feedUrl,
      settings: feed.settings,
      cursor: full ? undefined : cursorBefore,
      full,
      warnings: [],
      fetchStream: async (url) => (await openFeed(url, { idleTimeoutMs: this.config.feedTimeoutMs })).body,
      fetchJson: (url) => fetchJsonDocument(url, { idleTimeoutMs: this.config.feedTimeoutMs }),
      setCursor: (cursor) => {
        nextCursor = cursor;
      },
    };
    let result: LoadResult;
    try {
      result = await this.load(client, source, run, withProgress(source.read(context), request.onProgress), {
        completeSnapshot: source.mode === 'snapshot',
        quarantine: true,
        cursor: () => nextCursor,
        ...(request.onPhases ? { onPhases: request.onPhases } : {}),
      });
    } catch (error) {
      const kind = classify(error);
      const message = error instanceof Error ? error.message : String(error);
      if (!state.connectionBroken) await client.query('ROLLBACK').catch(() => undefined);
      // A broken pinned connection cannot record the failure: use a fresh one from the pool.
      const recorder = state.connectionBroken ? pgPool(this.dataSource) : client;
      const failed = await IngestionRunRepository.finish(recorder, run.id, {
        status: 'failed',
        counts: ZERO_RUN_COUNTS,
        warnings: context.warnings,
        errorKind: kind,
        errorMessage: message,
      });
      log.error({ errorKind: kind, err: error, durationMs: Date.now() - run.startedAt.getTime() }, 'ingestion run failed; earlier data kept');
      throw Object.assign(kind === 'permanent' ? new PermanentIngestionError(message) : new TransientIngestionError(message), { run: failed });
    }
    const finished = await IngestionRunRepository.finish(client, run.id, {
      status: 'succeeded',
      counts: result.counts,
      warnings: context.warnings,
      cursorAfter: result.cursorAfter,
    });
    log.info({ ...result.counts, cursorAfter: result.cursorAfter, warnings: context.warnings, durationMs: Date.now() - run.startedAt.getTime() }, 'ingestion run succeeded');
    // Only once the run is recorded: a worker stopped or a connection lost during the vacuum
    // leaves a succeeded run, not one that looks abandoned and is loaded again.
    if (result.bulkTables.length > 0) request.onVacuumed?.(await this.vacuumAfterBulkLoad(client, run.id, result.bulkTables));
    return finished;
  }

  /**
   * Loads quarantined rows of a source again through its `reparse`, after the cause was fixed: rows
   * that now parse are upserted and marked resolved by a new run (trigger `retry`).
   */
  async retryQuarantined(sourceId: string): Promise<IngestionRunRecord> {
    const source = this.sources.get(sourceId);
    if (!source) throw new PermanentIngestionError(`unknown source "${sourceId}"`);
    const reparse = source.reparse?.bind(source);
    if (!reparse) throw new PermanentIngestionError(`source ${sourceId} cannot re-parse stored rows; run it again instead`);
    return withRunLock(this.dataSource, { source: source.id, lockKey: `ingest:${source.id}` }, {
      alreadyDone: (done) => Promise.resolve(done), // no job: never called
      run: async (client) => {
        // Quarantined rows are kept only by runs that committed; before the first, a retry would be a
        // first load from nothing (for DIW or TISI licences: every firm's count known as none).
        if (!(await IngestionRunRepository.hasLoaded(client, source.id))) {
          throw new PermanentIngestionError(`source ${source.id} has never loaded; run it (hub ingest ${source.id}) instead of retrying its quarantine`);
        }
        const run = await IngestionRunRepository.create(client, {
          source: source.id,
          trigger: 'retry',
          jobId: null,
          attempt: 1,
          feedUrl: 'quarantine',
          fullRefresh: false,
          cursorBefore: null,
        });
        const open = await client.query<{ id: string; raw: RawRow }>(
          `SELECT id::text, raw FROM ingestion.quarantined_row WHERE source = $1 AND resolved_at IS NULL ORDER BY quarantined_row.id`,
          [source.id],
        );
        // The quarantine row's id stands in for the line number, so each resolved row can be marked.
        async function* rows(): AsyncGenerator<ParsedRow<unknown>> {
          for (const row of open.rows) {
            const parsed = reparse!(row.raw);
            yield { ...parsed, line: Number(row.id) };
          }
        }
        try {
          const result = await this.load(client, source, run, rows(), {
            completeSnapshot: false,
            quarantine: false,
            // Rows stored earlier, not a read of the feed: the source is no fresher and keeps its cursor.
            cursor: null,
            afterUpsert: () => StagingRepository.resolveQuarantined(client, run.id),
          });
          return await IngestionRunRepository.finish(client, run.id, { status: 'succeeded', counts: result.counts, warnings: [] });
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          await IngestionRunRepository.finish(client, run.id, {
            status: 'failed',
            counts: ZERO_RUN_COUNTS,
            warnings: [],
            errorKind: classify(error),
            errorMessage: error instanceof Error ? error.message : String(error),
          });
          throw error;
        }
      },
    });
  }

  /**
   * After a bulk first load has committed: VACUUM (ANALYZE) each table it loaded, as PostgreSQL
   * advises after bulk loading. Every page of them is new: the first statement to read each one
   * would set its hint bits (a write per page), and none is all-visible for index-only scans. At a
   * million firms the next day's incremental run paid for that over 12 GB of pages: its eligibility
   * recompute took twice as long. VACUUM cannot run in a transaction, so this comes after the
   * commit and after the run is recorded as succeeded: a failure is logged and changes nothing.
   */
  private async vacuumAfterBulkLoad(client: PoolClient, runId: string, tables: readonly string[]): Promise<Record<string, number>> {
    const msByTable: Record<string, number> = {};
    for (const table of tables) {
      const started = Date.now();
      try {
        await client.query(`VACUUM (ANALYZE) ${table}`);
        msByTable[table] = Date.now() - started;
      } catch (error) {
        this.logger.warn({ runId, table, err: error }, 'vacuum after the bulk load failed; the loaded data is committed, autovacuum will get to it');
        return msByTable;
      }
    }
    this.logger.info({ runId, vacuumMsByTable: msByTable }, 'vacuumed the tables this bulk first load wrote');
    return msByTable;
  }

  private async load(
    client: PoolClient,
    source: AnySource,
    run: IngestionRunRecord,
    rows: AsyncIterable<ParsedRow<unknown>>,
    options: {
      completeSnapshot: boolean;
      quarantine: boolean;
      /** The cursor to save with the source's last success; null: the run is not a read of the feed (a quarantine retry) and leaves the source's state alone. */
      cursor: (() => string | null) | null;
      afterUpsert?: () => Promise<void>;
      onPhases?: (phases: RunPhases) => void;
    },
  ): Promise<LoadResult> {
    const loadStarted = Date.now();
    const staging = new StagingRepository(client, source.target);
    const minRows = this.options.bulkLoadMinRows ?? BULK_LOAD_MIN_ROWS;
    const chunkRows = this.options.bulkLoadChunkRows ?? BULK_LOAD_CHUNK_ROWS;
    await client.query('BEGIN');
    // No JIT compilation in a run: its statements are planned over temporary tables and transition
    // tables whose size the planner overestimates, so PostgreSQL compiled them at every run for
    // seconds each (7 s for the change log's trigger after a 20,000-row link) to save milliseconds.
    // And 64 MB to sort and hash in (the default 4 MB): the change log's triggers join a large run's
    // old and new rows, which spilled to disk. Runs write one at a time (register-lock.ts).
    await client.query(`SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`);
    await shareWritersLock(client);
    await staging.createStagingTable();
    const feed = staging.prefetch(rows, chunkRows);
    try {
      // The first rows tell whether this is a large load: then the tables it fills, if empty, are
      // claimed for a bulk load (bulk-load.ts), before anything is written to them.
      let chunk = await staging.copyChunk(feed, minRows);
      let { records, rejected } = chunk;
      // Not for a retry of quarantined rows: its afterUpsert matches them against the staging table,
      // which the bulk loop empties after every chunk.
      const bulk = chunk.ended || options.afterUpsert
        ? BulkLoad.none()
        : await BulkLoad.claim(client, [{ table: source.target.table, rows: minRows }, ...(await derivedBulkCandidates(client, source, this.sources, minRows))], minRows);
      let upserted: Omit<RunCounts, 'rowsRead' | 'rowsRejected' | 'rowsMarkedAbsent'>;
      let read: number;
      let upsertStarted: number;
      const bulkTarget = bulk.claimed.includes(source.target.table);
      if (bulkTarget) {
        // Alone (the claim holds every other writer off), so this is granted at once.
        await lockRegisterWriters(client);
        // Into an empty table: chunk by chunk while the feed is read ahead, so the database inserts
        // one chunk while the next is fetched and parsed. Same rows and counts as one upsert: a key
        // repeated in a later chunk overwrites the earlier copy (the last wins), and a table that
        // was empty ends with one row per distinct key.
        for (;;) {
          if (options.quarantine) await staging.quarantineRejected(run.id, source.id);
          await staging.upsert({ source: source.id, runId: run.id, fetchedAt: run.startedAt });
          await staging.truncate();
          if (chunk.ended) break;
          chunk = await staging.copyChunk(feed, chunkRows);
          records += chunk.records;
          rejected += chunk.rejected;
        }
        read = Date.now();
        upsertStarted = read;
        upserted = await staging.bulkCounts(records);
      } else {
        while (!chunk.ended) {
          chunk = await staging.copyChunk(feed, Number.POSITIVE_INFINITY);
          records += chunk.records;
          rejected += chunk.rejected;
        }
        read = Date.now();
        // The feed is staged: from here to the commit, this run is the only writer (register-lock.ts).
        await lockRegisterWriters(client);
        // A temporary table has no statistics until analysed; without them the upsert and the absence
        // check get nested-loop plans that are quadratic in the feed's size.
        await staging.analyze();
        if (options.quarantine) await staging.quarantineRejected(run.id, source.id);
        upsertStarted = Date.now();
        upserted = await staging.upsert({ source: source.id, runId: run.id, fetchedAt: run.startedAt });
      }
      // A bulk-loaded table its own source links (DIW's factories) keeps only its unique indexes until
      // its links are written: linking rewrites nearly every row of a first load, and maintaining the
      // secondary indexes (two trigram GINs among nine) row by row cost four times the rewrite itself.
      // Linking reads the table by scans and its key. Any other target is restored before anything
      // reads it (absence, links, derivations) through its indexes: the company register's trigram
      // indexes serve every link.
      const linksItself = bulkTarget && source.derive?.links?.table === source.target.table;
      const rebuilt = linksItself ? false : await bulk.restore(client, source.target.table);
      const upsertMs = Date.now() - upsertStarted;
      // After a large load the target's statistics describe the table as it was (empty, on a first
      // load); the absence check and the derivations join it in this same transaction, and stale
      // statistics give them quadratic nested loops. ANALYZE only samples: about a second for millions.
      if (!rebuilt && (linksItself || upserted.rowsInserted + upserted.rowsUpdated >= ANALYZE_AFTER_ROWS)) await client.query(`ANALYZE ${source.target.table}`);
      // A table that was empty holds only rows of this feed: none is absent (and staging was emptied).
      const rowsMarkedAbsent = options.completeSnapshot && !bulkTarget ? await staging.markAbsent(source.id, run.id) : 0;
      await options.afterUpsert?.();
      const loadedAt = Date.now();
      const rebuildMsByTable: Record<string, number> = {};
      const restoreTarget = async (): Promise<void> => {
        const started = Date.now();
        if (await bulk.restore(client, source.target.table)) rebuildMsByTable[source.target.table] = Date.now() - started;
      };
      const derived = await deriveAfterLoad(client, source, run.id, this.sources, linksItself ? restoreTarget : undefined);
      Object.assign(rebuildMsByTable, await bulk.restoreAll(client));
      const rebuildMs = Object.values(rebuildMsByTable).reduce((sum, ms) => sum + ms, 0);
      if (derived.links || derived.profilesRecomputed > 0 || derived.afterLoad) {
        this.logger.info({ runId: run.id, source: source.id, loadMs: loadedAt - run.startedAt.getTime(), ...derived }, 'links and derived facts updated');
      }
      options.onPhases?.({ loadMs: loadedAt - loadStarted, readMs: read - loadStarted, upsertMs, rebuildMs, rebuildMsByTable, bulkTables: bulk.claimed, ...derived });
      const cursorAfter = options.cursor ? options.cursor() : null;
      if (options.cursor) await IngestionRunRepository.saveSuccess(client, source.id, run.id, cursorAfter, source.target.table);
      await client.query('COMMIT');
      return { counts: { rowsRead: records + rejected, rowsRejected: rejected, rowsMarkedAbsent, ...upserted }, cursorAfter, bulkTables: bulk.claimed };
    } finally {
      feed.stop();
    }
  }
}

/** Transient failures are retried by the queue; permanent ones are not. */
export function classify(error: unknown): RunErrorKind {
  if (error instanceof PermanentIngestionError || error instanceof FeedFormatError) return 'permanent';
  return 'transient';
}
