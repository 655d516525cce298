import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ApiClientRepository } from '../src/access/api-client.repository';
import { ApiClientService } from '../src/access/api-client.service';
import { hubConfigVariables, loadHubConfig } from '../src/app/config';
import { PROJECT_ROOT } from '../src/config/config';
import { IngestionEngine } from '../src/ingestion/ingestion.engine';
import { openDatabase } from '../src/platform/database/database';
import { createRootLogger } from '../src/platform/logging/logger';
import { startSimulator } from '../src/simulator/simulator';
import { INITIAL_LOAD_ORDER, hubSources } from '../src/sources/registry';
import { openBenchDatabase } from './support/bench-world';

/**
 * The soak of `npm run bench:soak` (bench/soak.ts), and of the suite's short soak — the hub under mixed load for SOAK_MINUTES (default 10), on the embedded
 * default's engines (PostgreSQL, BullMQ on its PostgreSQL backend), with the API and the worker as
 * two processes so each one's memory is measured: the three canonical queries of docs/queries back
 * to back, a bank syncing the eligibility feed every second, and an incremental DBD run every
 * SOAK_RUN_EVERY_SECONDS (default 120) on a feed that changes between runs (the simulator's next
 * epoch). Reported: errors (target 0), RSS of the API and the worker after warm-up and at the end
 * (target: under 10 % growth), p99 latency per minute (target: flat), the runs, and whether the
 * bank received every feed event exactly once. A short soak (one minute) runs in the test suite.
 */
export interface SoakOptions {
  /** A database to use (a test's); unset: BENCH_DATABASE_URL's server or an embedded PostgreSQL. */
  databaseUrl?: string;
  durationMs: number;
  runEveryMs: number;
  /** Firms in the simulated world. */
  scale: number;
  /** RSS measured after this long counts as the start (after warm-up). */
  warmUpMs: number;
  /**
   * A folder for heap snapshots of the API (SOAK_HEAP_SNAPSHOTS): one after warm-up and one at the
   * end, to compare with bench/heap-compare.ts. Each pauses the API for a few seconds while it is written.
   */
  heapSnapshotDir?: string;
  log?: (line: string) => void;
}

export interface SoakReport {
  requests: number;
  errors: { count: number; samples: string[] };
  p99PerMinuteMs: number[];
  p50Ms: number;
  rssMb: { api: { warm: number; end: number }; worker: { warm: number; end: number } };
  /** The API's V8 heap in use, its size, and memory outside it (Buffers), after warm-up and at the end. */
  apiHeapMb: Record<'warm' | 'end', { used: number; total: number; external: number }>;
  runs: { status: string; rowsRead: number }[];
  feed: { received: number; logged: number; exactlyOnce: boolean; syncs: number };
  lines: string[];
}

const CANONICAL = ['bank-screening', 'ministry-company-profile', 'analyst-target-industries-by-region'] as const;
const ROLE_OF: Record<(typeof CANONICAL)[number], 'bank' | 'ministry' | 'analyst'> = {
  'bank-screening': 'bank',
  'ministry-company-profile': 'ministry',
  'analyst-target-industries-by-region': 'analyst',
};

