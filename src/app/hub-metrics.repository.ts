import type { DataSource } from 'typeorm';

/** The SQL behind the scrape-time metrics (src/app/hub-metrics.ts): small aggregates, read-only. */
export class HubMetricsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Finished runs by source and status (a running run is counted once it ends, so the counts only grow). */
  async runTotals(): Promise<{ source: string; status: string; runs: number; read: number; inserted: number; updated: number; unchanged: number; rejected: number; duplicate: number; markedAbsent: number }[]> {
    return this.dataSource.query(
      `SELECT source, status, count(*)::float8 AS runs, sum(rows_read)::float8 AS read, sum(rows_inserted)::float8 AS inserted,
         sum(rows_updated)::float8 AS updated, sum(rows_unchanged)::float8 AS unchanged, sum(rows_rejected)::float8 AS rejected,
         sum(rows_duplicate)::float8 AS duplicate, sum(rows_marked_absent)::float8 AS "markedAbsent"
       FROM ingestion.run WHERE status <> 'running' GROUP BY source, status`,
    );
  }

  /** The newest position of each bank's eligibility feed (0 before its first event): one index probe per bank. */
  async eligibilityFeedPositions(banks: readonly string[]): Promise<{ bank: string; position: number }[]> {
    return this.dataSource.query(
      `SELECT b.bank, coalesce((SELECT max(position) FROM lending.eligibility_event e WHERE e.bank_code = b.bank), 0)::float8 AS position
       FROM unnest($1::text[]) AS b(bank)`,
      [banks],
    );
  }
}
