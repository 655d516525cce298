import type { Client } from 'pg';

/**
 * What a database holds, table by table, comparable between two databases that loaded the same
 * data (a run interrupted and retried, against one left alone): the killed-worker and restart tests.
 */
/** A backend of a hub worker waiting for an advisory lock inside a transaction that wrote. */
export const WAITING_WORKER = `SELECT pid, backend_xid::text AS xid FROM pg_stat_activity
  WHERE datname = current_database() AND application_name = 'i-industry-hub-worker'
    AND wait_event_type = 'Lock' AND wait_event = 'advisory' AND backend_xid IS NOT NULL`;

/** The schemas of the hub's data (the queue's tables live in their own schema). */
const DATA_SCHEMAS = ['registry', 'stats', 'lending', 'access', 'ingestion', 'reference'];
/** Timestamps the hub stamps itself (when a row was fetched, linked, computed...), compared as set or not. */
const STAMPED_AT = /^(fetched|linked|resolved|refreshed|last_success|finished|computed|occurred|eligibility_computed)_at$/;

/** Tables of secrets each database draws for itself (the registry feed's cursor key): equal in no two databases. */
const PER_DATABASE_SECRETS = ['registry.feed_cursor_key'];

/** Columns that restate the row's others, with its run and fetch time (a register record's kept JSON, migration 1763965000000): left out. */
const RESTATED = ['record_json'];

export type Contents = Record<string, { rows: number; md5: string | null }>;

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Every table of the hub's schemas but the run log, as a row count and an md5 of its rows (as
 * JSON, sorted), less what differs between two databases loading the same data: a run's ID (in a
 * column naming a run, or as `runId` in JSON such as eligibility criteria's provenance) becomes the
 * run's rank among the succeeded runs (-1 for any other run: a leftover of the killed one),
 * timestamps the hub stamps become whether they are set, serial IDs their rank.
 */
export async function contents(db: Client): Promise<Contents> {
  const { rows: runs } = await db.query<{ id: string; rank: string }>(
    `SELECT id::text, CASE WHEN status = 'succeeded' THEN row_number() OVER (PARTITION BY status = 'succeeded' ORDER BY id) ELSE -1 END::text AS rank
     FROM ingestion.run ORDER BY id`,
  );
  const runRank = (ident: string): string =>
    `CASE WHEN ${ident} IS NULL THEN NULL ${runs.map((r) => `WHEN ${ident} = ${r.id} THEN ${r.rank}`).join(' ')} ELSE -1 END`;
  // `"runId": "7"`, `"runId": 7,` and `"runId": 7}` in JSON become `"runId": "#<rank>"` (and the `,` or `}`).
  const runIdForms = runs.flatMap(({ id, rank }) => [
    [`"runId": "${id}"`, `"runId": "#${rank}"`],
    [`"runId": ${id},`, `"runId": "#${rank}",`],
    [`"runId": ${id}}`, `"runId": "#${rank}"}`],
  ]);
  const withRunRanks = (text: string): string =>
    `CASE WHEN ${text} LIKE '%"runId": %' THEN ${runIdForms.reduce((inner, [from, to]) => `replace(${inner}, '${from}', '${to}')`, text)} ELSE ${text} END`;
  const { rows: columns } = await db.query<{ table: string; column: string; type: string; stamped: boolean; serial: boolean }>(
    `SELECT format('%I.%I', c.table_schema, c.table_name) AS table, c.column_name AS column, c.data_type AS type,
            coalesce(c.column_default LIKE '%now()%', false) AS stamped,
            coalesce(c.column_default LIKE 'nextval(%', false) OR c.is_identity = 'YES' AS serial
     FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     WHERE c.table_schema = ANY ($1) AND (c.table_schema, c.table_name) <> ('ingestion', 'run')
       AND format('%I.%I', c.table_schema, c.table_name) <> ALL ($2)
     ORDER BY 1, c.ordinal_position`,
    [DATA_SCHEMAS, PER_DATABASE_SECRETS],
  );
  const tables = new Map<string, string[]>();
  for (const c of columns) {
    if (RESTATED.includes(c.column)) continue;
    const ident = `t.${quoteIdent(c.column)}`;
    const expression = /(^|_)run_id$/.test(c.column)
      ? runRank(ident)
      : c.type.startsWith('timestamp') && (c.stamped || STAMPED_AT.test(c.column))
        ? `${ident} IS NOT NULL`
        : c.serial
          ? `dense_rank() OVER (ORDER BY ${ident})`
          : ident;
    tables.set(c.table, [...(tables.get(c.table) ?? []), `${expression} AS ${quoteIdent(c.column)}`]);
  }
  const result: Contents = {};
  for (const [table, expressions] of tables) {
    const { rows } = await db.query<{ rows: number; md5: string | null }>(
      `SELECT count(*)::int AS rows, md5(string_agg(r, E'\\n' ORDER BY r)) AS md5
       FROM (SELECT ${withRunRanks('j')} AS r FROM (SELECT to_jsonb(x)::text AS j FROM (SELECT ${expressions.join(', ')} FROM ${table} t) x) j) rows`,
    );
    result[table] = rows[0]!;
  }
  return result;
}

/** The succeeded runs, less what says which job ran them and when. */
export async function succeededRuns(db: Client): Promise<unknown[]> {
  const { rows } = await db.query(
    `SELECT source, trigger, feed_url, full_refresh, cursor_before, cursor_after, warnings,
            rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected, rows_duplicate, rows_marked_absent
     FROM ingestion.run WHERE status = 'succeeded' ORDER BY id`,
  );
  return rows;
}
