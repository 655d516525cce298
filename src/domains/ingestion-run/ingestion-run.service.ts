import type { IngestionQueue } from '../../ingestion/ingestion.queue';
import type { IngestionRunRecord, IngestionRunRepository } from '../../ingestion/ingestion-run.repository';
import { DomainError } from '../../platform/errors/domain-error';
import { checkPageSize, decodeCursor, pageOf } from '../../platform/graphql/connection';
import type { SourceRegistry } from '../../sources/registry';
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

function toRun(r: IngestionRunRecord): IngestionRun {
  return {
    ...r,
    trigger: r.trigger as IngestionTrigger,
    status: r.status as IngestionRunStatus,
    durationMs: r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null,
  };
}

export class IngestionRunService {
  constructor(
    private readonly runs: IngestionRunRepository,
    private readonly queue: IngestionQueue,
    private readonly sources: SourceRegistry,
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
    const before = decodeCursor(CURSOR_KIND, args.after);
    if (before !== undefined && !/^\d+$/.test(before)) throw new DomainError('BAD_USER_INPUT', 'after is not a cursor of this list');
    const rows = await this.runs.list({ source, beforeId: before, limit: size + 1 });
    return { ...pageOf(rows.map(toRun), size, CURSOR_KIND, (r) => r.id), countTotal: () => this.runs.count({ source }) };
  }

  async quarantined(args: { source?: string | null; first?: number | null; after?: string | null }): Promise<QuarantinedRowConnection> {
    const source = this.checkSource(args.source);
    const size = checkPageSize(args.first);
    const before = decodeCursor(QUARANTINE_CURSOR, args.after);
    if (before !== undefined && !/^\d+$/.test(before)) throw new DomainError('BAD_USER_INPUT', 'after is not a cursor of this list');
    const rows = await this.runs.openQuarantined({ source, beforeId: before, limit: size + 1 });
    const nodes = rows.map((r): QuarantinedRow => ({ ...r, raw: JSON.stringify(r.raw) }));
    return { ...pageOf(nodes, size, QUARANTINE_CURSOR, (r) => r.id), countTotal: () => this.runs.countOpenQuarantined({ source }) };
  }

  async trigger(source: string): Promise<IngestionJob> {
    this.checkSource(source);
    const job = await this.queue.enqueue(source, 'manual');
    return { source, jobId: String(job.id), queuedAt: new Date(job.timestamp) };
  }
}
