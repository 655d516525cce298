import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyTextFields } from './copy-format';
import type { ParsedRow } from './feed';
import type { RunCounts } from './ingestion-run.repository';
import type { UpsertTarget } from './source-definition';

const STAGING = 'pg_temp.ingest_staging';
const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Set-based loading on one pinned connection inside the run's transaction: every parsed row (good
 * or rejected) is streamed by COPY into a temporary staging table, then rejected rows go to
 * quarantine and good rows are upserted in one statement.
 */
export class StagingRepository<R> {
  constructor(
    private readonly client: PoolClient,
    private readonly target: UpsertTarget<R>,
  ) {}

  async createStagingTable(): Promise<void> {
    const columns = this.target.columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
    await this.client.query(
      `CREATE TEMP TABLE ingest_staging (line_no integer NOT NULL, reject_reason text, raw jsonb, ${columns}, row_hash text) ON COMMIT DROP`,
    );
  }

  /**
   * Streams rows into staging with backpressure; memory stays bounded whatever the feed's size.
   * Each record's content hash (md5 of its encoded column values) is computed here, where the
   * encoding already exists and CPU is spare, rather than by the database over every column.
   */
  async copyRows(rows: AsyncIterable<ParsedRow<R>>): Promise<{ records: number; rejected: number }> {
    const names = ['line_no', 'reject_reason', 'raw', ...this.target.columns.map((c) => c.name), 'row_hash'].map(quoteIdent).join(', ');
    const stream = this.client.query(copyFrom(`COPY ${STAGING} (${names}) FROM STDIN`));
    const nulls = copyTextFields([...this.target.columns.map(() => null), null]);
    let records = 0;
    let rejected = 0;
    try {
      for await (const row of rows) {
        let line: string;
        if (row.kind === 'record') {
          const fields = copyTextFields(this.target.columns.map((c) => c.value(row.record)));
          line = `${row.line}\t\\N\t\\N\t${fields}\t${createHash('md5').update(fields).digest('hex')}\n`;
        } else {
          line = `${copyTextFields([row.line, row.reason, JSON.stringify(row.raw)])}\t${nulls}\n`;
        }
        if (row.kind === 'record') records += 1;
        else rejected += 1;
        if (!stream.write(line)) await once(stream, 'drain');
      }
      stream.end();
      await finished(stream);
    } catch (error) {
      // Aborts the COPY (the server discards it); the caller rolls the transaction back.
      stream.destroy(error as Error);
      await finished(stream).catch(() => undefined);
      throw error;
    }
    return { records, rejected };
  }

  /** Statistics for the columns the upsert and the absence check join and filter on (not the payload). */
  async analyze(): Promise<void> {
    const columns = [...this.target.key, 'reject_reason', 'line_no'].map(quoteIdent).join(', ');
    await this.client.query(`ANALYZE ${STAGING} (${columns})`);
  }

  /** For a quarantine retry (the staged line_no is the quarantined row's id): marks the rows that loaded. */
  static async resolveQuarantined(client: PoolClient, runId: string): Promise<void> {
    await client.query(
      `UPDATE ingestion.quarantined_row q SET resolved_at = now(), resolved_by_run_id = $1
       FROM ${STAGING} s WHERE s.reject_reason IS NULL AND q.id = s.line_no`,
      [runId],
    );
  }

  /**
   * Quarantines this run's rejected rows. A row an earlier run already quarantined and this run
   * rejects again (the same raw row) is closed as superseded, so the open quarantine holds each bad
   * row once, with its latest reason, not once per daily run.
   */
  async quarantineRejected(runId: string, source: string): Promise<void> {
    await this.client.query(
      `UPDATE ingestion.quarantined_row q SET resolved_at = now(), resolved_by_run_id = $1
       WHERE q.source = $2 AND q.resolved_at IS NULL
         AND EXISTS (SELECT 1 FROM ${STAGING} s WHERE s.reject_reason IS NOT NULL AND s.raw = q.raw)`,
      [runId, source],
    );
    await this.client.query(
      `INSERT INTO ingestion.quarantined_row (run_id, source, line_no, raw, reason)
       SELECT $1, $2, line_no, raw, reject_reason FROM ${STAGING} WHERE reject_reason IS NOT NULL ORDER BY line_no`,
      [runId, source],
    );
  }

  /**
   * One INSERT ... ON CONFLICT for the whole feed. Duplicate keys are reduced first (the last
   * occurrence in the feed wins: ON CONFLICT cannot touch a row twice); a row whose content hash is
   * unchanged is not rewritten, so a repeated feed writes nothing. A row that had been marked absent
   * and is back is rewritten to clear the mark.
   */
  async upsert(provenance: { source: string; runId: string; fetchedAt: Date }): Promise<Omit<RunCounts, 'rowsRead' | 'rowsRejected' | 'rowsMarkedAbsent'>> {
    const { table, key, columns } = this.target;
    const cols = columns.map((c) => quoteIdent(c.name));
    const keys = key.map(quoteIdent).join(', ');
    const updates = [...cols, 'row_hash', 'source', 'source_run_id', 'fetched_at'].map((c) => `${c} = EXCLUDED.${c}`).join(', ');
    const sql = `
      WITH src AS (
        SELECT DISTINCT ON (${keys}) ${cols.join(', ')}, row_hash
        FROM ${STAGING} WHERE reject_reason IS NULL
        ORDER BY ${keys}, line_no DESC
      ), upserted AS (
        INSERT INTO ${table} AS t (${cols.join(', ')}, row_hash, source, source_run_id, fetched_at)
        SELECT ${cols.join(', ')}, row_hash, $1, $2, $3 FROM src
        ON CONFLICT (${keys}) DO UPDATE SET ${updates}, absent_since_run_id = NULL, updated_at = now()
        WHERE t.row_hash IS DISTINCT FROM EXCLUDED.row_hash OR t.absent_since_run_id IS NOT NULL
        RETURNING (xmax = 0) AS inserted
      )
      SELECT (SELECT count(*) FROM src)::int AS distinct_rows,
             (SELECT count(*) FROM ${STAGING} WHERE reject_reason IS NULL)::int AS good_rows,
             count(*) FILTER (WHERE inserted)::int AS inserted,
             count(*) FILTER (WHERE NOT inserted)::int AS updated
      FROM upserted`;
    const result = await this.client.query<{ distinct_rows: number; good_rows: number; inserted: number; updated: number }>(sql, [
      provenance.source,
      provenance.runId,
      provenance.fetchedAt,
    ]);
    const r = result.rows[0]!;
    return {
      rowsInserted: r.inserted,
      rowsUpdated: r.updated,
      rowsUnchanged: r.distinct_rows - r.inserted - r.updated,
      rowsDuplicate: r.good_rows - r.distinct_rows,
    };
  }

  /**
   * For a complete snapshot: marks the target's rows of this source that the snapshot no longer
   * has (never deletes them). A row the snapshot carries but could not read counts as absent too:
   * its key cannot be trusted; it is in quarantine, and the mark clears when it loads again.
   */
  async markAbsent(source: string, runId: string): Promise<number> {
    const { table, key } = this.target;
    const match = key.map((k) => `s.${quoteIdent(k)} = t.${quoteIdent(k)}`).join(' AND ');
    const result = await this.client.query(
      `UPDATE ${table} AS t SET absent_since_run_id = $2
       WHERE t.source = $1 AND t.absent_since_run_id IS NULL
         AND NOT EXISTS (SELECT 1 FROM ${STAGING} s WHERE s.reject_reason IS NULL AND ${match})`,
      [source, runId],
    );
    return result.rowCount ?? 0;
  }
}
