import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env['IIH_TEST_PG_ADMIN_URL'];
  if (!url) throw new Error('IIH_TEST_PG_ADMIN_URL is unset: run the tests through jest (test/support/global-setup.ts)');
  return url;
}

/** Runs `fn` on a connection to the test server's maintenance database. */
export async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** This run's prefix of database names: the teardown drops every database that starts with it. */
export const testDatabasePrefix = (): string => `iih_${process.env['IIH_TEST_RUN_ID'] ?? 'x'}_`;

/**
 * A database this size or larger is dropped at once; a smaller one is closed at once and dropped by
 * the global teardown with the run's other databases (see `drop()`).
 */
const DROP_AT_ONCE_BYTES = 256 * 2 ** 20;

/**
 * `drop()` during a run: PostgreSQL takes an immediate checkpoint for every DROP DATABASE (it flushes
 * every dirty buffer of the whole server, the other jest worker's loads included, and every page
 * changed after a checkpoint is written whole to the WAL once more). One per test file cost the
 * suite more than the copies themselves (docs/development.md#test-tiers). So a drop closes the
 * database now (no new connections, its sessions ended, as `DROP ... WITH (FORCE)` would) and
 * leaves the DROP to the global teardown, when nothing else is writing. IIH_TEST_DROP=now drops at
 * once (a disk too small for one run's databases).
 */
async function dropOrClose(client: Client, name: string): Promise<void> {
  if (process.env['IIH_TEST_DROP'] !== 'now') {
    const { rows } = await client.query<{ bytes: string }>('SELECT pg_database_size(datname)::text AS bytes FROM pg_database WHERE datname = $1', [name]);
    if (rows.length === 0) return;
    if (Number(rows[0]!.bytes) < DROP_AT_ONCE_BYTES) {
      await client.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      return;
    }
  }
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** A test database handle for a database of that name (created by the caller). */
export function testDatabaseNamed(name: string): TestDatabase {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withAdmin((client) => dropOrClose(client, name)),
  };
}

/**
 * A fresh, uniquely named database on the test server; `drop()` removes it even with open connections
 * (at once, or, for all but a large one, closed at once and removed at the end of the run).
 * With `template`, a copy of that database (which must have no open connections): PostgreSQL copies
 * it file by file, far faster than loading it again.
 */
export async function createTestDatabase(options: { template?: TestDatabase | string } = {}): Promise<TestDatabase> {
  const name = `${testDatabasePrefix()}${randomBytes(4).toString('hex')}`;
  const template = typeof options.template === 'string' ? options.template : options.template?.name;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`));
  return testDatabaseNamed(name);
}

/** Whether the Redis-backed queue tests run (TEST_REDIS_URL set; .ci/run makes it mandatory). */
export const redisTestUrl = (): string | undefined => process.env['TEST_REDIS_URL'] || undefined;
