import type { Client } from 'pg';

/**
 * The hub's picture of the firms, as two databases that loaded the same feeds in different orders
 * must agree on it: every table of the data schemas (the registers with their links, the company
 * profiles, the statistics aggregate, loan products and rule sets, stored eligibility results with
 * their criteria, eligibility inputs, consents), less what says which run wrote a row and when:
 * columns naming a run, timestamps the hub stamps itself, serial and random IDs, `runId` inside JSON
 * (criteria provenance), and the registers' kept record JSON (it restates the row, with its run). Logs are left out (the run log, quarantine, the eligibility event log and
 * the aggregate's refresh log: how many runs and events there were may differ); what the event log
 * says in the end, each firm's net eligibility per product, is compared as its own table.
 */
export type DerivedState = Record<string, string[]>;

const SCHEMAS = ['registry', 'stats', 'lending', 'access', 'reference'];
// The registry's change log is a log too: its positions follow commit order, and a record linked on
// arrival is one change where a record linked later is two.
const LOGS = ['lending.eligibility_event', 'stats.aggregate_refresh', 'access.api_client', 'registry.record_change', 'access.rate_bucket'];
/** Timestamps the hub stamps itself (when a row was fetched, linked, computed...). */
const STAMPED_AT = /^(fetched|linked|resolved|refreshed|last_success|finished|computed|occurred|eligibility_computed|created|updated|recorded|received)_at$/;
/** Columns that restate the row's others, with its run and fetch time (a register record's kept JSON, migration 1763965000000). */
const RESTATED = ['record_json'];
const NET_ELIGIBILITY = 'net eligibility (last event per firm and product)';

function withoutRunIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRunIds);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([key]) => key !== 'runId')
        .map(([key, inner]) => [key, withoutRunIds(inner)]),
    );
  }
  return value;
}

/** Each table's rows as sorted JSON lines, comparable across databases. */
export async function derivedState(db: Client): Promise<DerivedState> {
  const { rows: columns } = await db.query<{ table: string; column: string; type: string; dropped: boolean }>(
    `SELECT format('%I.%I', c.table_schema, c.table_name) AS table, c.column_name AS column, c.data_type AS type,
            coalesce(c.column_default LIKE 'nextval(%' OR c.column_default LIKE 'gen_random_uuid()%', false) OR c.is_identity = 'YES'
              OR (c.data_type LIKE 'timestamp%' AND coalesce(c.column_default LIKE '%now()%', false)) AS dropped
     FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     WHERE c.table_schema = ANY ($1)
     ORDER BY 1, c.ordinal_position`,
    [SCHEMAS],
  );
  const kept = new Map<string, string[]>();
  for (const c of columns) {
    if (LOGS.includes(c.table)) continue;
    const list = kept.get(c.table) ?? [];
    kept.set(c.table, list);
    const stamped = c.type.startsWith('timestamp') && STAMPED_AT.test(c.column);
    if (c.dropped || stamped || /(^|_)run_id$/.test(c.column) || RESTATED.includes(c.column)) continue;
    list.push(`"${c.column.replace(/"/g, '""')}"`);
  }
  const state: DerivedState = {};
  for (const [table, list] of kept) {
    const { rows } = await db.query<{ j: unknown }>(`SELECT to_jsonb(x) AS j FROM (SELECT ${list.length > 0 ? list.join(', ') : '1 AS one'} FROM ${table}) x`);
    state[table] = rows.map((r) => JSON.stringify(withoutRunIds(r.j))).sort();
  }
  const { rows: net } = await db.query<{ j: unknown }>(
    `SELECT to_jsonb(x) AS j FROM (
       SELECT DISTINCT ON (bank_code, product_code, juristic_id) bank_code, product_code, juristic_id, eligible
       FROM lending.eligibility_event ORDER BY bank_code, product_code, juristic_id, position DESC
     ) x WHERE eligible`,
  );
  state[NET_ELIGIBILITY] = net.map((r) => JSON.stringify(r.j)).sort();
  return state;
}

/**
 * The tables whose rows differ, each with a few rows only one side has: empty when the two states
 * are equal. Written for a failing test's message.
 */
export function stateDifferences(expected: DerivedState, actual: DerivedState, examples = 3): Record<string, { expected: number; actual: number; onlyExpected: string[]; onlyActual: string[] }> {
  const differences: ReturnType<typeof stateDifferences> = {};
  for (const table of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const a = expected[table] ?? [];
    const b = actual[table] ?? [];
    if (a.length === b.length && a.every((row, i) => row === b[i])) continue;
    const inB = new Set(b);
    const inA = new Set(a);
    differences[table] = {
      expected: a.length,
      actual: b.length,
      onlyExpected: a.filter((row) => !inB.has(row)).slice(0, examples),
      onlyActual: b.filter((row) => !inA.has(row)).slice(0, examples),
    };
  }
  return differences;
}
