import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadHubConfig } from '../../src/app/config';
import { diwGroundTruth } from '../../src/simulator/simulator';
import { freePort } from '../support/free-port';

/**
 * The README's first command on a machine with no DATABASE_URL and no REDIS_URL: the hub starts
 * its embedded PostgreSQL, loads the first agency's data, an operator creates a key with the CLI,
 * and the data is still there after a restart.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

describe('fresh machine: npm start with the embedded default', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let baseUrl: string;
  let hub: ChildProcess | undefined;
  let running = false;
  let output = '';

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'iih-fresh-'));
    const port = await freePort();
    // Only what a user on a shared machine might set: a data folder and free ports. No service URLs.
    env = { ...process.env, HUB_DATA_DIR: dataDir, PORT: String(port), EMBEDDED_PG_PORT: String(await freePort()), SIMULATOR_PORT: String(await freePort()) };
    // As on a user's machine: no service variables, and not jest's NODE_ENV=test (under which Apollo
    // leaves termination signals alone, hiding how the hub stops for real).
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'DIW_FEED_URL', 'LOG_LEVEL', 'NODE_ENV']) delete env[name];
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    if (running) await stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  function start(): void {
    output = '';
    // Detached: its own process group, so the test can signal npm and node together, as a terminal would.
    hub = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running = true;
    // 'close' fires when every process holding the pipes (npm and the node process under it) is gone.
    hub.once('close', () => (running = false));
    hub.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    hub.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  }

  /**
   * Ctrl+C in a terminal: SIGINT to the whole process group; resolves when all of it has exited.
   * `twice`: the same Ctrl+C delivered again a moment later (npm forwarding it), which must not be
   * taken for an impatient second Ctrl+C.
   */
  async function stop(options: { twice?: boolean } = {}): Promise<void> {
    const child = hub!;
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    process.kill(-child.pid!, 'SIGINT');
    if (options.twice) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      process.kill(-child.pid!, 'SIGINT');
    }
    await closed;
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      if (!running) throw new Error(`the hub exited while waiting for ${what}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  const ready = () => until('/readyz', async () => ((await fetch(`${baseUrl}/readyz`)).status === 200 ? true : undefined), 90_000);

  async function factoryCount(key: string): Promise<number | undefined> {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ factories(first: 1) { totalCount edges { node { fid name } } } }' }),
    });
    const body = (await response.json()) as { data?: { factories: { totalCount: number } } };
    return body.data?.factories.totalCount;
  }

  test('starts, loads DIW within a minute and every source after, serves them to keys made by the CLI, and keeps them across a restart', async () => {
    start();
    await ready();
    // The banner is logged before /readyz turns 200, but its pipe and the HTTP answer reach this
    // process independently: wait for it rather than race it.
    await until('the start-up banner', async () => (/GraphiQL: http:\/\/127\.0\.0\.1:\d+\/graphiql/.test(output) ? true : undefined), 5_000);
    expect(output).toMatch(/client:create/);
    // The schedules in one line, not one line each.
    expect(output.match(/"msg":"\d+ schedules set \(Asia\/Bangkok\): [^\n]*\bdiw \\"0 2 \* \* \*\\"/g)).toHaveLength(1);
    expect(output).not.toMatch(/"msg":"schedule set"/);

    const { stdout } = await run('npm', ['run', '--silent', 'hub', '--', 'client:create', '--name', 'e2e', '--role', 'analyst'], { cwd: ROOT, env });
    const key = /^(iih_\S+)$/m.exec(stdout)?.[1];
    expect(key).toBeDefined();

    const loaded = await until('the first DIW load', async () => {
      const n = await factoryCount(key!);
      return n && n > 0 ? n : undefined;
    }, 60_000);
    // Exactly the simulator's good rows at the default configuration.
    expect(loaded).toBe(diwGroundTruth(loadHubConfig({}).simulator).validRows);

    // Every source loads, registers first, and the console says when the picture is complete. The
    // licences are linked to their companies, and the ministry's profile example shows them.
    await until('every source to have loaded once', async () => (/every source has loaded once/.test(output) ? true : undefined), 240_000);
    const { stdout: ministryMade } = await run('npm', ['run', '--silent', 'hub', '--', 'client:create', '--name', 'e2e-ministry', '--role', 'ministry'], { cwd: ROOT, env });
    const ministry = /^(iih_\S+)$/m.exec(ministryMade)![1]!;
    const graphql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
      const response = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ministry}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: T; errors?: unknown };
      expect(body.errors).toBeUndefined();
      return body.data!;
    };
    const licences = await graphql<{ tisLicenses: { totalCount: number; edges: { node: { company: { juristicId: string } | null } }[] } }>(
      '{ tisLicenses(first: 100) { totalCount edges { node { company { juristicId } } } } }',
    );
    const linked = licences.tisLicenses.edges.filter((e) => e.node.company !== null).length;
    expect(linked / licences.tisLicenses.edges.length).toBeGreaterThan(0.9);
    const example = path.join(ROOT, 'docs', 'queries', 'ministry-company-profile');
    const profile = await graphql<{ company: { certifications: { edges: unknown[] }; factories: { edges: unknown[] } } }>(
      await fs.readFile(`${example}.graphql`, 'utf8'),
      JSON.parse(await fs.readFile(`${example}.variables.json`, 'utf8')) as Record<string, unknown>,
    );
    expect(profile.company.certifications.edges.length).toBeGreaterThan(0);
    expect(profile.company.factories.edges.length).toBeGreaterThan(0);

    const { stdout: runs } = await run('npm', ['run', '--silent', 'hub', '--', 'runs', '--source', 'diw'], { cwd: ROOT, env });
    // A table, newest first, times in the schedules' zone.
    expect(runs).toMatch(/^times in Asia\/Bangkok, UTC\+07:00\n\s*RUN\s+SOURCE\s+TRIGGER\s+TRY\s+STATUS\s+STARTED/);
    expect(runs).toMatch(/^\s*\d+\s+diw\s+startup\s+1\s+succeeded\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s/m);

    // The operator runs the source again through the running hub's worker: nothing changes.
    const hubCli = (...args: string[]) => run('npm', ['run', '--silent', 'hub', '--', ...args], { cwd: ROOT, env });
    const { stdout: again } = await hubCli('ingest', 'diw', '--wait');
    expect(again).toMatch(/source=diw\s+trigger=cli\s+attempt=1\s+status=succeeded/);
    expect(again).toMatch(new RegExp(`inserted 0  updated 0  unchanged ${loaded}\\b`));

    // An agency's name runs each of its sources in turn; --full ignores the saved cursor.
    const { stdout: dbd } = await hubCli('ingest', 'dbd', '--full', '--wait');
    expect(dbd).toMatch(/queued dbd-companies \(full refresh\)[\s\S]*source=dbd-companies\s+trigger=cli\s+attempt=1\s+status=succeeded.*\n.*\n.*\n {2}full refresh/);
    expect(dbd).toMatch(/queued dbd-financials \(full refresh\)[\s\S]*source=dbd-financials\s+trigger=cli\s+attempt=1\s+status=succeeded.*\n.*\n.*\n {2}full refresh/);

    // A revoked key stops working at once.
    const { stdout: made } = await hubCli('client:create', '--name', 'temporary', '--role', 'bank', '--bank', 'SMED');
    const temporary = /^(iih_\S+)$/m.exec(made)![1]!;
    expect(await factoryCount(temporary)).toBe(loaded);
    expect((await hubCli('client:revoke', 'temporary')).stdout).toMatch(/^revoked /m);
    expect(await factoryCount(temporary)).toBeUndefined();

    await stop();
    // Logged only when the graceful shutdown completed (worker closed, embedded PostgreSQL stopped).
    expect(output).toMatch(/"msg":"embedded PostgreSQL stopped"/);
    expect(output).toMatch(/"msg":"stopped"/);
    expect(output).not.toMatch(/second signal/);

    start();
    await ready();
    expect(await factoryCount(key!)).toBe(loaded);
    await stop({ twice: true });
    expect(output).toMatch(/"msg":"stopped"/);
  }, 480_000);
});
