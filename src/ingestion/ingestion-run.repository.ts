import type { DataSource } from 'typeorm';

/** Minimal query interface shared by a pg PoolClient and TypeORM's DataSource wrapper below. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[]; rowCount: number | null }>;
}

export type RunTrigger = 'schedule' | 'startup' | 'manual' | 'cli' | 'retry';
export type RunStatus = 'running' | 'succeeded' | 'failed';
export type RunErrorKind = 'transient' | 'permanent';

export interface RunCounts {
  rowsRead: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  rowsRejected: number;
  rowsDuplicate: number;
  rowsMarkedAbsent: number;
}

/** A successful read of the feed is recorded with the source's state (saveSuccess; retries do not). */
const HAS_LOADED_SQL = 'SELECT EXISTS (SELECT 1 FROM ingestion.source_state WHERE source = $1 AND last_success_run_id IS NOT NULL) AS loaded';

/** The counts of a run that wrote nothing (a failed run, a recompute's start). */
export const ZERO_RUN_COUNTS: Readonly<RunCounts> = {
  rowsRead: 0,
  rowsInserted: 0,
  rowsUpdated: 0,
  rowsUnchanged: 0,
  rowsRejected: 0,
  rowsDuplicate: 0,
  rowsMarkedAbsent: 0,
};

export interface IngestionRunRecord extends RunCounts {
  id: string;
  source: string;
  trigger: RunTrigger;
  jobId: string | null;
  attempt: number;
  status: RunStatus;
  startedAt: Date;
  finishedAt: Date | null;
  feedUrl: string | null;
  fullRefresh: boolean;
  cursorBefore: string | null;
  cursorAfter: string | null;
  warnings: string[];
  errorKind: RunErrorKind | null;
  errorMessage: string | null;
}

interface RunRow {
  id: string;
  source: string;
  trigger: RunTrigger;
  job_id: string | null;
  attempt: number;
  status: RunStatus;
  started_at: Date;
  finished_at: Date | null;
  feed_url: string | null;
  rows_read: number;
  rows_inserted: number;
  rows_updated: number;
  rows_unchanged: number;
  rows_rejected: number;
  rows_duplicate: number;
  rows_marked_absent: number;
  full_refresh: boolean;
  cursor_before: string | null;
  cursor_after: string | null;
  warnings: string[];
  error_kind: RunErrorKind | null;
  error_message: string | null;
}

const RUN_COLUMNS = `id::text AS id, source, trigger, job_id, attempt, status, started_at, finished_at, feed_url, rows_read,
  rows_inserted, rows_updated, rows_unchanged, rows_rejected, rows_duplicate, rows_marked_absent, full_refresh, cursor_before,
  cursor_after, warnings, error_kind, error_message`;

function toRecord(row: RunRow): IngestionRunRecord {
  return {
    id: row.id,
    source: row.source,
    trigger: row.trigger,
    jobId: row.job_id,
    attempt: row.attempt,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    feedUrl: row.feed_url,
    rowsRead: row.rows_read,
    rowsInserted: row.rows_inserted,
    rowsUpdated: row.rows_updated,
    rowsUnchanged: row.rows_unchanged,
    rowsRejected: row.rows_rejected,
    rowsDuplicate: row.rows_duplicate,
    rowsMarkedAbsent: row.rows_marked_absent,
    fullRefresh: row.full_refresh,
    cursorBefore: row.cursor_before,
    cursorAfter: row.cursor_after,
    warnings: row.warnings,
    errorKind: row.error_kind,
    errorMessage: row.error_message,
  };
}

export interface QuarantinedRowRecord {
  id: string;
  runId: string;
  source: string;
  lineNo: number;
  reason: string;
  raw: unknown;
  createdAt: Date;
}

