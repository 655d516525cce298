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

/** A test database handle for a database of that name (created by the caller). */
export function testDatabaseNamed(name: string): TestDatabase {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withAdmin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

/**
 * A fresh, uniquely named database on the test server; `drop()` removes it even with open connections.
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
