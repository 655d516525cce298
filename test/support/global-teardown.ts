import fs from 'node:fs/promises';
import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  // The run's template databases (test/support/template-database.ts), and any database a test file
  // left behind: every name starting with this run's prefix.
  const adminUrl = process.env['IIH_TEST_PG_ADMIN_URL'];
  const runId = process.env['IIH_TEST_RUN_ID'];
  if (adminUrl && runId) {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1 ESCAPE '!'", [`iih!_${runId}!_%`]);
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }
  const embedded = (globalThis as { __iihEmbedded?: { stop(): Promise<void>; dir: string } }).__iihEmbedded;
  if (embedded) {
    await embedded.stop();
    await fs.rm(embedded.dir, { recursive: true, force: true });
  }
}