/** Run records: written by the engine on its pinned connection, read by the API and CLI. */
export class IngestionRunRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs left `running` by a worker that died; called while holding the source's lock. */
  static async markAbandoned(client: Queryable, source: string): Promise<number> {
    const result = await client.query(
      `UPDATE ingestion.run SET status = 'failed', finished_at = now(), error_kind = 'transient',
         error_message = 'abandoned: the worker stopped before the run finished; nothing it loaded was kept'
       WHERE source = $1 AND status = 'running'`,
      [source],
    );
    return result.rowCount ?? 0;
  }

  /**
   * A run of this job that succeeded: the job is done, though the queue may not know it (its
   * completion was lost with the job's lock). `jobCreatedAt` tells a run of this job from one of an
   * older job under the same ID (a queue that was emptied counts its IDs from 1 again).
   */
  static async succeededOfJob(client: Queryable, source: string, jobId: string, jobCreatedAt: number | undefined): Promise<IngestionRunRecord | undefined> {
    const result = await client.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM ingestion.run
       WHERE source = $1 AND job_id = $2 AND status = 'succeeded'
         AND ($3::double precision IS NULL OR started_at >= to_timestamp($3 / 1000.0) - interval '1 minute')
       ORDER BY id DESC LIMIT 1`,
      [source, jobId, jobCreatedAt ?? null],
    );
    return result.rows[0] && toRecord(result.rows[0]);
  }

  /** Whether the source's running run (there is at most one: the source's lock) belongs to this job. */
  static async isRunningForJob(client: Queryable, source: string, jobId: string): Promise<boolean> {
    const result = await client.query(`SELECT 1 FROM ingestion.run WHERE source = $1 AND status = 'running' AND job_id = $2`, [source, jobId]);
    return (result.rowCount ?? 0) > 0;
  }

  static async create(
    client: Queryable,
    run: { source: string; trigger: RunTrigger; jobId: string | null; attempt: number; feedUrl: string; fullRefresh: boolean; cursorBefore: string | null },
  ): Promise<IngestionRunRecord> {
    const result = await client.query<RunRow>(
      `INSERT INTO ingestion.run (source, trigger, job_id, attempt, feed_url, full_refresh, cursor_before)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${RUN_COLUMNS}`,
      [run.source, run.trigger, run.jobId, run.attempt, run.feedUrl, run.fullRefresh, run.cursorBefore],
    );
    return toRecord(result.rows[0]!);
  }

  static async finish(
    client: Queryable,
    runId: string,
    outcome: {
      status: 'succeeded' | 'failed';
      counts: RunCounts;
      warnings: string[];
      cursorAfter?: string | null;
      errorKind?: RunErrorKind;
      errorMessage?: string;
    },
  ): Promise<IngestionRunRecord> {
    const c = outcome.counts;
    const result = await client.query<RunRow>(
      `UPDATE ingestion.run SET status = $2, finished_at = now(), rows_read = $3, rows_inserted = $4, rows_updated = $5,
         rows_unchanged = $6, rows_rejected = $7, rows_duplicate = $8, warnings = $9::jsonb, error_kind = $10, error_message = $11,
         rows_marked_absent = $12, cursor_after = $13
       WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
      [
        runId,
        outcome.status,
        c.rowsRead,
        c.rowsInserted,
        c.rowsUpdated,
        c.rowsUnchanged,
        c.rowsRejected,
        c.rowsDuplicate,
        JSON.stringify(outcome.warnings),
        outcome.errorKind ?? null,
        outcome.errorMessage ?? null,
        c.rowsMarkedAbsent,
        outcome.cursorAfter ?? null,
      ],
    );
    return toRecord(result.rows[0]!);
  }

  /** The cursor the last successful run saved. */
  static async cursorOf(client: Queryable, source: string): Promise<string | undefined> {
    const result = await client.query<{ cursor: string | null }>('SELECT cursor FROM ingestion.source_state WHERE source = $1', [source]);
    return result.rows[0]?.cursor ?? undefined;
  }

  /** Called inside the run's transaction, so the cursor moves only if the run's data commits. */
  /** `targetTable`: the table the source loads (null for a recompute), so readers of a register can ask about the table. */
  static async saveSuccess(client: Queryable, source: string, runId: string, cursor: string | null, targetTable: string | null = null): Promise<void> {
    await client.query(
      `INSERT INTO ingestion.source_state (source, cursor, last_success_run_id, last_success_at, updated_at, target_table)
       VALUES ($1, $2, $3, now(), now(), $4)
       ON CONFLICT (source) DO UPDATE SET cursor = COALESCE(EXCLUDED.cursor, ingestion.source_state.cursor),
         last_success_run_id = EXCLUDED.last_success_run_id, last_success_at = EXCLUDED.last_success_at, updated_at = now(),
         target_table = EXCLUDED.target_table`,
      [source, cursor, runId, targetTable],
    );
  }

  async sourceStates(): Promise<{ source: string; cursor: string | null; lastSuccessRunId: string | null; lastSuccessAt: Date | null }[]> {
    const rows: { source: string; cursor: string | null; last_success_run_id: string | null; last_success_at: Date | null }[] = await this.dataSource.query(
      'SELECT source, cursor, last_success_run_id::text AS last_success_run_id, last_success_at FROM ingestion.source_state',
    );
    return rows.map((r) => ({ source: r.source, cursor: r.cursor, lastSuccessRunId: r.last_success_run_id, lastSuccessAt: r.last_success_at }));
  }

  async findById(id: string): Promise<IngestionRunRecord | undefined> {
    const rows: RunRow[] = await this.dataSource.query(`SELECT ${RUN_COLUMNS} FROM ingestion.run WHERE id = $1`, [id]);
    return rows[0] && toRecord(rows[0]);
  }

  async findByIds(ids: readonly string[]): Promise<IngestionRunRecord[]> {
    const rows: RunRow[] = await this.dataSource.query(`SELECT ${RUN_COLUMNS} FROM ingestion.run WHERE id = ANY($1::bigint[])`, [ids]);
    return rows.map(toRecord);
  }

  /** The latest `limit` runs of each source, newest first: one statement for every source. */
  async latestOfSources(sources: readonly string[], limit: number): Promise<IngestionRunRecord[]> {
    const rows: RunRow[] = await this.dataSource.query(
      `SELECT r.* FROM unnest($1::text[]) AS s(source)
       CROSS JOIN LATERAL (SELECT ${RUN_COLUMNS} FROM ingestion.run WHERE source = s.source ORDER BY run.id DESC LIMIT $2) r`,
      [sources, limit],
    );
    return rows.map(toRecord);
  }

  async findByJobId(jobId: string): Promise<IngestionRunRecord[]> {
    const rows: RunRow[] = await this.dataSource.query(`SELECT ${RUN_COLUMNS} FROM ingestion.run WHERE job_id = $1 ORDER BY run.id`, [jobId]);
    return rows.map(toRecord);
  }

  /** Newest first, keyset-paginated by id. */
  async list(filter: { source?: string; beforeId?: string; limit: number }): Promise<IngestionRunRecord[]> {
    const rows: RunRow[] = await this.dataSource.query(
      `SELECT ${RUN_COLUMNS} FROM ingestion.run
       WHERE ($1::text IS NULL OR source = $1) AND ($2::bigint IS NULL OR id < $2)
       ORDER BY run.id DESC LIMIT $3`,
      [filter.source ?? null, filter.beforeId ?? null, filter.limit],
    );
    return rows.map(toRecord);
  }

  async count(filter: { source?: string }): Promise<number> {
    const rows: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM ingestion.run WHERE ($1::text IS NULL OR source = $1)`,
      [filter.source ?? null],
    );
    return rows[0]!.n;
  }

  /** Whether a run of the source ever read its feed successfully (a quarantine retry reads none). */
  async hasSucceeded(source: string): Promise<boolean> {
    const rows: { loaded: boolean }[] = await this.dataSource.query(HAS_LOADED_SQL, [source]);
    return rows[0]!.loaded;
  }

  /**
   * For a fresh hub's first loads: each source that has loaded, and each that has not but whose
   * latest run failed for good (a permanent failure, or a transient one on the job's last attempt).
   */
  async firstLoadStates(attempts: number): Promise<{ loaded: Set<string>; gaveUp: Set<string> }> {
    const rows: { source: string; loaded: boolean; gave_up: boolean }[] = await this.dataSource.query(
      `SELECT s.source, s.last_success_run_id IS NOT NULL AS loaded, false AS gave_up
       FROM ingestion.source_state s WHERE s.last_success_run_id IS NOT NULL
       UNION ALL
       SELECT r.source, false, r.status = 'failed' AND (r.error_kind = 'permanent' OR r.attempt >= $1)
       FROM (SELECT DISTINCT ON (source) source, status, error_kind, attempt FROM ingestion.run
             WHERE trigger <> 'retry' ORDER BY source, id DESC) r`,
      [attempts],
    );
    return {
      loaded: new Set(rows.filter((r) => r.loaded).map((r) => r.source)),
      gaveUp: new Set(rows.filter((r) => r.gave_up).map((r) => r.source)),
    };
  }

  /** As hasSucceeded, on a run's connection (inside its transaction the run itself is not counted yet). */
  static async hasLoaded(client: Queryable, source: string): Promise<boolean> {
    const { rows } = await client.query<{ loaded: boolean }>(HAS_LOADED_SQL, [source]);
    return rows[0]!.loaded;
  }

  /** Open (not yet resolved) quarantined rows, newest first, keyset-paginated by id. */
  async openQuarantined(filter: { source?: string; beforeId?: string; limit: number }): Promise<QuarantinedRowRecord[]> {
    const rows: { id: string; run_id: string; source: string; line_no: number; reason: string; raw: unknown; created_at: Date }[] =
      await this.dataSource.query(
        `SELECT id::text, run_id::text, source, line_no, reason, raw, created_at FROM ingestion.quarantined_row
         WHERE resolved_at IS NULL AND ($1::text IS NULL OR source = $1) AND ($3::bigint IS NULL OR id < $3)
         ORDER BY quarantined_row.id DESC LIMIT $2`,
        [filter.source ?? null, filter.limit, filter.beforeId ?? null],
      );
    return rows.map((r) => ({ id: r.id, runId: r.run_id, source: r.source, lineNo: r.line_no, reason: r.reason, raw: r.raw, createdAt: r.created_at }));
  }

  /** Open quarantined rows by id; resolved ones are left out, as in `openQuarantined`. */
  async openQuarantinedByIds(ids: readonly string[]): Promise<QuarantinedRowRecord[]> {
    const rows: { id: string; run_id: string; source: string; line_no: number; reason: string; raw: unknown; created_at: Date }[] =
      await this.dataSource.query(
        `SELECT id::text, run_id::text, source, line_no, reason, raw, created_at FROM ingestion.quarantined_row
         WHERE resolved_at IS NULL AND id = ANY($1::bigint[])`,
        [ids],
      );
    return rows.map((r) => ({ id: r.id, runId: r.run_id, source: r.source, lineNo: r.line_no, reason: r.reason, raw: r.raw, createdAt: r.created_at }));
  }

  async countOpenQuarantined(filter: { source?: string }): Promise<number> {
    const rows: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM ingestion.quarantined_row WHERE resolved_at IS NULL AND ($1::text IS NULL OR source = $1)`,
      [filter.source ?? null],
    );
    return rows[0]!.n;
  }

  async openQuarantinedCounts(): Promise<Map<string, number>> {
    const rows: { source: string; n: number }[] = await this.dataSource.query(
      `SELECT source, count(*)::int AS n FROM ingestion.quarantined_row WHERE resolved_at IS NULL GROUP BY source`,
    );
    return new Map(rows.map((r) => [r.source, r.n]));
  }

  async quarantinedRows(runId: string, limit: number): Promise<{ lineNo: number; reason: string; raw: unknown }[]> {
    const rows: { line_no: number; reason: string; raw: unknown }[] = await this.dataSource.query(
      `SELECT line_no, reason, raw FROM ingestion.quarantined_row WHERE run_id = $1 ORDER BY line_no LIMIT $2`,
      [runId, limit],
    );
    return rows.map((r) => ({ lineNo: r.line_no, reason: r.reason, raw: r.raw }));
  }
}
