import type { PoolClient, QueryResult } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DataSource, QueryRunner } from 'typeorm';
import type { ApiClient } from '../../access/api-client.repository';
import { enteredAreaCondition, leftAreaCondition, REGISTRY_RECORDS, visibleRows, type RegistryEntity, type RegistryRecordDefinition } from './registry-records';

export type RegistryChangeKind = 'CREATED' | 'CHANGED' | 'MARKED_ABSENT' | 'RETURNED' | 'LINKED' | 'RELINKED' | 'UNLINKED' | 'LEFT_SCOPE' | 'ENTERED_SCOPE';
/** A kind as the log stores it: the shown kinds but LEFT_SCOPE and ENTERED_SCOPE (read per client), and MOVED (shown as those). */
type StoredKind = Exclude<RegistryChangeKind, 'LEFT_SCOPE' | 'ENTERED_SCOPE'> | 'MOVED';

/** A change as the log holds it, with the record as the client may see it now (JSON text). */
export interface RegistryChangeRow {
  position: string;
  entity: RegistryEntity;
  key: string;
  kind: RegistryChangeKind;
  /** Columns whose values changed (the read side maps them to record fields). */
  changedColumns: string[];
  runId: string | null;
  occurredAt: Date;
  /** The record's JSON text now, as the client may see it; `null` for LEFT_SCOPE (the key only). */
  recordJson: string;
  /** The firm the record reveals (its definition's audit.juristicId), for the read audit; null when none or masked. */
  juristicId: string | null;
}

interface ChangeRow {
  position: string;
  entity: RegistryEntity;
  record_key: string;
  kind: StoredKind;
  changed_fields: string[];
  run_id: string | null;
  occurred_at: Date;
  record: string | null;
  juristic_id: string | null;
}

/**
 * The record of a change, as the client may see it: the JSON of the visible row with the change's
 * key, and the firm it reveals (for the read audit), read together as a two-element text array.
 */
function recordOf(definition: RegistryRecordDefinition, client: ApiClient): string {
  const firm = definition.audit?.juristicId ?? 'NULL';
  return `WHEN '${definition.entity}' THEN (SELECT ARRAY[${definition.recordJson}, (${firm})::text] FROM ${definition.table} r WHERE ${definition.hasKey('c.record_key')} AND ${visibleRows(definition.entity, client)})`;
}

