import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSimulator, type RunningSimulator } from '../../src/simulator/simulator';
import { freePort } from '../support/free-port';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli.js');

/**
 * `ingest --wait` with no hub running (embedded default): the CLI starts the database, runs the
 * jobs itself and stops the database. Standard output holds the results only: no log entries, and
 * none of the "queue error … terminating connection" entries the queue's closing connections
 * used to log when the database stopped.
 */
describe('CLI ingest --wait without a running hub', () => {
  let dir: string;
  let simulator: RunningSimulator;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iih-ingest-wait-'));
    simulator = await startSimulator({ seed: 7, scale: 300, quirkRate: 0.05, badRowRate: 0.01, port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await simulator?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('prints each run\'s summary on stdout and nothing else, and ends cleanly', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HUB_DATA_DIR: dir, EMBEDDED_PG_PORT: String(await freePort()), SIMULATOR_URL: simulator.url, LOG_LEVEL: 'info' };
    for (const name of ['DATABASE_URL', 'REDIS_URL']) delete env[name];
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, 'ingest', 'tisi', '--wait'], { env });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('the hub is not running: running the job in this process');
    expect(stdout).toMatch(/^queued tisi-standards as job \d+$/m);
    expect(stdout).toMatch(/^run \d+ {2}source=tisi-standards {2}trigger=cli {2}attempt=1 {2}status=succeeded/m);
    expect(stdout).toMatch(/^run \d+ {2}source=tisi-licences {2}trigger=cli {2}attempt=1 {2}status=succeeded/m);
    expect(stdout).not.toMatch(/\{"level"/);
    // The logs (asked for with LOG_LEVEL) are on stderr, and no error among them.
    expect(stderr).toMatch(/"msg":"ingestion run succeeded"/);
    expect(stderr).not.toMatch(/"level":"error"/);
    expect(stderr).not.toMatch(/queue error/);
  }, 120_000);
});
