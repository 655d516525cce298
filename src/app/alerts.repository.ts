import type { DataSource } from 'typeorm';

export interface LatestFinishedRun {
  source: string;
  id: string;
  status: 'succeeded' | 'failed';
  attempt: number;
  errorKind: 'transient' | 'permanent' | null;
  errorMessage: string | null;
  finishedAt: Date;
}

/** The SQL of the alert monitor: each source's latest finished run, and the alerts' recorded states. */
export class AlertsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Each source's newest run that has finished (a run still going changes nothing yet). */
  async latestFinishedRuns(): Promise<LatestFinishedRun[]> {
    return this.dataSource.query(
      `SELECT DISTINCT ON (source) source, id::text AS id, status, attempt, error_kind AS "errorKind", error_message AS "errorMessage", finished_at AS "finishedAt"
       FROM ingestion.run WHERE status <> 'running' ORDER BY source, id DESC`,
    );
  }

  /**
   * Records the condition's state; answers what changed: `fired` or `resolved`, or undefined when
   * nothing did. Only conditions that have fired have a row: one that is clear and never fired
   * writes nothing (so a healthy hub's checks write nothing at all). Of several processes recording
   * the same change at once, one gets it.
   */
  async transition(key: string, firing: boolean, details: Record<string, unknown>): Promise<'fired' | 'resolved' | undefined> {
    const rows: unknown[] = firing
      ? await this.dataSource.query(
          `INSERT INTO ingestion.alert_state AS a (key, firing, changed_at, details) VALUES ($1, true, now(), $2::jsonb)
           ON CONFLICT (key) DO UPDATE SET firing = true, changed_at = now(), details = EXCLUDED.details WHERE NOT a.firing
           RETURNING key`,
          [key, JSON.stringify(details)],
        )
      : await this.dataSource.query(
          `UPDATE ingestion.alert_state SET firing = false, changed_at = now(), details = $2::jsonb WHERE key = $1 AND firing RETURNING key`,
          [key, JSON.stringify(details)],
        );
    // TypeORM answers an UPDATE with [rows, count].
    const changed = firing ? rows.length > 0 : Array.isArray(rows[0]) ? (rows[0] as unknown[]).length > 0 : rows.length > 0;
    if (!changed) return undefined;
    return firing ? 'fired' : 'resolved';
  }
}
