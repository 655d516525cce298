import { Client } from 'pg';
import { type HubConfig } from '../../src/config/config';
import { loadHubConfig } from '../../src/app/config';
import { shareWritersLock } from '../../src/ingestion/bulk-load';
import { IngestionEngine, type RunPhases } from '../../src/ingestion/ingestion.engine';
import { openDatabase, type Database } from '../../src/platform/database/database';
import { createRootLogger } from '../../src/platform/logging/logger';
import { startSimulator, type RunningSimulator } from '../../src/simulator/simulator';
import { hubSources } from '../../src/sources/registry';
import { type TestDatabase } from '../support/test-database';
import { createMigratedDatabase } from '../support/template-database';

/**
 * A first load in bulk mode (src/ingestion/bulk-load.ts: an empty table's non-unique indexes and
 * foreign keys dropped before the load and created again after it) gives exactly what a load that
 * maintains them row by row gives: rows, run counts, profiles, statistics, eligibility and its
 * events; and leaves the catalogue as it was. Two databases load the same world in the same order,
 * one with bulk mode forced (any row count), one without.
 */
describe('bulk first loads', () => {
  const logger = createRootLogger('silent');
  let simulator: RunningSimulator;
  const hubs: { database: TestDatabase; hub: Database; config: HubConfig; engine: IngestionEngine }[] = [];

  /** Bulk mode for any row count (min 1), in chunks of 100 rows (keys repeated across chunks included). */
  async function hubWith(bulkLoadMinRows: number): Promise<(typeof hubs)[number]> {
    const database = await createMigratedDatabase();
    const config = loadHubConfig({ DATABASE_URL: database.url, SIMULATOR_URL: simulator.url, LOG_LEVEL: 'silent' });
    const hub = await openDatabase(config, logger, { migrate: true, owner: 'cli' });
    const entry = { database, hub, config, engine: new IngestionEngine(hub.dataSource, hubSources(), config, logger, { bulkLoadMinRows, bulkLoadChunkRows: 100 }) };
    hubs.push(entry);
    return entry;
  }

  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, host: '127.0.0.1', seed: 11, scale: 1200, quirkRate: 0.05, badRowRate: 0.01 });
  });
  afterAll(async () => {
    for (const { hub, database } of hubs) {
      await hub.close();
      await database.drop();
    }
    await simulator?.close();
  });

  /** Every ingested, derived and eligibility row, as text, without the clock's columns (nor the fetch time in a record's kept JSON). */
  async function contents(hub: Database): Promise<Record<string, string[]>> {
    const rows = async (sql: string): Promise<string[]> => (await hub.dataSource.query<{ r: string }[]>(sql)).map((x: { r: string }) => x.r);
    const without = (table: string, key: string, columns = 'fetched_at, created_at, updated_at'): Promise<string[]> =>
      rows(`SELECT (CASE WHEN j ? 'record_json' THEN jsonb_set(j, '{record_json}', (j->>'record_json')::jsonb #- '{provenance,fetchedAt}') ELSE j END)::text AS r
            FROM ${table} t, LATERAL (SELECT to_jsonb(t) - '{${columns.replace(/ /g, '')}}'::text[] AS j) x ORDER BY ${key}`);
    return {
      companies: await without('registry.company', 'juristic_id'),
      statements: await without('registry.financial_statement', 'juristic_id, fiscal_year'),
      factories: await without('registry.factory', 'fid', 'fetched_at, created_at, updated_at, linked_at'),
      profiles: await without('registry.company_profile', 'juristic_id', 'computed_at'),
      aggregate: await rows(`SELECT to_jsonb(t)::text AS r FROM stats.company_aggregate t ORDER BY 1`),
      results: await without('lending.eligibility_result', 'bank_code, product_code, juristic_id', 'computed_at'),
      events: await without('lending.eligibility_event', 'position', 'occurred_at'),
      // The change feed holds the same changes (a bulk load writes in chunks, so they are numbered in another order).
      changes: (await without('registry.record_change', 'position', 'occurred_at, position')).sort(),
      runs: await rows(`SELECT (to_jsonb(t) - '{started_at,finished_at}'::text[])::text AS r FROM ingestion.run t ORDER BY id`),
      quarantine: await rows(`SELECT (to_jsonb(t) - '{quarantined_at,resolved_at,created_at}'::text[])::text AS r FROM ingestion.quarantined_row t ORDER BY id`),
    };
  }

  /** Indexes, constraints and their comments of the hub's schemas. */
  async function catalogue(hub: Database): Promise<string[]> {
    const result = await hub.dataSource.query<{ r: string }[]>(
      `SELECT format('index %s.%s: %s -- %s', schemaname, indexname, indexdef, obj_description(format('%I.%I', schemaname, indexname)::regclass, 'pg_class')) AS r
       FROM pg_indexes WHERE schemaname IN ('registry', 'lending', 'ingestion', 'stats')
       UNION ALL
       SELECT format('constraint %s.%s: %s -- %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid), obj_description(c.oid, 'pg_constraint'))
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname IN ('registry', 'lending', 'ingestion', 'stats')
       ORDER BY 1`,
    );
    return result.map((x: { r: string }) => x.r);
  }

  test('gives the same rows, counts, profiles, statistics, eligibility and events, and leaves the catalogue as it was', async () => {
    const bulk = await hubWith(1);
    const plain = await hubWith(Number.MAX_SAFE_INTEGER);
    const before = await catalogue(bulk.hub);
    const claimed: Record<string, string[]> = {};
    for (const { engine, config } of [bulk, plain]) {
      const run = async (source: string, full = true): Promise<void> => {
        let phases: RunPhases | undefined;
        let vacuumed: string[] = [];
        const record = await engine.run({ source, trigger: 'cli', full, onPhases: (p) => (phases = p), onVacuumed: (ms) => (vacuumed = Object.keys(ms)) });
        expect(record.status).toBe('succeeded');
        // Every table a bulk load wrote is vacuumed after its commit (hint bits, visibility map); no other.
        expect(vacuumed).toEqual(phases!.bulkTables);
        if (engine === bulk.engine) claimed[`${source}${full ? '' : ' (incremental)'}`] = phases!.bulkTables;
      };
      // Products first, so that the company load computes every firm's eligibility.
      for (const source of ['smed-products', 'exim-products', 'dbd-financials', 'dbd-companies', 'diw', 'tisi-standards', 'tisi-licences', 'dip-i40-assessments']) await run(source);
      config.feeds['dbd-companies']!.url = `${simulator.url}/dbd/juristic-persons?epoch=1`;
      config.feeds['dbd-financials']!.url = `${simulator.url}/dbd/financial-statements?epoch=1`;
      await run('dbd-companies', false);
      await run('dbd-financials', false);
    }
    // Bulk mode where a table was empty and the run writes many rows into it; never once it has rows.
    // (The statements' run writes no profile: no company has loaded yet.)
    expect(claimed).toMatchObject({
      'smed-products': ['lending.loan_product'],
      'dbd-financials': ['registry.financial_statement', 'registry.company_profile', 'lending.eligibility_result'],
      'dbd-companies': ['registry.company', 'registry.company_profile', 'lending.eligibility_result'],
      diw: ['registry.factory'],
      'dbd-companies (incremental)': [],
      'dbd-financials (incremental)': [],
    });
    // The DBD feed repeats items across pages, so across the bulk load's chunks too: the last copy wins, counted as duplicates.
    const [duplicates] = await bulk.hub.dataSource.query<{ n: number }[]>(`SELECT rows_duplicate AS n FROM ingestion.run WHERE source = 'dbd-companies' ORDER BY id LIMIT 1`);
    expect(duplicates!.n).toBeGreaterThan(0);
    const [withBulk, withoutBulk] = [await contents(bulk.hub), await contents(plain.hub)];
    expect(withBulk['results']!.length).toBeGreaterThan(1000);
    expect(withBulk['events']!.length).toBeGreaterThan(10);
    for (const table of Object.keys(withoutBulk)) expect({ table, rows: withBulk[table] }).toEqual({ table, rows: withoutBulk[table] });
    expect(await catalogue(bulk.hub)).toEqual(before);
    expect(await catalogue(plain.hub)).toEqual(before);
  });

  test('a retry of quarantined rows into an empty table resolves the rows it loads', async () => {
    const { engine, hub } = await hubWith(1);
    expect((await engine.run({ source: 'diw', trigger: 'cli', full: true })).status).toBe('succeeded');
    // Rows an older rule rejected, while the table is (again) empty: what a retry after a broken first load meets.
    await hub.dataSource.query(`DELETE FROM registry.factory`);
    const raw = await (await fetch(`${simulator.url}/diw/factories.csv?scale=5&quirkRate=0&badRowRate=0`)).text();
    const [header, ...lines] = raw.split('\r\n').filter((line) => line !== '');
    const rows = lines.slice(0, 3).map((line) => Object.fromEntries(header!.split(',').map((name, i) => [name, line.split(',')[i] ?? ''])));
    await hub.dataSource.query(`UPDATE ingestion.quarantined_row SET resolved_at = now() WHERE resolved_at IS NULL`);
    for (const [i, row] of rows.entries()) {
      await hub.dataSource.query(`INSERT INTO ingestion.quarantined_row (run_id, source, line_no, raw, reason) SELECT max(id), 'diw', $1, $2, 'rejected by an older rule' FROM ingestion.run`, [i + 2, JSON.stringify(row)]);
    }
    const retried = await engine.retryQuarantined('diw');
    expect(retried).toMatchObject({ status: 'succeeded', rowsInserted: rows.length });
    const [open] = await hub.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ingestion.quarantined_row WHERE source = 'diw' AND resolved_at IS NULL`);
    expect(open!.n).toBe(0);
  });

  test('loads as usual, without waiting, while another writer is in progress', async () => {
    const { engine, database } = await hubWith(1);
    const other = new Client({ connectionString: database.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await shareWritersLock(other);
      let phases: RunPhases | undefined;
      const record = await engine.run({ source: 'dbd-companies', trigger: 'cli', full: true, onPhases: (p) => (phases = p) });
      expect(record.status).toBe('succeeded');
      expect(phases!.bulkTables).toEqual([]);
      await other.query('COMMIT');
    } finally {
      await other.end();
    }
  });
});
