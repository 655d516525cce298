import { hash } from 'node:crypto';
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
   * Starts reading the feed ahead of the database (see FeedPrefetch): up to `ahead` encoded rows
   * wait in memory while the connection is busy, so fetching and parsing go on meanwhile.
   */
  prefetch(rows: AsyncIterable<ParsedRow<R>>, ahead: number): FeedPrefetch {
    const nulls = copyTextFields([...this.target.columns.map(() => null), null]);
    return new FeedPrefetch(rows, Math.max(1000, ahead), (row) => {
      if (row.kind === 'rejected') return { record: false, line: `${copyTextFields([row.line, row.reason, JSON.stringify(row.raw)])}\t${nulls}\n` };
      // Each record's content hash (md5 of its encoded column values) is computed here, where the
      // encoding already exists and CPU is spare, rather than by the database over every column.
      const fields = copyTextFields(this.target.columns.map((c) => c.value(row.record)));
      return { record: true, line: `${row.line}\t\\N\t\\N\t${fields}\t${hash('md5', fields)}\n` };
    });
  }

  /**
   * COPYs up to `maxRows` prefetched rows (good or rejected) into staging, in one statement, with
   * backpressure. `ended`: the feed has no more rows. A feed that fails aborts the COPY (the
   * server discards it) and throws; the caller rolls the transaction back.
   */
  async copyChunk(feed: FeedPrefetch, maxRows: number): Promise<{ records: number; rejected: number; ended: boolean }> {
    const names = ['line_no', 'reject_reason', 'raw', ...this.target.columns.map((c) => c.name), 'row_hash'].map(quoteIdent).join(', ');
    const stream = this.client.query(copyFrom(`COPY ${STAGING} (${names}) FROM STDIN`));
    let records = 0;
    let rejected = 0;
    try {
      for (;;) {
        const rows = await feed.take(Math.min(1000, maxRows - records - rejected));
        if (rows.length === 0) break;
        let text = '';
        for (const row of rows) {
          text += row.line;
          if (row.record) records += 1;
          else rejected += 1;
        }
        if (!stream.write(text)) await once(stream, 'drain');
        if (records + rejected >= maxRows) break;
      }
      stream.end();
      await finished(stream);
    } catch (error) {
      stream.destroy(error as Error);
      await finished(stream).catch(() => undefined);
      throw error;
    }
    return { records, rejected, ended: feed.ended() };
  }

  /** Empties staging (a bulk load writes the feed chunk by chunk). */
  async truncate(): Promise<void> {
    await this.client.query(`TRUNCATE ${STAGING}`);
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
   * row once, with its latest reason, not once per daily run. Called once per chunk by a bulk load
   * (hence `run_id <>`: a chunk never supersedes rows this run quarantined itself).
   */
  async quarantineRejected(runId: string, source: string): Promise<void> {
    // The run's rejected rows read once (materialised): as a correlated subquery the planner scanned
    // the whole staging table once per open quarantined row (seconds on a million-firm register).
    await this.client.query(
      `WITH rejected AS MATERIALIZED (SELECT raw FROM ${STAGING} WHERE reject_reason IS NOT NULL)
       UPDATE ingestion.quarantined_row q SET resolved_at = now(), resolved_by_run_id = $1
       WHERE q.source = $2 AND q.resolved_at IS NULL AND q.run_id <> $1
         AND EXISTS (SELECT 1 FROM rejected r WHERE r.raw = q.raw)`,
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
   * The counts of a bulk load into a table that was empty: every distinct key was inserted, the
   * rest of the good rows were duplicates (what `upsert` gives for an empty table).
   */
  async bulkCounts(goodRows: number): Promise<Omit<RunCounts, 'rowsRead' | 'rowsRejected' | 'rowsMarkedAbsent'>> {
    const { rows } = await this.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.target.table}`);
    const inserted = rows[0]!.n;
    return { rowsInserted: inserted, rowsUpdated: 0, rowsUnchanged: 0, rowsDuplicate: goodRows - inserted };
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

interface EncodedRow {
  /** A COPY text line, newline included. */
  line: string;
  /** A record (else a rejected row). */
  record: boolean;
}

/**
 * Reads a feed ahead of its consumer: a producer loop pulls rows from the source (HTTP, parsing,
 * mapping) and encodes them while the consumer waits on the database (an upsert of the previous
 * chunk), up to `highWater` rows. A feed error is thrown to the consumer at its next take; stop()
 * ends the producer (and closes the source) when the consumer gives up.
 */
export class FeedPrefetch {
  private readonly buffer: EncodedRow[] = [];
  private finished = false;
  private failed = false;
  private failure: unknown;
  private stopped = false;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;

  constructor(
    rows: AsyncIterable<ParsedRow<unknown>>,
    private readonly highWater: number,
    encode: (row: ParsedRow<never>) => EncodedRow,
  ) {
    void this.produce(rows, encode as (row: ParsedRow<unknown>) => EncodedRow);
  }

  private async produce(rows: AsyncIterable<ParsedRow<unknown>>, encode: (row: ParsedRow<unknown>) => EncodedRow): Promise<void> {
    try {
      for await (const row of rows) {
        if (this.stopped) return;
        this.buffer.push(encode(row));
        this.wake('consumer');
        while (this.buffer.length >= this.highWater && !this.stopped) await new Promise<void>((resolve) => (this.wakeProducer = resolve));
        if (this.stopped) return;
      }
    } catch (error) {
      this.failed = true;
      this.failure = error;
    } finally {
      this.finished = true;
      this.wake('consumer');
    }
  }

  private wake(who: 'consumer' | 'producer'): void {
    const resolve = who === 'consumer' ? this.wakeConsumer : this.wakeProducer;
    if (who === 'consumer') this.wakeConsumer = undefined;
    else this.wakeProducer = undefined;
    resolve?.();
  }

  /** Up to `max` rows in feed order, waiting for one unless the feed has ended; [] at its end. */
  async take(max: number): Promise<EncodedRow[]> {
    while (this.buffer.length === 0 && !this.finished) await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    if (this.failed) throw this.failure;
    const rows = this.buffer.splice(0, Math.max(1, max));
    this.wake('producer');
    return rows;
  }

  /** Whether every row has been taken. */
  ended(): boolean {
    return this.finished && !this.failed && this.buffer.length === 0;
  }

  stop(): void {
    this.stopped = true;
    this.wake('producer');
  }
}
