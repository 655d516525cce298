/**
 * First loads without per-row index and foreign-key maintenance.
 *
 * Loading a million rows into an empty table costs more in maintaining its secondary indexes (two
 * trigram GIN indexes on company names above all) and checking its foreign keys (one lookup per
 * row and key) than in writing the rows: building a GIN index once is about three times cheaper
 * than growing it row by row, and a foreign key added afterwards is validated by one join. So a
 * run that writes many rows into tables that are empty (a first load: the register, the profiles,
 * the eligibility results) drops their non-unique indexes and foreign keys, writes, and creates
 * them again, with the same names and definitions, in the same transaction. Unique indexes (the
 * upserts' conflict targets) stay.
 *
 * Dropping an index takes an ACCESS EXCLUSIVE lock on its table until the run commits: readers of
 * those (empty) tables wait for the first load instead of reading nothing. To make sure the run
 * never waits for a lock while holding that one (a deadlock with a reader or another run), it
 * claims everything up front and only when it can:
 * - every writer of the hub's data holds WRITERS_LOCK shared for its transaction (the engine's
 *   runs from their start, and the eligibility and statistics writers, see shareWritersLock); a
 *   bulk load takes it exclusively, without waiting (pg_try_advisory_xact_lock): so no other
 *   writer is in progress, and those that start wait for this run at their start, holding nothing
 *   it needs;
 * - the tables' locks are taken in one statement with a short lock_timeout.
 * If either fails, nothing is deferred (the savepoint releases what was taken) and the run loads
 * as usual. Either way the tables end the transaction with exactly the indexes and constraints
 * they had (a test compares the catalogue before and after).
 */
import type { Queryable } from './ingestion-run.repository';

/** Two-key advisory lock (the eligibility writers' lock is 1763795, 1): see above. */
const WRITERS_LOCK = '1763798, 1';
/** How long a bulk load waits for readers of its tables to finish before loading as usual. */
const TABLE_LOCK_TIMEOUT = '2s';
/** Memory for rebuilding the indexes (GIN builds sort their entries in it); the session default is 64 MB. */
const INDEX_BUILD_MEMORY = '512MB';

/**
 * Held shared by every writer of ingested and derived data for its transaction, so that a bulk
 * load (exclusive) runs alone. Reentrant: a transaction holding it (shared or exclusive) gets it at once.
 */
export async function shareWritersLock(client: Queryable): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock_shared(${WRITERS_LOCK})`);
}

interface Ddl {
  /** The statement that creates the object again. */
  create: string;
  /** COMMENT ON ..., when it had a comment. */
  comment: string | null;
}

interface DeferredTable {
  table: string;
  indexes: Ddl[];
  foreignKeys: Ddl[];
}

/** A table a run is about to write, and how many rows it expects to write into it. */
export interface BulkCandidate {
  table: string;
  rows: number;
}

export class BulkLoad {
  /** The tables claimed, restored or not. */
  readonly claimed: string[];

  private constructor(private readonly deferred: Map<string, DeferredTable>) {
    this.claimed = [...deferred.keys()];
  }

  /** Nothing deferred: every table keeps its indexes and keys. */
  static none(): BulkLoad {
    return new BulkLoad(new Map());
  }

  /**
   * Defers index and foreign-key maintenance of the candidates that will receive at least `minRows`
   * rows and are empty, when this transaction can have them (and every other writer's absence) at
   * once; see the file comment. Call it before writing to any of them.
   */
  static async claim(client: Queryable, candidates: readonly BulkCandidate[], minRows: number): Promise<BulkLoad> {
    const large = candidates.filter((c) => c.rows >= minRows).map((c) => c.table);
    // Empty now (a hint: checked again under the lock).
    const tables: string[] = [];
    for (const table of new Set(large)) {
      if ((await client.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM ${table}) AS empty`)).rows[0]!.empty) tables.push(table);
    }
    if (tables.length === 0) return BulkLoad.none();
    await client.query('SAVEPOINT bulk_load_claim');
    try {
      const alone = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(${WRITERS_LOCK}) AS ok`);
      if (!alone.rows[0]!.ok) return await giveUp(client);
      const timeout = (await client.query<{ previous: string }>(`SELECT current_setting('lock_timeout') AS previous, set_config('lock_timeout', $1, true)`, [TABLE_LOCK_TIMEOUT])).rows[0]!
        .previous;
      await client.query(`LOCK TABLE ${tables.join(', ')} IN ACCESS EXCLUSIVE MODE`);
      await client.query(`SELECT set_config('lock_timeout', $1, true)`, [timeout]);
      const deferred = new Map<string, DeferredTable>();
      for (const table of tables) {
        if (!(await client.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM ${table}) AS empty`)).rows[0]!.empty) continue;
        deferred.set(table, await dropMaintenance(client, table));
      }
      if (deferred.size === 0) return await giveUp(client);
      await client.query('RELEASE SAVEPOINT bulk_load_claim');
      return new BulkLoad(deferred);
    } catch (error) {
      // lock_not_available (lock_timeout) or deadlock_detected: load as usual.
      const code = (error as { code?: string }).code;
      if (code !== '55P03' && code !== '40P01') throw error;
      return giveUp(client);
    }
  }

  /** The tables whose maintenance is deferred (until restore). */
  tables(): string[] {
    return [...this.deferred.keys()];
  }

  /**
   * Creates the table's indexes and foreign keys again (validated by one join each) and analyses
   * it; false when its maintenance was not deferred (nothing done).
   */
  async restore(client: Queryable, table: string): Promise<boolean> {
    const deferred = this.deferred.get(table);
    if (!deferred) return false;
    this.deferred.delete(table);
    const { previous } = (
      await client.query<{ previous: string }>(`SELECT current_setting('maintenance_work_mem') AS previous, set_config('maintenance_work_mem', $1, true)`, [
        INDEX_BUILD_MEMORY,
      ])
    ).rows[0]!;
    for (const ddl of [...deferred.indexes, ...deferred.foreignKeys]) {
      await client.query(ddl.create);
      if (ddl.comment) await client.query(ddl.comment);
    }
    await client.query(`SELECT set_config('maintenance_work_mem', $1, true)`, [previous]);
    await client.query(`ANALYZE ${table}`);
    return true;
  }

  /** Restores every table still deferred; how long each took, in milliseconds. */
  async restoreAll(client: Queryable): Promise<Record<string, number>> {
    const took: Record<string, number> = {};
    for (const table of this.tables()) {
      const started = Date.now();
      await this.restore(client, table);
      took[table] = Date.now() - started;
    }
    return took;
  }
}

