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
   * nothing did. A condition seen for the first time fires if it is firing and is silent if it is
   * not (nothing recovered). Of several processes recording the same change at once, one gets it.
   */
  async transition(key: string, firing: boolean, details: Record<string, unknown>): Promise<'fired' | 'resolved' | undefined> {
    const rows: { inserted: boolean }[] = await this.dataSource.query(
      `INSERT INTO ingestion.alert_state AS a (key, firing, changed_at, details) VALUES ($1, $2, now(), $3::jsonb)
       ON CONFLICT (key) DO UPDATE SET firing = EXCLUDED.firing, changed_at = now(), details = EXCLUDED.details
         WHERE a.firing <> EXCLUDED.firing
       RETURNING (xmax = 0) AS inserted`,
      [key, firing, JSON.stringify(details)],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.inserted && !firing) return undefined;
    return firing ? 'fired' : 'resolved';
  }
}
