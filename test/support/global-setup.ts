import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/platform/database/embedded-postgres';
import { createRootLogger } from '../../src/platform/logging/logger';
import { freePort } from './free-port';

/**
 * Chooses the PostgreSQL server the suite runs on: TEST_DATABASE_URL (a server where the suite may
 * create databases; .ci/run points it at the machine's PostgreSQL), or else an embedded PostgreSQL
 * started here, so a fresh machine needs nothing installed. Each test file creates its own uniquely
 * named database and drops it.
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  process.env['IIH_TEST_RUN_ID'] = runId;

  let adminUrl = process.env['TEST_DATABASE_URL'];
  if (adminUrl) {
    const client = new Client({ connectionString: adminUrl });
    await client.connect().catch((error: unknown) => {
      throw new Error(`TEST_DATABASE_URL=${adminUrl} is not reachable: ${String(error)}`);
    });
    await client.end();
  } else {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iih-test-pg-'));
    const port = await freePort();
    const server = await startEmbeddedPostgres({ dataDir: dir, port, logger: createRootLogger('silent'), adopt: false });
    (globalThis as { __iihEmbedded?: { stop(): Promise<void>; dir: string } }).__iihEmbedded = { stop: server.stop, dir };
    adminUrl = server.adminUrl;
    process.stdout.write(`\n[test] no TEST_DATABASE_URL: using an embedded PostgreSQL on port ${port}\n`);
  }
  process.env['IIH_TEST_PG_ADMIN_URL'] = adminUrl;

  const redisUrl = process.env['TEST_REDIS_URL'];
  if (process.env['REQUIRE_REDIS_TESTS'] === '1' && !redisUrl) {
    throw new Error('REQUIRE_REDIS_TESTS=1 but TEST_REDIS_URL is not set: the Redis queue tests cannot be skipped here');
  }
  if (!redisUrl) process.stdout.write('[test] no TEST_REDIS_URL: the Redis-backed queue tests are skipped (PostgreSQL backend still tested)\n');
}
