import { feedOf, type HubConfig } from '../config/config';
import type { SourceRegistry } from './source-registry';
import type { IngestionRunRepository } from './ingestion-run.repository';
import type { SourceMode } from './source-definition';

export interface SourceStatus {
  id: string;
  title: string;
  agency: string;
  mode: SourceMode;
  schedule: string;
  feedUrl: string;
  staleAfterHours: number;
  lastSuccessAt: Date | null;
  lastSuccessRunId: string | null;
  cursor: string | null;
  /** Never loaded, or last loaded longer ago than the source allows. */
  stale: boolean;
  openQuarantinedRows: number;
}

/** Freshness of every source: when it last loaded and whether that is older than it may be. */
export class SourceStatusService {
  constructor(
    private readonly runs: IngestionRunRepository,
    private readonly sources: SourceRegistry,
    private readonly config: HubConfig,
  ) {}

  async list(now: Date = new Date()): Promise<SourceStatus[]> {
    const states = new Map((await this.runs.sourceStates()).map((s) => [s.source, s]));
    const quarantined = await this.runs.openQuarantinedCounts();
    return this.sources.all().map((source) => {
      const state = states.get(source.id);
      const lastSuccessAt = state?.lastSuccessAt ?? null;
      return {
        id: source.id,
        title: source.title,
        agency: source.agency,
        mode: source.mode,
        schedule: feedOf(this.config, source.id).schedule,
        feedUrl: feedOf(this.config, source.id).url,
        staleAfterHours: source.staleAfterHours,
        lastSuccessAt,
        lastSuccessRunId: state?.lastSuccessRunId ?? null,
        cursor: state?.cursor ?? null,
        stale: lastSuccessAt === null || now.getTime() - lastSuccessAt.getTime() > source.staleAfterHours * 3_600_000,
        openQuarantinedRows: quarantined.get(source.id) ?? 0,
      };
    });
  }
}
