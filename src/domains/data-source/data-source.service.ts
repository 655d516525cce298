import type { SourceStatusService } from '../../ingestion/source-status.service';
import type { DataSource, DataSourceMode } from './data-source.type';

export class DataSourceService {
  constructor(private readonly statuses: SourceStatusService) {}

  /** `stale` true or false filters; null or undefined (the argument left out) lists every source. */
  async list(stale: boolean | null | undefined): Promise<DataSource[]> {
    const all = await this.statuses.list();
    return all.filter((s) => stale === null || stale === undefined || s.stale === stale).map((s) => ({ ...s, mode: s.mode as DataSourceMode }));
  }
}
