import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/free-port';
import { until } from '../support/until';

/**
 * Issue 14: when the hub process of the embedded default dies without stopping its PostgreSQL (an
 * out-of-memory abort, SIGKILL), the server must not run on: a sentinel stops it. The next start
 * adopts the data folder as before (fresh-machine.test.ts covers restarts).
 */
jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '..', '..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a hub process that dies in the embedded default', () => {
  let dataDir: string;
  let hub: ChildProcess | undefined;
  let postmaster: number | undefined;

  afterAll(async () => {
    if (hub?.exitCode === null) hub.kill('SIGKILL');
    if (postmaster !== undefined && alive(postmaster)) process.kill(postmaster, 'SIGINT');
    await until('the test PostgreSQL to stop', async () => (postmaster === undefined || !alive(postmaster) ? true : undefined), 30_000).catch(() => undefined);
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  test('does not leave its PostgreSQL running', async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'iih-crash-'));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HUB_DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(await freePort()),
      SIMULATOR_PORT: String(await freePort()),
      INGEST_ON_START: 'false',
      LOG_LEVEL: 'warn',
    };
    for (const name of ['DATABASE_URL', 'REDIS_URL']) delete env[name];
    hub = spawn(process.execPath, [path.join(ROOT, 'dist', 'src', 'main.js')], { cwd: ROOT, env, stdio: 'ignore' });
    await until('the hub to be ready', async () => ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 90_000, 250);
    const pidText = await fs.readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8');
    postmaster = Number.parseInt(pidText.split('\n')[0]!, 10);
    expect(alive(postmaster)).toBe(true);

    // As an out-of-memory abort would: no handler runs, nothing is stopped in order.
    hub.kill('SIGKILL');
    // The sentinel looks once a second; PostgreSQL's fast shutdown then writes a checkpoint, slow on a busy disk.
    await until('the embedded PostgreSQL to stop after the hub died', async () => (alive(postmaster!) ? undefined : true), 120_000, 100);
  });
});
