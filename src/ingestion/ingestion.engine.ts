import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { HubConfig } from '../config/config';
import { pgPool } from '../platform/database/data-source';
import type { Logger } from '../platform/logging/logger';
import type { SourceRegistry } from '../sources/registry';
import { FeedFormatError, type ParseContext } from './feed';
import { openFeed } from './feed-fetcher';
import { PermanentIngestionError, SourceBusyError, TransientIngestionError } from './ingestion-errors';
import { IngestionRunRepository, type IngestionRunRecord, type RunCounts, type RunErrorKind, type RunTrigger } from './ingestion-run.repository';
import { StagingRepository } from './staging.repository';

export interface RunRequest {
  source: string;
  trigger: RunTrigger;
  jobId?: string;
  attempt?: number;
}

const ZERO_COUNTS: RunCounts = { rowsRead: 0, rowsInserted: 0, rowsUpdated: 0, rowsUnchanged: 0, rowsRejected: 0, rowsDuplicate: 0 };

/**
 * Runs one source end to end: fetch (streamed) → parse → COPY into staging → quarantine bad rows →
 * one upsert → commit, all in one transaction on one pinned connection, so a failure at any point
 * leaves the previously loaded data exactly as it was. Every run, good or bad, leaves a run record.
 */
export class IngestionEngine {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sources: SourceRegistry,
    private readonly config: HubConfig,
    private readonly logger: Logger,
  ) {}

  async run(request: RunRequest): Promise<IngestionRunRecord> {
    const source = this.sources.get(request.source);
    if (!source) throw new PermanentIngestionError(`unknown source "${request.source}" (known: ${this.sources.ids().join(', ')})`);

    const queryRunner = this.dataSource.createQueryRunner('master');
    const client = (await queryRunner.connect()) as PoolClient;
    let connectionBroken = false;
    const onConnectionError = (): void => {
      connectionBroken = true;
    };
    client.on('error', onConnectionError);
    // A session-level advisory lock: one run per source at a time, across every worker process. It is
    // released with the connection if the worker dies, so a crash never leaves a source locked.
    const lockKey = `ingest:${source.id}`;
    const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [lockKey]);
    if (!locked.rows[0]!.ok) {
      client.off('error', onConnectionError);
      await queryRunner.release();
      throw new SourceBusyError(`another run of ${source.id} is in progress`);
    }

    const feedUrl = source.feedUrl(this.config);
    let run: IngestionRunRecord | undefined;
    try {
      const abandoned = await IngestionRunRepository.markAbandoned(client, source.id);
      run = await IngestionRunRepository.create(client, {
        source: source.id,
        trigger: request.trigger,
        jobId: request.jobId ?? null,
        attempt: request.attempt ?? 1,
        feedUrl,
      });
      const log = this.logger.child({ runId: run.id, source: source.id, jobId: request.jobId, attempt: run.attempt });
      if (abandoned > 0) log.warn({ abandoned }, 'marked runs left by a stopped worker as failed');
      log.info({ feedUrl, trigger: request.trigger }, 'ingestion run started');

      const context: ParseContext = { warnings: [] };
      let counts: RunCounts = ZERO_COUNTS;
      try {
        counts = await this.load(client, source.id, run, feedUrl, context);
      } catch (error) {
        const kind = classify(error);
        const message = error instanceof Error ? error.message : String(error);
        if (!connectionBroken) await client.query('ROLLBACK').catch(() => undefined);
        // A broken pinned connection cannot record the failure: use a fresh one from the pool.
        const recorder = connectionBroken ? pgPool(this.dataSource) : client;
        const failed = await IngestionRunRepository.finish(recorder, run.id, {
          status: 'failed',
          counts: ZERO_COUNTS,
          warnings: context.warnings,
          errorKind: kind,
          errorMessage: message,
        });
        log.error({ errorKind: kind, err: error, durationMs: Date.now() - run.startedAt.getTime() }, 'ingestion run failed; earlier data kept');
        throw Object.assign(kind === 'permanent' ? new PermanentIngestionError(message) : new TransientIngestionError(message), { run: failed });
      }
      const finished = await IngestionRunRepository.finish(client, run.id, { status: 'succeeded', counts, warnings: context.warnings });
      log.info({ ...counts, warnings: context.warnings, durationMs: Date.now() - run.startedAt.getTime() }, 'ingestion run succeeded');
      return finished;
    } finally {
      client.off('error', onConnectionError);
      if (connectionBroken) {
        await queryRunner.release();
      } else {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
        await queryRunner.release();
      }
    }
  }

  private async load(client: PoolClient, sourceId: string, run: IngestionRunRecord, feedUrl: string, context: ParseContext): Promise<RunCounts> {
    const source = this.sources.get(sourceId)!;
    const { body } = await openFeed(feedUrl, { idleTimeoutMs: this.config.feedTimeoutMs });
    const staging = new StagingRepository(client, source.target);
    await client.query('BEGIN');
    await staging.createStagingTable();
    const { records, rejected } = await staging.copyRows(source.parse(body, context));
    await staging.quarantineRejected(run.id, source.id);
    const upserted = await staging.upsert({ source: source.id, runId: run.id, fetchedAt: run.startedAt });
    await client.query('COMMIT');
    return { rowsRead: records + rejected, rowsRejected: rejected, ...upserted };
  }
}

/** Transient failures are retried by the queue; permanent ones are not. */
export function classify(error: unknown): RunErrorKind {
  if (error instanceof PermanentIngestionError || error instanceof FeedFormatError) return 'permanent';
  return 'transient';
}