/** Reads of the registry change log (registry.record_change, migration 1763930000000) and the export snapshots. */
export class RegistryChangesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The client's changes after a position, in position order: up to `limit` changes of the log
   * whose record the client may see now, each with that record; changes it may not see are left
   * out before the limit (a page's length counts none of them). With them, the log's last position
   * in the same snapshot: every change up to it is committed and was considered (positions are
   * dense and assigned in commit order, see the migration), so a page that is not full may resume
   * there. Keyset paging stays safe while writers commit.
   *
   * A change that moved a record out of the client's area (leftAreaCondition), of a record not in
   * the area now, is shown as LEFT_SCOPE with no record: drop your copy. A MOVED change (the
   * record's area followed its company, migration 1763970000000) is an area role's only: shown as
   * LEFT_SCOPE to an area it left and the record is not in now, as ENTERED_SCOPE with the record to
   * one it entered and the record is in now (enteredAreaCondition), to no one else. Read in the
   * same scan as the others (columns of the change), so a page costs what it did.
   */
  async changes(client: ApiClient, entities: readonly RegistryEntity[], afterPosition: string, limit: number): Promise<{ rows: RegistryChangeRow[]; head: string }> {
    const records = entities.map((entity) => recordOf(REGISTRY_RECORDS[entity], client)).join(' ');
    const rows: (ChangeRow & { head: string })[] = await this.dataSource.query(
      `SELECT h.head, p.position, p.entity, p.record_key, p.kind, p.changed_fields, p.run_id, p.occurred_at, p.seen[1] AS record, p.seen[2] AS juristic_id FROM (SELECT coalesce(max(position), 0)::text AS head FROM registry.record_change) h
       LEFT JOIN LATERAL (
         SELECT * FROM (
           SELECT c.position, c.entity, c.record_key, c.kind, c.changed_fields, c.run_id::text, c.occurred_at, CASE c.entity ${records} END AS seen,
                  ${leftAreaCondition(client)} AS left_scope, ${enteredAreaCondition(client)} AS entered_scope
           FROM registry.record_change c
           WHERE c.position > $1::bigint AND c.entity = ANY ($2::text[])
           ORDER BY c.position
         ) x WHERE CASE WHEN x.kind = 'MOVED' THEN (x.seen IS NULL AND x.left_scope) OR (x.seen IS NOT NULL AND x.entered_scope) ELSE x.seen IS NOT NULL OR x.left_scope END
         ORDER BY x.position LIMIT $3
       ) p ON true`,
      [afterPosition, entities, limit],
    );
    const head = rows[0]?.head ?? '0';
    return {
      head,
      rows: rows
        .filter((r) => r.position !== null)
        .map((r) => ({
          position: String(r.position),
          entity: r.entity,
          key: r.record_key,
          ...(r.record === null
            ? { kind: 'LEFT_SCOPE' as const, changedColumns: [], recordJson: 'null' }
            : { kind: r.kind === 'MOVED' ? ('ENTERED_SCOPE' as const) : r.kind, changedColumns: r.changed_fields, recordJson: r.record }),
          runId: r.run_id,
          occurredAt: r.occurred_at,
          juristicId: r.record === null ? null : r.juristic_id,
        })),
    };
  }

  /** The key that seals the cursors of clients who see part of the log (migration 1763940000000). */
  async cursorKey(): Promise<Buffer> {
    const [row] = await this.dataSource.query<{ key: Buffer }[]>(`SELECT key FROM registry.feed_cursor_key WHERE id = 1`);
    if (!row) throw new Error('registry.feed_cursor_key holds no key: run the migrations');
    return row.key;
  }

  /**
   * Opens a consistent snapshot for an export: a REPEATABLE READ, read-only transaction on its own
   * connection, and the change log's last position in it (every change at or before it is in the
   * snapshot, every later one is not: positions are in commit order). Close it when done.
   */
  async openSnapshot(bounds: SnapshotBounds): Promise<ExportSnapshot> {
    const runner = this.dataSource.createQueryRunner();
    const connection = (await runner.connect()) as PoolClient;
    try {
      // COPY streams bypass the API's statement timers (request-deadline.ts): PostgreSQL bounds each
      // chunk itself. And should this process stall between chunks, the server ends the transaction.
      // One round trip (a simple query of four statements; the bounds are integers written here).
      const results = (await connection.query(
        `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
         SET LOCAL statement_timeout = ${Math.trunc(bounds.statementTimeoutMs)};
         SET LOCAL idle_in_transaction_session_timeout = ${Math.trunc(bounds.idleInTransactionMs)};
         SELECT coalesce(max(position), 0)::text AS position FROM registry.record_change`,
      )) as unknown as QueryResult<{ position: string }>[];
      const position = results.at(-1)?.rows[0]?.position;
      if (position === undefined) throw new Error('the export snapshot did not read the change log position');
      return new ExportSnapshot(runner, connection, position);
    } catch (error) {
      await runner.query('ROLLBACK').catch(() => undefined);
      await runner.release();
      throw error;
    }
  }
}

/** Bounds of an export's transaction: each statement's time (a COPY chunk's, sending included), and idle time between them. */
export interface SnapshotBounds {
  statementTimeoutMs: number;
  idleInTransactionMs: number;
}

/** One export's snapshot: pages of records by key, all read in the same transaction. */
export class ExportSnapshot {
  constructor(
    private readonly runner: QueryRunner,
    private readonly connection: PoolClient,
    /** The change log's position the snapshot holds every change up to. */
    readonly position: string,
  ) {}

  /**
   * Up to `limit` records after `afterKey` in key order, streamed by COPY straight from PostgreSQL
   * (which builds or keeps the JSON): no row becomes a JavaScript object. Each line is the record's
   * key and the firm it reveals for the read audit (its definition's `audit.juristicId`; none for a
   * masked record, so the guessed company is never named), both as JSON text, then the record's JSON
   * as the client may see it, separated by \x02: the route peels the first two off as it sends the
   * third (export-pages.ts), so the audit names exactly the records the client gets, from the same
   * statement, with no second pass over them. CSV format with a quote and a delimiter JSON never
   * holds raw (control characters are escaped in JSON text), so each field is the text as built.
   * `afterKey` was checked against the entity's key pattern and is written as a literal (COPY takes
   * no parameters).
   */
  copyPage(definition: RegistryRecordDefinition, client: ApiClient, afterKey: string | null, limit: number): NodeJS.ReadableStream {
    const after = afterKey === null ? 'true' : definition.after(this.connection.escapeLiteral(afterKey));
    const firm = definition.audit ? `to_json((${definition.audit.juristicId})::text)::text` : 'NULL';
    const select = `SELECT to_json(${definition.key})::text, ${firm}, ${definition.recordJson} FROM ${definition.table} r WHERE ${visibleRows(definition.entity, client)} AND ${after} ORDER BY ${definition.orderBy} LIMIT ${Math.trunc(limit)}`;
    return this.connection.query(copyTo(`COPY (${select}) TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`));
  }

  /** Up to `limit` records after `afterKey` (null: from the first) in key order, as the client may see them: [key, JSON text]. */
  async page(definition: RegistryRecordDefinition, client: ApiClient, afterKey: string | null, limit: number): Promise<{ key: string; json: string }[]> {
    return this.runner.query(
      `SELECT ${definition.key} AS key, ${definition.recordJson} AS json FROM ${definition.table} r
       WHERE ${visibleRows(definition.entity, client)} AND ($1::text IS NULL OR ${definition.after('$1::text')})
       ORDER BY ${definition.orderBy} LIMIT $2`,
      [afterKey, limit],
    );
  }

  async close(): Promise<void> {
    try {
      await this.runner.query('ROLLBACK');
    } finally {
      await this.runner.release();
    }
  }
}
