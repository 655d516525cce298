import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/free-port';
import { until } from '../support/until';

const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'main.js');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');

/**
 * A CLI given other embedded settings than the running hub's (HUB_DATA_DIR, EMBEDDED_PG_PORT)
 * would create a second, empty database and print a key the hub refuses: it says so and stops
 * before creating anything.
 */
describe('CLI settings that differ from the running hub\'s', () => {
  let dir: string;
  let hubEnv: NodeJS.ProcessEnv;
  let hub: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iih-mismatch-'));
    // Enterable by the postgres user (as root), so the data stays in these folders (see embedded-postgres.ts).
    fs.chmodSync(dir, 0o755);
    hubEnv = { ...process.env, HUB_DATA_DIR: path.join(dir, 'hub-data'), EMBEDDED_PG_PORT: String(await freePort()), PORT: String(await freePort()), SIMULATOR_PORT: String(await freePort()), INGEST_ON_START: 'false' };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'LOG_LEVEL']) delete hubEnv[name];
    hub = spawn(process.execPath, [MAIN], { env: hubEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    hub.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    hub.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until('the hub to be ready', async () => ((await fetch(`http://127.0.0.1:${hubEnv['PORT']}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 90_000, 250).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${output}`);
    });
  }, 120_000);

  afterAll(async () => {
    if (hub && hub.exitCode === null) {
      const exited = new Promise((resolve) => hub!.once('exit', resolve));
      hub.kill('SIGTERM');
      await exited;
    }
    // Data placed elsewhere for the postgres user would outlive the folder: remove it too.
    for (const entry of fs.readdirSync(dir)) {
      const link = path.join(dir, entry, 'postgres');
      if (fs.lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) fs.rmSync(fs.realpathSync(link), { recursive: true, force: true });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  async function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  test('another HUB_DATA_DIR: it names the hub\'s settings and creates nothing', async () => {
    const elsewhere = path.join(dir, 'cli-data');
    const { code, stdout, stderr } = await cli({ ...hubEnv, HUB_DATA_DIR: elsewhere, EMBEDDED_PG_PORT: String(await freePort()) }, 'client:create', '--name', 'x', '--role', 'analyst');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`HUB_DATA_DIR=${hubEnv['HUB_DATA_DIR']} EMBEDDED_PG_PORT=${hubEnv['EMBEDDED_PG_PORT']} npm run hub -- ...`);
    expect(stderr).toMatch(/would create a new, empty database/);
    expect(fs.existsSync(path.join(elsewhere, 'postgres'))).toBe(false);
  }, 60_000);

  test('the hub\'s folder with another EMBEDDED_PG_PORT: it names the hub\'s port', async () => {
    const { code, stderr } = await cli({ ...hubEnv, EMBEDDED_PG_PORT: String(await freePort()) }, 'client:list');
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`with EMBEDDED_PG_PORT=${hubEnv['EMBEDDED_PG_PORT']}, but this command has EMBEDDED_PG_PORT=\\d+`));
  }, 60_000);

  test('the hub\'s settings: no warning, and the key it makes works on the hub', async () => {
    const { code, stdout, stderr } = await cli(hubEnv, 'client:create', '--name', 'same', '--role', 'analyst');
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/other settings/);
    const key = /^(iih_\S+)$/m.exec(stdout)?.[1];
    const response = await fetch(`http://127.0.0.1:${hubEnv['PORT']}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(200);
  }, 60_000);

  test('--new-database creates the separate database on purpose', async () => {
    const elsewhere = path.join(dir, 'own-data');
    const { code, stderr } = await cli({ ...hubEnv, HUB_DATA_DIR: elsewhere, EMBEDDED_PG_PORT: String(await freePort()) }, 'migrate', '--new-database');
    expect(code).toBe(0);
    expect(stderr).toMatch(/^note: A hub is running with other settings/);
    expect(fs.existsSync(path.join(elsewhere, 'postgres', 'PG_VERSION'))).toBe(true);
  }, 90_000);
});
