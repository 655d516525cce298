import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { BANK_CODES } from '../access/roles';
import type { SourceStatusService } from '../ingestion/source-status.service';
import { pgPool } from '../platform/database/data-source';
import type { HubMetrics } from '../platform/metrics/metrics';
import type { HubQueue } from '../platform/queue/queue-backend';
import { HubMetricsRepository } from './hub-metrics.repository';

/** Job states whose counts the queue depth reports. */
const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;
const ROW_OUTCOMES = ['read', 'inserted', 'updated', 'unchanged', 'rejected', 'duplicate', 'markedAbsent'] as const;

/**
 * The hub's own series, computed when Prometheus scrapes, from the run records, the sources'
 * state, the queues and the pool: every process (API or worker) reports the same figures, nothing
 * is lost when a process restarts, and the ingestion engine needs no metrics code. Labels are
 * bounded: sources come from the registry and the run table, banks and job states are fixed lists.
 */
export function registerHubMetrics(
  metrics: HubMetrics,
  deps: { dataSource: DataSource; sourceStatus: SourceStatusService; queues: { name: string; queue: Pick<HubQueue<never>, 'getJobCounts'> }[] },
): void {
  const register = [metrics.registry];
  const repository = new HubMetricsRepository(deps.dataSource);
  // One read per scrape, each shared by the series built from it.
  const sourceStatus = metrics.perScrape(() => deps.sourceStatus.list());
  const runTotals = metrics.perScrape(() => repository.runTotals());
  const guarded = (series: string, collect: () => Promise<void>) =>
    async function (this: unknown): Promise<void> {
      try {
        await collect();
      } catch (error) {
        metrics.collectFailed(series, error);
      }
    };

  const runs: Counter<'source' | 'status'> = new Counter({
    name: 'hub_ingestion_runs_total',
    help: 'Finished ingestion runs by source and status (succeeded, failed), from the run records.',
    labelNames: ['source', 'status'],
    registers: register,
    collect: guarded('hub_ingestion_runs_total', async () => {
      const rows = await runTotals();
      runs.reset();
      for (const row of rows) runs.inc({ source: row.source, status: row.status }, row.runs);
    }),
  });
  const rowsTotal: Counter<'source' | 'outcome'> = new Counter({
    name: 'hub_ingestion_rows_total',
    help: 'Rows of finished runs by source and outcome (read, inserted, updated, unchanged, rejected, duplicate, marked_absent).',
    labelNames: ['source', 'outcome'],
    registers: register,
    collect: guarded('hub_ingestion_rows_total', async () => {
      const rows = await runTotals();
      rowsTotal.reset();
      for (const row of rows) {
        for (const outcome of ROW_OUTCOMES) rowsTotal.inc({ source: row.source, outcome: outcome === 'markedAbsent' ? 'marked_absent' : outcome }, row[outcome]);
      }
    }),
  });
  const lastSuccess: Gauge<'source'> = new Gauge({
    name: 'hub_source_last_success_timestamp_seconds',
    help: 'When each source last loaded its feed successfully (Unix time); absent for a source that never did.',
    labelNames: ['source'],
    registers: register,
    collect: guarded('hub_source_last_success_timestamp_seconds', async () => {
      const sources = await sourceStatus();
      lastSuccess.reset();
      for (const s of sources) if (s.lastSuccessAt) lastSuccess.set({ source: s.id }, s.lastSuccessAt.getTime() / 1000);
    }),
  });
  const stale: Gauge<'source'> = new Gauge({
    name: 'hub_source_stale',
    help: '1 when a source never loaded or its last load is older than the source allows (staleAfterHours), else 0.',
    labelNames: ['source'],
    registers: register,
    collect: guarded('hub_source_stale', async () => {
      const sources = await sourceStatus();
      stale.reset();
      for (const s of sources) stale.set({ source: s.id }, s.stale ? 1 : 0);
    }),
  });
  const quarantined: Gauge<'source'> = new Gauge({
    name: 'hub_quarantine_open_rows',
    help: 'Rows rejected by runs and not yet resolved, by source.',
    labelNames: ['source'],
    registers: register,
    collect: guarded('hub_quarantine_open_rows', async () => {
      const sources = await sourceStatus();
      quarantined.reset();
      for (const s of sources) quarantined.set({ source: s.id }, s.openQuarantinedRows);
    }),
  });
  const queueJobs: Gauge<'queue' | 'state'> = new Gauge({
    name: 'hub_queue_jobs',
    help: 'Jobs in each BullMQ queue by state (waiting, active, delayed, prioritized, waiting-children, failed, completed; the last two as kept by the queue\'s retention).',
    labelNames: ['queue', 'state'],
    registers: register,
    collect: guarded('hub_queue_jobs', async () => {
      const depths = await Promise.all(deps.queues.map(async ({ name, queue }) => ({ name, counts: await queue.getJobCounts(...JOB_STATES) })));
      queueJobs.reset();
      for (const { name, counts } of depths) for (const state of JOB_STATES) queueJobs.set({ queue: name, state }, counts[state] ?? 0);
    }),
  });
  const pool: Gauge<'state'> = new Gauge({
    name: 'hub_db_pool_connections',
    help: 'This process\'s PostgreSQL pool: connections open (total), idle, in use, requests waiting for one, and the maximum.',
    labelNames: ['state'],
    registers: register,
    collect: guarded('hub_db_pool_connections', async () => {
      const p = pgPool(deps.dataSource);
      pool.set({ state: 'total' }, p.totalCount);
      pool.set({ state: 'idle' }, p.idleCount);
      pool.set({ state: 'in_use' }, p.totalCount - p.idleCount);
      pool.set({ state: 'waiting' }, p.waitingCount);
      pool.set({ state: 'max' }, p.options.max ?? 10);
    }),
  });
  const feedPosition: Gauge<'bank'> = new Gauge({
    name: 'hub_eligibility_feed_position',
    help: 'Newest position of each bank\'s eligibility feed (0 before its first event); a bank\'s sync lags by this minus the position it has read.',
    labelNames: ['bank'],
    registers: register,
    collect: guarded('hub_eligibility_feed_position', async () => {
      const rows = await repository.eligibilityFeedPositions(BANK_CODES);
      feedPosition.reset();
      for (const row of rows) feedPosition.set({ bank: row.bank }, row.position);
    }),
  });
}
