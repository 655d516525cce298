import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { PROJECT_ROOT } from '../../src/config/config';
import { ensureDatabase, startEmbeddedPostgres } from '../../src/platform/database/embedded-postgres';
import type { Logger } from '../../src/platform/logging/logger';

/** The agency simulator as a child process (its memory is not the hub's), serving `firms` firms. */
export async function startSimulatorProcess(port: number, firms: number): Promise<ChildProcess> {
  // A larger young generation: the simulator allocates a page's worth of short-lived objects per
  // request, and the default one promotes them to the old generation (about a tenth of its CPU).
  const child = spawn(process.execPath, ['--max-semi-space-size=64', path.join(PROJECT_ROOT, 'dist', 'src', 'simulator', 'main.js')], {
    env: { ...process.env, SIMULATOR_PORT: String(port), SIMULATOR_SCALE: String(firms), LOG_LEVEL: 'warn' },
    stdio: 'inherit',
  });
  for (let i = 0; i < 200; i += 1) {
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok).catch(() => false)) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGTERM');
  throw new Error('the simulator did not start');
}

export interface BenchDatabase {
  /** URL of the benchmark's database. */
  url: string;
  /** Drops the database (unless kept) and stops the embedded server, if any. */
  dispose(): Promise<void>;
}

/**
 * A database for a benchmark: on BENCH_DATABASE_URL's server (where it may create databases), else
 * on an embedded PostgreSQL in a temporary folder. BENCH_REUSE_DATABASE=<name> uses that database
 * (created when missing) and keeps it, as BENCH_KEEP_DATABASE=1 keeps a new one, so the slow
 * 1,000,000-firm load is paid once: see `sourcesNotLoaded`.
 */
export async function openBenchDatabase(logger: Logger): Promise<BenchDatabase> {
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'iih-bench-'));
  let adminUrl = process.env['BENCH_DATABASE_URL'];
  let stopEmbedded = async (): Promise<void> => undefined;
  if (!adminUrl) {
    const embedded = await startEmbeddedPostgres({ dataDir: workDir, port: 54400 + (process.pid % 500), logger, adopt: false });
    adminUrl = embedded.adminUrl;
    stopEmbedded = () => embedded.stop();
  }
  const reuse = process.env['BENCH_REUSE_DATABASE'];
  const keep = process.env['BENCH_KEEP_DATABASE'] === '1' || reuse !== undefined;
  const database = reuse ?? `iih_bench_${Date.now().toString(36)}`;
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`BENCH_REUSE_DATABASE must be a plain database name, got "${database}"`);
  await ensureDatabase(adminUrl, database);
  const url = Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();
  return {
    url,
    dispose: async () => {
      if (keep) {
        process.stdout.write(`kept database ${database}: rerun with BENCH_REUSE_DATABASE=${database}\n`);
      } else {
        const client = new Client({ connectionString: adminUrl });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await client.end();
      }
      await stopEmbedded();
      await fs.rm(workDir, { recursive: true, force: true });
    },
  };
}

/** Those of `sources` with no successful run in this database yet: all of them in a new one. */
export async function sourcesNotLoaded(dataSource: DataSource, sources: readonly string[]): Promise<string[]> {
  const loaded = await dataSource.query<{ source: string }[]>(`SELECT DISTINCT source FROM ingestion.run WHERE status = 'succeeded'`);
  return sources.filter((source) => !loaded.some((row) => row.source === source));
}

/** Peak resident memory of a process so far (Linux VmHWM), in bytes; 0 where /proc is missing. */
export async function peakRssOf(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/**
 * CPU time a process and its children (a cluster's workers) have used so far, in milliseconds
 * (Linux /proc; 0 elsewhere). CPU per request is steadier than requests/s on a shared machine:
 * other load slows a server down without making its requests cost more of its own CPU.
 */
export async function cpuMsOf(pid: number): Promise<number> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const own = ((Number(fields[11]) || 0) + (Number(fields[12]) || 0)) * 10;
  const children = await fs.readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  let total = own;
  for (const child of children.split(' ').filter(Boolean)) total += await cpuMsOf(Number(child));
  return total;
}