async function giveUp(client: Queryable): Promise<BulkLoad> {
  await client.query('ROLLBACK TO SAVEPOINT bulk_load_claim');
  await client.query('RELEASE SAVEPOINT bulk_load_claim');
  return BulkLoad.none();
}

/**
 * Drops the table's non-unique indexes (those backing no constraint) and its foreign keys, and
 * returns the statements that create them again, comments included.
 */
async function dropMaintenance(client: Queryable, table: string): Promise<DeferredTable> {
  const indexes = await client.query<{ drop: string; create: string; comment: string | null }>(
    `SELECT format('DROP INDEX %I.%I', n.nspname, i.relname) AS drop, pg_get_indexdef(x.indexrelid) AS create,
            CASE WHEN d.description IS NOT NULL THEN format('COMMENT ON INDEX %I.%I IS %L', n.nspname, i.relname, d.description) END AS comment
     FROM pg_index x
     JOIN pg_class i ON i.oid = x.indexrelid
     JOIN pg_namespace n ON n.oid = i.relnamespace
     LEFT JOIN pg_description d ON d.objoid = x.indexrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
     WHERE x.indrelid = $1::regclass AND NOT x.indisunique AND x.indisvalid
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
     ORDER BY i.relname`,
    [table],
  );
  const foreignKeys = await client.query<{ drop: string; create: string; comment: string | null }>(
    `SELECT format('ALTER TABLE %I.%I DROP CONSTRAINT %I', n.nspname, t.relname, c.conname) AS drop,
            format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s', n.nspname, t.relname, c.conname, pg_get_constraintdef(c.oid)) AS create,
            CASE WHEN d.description IS NOT NULL THEN format('COMMENT ON CONSTRAINT %I ON %I.%I IS %L', c.conname, n.nspname, t.relname, d.description) END AS comment
     FROM pg_constraint c
     JOIN pg_class t ON t.oid = c.conrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_constraint'::regclass AND d.objsubid = 0
     WHERE c.conrelid = $1::regclass AND c.contype = 'f'
     ORDER BY c.conname`,
    [table],
  );
  for (const row of [...indexes.rows, ...foreignKeys.rows]) await client.query(row.drop);
  return {
    table,
    indexes: indexes.rows.map(({ create, comment }) => ({ create, comment })),
    foreignKeys: foreignKeys.rows.map(({ create, comment }) => ({ create, comment })),
  };
}
