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
import type { MemoryProbeReply, MemoryProbeRequest } from './support/memory-probe';

/**
 * The soak of `npm run bench:soak` (bench/soak.ts), and of the suite's short soak — the hub under mixed load for SOAK_MINUTES (default 10), on the embedded
 * default's engines (PostgreSQL, BullMQ on its PostgreSQL backend), with the API and the worker as
 * two processes so each one's memory is measured: the three canonical queries of docs/queries back
 * to back, a bank syncing the eligibility feed every second, and an incremental DBD run every
 * SOAK_RUN_EVERY_SECONDS (default 120) on a feed that changes between runs (the simulator's next
 * epoch). Reported: errors (target 0), RSS of the API and the worker after warm-up and at the end
 * (target: under 10 % growth), p99 latency per minute (target: flat), the runs, and whether the
 * bank received every feed event exactly once. A short soak (one minute) runs in the test suite.
 *
 * Warm-up: a process is warm once it has done each kind of work it does in the soak at least once.
 * The API does its kinds (the queries, the feed) from the first second; the worker's one kind, the
 * incremental DBD run, first happens one SOAK_RUN_EVERY_SECONDS in, later than a fixed warm-up of
 * a minute, and a run's first pass is where the worker loads its code, plans its statements and
 * sizes its heap and pools. So measurement starts when warmUpMs has passed *and* the first
 * incremental run has ended, for both processes; the figures from the fixed warm-up alone
 * (warmUpMs) are reported beside them. Memory is read from outside (RSS, /proc) every minute, and
 * from inside each process (bench/support/memory-probe.ts, preloaded; the hub is unchanged): V8's
 * heap size every minute, and the heap used after a full collection at each warm-up's end and at
 * the end, which is what reachable objects occupy: it grows with a leak, not with memory that V8
 * or the allocator keep.
 */
export interface SoakOptions {
  /** A database to use (a test's); unset: BENCH_DATABASE_URL's server or an embedded PostgreSQL. */
  databaseUrl?: string;
  durationMs: number;
  runEveryMs: number;
  /** Firms in the simulated world. */
  scale: number;
  /**
   * The fixed part of warm-up: measurement starts once this long has passed and the first
   * incremental run has ended (see above). Figures at this time alone are reported too.
   */
  warmUpMs: number;
  /**
   * A folder for heap snapshots of the API and the worker (SOAK_HEAP_SNAPSHOTS; files
   * Heap.<date>.<time>.<pid>...): one after warm-up and one at the end, to compare with
   * bench/heap-compare.ts. Each pauses the process for a few seconds while it is written.
   */
  heapSnapshotDir?: string;
  /**
   * A diagnostic (SOAK_GC_EACH_RUN=1): also read both processes' heap after a full collection each
   * time an incremental run ends, to see whether the worker's live heap grows run after run. The
   * forced collections change how V8 sizes its heap, so RSS figures of such a soak are not the soak's.
   */
  gcAfterEachRun?: boolean;
  log?: (line: string) => void;
}

export interface SoakReport {
  requests: number;
  errors: { count: number; samples: string[] };
  p99PerMinuteMs: number[];
  p50Ms: number;
  memory: {
    /** After the fixed warm-up (warmUpMs) alone: RSS and the heap as they are, no collection forced (it would change what follows). */
    fixed: MemoryPoint;
    /** Start of measurement: warmUpMs passed and the first incremental run ended; unset if no run ended in time. */
    warm: MemoryPoint | undefined;
    end: MemoryPoint;
    /** Each whole minute of the load: RSS, and V8's heap size (not collected first). */
    perMinute: { atS: number; api: { rssMb: number; heapTotalMb: number }; worker: { rssMb: number; heapTotalMb: number } }[];
    /** With gcAfterEachRun: after each incremental run ended. */
    afterRuns: MemoryPoint[];
  };
  runs: { status: string; rowsRead: number }[];
  feed: { received: number; logged: number; exactlyOnce: boolean; syncs: number };
  lines: string[];
}