const rssMb = (pid: number): number => {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : 0;
  } catch {
    return 0;
  }
};
const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A DBD listing that changes on demand: it forwards to the simulator at the current epoch. */
async function movingDbdFeed(simulatorUrl: string): Promise<{ url: string; advance(): void; close(): Promise<void> }> {
  let epoch = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', simulatorUrl);
    url.searchParams.set('epoch', String(epoch));
    fetch(url)
      .then(async (upstream) => {
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await upstream.arrayBuffer()));
      })
      .catch(() => {
        res.writeHead(502).end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/dbd/juristic-persons`,
    advance: () => void (epoch += 1),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const logger = createRootLogger('warn');
  const cleanups: (() => Promise<unknown>)[] = [];
  const children: ChildProcess[] = [];
  try {
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      const bench = await openBenchDatabase(logger);
      cleanups.push(() => bench.dispose());
      databaseUrl = bench.url;
    }
    const simulator = await startSimulator({ port: 0, host: '127.0.0.1', seed: 20191, scale: options.scale, quirkRate: 0.02, badRowRate: 0.002 });
    cleanups.push(() => simulator.close());
    const dbd = await movingDbdFeed(simulator.url);
    cleanups.push(() => dbd.close());
    const noSchedules = Object.fromEntries(Object.keys(hubConfigVariables()).filter((name) => name.endsWith('_SCHEDULE')).map((name) => [name, '0 0 1 1 *']));
    const env: Record<string, string> = {
      ...noSchedules,
      DATABASE_URL: databaseUrl,
      SIMULATOR_URL: simulator.url,
      DBD_COMPANIES_FEED_URL: dbd.url,
      INGEST_ON_START: 'false',
      LOG_LEVEL: 'warn',
      QUEUE_PREFIX: `iihsoak${process.pid}`,
      // One key per role drives the whole load: it must not be refused for its rate.
      RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000',
      RATE_LIMIT_COST_PER_MINUTE: '2000000000',
    };

    // ---- The first loads, in this process, through the real engine.
    const loadStarted = Date.now();
    const db = await openDatabase(loadHubConfig(env), logger, { migrate: true, owner: 'cli' });
    cleanups.push(() => db.close());
    const engine = new IngestionEngine(db.dataSource, hubSources(), loadHubConfig(env), logger);
    for (const source of INITIAL_LOAD_ORDER) {
      const run = await engine.run({ source, trigger: 'cli', full: true });
      if (run.status !== 'succeeded') throw new Error(`the first load of ${source} failed`);
    }
    await db.dataSource.query('ANALYZE');
    log(`first loads of ${options.scale} firms: ${((Date.now() - loadStarted) / 1000).toFixed(0)} s`);
    const clients = new ApiClientService(new ApiClientRepository(db.dataSource));
    const keys = {
      bank: (await clients.create({ name: 'soak-bank', role: 'bank', bankCode: 'SMED' })).key,
      ministry: (await clients.create({ name: 'soak-ministry', role: 'ministry' })).key,
      analyst: (await clients.create({ name: 'soak-analyst', role: 'analyst' })).key,
      admin: (await clients.create({ name: 'soak-admin', role: 'admin' })).key,
    };
    const [profiled] = await db.dataSource.query<{ juristic_id: string }[]>(
      `SELECT juristic_id FROM registry.company_profile WHERE operating_factories > 0 ORDER BY certifications DESC, juristic_id LIMIT 1`,
    );
    const queries = CANONICAL.map((name) => {
      const variables = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'queries', `${name}.variables.json`), 'utf8')) as Record<string, unknown>;
      if (name === 'ministry-company-profile' && profiled) variables['juristicId'] = profiled.juristic_id;
      return { name, key: keys[ROLE_OF[name]], body: JSON.stringify({ query: fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'queries', `${name}.graphql`), 'utf8'), variables }) };
    });

    // ---- The API and the worker, as two processes.
    const port = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const entry = path.join(PROJECT_ROOT, 'dist', 'src', 'main.js');
    const snapshots = options.heapSnapshotDir;
    if (snapshots) fs.mkdirSync(snapshots, { recursive: true });
    const start = (role: string, extra: Record<string, string>): ChildProcess => {
      const flags = ['--max-semi-space-size=32', ...(snapshots && role === 'api' ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshots}`] : [])];
      const child = spawn(process.execPath, [...flags, entry, `--role=${role}`], { env: { ...process.env, ...env, ...extra }, stdio: ['ignore', 'ignore', 'inherit'] });
      children.push(child);
      return child;
    };
    const api = start('api', { PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' });
    const worker = start('worker', { NODE_ENV: 'production' });
    const apiUrl = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i += 1) {
      if (await fetch(`${apiUrl}/readyz`).then((r) => r.ok).catch(() => false)) break;
      if (i > 600 || api.exitCode !== null) throw new Error('the API did not start');
      await sleep(100);
    }

    // ---- The load.
    const started = Date.now();
    const endAt = started + options.durationMs;
    const latencies: number[][] = [];
    const errors: string[] = [];
    let requests = 0;
    const rss = { api: { warm: 0, end: 0 }, worker: { warm: 0, end: 0 } };
    const heap = { warm: { used: 0, total: 0, external: 0 }, end: { used: 0, total: 0, external: 0 } };
    const queryLoop = async (query: (typeof queries)[number]): Promise<void> => {
      while (Date.now() < endAt) {
        const t0 = performance.now();
        try {
          const response = await fetch(`${apiUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${query.key}` }, body: query.body });
          const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
          if (response.status !== 200 || body.errors) errors.push(`${query.name}: HTTP ${response.status} ${body.errors?.[0]?.extensions?.code ?? ''}`);
        } catch (error) {
          errors.push(`${query.name}: ${String(error)}`);
        }
        requests += 1;
        const minute = Math.floor((Date.now() - started) / 60_000);
        (latencies[minute] ??= []).push(performance.now() - t0);
      }
    };
    const received: string[] = [];
    let cursor: string | undefined;
    let syncs = 0;
    const syncFeed = async (): Promise<boolean> => {
      const params = new URLSearchParams({ limit: '1000', trailer: '1', ...(cursor ? { after: cursor } : {}) });
      syncs += 1;
      try {
        const response = await fetch(`${apiUrl}/feeds/eligibility?${params.toString()}`, { headers: { authorization: `Bearer ${keys.bank}` } });
        const lines = (await response.text()).trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { position?: string; end?: { cursor: string | null; hasMore: boolean }; error?: unknown });
        const end = lines.at(-1)?.end;
        if (response.status !== 200 || !end) {
          errors.push(`feed: HTTP ${response.status} ${JSON.stringify(lines.at(-1)).slice(0, 200)}`);
          return false;
        }
        for (const line of lines.slice(0, -1)) received.push(line.position!);
        if (end.cursor) cursor = end.cursor;
        return !end.hasMore;
      } catch (error) {
        errors.push(`feed: ${String(error)}`);
        return false;
      }
    };
    const feedLoop = async (): Promise<void> => {
      while (Date.now() < endAt) {
        await syncFeed();
        await sleep(1000);
      }
    };
    const jobIds: string[] = [];
    const runLoop = async (): Promise<void> => {
      for (let next = started + options.runEveryMs; next < endAt; next += options.runEveryMs) {
        await sleep(next - Date.now());
        dbd.advance();
        const response = await fetch(`${apiUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.admin}` },
          body: JSON.stringify({ query: 'mutation { triggerIngestion(source: "dbd-companies") { jobId } }' }),
        });
        const body = (await response.json()) as { data?: { triggerIngestion: { jobId: string } }; errors?: unknown[] };
        if (body.errors || !body.data) errors.push(`trigger: ${JSON.stringify(body.errors)}`);
        else jobIds.push(body.data.triggerIngestion.jobId);
      }
    };
    /** Asks the API for a heap snapshot and waits until it is written (the file's size stops changing). */
    const heapSnapshot = async (): Promise<void> => {
      if (!snapshots) return;
      const before = new Set(fs.readdirSync(snapshots));
      api.kill('SIGUSR2');
      let size = -1;
      for (let i = 0; i < 600; i += 1) {
        await sleep(500);
        const written = fs.readdirSync(snapshots).find((name) => name.endsWith('.heapsnapshot') && !before.has(name));
        if (!written) continue;
        const now = fs.statSync(path.join(snapshots, written)).size;
        if (now === size && now > 0) {
          log(`heap snapshot: ${path.join(snapshots, written)}`);
          return;
        }
        size = now;
      }
    };
    /** The API's V8 heap (used, total) and external memory in MB, from its own /metrics. */
    const heapOfApi = async (): Promise<{ used: number; total: number; external: number }> => {
      const text = await (await fetch(`${apiUrl}/metrics`, { headers: { authorization: `Bearer ${keys.admin}` } })).text();
      const mbOf = (name: string): number => Math.round(Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0) / 1048576);
      return { used: mbOf('nodejs_heap_size_used_bytes'), total: mbOf('nodejs_heap_size_total_bytes'), external: mbOf('nodejs_external_memory_bytes') };
    };
    const rssLoop = async (): Promise<void> => {
      await sleep(options.warmUpMs);
      rss.api.warm = rssMb(api.pid!);
      rss.worker.warm = rssMb(worker.pid!);
      heap.warm = await heapOfApi();
      await heapSnapshot();
    };
    await Promise.all([...queries.map(queryLoop), feedLoop(), runLoop(), rssLoop()]);
    rss.api.end = rssMb(api.pid!);
    rss.worker.end = rssMb(worker.pid!);
    heap.end = await heapOfApi();
    await heapSnapshot();

    // ---- The end: the runs finish, the bank syncs to the end, and its events are compared with the log.
    const runs: { status: string; rowsRead: number }[] = [];
    for (const jobId of jobIds) {
      for (let i = 0; ; i += 1) {
        const rows = await db.dataSource.query<{ status: string; rows_read: number }[]>(`SELECT status, rows_read FROM ingestion.run WHERE job_id = $1 ORDER BY id`, [jobId]);
        const last = rows.at(-1);
        if (last && last.status !== 'running') {
          runs.push(...rows.map((r) => ({ status: r.status, rowsRead: r.rows_read })));
          break;
        }
        if (i > 600) throw new Error(`run of job ${jobId} did not end`);
        await sleep(200);
      }
    }
    for (let i = 0; i < 100 && !(await syncFeed()); i += 1) await sleep(200);
    const logged = (await db.dataSource.query<{ position: string }[]>(`SELECT bank_position::text AS position FROM lending.eligibility_event WHERE bank_code = 'SMED' ORDER BY bank_position`)).map((r) => r.position);
    const exactlyOnce = received.length === logged.length && received.every((position, i) => position === logged[i]);

    const all = latencies.flat();
    const report: SoakReport = {
      requests,
      errors: { count: errors.length, samples: errors.slice(0, 5) },
      p99PerMinuteMs: latencies.map((minute) => Math.round(percentile(minute ?? [], 99))),
      p50Ms: Math.round(percentile(all, 50) * 10) / 10,
      rssMb: rss,
      apiHeapMb: heap,
      runs,
      feed: { received: received.length, logged: logged.length, exactlyOnce, syncs },
      lines: [],
    };
    const growth = (r: { warm: number; end: number }) => (r.warm > 0 ? `${(((r.end - r.warm) / r.warm) * 100).toFixed(1)} %` : 'n/a');
    report.lines = [
      `soak: ${(options.durationMs / 60_000).toFixed(1)} min, ${options.scale} firms, Node ${process.version}, ${os.cpus().length} cores`,
      `requests: ${requests} (${(requests / (options.durationMs / 1000)).toFixed(1)}/s, 3 clients back to back), errors: ${errors.length}${errors.length ? ` (${report.errors.samples.join('; ')})` : ''}`,
      `latency p50 ${report.p50Ms} ms; p99 per minute (ms): ${report.p99PerMinuteMs.join(', ')}`,
      `RSS API ${rss.api.warm} -> ${rss.api.end} MB (${growth(rss.api)}), worker ${rss.worker.warm} -> ${rss.worker.end} MB (${growth(rss.worker)}), after ${(options.warmUpMs / 1000).toFixed(0)} s of warm-up`,
      `API heap used ${heap.warm.used} -> ${heap.end.used} MB, heap size ${heap.warm.total} -> ${heap.end.total} MB, external ${heap.warm.external} -> ${heap.end.external} MB`,
      `incremental DBD runs: ${runs.length} (${runs.map((r) => `${r.status} ${r.rowsRead} rows`).join(', ')})`,
      `eligibility feed: ${received.length} events received in ${syncs} syncs, ${logged.length} logged: ${exactlyOnce ? 'each exactly once' : 'MISMATCH'}`,
    ];
    for (const line of report.lines) log(line);
    return report;
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.filter((child) => child.exitCode === null).map((child) => new Promise((resolve) => child.once('exit', resolve))));
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}
