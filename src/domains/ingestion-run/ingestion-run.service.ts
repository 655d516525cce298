import type { IngestionQueue } from '../../ingestion/ingestion.queue';
import type { IngestionRunRecord, IngestionRunRepository, QuarantinedRowRecord } from '../../ingestion/ingestion-run.repository';
import { DomainError } from '../../platform/errors/domain-error';
import { checkPageSize, decodeCursor, pageOf, withTotalCount } from '../../platform/graphql/connection';
import { toGlobalId } from '../../platform/graphql/global-id';
import type { SourceRegistry } from '../../ingestion/source-registry';
import { maskQuarantinedRaw } from '../../access/quarantined-raw';
import type {
  IngestionJob,
  IngestionRun,
  IngestionRunConnection,
  IngestionRunStatus,
  IngestionTrigger,
  QuarantinedRow,
  QuarantinedRowConnection,
} from './ingestion-run.type';

const CURSOR_KIND = 'run';
const QUARANTINE_CURSOR = 'quarantine';
/** A run's or quarantined row's ID: a bigint, so at most 18 digits (a longer one overflows in SQL). */
const ROW_ID = /^[1-9]\d{0,17}$/;

export function toRun(r: IngestionRunRecord): IngestionRun {
  return {
    ...r,
    id: toGlobalId('IngestionRun', r.id),
    runId: r.id,
    trigger: r.trigger as IngestionTrigger,
    status: r.status as IngestionRunStatus,
    durationMs: r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null,
  };
}

export function toQuarantinedRow(r: QuarantinedRowRecord): QuarantinedRow {
  return { ...r, id: toGlobalId('QuarantinedRow', r.id), quarantineId: r.id, raw: JSON.stringify(maskQuarantinedRaw(r.raw)) };
}

export class IngestionRunService {
  constructor(
    private readonly runs: IngestionRunRepository,
    private readonly sources: SourceRegistry,
    /** Absent in a process that only reads (the CLI's reports, the benchmarks). */
    private readonly queue?: IngestionQueue,
  ) {}

  private checkSource(source: string | null | undefined): string | undefined {
    if (source === null || source === undefined) return undefined;
    if (!this.sources.get(source)) {
      throw new DomainError('BAD_USER_INPUT', `unknown source "${source}" (known: ${this.sources.ids().join(', ')})`, { argument: 'source' });
    }
    return source;
  }

  async list(args: { source?: string | null; first?: number | null; after?: string | null }): Promise<IngestionRunConnection> {
    const source = this.checkSource(args.source);
    const size = checkPageSize(args.first);
    const before = decodeCursor(CURSOR_KIND, args.after, ROW_ID);
    const rows = await this.runs.list({ source, beforeId: before, limit: size + 1 });
    return withTotalCount(pageOf(rows.map(toRun), size, CURSOR_KIND, (r) => r.runId), () => this.runs.count({ source }));
  }

  async quarantined(args: { source?: string | null; first?: number | null; after?: string | null }): Promise<QuarantinedRowConnection> {
    const source = this.checkSource(args.source);
    const size = checkPageSize(args.first);
    const before = decodeCursor(QUARANTINE_CURSOR, args.after, ROW_ID);
    const rows = await this.runs.openQuarantined({ source, beforeId: before, limit: size + 1 });
    const nodes = rows.map(toQuarantinedRow);
    return withTotalCount(pageOf(nodes, size, QUARANTINE_CURSOR, (r) => r.quarantineId), () => this.runs.countOpenQuarantined({ source }));
  }

  async trigger(source: string): Promise<IngestionJob> {
    this.checkSource(source);
    if (!this.queue) throw new Error('this process has no ingestion queue');
    const job = await this.queue.enqueue(source, 'manual');
    return { source, jobId: String(job.id), queuedAt: new Date(job.timestamp) };
  }

  /** Runs by number, for the domain's loaders (one statement per batch). */
  runsByIds(ids: string[]): Promise<IngestionRunRecord[]> {
    return this.runs.findByIds(ids);
  }

  /** Each source's latest `limit` runs, for the domain's loaders (one statement per batch). */
  latestRunsOf(sources: string[], limit: number): Promise<IngestionRunRecord[]> {
    return this.runs.latestOfSources(sources, limit);
  }

  /** Open quarantined rows by number, for the domain's loaders (one statement per batch). */
  quarantinedByIds(ids: string[]): Promise<QuarantinedRowRecord[]> {
    return this.runs.openQuarantinedByIds(ids);
  }

  /** The latest runs as stored, for the CLI's `runs` report. */
  recentRuns(args: { source?: string; limit: number }): Promise<IngestionRunRecord[]> {
    return this.runs.list(args);
  }

  /** Open quarantined rows as stored (raw rows unmasked: the caller masks them), for the CLI. */
  openQuarantinedRecords(args: { source?: string; limit: number }): Promise<QuarantinedRowRecord[]> {
    return this.runs.openQuarantined(args);
  }
}