/** One process's memory in MB: RSS (read before any collection), then V8's heap used (after a full collection when the point says so), its size, and memory outside it (Buffers). */
export interface MemorySample {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}
export interface MemoryPoint {
  /** Seconds since the load started. */
  atS: number;
  /** Whether heapUsedMb is after a full collection. */
  collected: boolean;
  api: MemorySample;
  worker: MemorySample;
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
const mb = (bytes: number): number => Math.round(bytes / 104857.6) / 10;
const PROBE = path.join(PROJECT_ROOT, 'dist', 'bench', 'support', 'memory-probe.js');
let probeIds = 0;
/** Asks a process started with the probe for its memory (after a full collection when gc is true). */
const probeMemory = (child: ChildProcess, gc: boolean): Promise<MemoryProbeReply> =>
  new Promise((resolve, reject) => {
    const request: MemoryProbeRequest = { memoryProbe: (probeIds += 1), gc };
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`process ${child.pid} did not answer the memory probe`));
    }, 30_000);
    const onMessage = (message: unknown): void => {
      if ((message as Partial<MemoryProbeReply>).memoryProbe !== request.memoryProbe) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message as MemoryProbeReply);
    };
    child.on('message', onMessage);
    child.send(request);
  });
/** RSS first (from outside, before any collection), then the heap, after a full collection when gc is true. */
const sampleMemory = async (child: ChildProcess, gc: boolean): Promise<MemorySample> => {
  const rss = rssMb(child.pid!);
  const reply = await probeMemory(child, gc);
  if (gc && !reply.collected) throw new Error('the memory probe could not collect: node without --expose-gc');
  return { rssMb: rss, heapUsedMb: mb(reply.heapUsed), heapTotalMb: mb(reply.heapTotal), externalMb: mb(reply.external) };
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
    if (!fs.existsSync(PROBE)) throw new Error(`${PROBE} is missing: build first (npm run build)`);
    const start = (role: string, extra: Record<string, string>): ChildProcess => {
      const flags = ['--max-semi-space-size=32', '--expose-gc', '--require', PROBE, ...(snapshots ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshots}`] : [])];
      const child = spawn(process.execPath, [...flags, entry, `--role=${role}`], { env: { ...process.env, ...env, ...extra }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
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
    /** Asks a process for a heap snapshot and waits until it is written (the file's size stops changing). */
    const heapSnapshot = async (child: ChildProcess): Promise<void> => {
      if (!snapshots) return;
      const before = new Set(fs.readdirSync(snapshots));
      child.kill('SIGUSR2');
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
    const samplePoint = async (gc: boolean): Promise<MemoryPoint> => {
      const atS = Math.round((Date.now() - started) / 1000);
      const [apiSample, workerSample] = [await sampleMemory(api, gc), await sampleMemory(worker, gc)];
      return { atS, collected: gc, api: apiSample, worker: workerSample };
    };
    /** Whether the nth triggered run (from 0) has ended (succeeded or failed). */
    const runEnded = async (n: number): Promise<boolean> => {
      const jobId = jobIds[n];
      if (!jobId) return false;
      const [last] = await db.dataSource.query<{ status: string }[]>(`SELECT status FROM ingestion.run WHERE job_id = $1 ORDER BY id DESC LIMIT 1`, [jobId]);
      return last !== undefined && last.status !== 'running';
    };
    /** Waits until the nth run has ended; false if the load ends first. */
    const waitForRun = async (n: number): Promise<boolean> => {
      while (Date.now() < endAt - 1000) {
        if (await runEnded(n)) return true;
        await sleep(500);
      }
      return false;
    };
    let fixedPoint: MemoryPoint | undefined;
    let warmPoint: MemoryPoint | undefined;
    const warmUpLoop = async (): Promise<void> => {
      await sleep(options.warmUpMs);
      fixedPoint = await samplePoint(false);
      if (!(await waitForRun(0))) return;
      warmPoint = await samplePoint(true);
      await heapSnapshot(api);
      await heapSnapshot(worker);
    };
    const perMinute: SoakReport['memory']['perMinute'] = [];
    const minuteLoop = async (): Promise<void> => {
      for (let minute = 1; started + minute * 60_000 <= endAt; minute += 1) {
        await sleep(started + minute * 60_000 - Date.now());
        const [apiRss, workerRss] = [rssMb(api.pid!), rssMb(worker.pid!)];
        const [apiHeap, workerHeap] = [await probeMemory(api, false), await probeMemory(worker, false)];
        perMinute.push({ atS: minute * 60, api: { rssMb: apiRss, heapTotalMb: mb(apiHeap.heapTotal) }, worker: { rssMb: workerRss, heapTotalMb: mb(workerHeap.heapTotal) } });
      }
    };
    const afterRuns: MemoryPoint[] = [];
    const afterRunsLoop = async (): Promise<void> => {
      if (!options.gcAfterEachRun) return;
      for (let n = 0; await waitForRun(n); n += 1) afterRuns.push(await samplePoint(true));
    };
    await Promise.all([...queries.map(queryLoop), feedLoop(), runLoop(), warmUpLoop(), minuteLoop(), afterRunsLoop()]);
    const endPoint = await samplePoint(true);
    await heapSnapshot(api);
    await heapSnapshot(worker);

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
      memory: { fixed: fixedPoint!, warm: warmPoint, end: endPoint, perMinute, afterRuns },
      runs,
      feed: { received: received.length, logged: logged.length, exactlyOnce, syncs },
      lines: [],
    };
    const growth = (from: number, to: number) => (from > 0 ? `${to >= from ? '+' : ''}${(((to - from) / from) * 100).toFixed(1)} %` : 'n/a');
    const fromTo = (from: MemoryPoint, role: 'api' | 'worker'): string => {
      const [a, b] = [from[role], endPoint[role]];
      const heapUsed = from.collected
        ? `heap used after GC ${a.heapUsedMb} -> ${b.heapUsedMb} MB (${growth(a.heapUsedMb, b.heapUsedMb)})`
        : `heap used ${a.heapUsedMb} (not collected) -> ${b.heapUsedMb} MB (after GC)`;
      return `RSS ${a.rssMb} -> ${b.rssMb} MB (${growth(a.rssMb, b.rssMb)}), ${heapUsed}, heap size ${a.heapTotalMb} -> ${b.heapTotalMb} MB, external ${a.externalMb} -> ${b.externalMb} MB`;
    };
    const memoryLines = (label: string, from: MemoryPoint): string[] => [`${label} (${from.atS} s) to the end (${endPoint.atS} s):`, `  API    ${fromTo(from, 'api')}`, `  worker ${fromTo(from, 'worker')}`];
    report.lines = [
      `soak: ${(options.durationMs / 60_000).toFixed(1)} min, ${options.scale} firms, Node ${process.version}, ${os.cpus().length} cores`,
      `requests: ${requests} (${(requests / (options.durationMs / 1000)).toFixed(1)}/s, 3 clients back to back), errors: ${errors.length}${errors.length ? ` (${report.errors.samples.join('; ')})` : ''}`,
      `latency p50 ${report.p50Ms} ms; p99 per minute (ms): ${report.p99PerMinuteMs.join(', ')}`,
      ...(warmPoint ? memoryLines('warm (first incremental run ended)', warmPoint) : ['warm: no incremental run ended before the end']),
      ...memoryLines(`fixed warm-up only`, fixedPoint!),
      `RSS per minute (MB): API ${perMinute.map((m) => m.api.rssMb).join(', ')}; worker ${perMinute.map((m) => m.worker.rssMb).join(', ')}`,
      `V8 heap size per minute (MB, not collected): API ${perMinute.map((m) => m.api.heapTotalMb).join(', ')}; worker ${perMinute.map((m) => m.worker.heapTotalMb).join(', ')}`,
      // What V8's heap does not explain (the allocator's arenas, thread stacks, code of the binary): flat unless native memory grows.
      `RSS outside V8's heap per minute (MB, RSS less heap size): API ${perMinute.map((m) => Math.round(m.api.rssMb - m.api.heapTotalMb)).join(', ')}; worker ${perMinute.map((m) => Math.round(m.worker.rssMb - m.worker.heapTotalMb)).join(', ')}`,
      ...(options.gcAfterEachRun
        ? [`heap used after GC as each run ended (MB, diagnostic): API ${afterRuns.map((p) => p.api.heapUsedMb).join(', ')}; worker ${afterRuns.map((p) => p.worker.heapUsedMb).join(', ')}`]
        : []),
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
