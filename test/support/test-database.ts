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

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, uniquely named database on the test server; `drop()` removes it even with open connections.
 * With `template`, a copy of that test database (which must have no open connections).
 */
export async function createTestDatabase(options: { template?: TestDatabase } = {}): Promise<TestDatabase> {
  const name = `iih_${process.env['IIH_TEST_RUN_ID'] ?? 'x'}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}${options.template ? ` TEMPLATE ${options.template.name}` : ''}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withAdmin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

/** Whether the Redis-backed queue tests run (TEST_REDIS_URL set; .ci/run makes it mandatory). */
export const redisTestUrl = (): string | undefined => process.env['TEST_REDIS_URL'] || undefined;
