import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { parse } from 'graphql';
import { buildHubSchema } from '../src/app/api/schema';
import { checkDocumentText, checkVariablesText } from '../src/platform/graphql/input-text';
import { asksForIntrospection, measureOperation } from '../src/platform/graphql/query-analysis';
import { ApiClientRepository } from '../src/access/api-client.repository';
import { ApiClientService } from '../src/access/api-client.service';
import { PROJECT_ROOT } from '../src/config/config';
import { loadHubConfig } from '../src/app/config';
import { IngestionEngine } from '../src/ingestion/ingestion.engine';
import { openDatabase } from '../src/platform/database/database';
import { createRootLogger } from '../src/platform/logging/logger';
import { INITIAL_LOAD_ORDER, hubSources } from '../src/sources/registry';
import { cpuMsOf, mb, openBenchDatabase, peakRssOf, sourcesNotLoaded, startSimulatorProcess } from './support/bench-world';
import { PEER_NESTED_READ, startPostGraphilePeer, type Peer } from './support/peer-postgraphile';
import { exportThroughput } from './export-throughput';

/**
 * npm run bench:api — the GraphQL API against the limit of its stack, measured in one run.
 *
 * Loads BENCH_FIRMS firms (default 1,000,000) from the simulator through the real engine (or reuses
 * a kept database: BENCH_REUSE_DATABASE), starts the hub's API process and a bare node:http server
 * answering the same queries with hand-written SQL through `pg` (bench/baseline-server.ts), checks
 * both return the same data, then drives each with autocannon at BENCH_CONNECTIONS (default 32)
 * for BENCH_SECONDS (default 15) per canonical query from docs/queries. Reported: requests/s,
 * p50 and p99 latency, the hub/baseline throughput ratio, and the API process's peak RSS.
 *
 * First, issue 16's nested read (50 companies, each with its first 5 factories) against the peer,
 * PostGraphile V5 (bench/support/peer-postgraphile.ts), and hand-written SQL, beside the hub with
 * one API process per core; a peer that cannot start is reported as skipped, with the reason.
 * BENCH_QUERIES=nested-read,bank-screening,... runs only those; BENCH_LIMITS_RUNS=0 skips the
 * limits' cost and fairness runs; BENCH_AUDIT_RUNS=0 the read audit's cost (AUDIT=on against off); BENCH_PEER=0 and BENCH_CLUSTER_WORKERS=0 skip those servers.
 * Beside the hub, the same hub with READ_PLANS=off answers the nested read and the canonical
 * queries in the same rounds (BENCH_PLANS_OFF=0 skips it): what the read plans change.
 */
const FIRMS = Number(process.env['BENCH_FIRMS'] ?? 1_000_000);
/** Node's flags of an API process, as `npm run start:api` and the Dockerfile start it (docs/performance.md#memory-under-load). */
const HUB_NODE_FLAGS = ['--max-semi-space-size=32', '--heap-growing-percent=30'];
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 15);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
/** Hub and baseline runs alternate this many times per query; the median ratio is reported, so a burst of other load on the machine moves one round, not the result. */
const ROUNDS = Math.max(1, Number(process.env['BENCH_ROUNDS'] ?? 3));
/** `0` skips the hub-against-hand-written-pg comparison (the limits' cost and fairness still run). */
const BASELINE = process.env['BENCH_BASELINE'] !== '0';
/** `0` skips the PostGraphile V5 peer (bench/support/peer-postgraphile.ts); it is also skipped, with the reason, when it cannot start. */
const PEER = process.env['BENCH_PEER'] !== '0';
/** API processes of the multi-process figure (node's cluster, bench/cluster-api.ts); `0` skips it. */
const CLUSTER_WORKERS = Number(process.env['BENCH_CLUSTER_WORKERS'] ?? os.cpus().length);
/** Only these scenarios (comma-separated names: nested-read, bank-screening, ...); all by default. */
const ONLY = process.env['BENCH_QUERIES']?.split(',').map((name) => name.trim());
/** `0` skips the hub with READ_PLANS=off (the resolvers' loaders: what the read plans are measured against). */
const PLANS_OFF = process.env['BENCH_PLANS_OFF'] !== '0';
/** `0` skips the limits' cost (LIMITS=on against off) and the fairness run. */
const LIMITS_RUNS = process.env['BENCH_LIMITS_RUNS'] !== '0';
/** `0` skips the audit's cost (AUDIT=on against off, the limits on in both). */
const AUDIT_RUNS = process.env['BENCH_AUDIT_RUNS'] !== '0';
/** Connections of the flooding key, and of the client whose latency is watched, in the fairness run. */
const FLOOD_CONNECTIONS = Number(process.env['BENCH_FLOOD_CONNECTIONS'] ?? 64);
const WATCHED_CONNECTIONS = Number(process.env['BENCH_WATCHED_CONNECTIONS'] ?? 4);

/** The canonical queries: the documented example of each user, and the baseline route serving the same data. */
const CANONICAL = [
  { name: 'bank-screening', user: 'bank (SMED)', role: 'bank', essence: (d: Answer) => [d['companies']?.totalCount, d['companies']?.edges.map((e) => e.node['juristicId'])] },
  {
    name: 'ministry-company-profile',
    user: 'ministry',
    role: 'ministry',
    essence: (d: Answer) => {
      const c = d['company'] as unknown as Record<string, { totalCount?: number; length?: number }> | undefined;
      return [c?.['juristicId'], c?.['factories']?.totalCount, c?.['certifications']?.totalCount, c?.['financialStatements']?.length, c?.['industry40Assessments']?.length];
    },
  },
  {
    name: 'analyst-target-industries-by-region',
    user: 'analyst',
    role: 'analyst',
    essence: (d: Answer) => {
      const groups = (d['companyStats'] as unknown as { groups: { count: number }[] } | undefined)?.groups ?? [];
      return [groups.length, groups.reduce((sum, g) => sum + g.count, 0)];
    },
  },
] as const;

/**
 * Issue 16's nested read, the comparison with the peer: the first 50 companies by juristic ID, each
 * with its first 5 linked factories by FID. PostGraphile answers it in one statement.
 */
const HUB_NESTED_READ = '{ companies(first: 50) { edges { node { juristicId nameTh factories(first: 5) { edges { node { fid name } } } } } } }';
type Nested = { id: string; fids: string[] }[];
const nestedEssence = {
  hub: (d: { companies: { edges: { node: { juristicId: string; factories: { edges: { node: { fid: string } }[] } } }[] } }): Nested =>
    d.companies.edges.map((e) => ({ id: e.node.juristicId, fids: e.node.factories.edges.map((f) => f.node.fid) })),
  peer: (d: { allCompaniesList: { juristicId: string; factoriesByCompanyJuristicIdList: { fid: string }[] }[] }): Nested =>
    d.allCompaniesList.map((c) => ({ id: c.juristicId, fids: c.factoriesByCompanyJuristicIdList.map((f) => f.fid) })),
  baseline: (d: { companies: { juristicId: string; factories: { fid: string }[] }[] }): Nested => d.companies.map((c) => ({ id: c.juristicId, fids: c.factories.map((f) => f.fid) })),
};

type Answer = Record<string, { totalCount?: number; edges: { node: Record<string, unknown> }[] } | undefined>;

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    if (await fetch(url).then((r) => r.status < 500).catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer`);
}

function startNode(script: string, args: string[], env: Record<string, string>, nodeFlags: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeFlags, path.join(PROJECT_ROOT, 'dist', script), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(url: string, headers: Record<string, string>, body: string, seconds: number, connections = CONNECTIONS): Promise<LoadResult & { non2xx: number }> {
  const result = await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, connections, duration: seconds });
  return { requestsPerSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx + result.timeouts, non2xx: result.non2xx };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Per measure, the median over the rounds; errors are summed. */
const medianResult = (results: LoadResult[]): LoadResult => ({
  requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
  p50: median(results.map((r) => r.p50)),
  p99: median(results.map((r) => r.p99)),
  errors: results.reduce((sum, r) => sum + r.errors, 0),
});

async function main(): Promise<void> {
  const logger = createRootLogger(process.env['LOG_LEVEL'] ?? 'warn');
  const database = await openBenchDatabase(logger);
  const children: ChildProcess[] = [];
  const lines = [`i-Industry Hub API benchmark — ${FIRMS.toLocaleString('en-US')} firms, ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per server, Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at start`];
  try {
    const simulatorPort = 47000 + (process.pid % 1000);
    const config = loadHubConfig({ DATABASE_URL: database.url, SIMULATOR_PORT: String(simulatorPort), LOG_LEVEL: 'warn', FEED_TIMEOUT_MS: '600000' });
    const db = await openDatabase(config, logger, { migrate: true, owner: 'cli' });
    try {
      const toLoad = await sourcesNotLoaded(db.dataSource, INITIAL_LOAD_ORDER);
      if (toLoad.length > 0) {
        const simulator = await startSimulatorProcess(simulatorPort, FIRMS);
        try {
          const engine = new IngestionEngine(db.dataSource, hubSources(), config, logger);
          for (const source of toLoad) {
            const started = Date.now();
            const run = await engine.run({ source, trigger: 'cli', full: true });
            process.stdout.write(`loaded ${source}: ${run.rowsRead} rows in ${((Date.now() - started) / 1000).toFixed(0)} s (${run.status})\n`);
          }
        } finally {
          simulator.kill('SIGTERM');
        }
      }
      await db.dataSource.query('ANALYZE');
      const keys = new ApiClientService(new ApiClientRepository(db.dataSource));
      // The documented profile names a firm of the demo world; at bench scale, take a firm as complete.
      const [profiled] = await db.dataSource.query<{ juristic_id: string }[]>(
        `SELECT juristic_id FROM registry.company_profile WHERE operating_factories > 0 AND certifications > 0 AND latest_i40_level IS NOT NULL ORDER BY juristic_id LIMIT 1`,
      );
      const keyOf = new Map<string, string>();
      for (const role of ['bank', 'ministry', 'analyst']) {
        keyOf.set(role, (await keys.create({ name: `bench-api-${role}`, role, ...(role === 'bank' ? { bankCode: 'SMED' } : {}) })).key);
      }

      const hubPort = 48000 + (process.pid % 1000);
      const baselinePort = hubPort + 1;
      // As `npm run start:api` and the Dockerfile run it: production mode, a 32 MB young generation,
      // an old generation grown by 30 % after each full collection (HUB_NODE_FLAGS).
      // The limits are on, sized so that the benchmark's one key per role is never refused: what is
      // measured is their cost (analysis, counting in the store, deadlines), not their refusals.
      const unbinding = { RATE_LIMIT_REQUESTS_PER_MINUTE: '100000000', RATE_LIMIT_COST_PER_MINUTE: '2000000000', RATE_LIMIT_CONCURRENT: '10000', RATE_LIMIT_CONCURRENT_COST: '2000000000', API_QUEUE_PER_CLIENT: '10000' };
      const hubEnv = { NODE_ENV: 'production', DATABASE_URL: database.url, LOG_LEVEL: 'warn', INGEST_ON_START: 'false' };
      const hub = startNode('src/main.js', ['--role=api'], { ...hubEnv, ...unbinding, PORT: String(hubPort) }, HUB_NODE_FLAGS);
      const baseline = startNode('bench/baseline-server.js', [], { DATABASE_URL: database.url, PORT: String(baselinePort) });
      // The same hub with LIMITS=off (the limits' cost), and one with the default limits (fairness).
      const unlimitedPort = hubPort + 2;
      const defaultsPort = hubPort + 3;
      const unlimited = startNode('src/main.js', ['--role=api'], { ...hubEnv, LIMITS: 'off', PORT: String(unlimitedPort) }, HUB_NODE_FLAGS);
      // Default limits but the analyst's cost a minute: the watched client's own load (about 200
      // profiles of cost 482 a second) spends an analyst's 1,000,000 in seconds, and its own refusals
      // (held a second once it sends on regardless) would be counted as the flood's harm.
      const defaults = startNode('src/main.js', ['--role=api'], { ...hubEnv, RATE_LIMIT_COST_PER_MINUTE: 'analyst=1000000000', PORT: String(defaultsPort) }, HUB_NODE_FLAGS);
      // The same hub as `hub` with AUDIT=off: what writing the read audit costs.
      const unauditedPort = hubPort + 7;
      const unaudited = startNode('src/main.js', ['--role=api'], { ...hubEnv, ...unbinding, AUDIT: 'off', PORT: String(unauditedPort) }, HUB_NODE_FLAGS);
      children.push(hub, baseline, unlimited, defaults, unaudited);
      const plansOffPort = hubPort + 6;
      const plansOff = PLANS_OFF ? startNode('src/main.js', ['--role=api'], { ...hubEnv, ...unbinding, READ_PLANS: 'off', PORT: String(plansOffPort) }, HUB_NODE_FLAGS) : undefined;
      if (plansOff) children.push(plansOff);
      const plansOffUrl = plansOff ? `http://127.0.0.1:${plansOffPort}/graphql` : undefined;
      await waitFor(`http://127.0.0.1:${hubPort}/readyz`, hub);
      await waitFor(`http://127.0.0.1:${baselinePort}/`, baseline);
      await waitFor(`http://127.0.0.1:${unlimitedPort}/readyz`, unlimited);
      await waitFor(`http://127.0.0.1:${defaultsPort}/readyz`, defaults);
      if (plansOff) await waitFor(`http://127.0.0.1:${plansOffPort}/readyz`, plansOff);
      await waitFor(`http://127.0.0.1:${unauditedPort}/readyz`, unaudited);
      const limitLines: string[] = [];
      const auditLines: string[] = [];

      if (!ONLY || ONLY.includes('nested-read')) {
        const nested = await nestedReadComparison({
          hubUrl: `http://127.0.0.1:${hubPort}/graphql`,
          hubKey: keyOf.get('analyst')!,
          hubPid: hub.pid,
          baselineUrl: `http://127.0.0.1:${baselinePort}/nested-read`,
          baselinePid: baseline.pid,
          databaseUrl: database.url,
          peerPort: hubPort + 4,
          clusterPort: hubPort + 5,
          clusterEnv: { ...hubEnv, ...unbinding },
          plansOffUrl,
          plansOffPid: plansOff?.pid,
        });
        lines.push(...nested);
      }

      for (const query of CANONICAL) {
        if (ONLY && !ONLY.includes(query.name)) continue;
        const text = await fs.readFile(path.join(PROJECT_ROOT, 'docs', 'queries', `${query.name}.graphql`), 'utf8');
        const variables = JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'docs', 'queries', `${query.name}.variables.json`), 'utf8')) as Record<string, unknown>;
        if (query.name === 'ministry-company-profile' && profiled) variables['juristicId'] = profiled.juristic_id;
        const hubUrl = `http://127.0.0.1:${hubPort}/graphql`;
        const baselineUrl = `http://127.0.0.1:${baselinePort}/${query.name}`;
        const headers = { authorization: `Bearer ${keyOf.get(query.role)!}` };
        const hubAnswer = (await (await fetch(hubUrl, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query: text, variables }) })).json()) as { data?: unknown; errors?: unknown };
        const baselineAnswer = (await (await fetch(baselineUrl, { method: 'POST', body: JSON.stringify(variables) })).json()) as { data?: unknown };
        // Both must answer the same: compared on what a user reads (IDs, counts), not float formatting.
        const hubEssence = JSON.stringify(query.essence((hubAnswer.data ?? {}) as Answer));
        if (hubAnswer.errors || hubEssence !== JSON.stringify(query.essence((baselineAnswer.data ?? {}) as Answer))) {
          throw new Error(`${query.name}: the hub and the baseline disagree\nhub: ${JSON.stringify(hubAnswer).slice(0, 2000)}\nbaseline: ${JSON.stringify(baselineAnswer).slice(0, 2000)}`);
        }
        const hubBody = JSON.stringify({ query: text, variables });
        const baselineBody = JSON.stringify(variables);
        // What the limits cost: the same hub with LIMITS=on and off, in alternating rounds.
        if (LIMITS_RUNS) {
          const unlimitedUrl = `http://127.0.0.1:${unlimitedPort}/graphql`;
          await load(hubUrl, headers, hubBody, 3);
          await load(unlimitedUrl, headers, hubBody, 3);
          const limitRounds: { on: LoadResult; off: LoadResult }[] = [];
          for (let round = 0; round < ROUNDS; round += 1) {
            limitRounds.push({ on: await load(hubUrl, headers, hubBody, SECONDS), off: await load(unlimitedUrl, headers, hubBody, SECONDS) });
          }
          const on = medianResult(limitRounds.map((r) => r.on));
          const off = medianResult(limitRounds.map((r) => r.off));
          const costs = limitRounds.map((r) => 1 - r.on.requestsPerSecond / r.off.requestsPerSecond);
          const limitLine =
            `${query.name}: limits on ${on.requestsPerSecond.toFixed(0)} req/s (p99 ${on.p99} ms), off ${off.requestsPerSecond.toFixed(0)} req/s (p99 ${off.p99} ms); ` +
            `throughput cost ${(median(costs) * 100).toFixed(1)} % (target < 5 %; median of ${ROUNDS} alternating rounds: ${costs.map((c) => `${(c * 100).toFixed(1)} %`).join(', ')})` +
            (on.errors + off.errors > 0 ? `; ERRORS on ${on.errors}, off ${off.errors}` : '');
          limitLines.push(limitLine);
          process.stdout.write(`${limitLine}\n`);
        }
        // What the read audit costs: the same hub with AUDIT=on and off, in alternating rounds.
        if (AUDIT_RUNS) {
          const unauditedUrl = `http://127.0.0.1:${unauditedPort}/graphql`;
          await load(hubUrl, headers, hubBody, 3);
          await load(unauditedUrl, headers, hubBody, 3);
          const auditRounds: { on: LoadResult; off: LoadResult }[] = [];
          for (let round = 0; round < ROUNDS; round += 1) {
            auditRounds.push({ on: await load(hubUrl, headers, hubBody, SECONDS), off: await load(unauditedUrl, headers, hubBody, SECONDS) });
          }
          // One connection too: a lone request pays the audit's commit alone, with no neighbour to share it.
          const lone = { on: await load(hubUrl, headers, hubBody, SECONDS, 1), off: await load(unauditedUrl, headers, hubBody, SECONDS, 1) };
          const on = medianResult(auditRounds.map((r) => r.on));
          const off = medianResult(auditRounds.map((r) => r.off));
          const costs = auditRounds.map((r) => 1 - r.on.requestsPerSecond / r.off.requestsPerSecond);
          const auditLine =
            `${query.name}: audit on ${on.requestsPerSecond.toFixed(0)} req/s (p99 ${on.p99} ms), off ${off.requestsPerSecond.toFixed(0)} req/s (p99 ${off.p99} ms) at ${CONNECTIONS} connections; ` +
            `throughput cost ${(median(costs) * 100).toFixed(1)} % (target < 10 %; median of ${ROUNDS} alternating rounds: ${costs.map((c) => `${(c * 100).toFixed(1)} %`).join(', ')}); ` +
            `one connection: on ${lone.on.requestsPerSecond.toFixed(0)} req/s (p50 ${lone.on.p50} ms), off ${lone.off.requestsPerSecond.toFixed(0)} req/s (p50 ${lone.off.p50} ms)` +
            (on.errors + off.errors > 0 ? `; ERRORS on ${on.errors}, off ${off.errors}` : '');
          auditLines.push(auditLine);
          process.stdout.write(`${auditLine}\n`);
        }
        if (!BASELINE) continue;

        // Warm both (JIT, plans, pools) before measuring.
        await load(hubUrl, headers, hubBody, 3);
        await load(baselineUrl, {}, baselineBody, 3);
        if (plansOffUrl) await load(plansOffUrl, headers, hubBody, 3);
        const rounds: { hub: LoadResult; baseline: LoadResult; plansOff?: LoadResult }[] = [];
        // Server CPU a request (ms), steadier than req/s on a shared machine: each process's CPU over its own rounds.
        const cpu = { hub: [] as number[], baseline: [] as number[], plansOff: [] as number[] };
        const timed = async (pid: number | undefined, into: number[], run: () => Promise<LoadResult>): Promise<LoadResult> => {
          const before = pid ? await cpuMsOf(pid) : 0;
          const result = await run();
          if (pid) into.push(((await cpuMsOf(pid)) - before) / Math.max(1, result.requestsPerSecond * SECONDS));
          return result;
        };
        for (let round = 0; round < ROUNDS; round += 1) {
          const hubRound = await timed(hub.pid, cpu.hub, () => load(hubUrl, headers, hubBody, SECONDS));
          const baselineRound = await timed(baseline.pid, cpu.baseline, () => load(baselineUrl, {}, baselineBody, SECONDS));
          rounds.push({ hub: hubRound, baseline: baselineRound, ...(plansOffUrl ? { plansOff: await timed(plansOff?.pid, cpu.plansOff, () => load(plansOffUrl, headers, hubBody, SECONDS)) } : {}) });
        }
        const cpuText = (values: number[]): string => (values.length ? `, server CPU ${median(values).toFixed(2)} ms a request` : '');
        const hubResult = medianResult(rounds.map((r) => r.hub));
        const baselineResult = medianResult(rounds.map((r) => r.baseline));
        const ratios = rounds.map((r) => r.hub.requestsPerSecond / r.baseline.requestsPerSecond);
        const line =
          `${query.name} (${query.user}): hub ${hubResult.requestsPerSecond.toFixed(0)} req/s, p50 ${hubResult.p50} ms, p99 ${hubResult.p99} ms${cpuText(cpu.hub)}; ` +
          `hand-written pg ${baselineResult.requestsPerSecond.toFixed(0)} req/s, p50 ${baselineResult.p50} ms, p99 ${baselineResult.p99} ms${cpuText(cpu.baseline)}; ` +
          `ratio ${median(ratios).toFixed(2)} × baseline (median of ${ROUNDS} alternating rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')})` +
          (hubResult.errors + baselineResult.errors > 0 ? `; ERRORS hub ${hubResult.errors}, baseline ${baselineResult.errors}` : '');
        lines.push(line);
        process.stdout.write(`${line}\n`);
        if (plansOffUrl) {
          const off = medianResult(rounds.map((r) => r.plansOff!));
          const offRatios = rounds.map((r) => r.plansOff!.requestsPerSecond / r.baseline.requestsPerSecond);
          const gains = rounds.map((r) => r.hub.requestsPerSecond / r.plansOff!.requestsPerSecond);
          const offLine =
            `${query.name}: hub with READ_PLANS=off ${off.requestsPerSecond.toFixed(0)} req/s, p50 ${off.p50} ms, p99 ${off.p99} ms${cpuText(cpu.plansOff)}; ${median(offRatios).toFixed(2)} × baseline ` +
            `(rounds ${offRatios.map((r) => r.toFixed(2)).join(', ')}); plans on ÷ off = ${median(gains).toFixed(2)} (rounds ${gains.map((r) => r.toFixed(2)).join(', ')})`;
          lines.push(offLine);
          process.stdout.write(`${offLine}\n`);
        }
      }
      // Bulk exports against COPY ... TO STDOUT of the same rows (BENCH_EXPORTS=0 skips them).
      if (process.env['BENCH_EXPORTS'] !== '0') {
        const exportLines = await exportThroughput(`http://127.0.0.1:${hubPort}`, database.url, keyOf.get('ministry')!, ROUNDS);
        for (const line of exportLines) process.stdout.write(`${line}\n`);
        lines.push(...exportLines);
      }
      lines.push(`load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
      lines.push(`hub API process peak RSS: ${mb(await peakRssOf(hub.pid!))}`);
      if (plansOff) lines.push(`hub with READ_PLANS=off, peak RSS: ${mb(await peakRssOf(plansOff.pid!))}`);
      lines.push(...limitLines);
      lines.push(...auditLines);
      lines.push(...(await analysisMicroseconds()));

      if (LIMITS_RUNS) {
        // Fairness: an analyst's p99 alone, then while one bank key floods the hub with the default limits.
        const defaultsUrl = `http://127.0.0.1:${defaultsPort}/graphql`;
        // The watched client has a minute large enough for its own load (its role's 600 would refuse it),
        // and so has its role's cost a minute (the `defaults` hub above).
        const watchedKey = (await keys.create({ name: 'bench-fair-analyst', role: 'analyst', rateLimitPerMinute: 1_000_000 })).key;
        const floodKey = (await keys.create({ name: 'bench-fair-flood', role: 'bank', bankCode: 'SMED' })).key;
        const profileText = await fs.readFile(path.join(PROJECT_ROOT, 'docs', 'queries', 'ministry-company-profile.graphql'), 'utf8');
        const profileVariables = JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'docs', 'queries', 'ministry-company-profile.variables.json'), 'utf8')) as Record<string, unknown>;
        if (profiled) profileVariables['juristicId'] = profiled.juristic_id;
        const watchedBody = JSON.stringify({ query: profileText, variables: profileVariables });
        const screening = await fs.readFile(path.join(PROJECT_ROOT, 'docs', 'queries', 'bank-screening.graphql'), 'utf8');
        const floodBody = JSON.stringify({ query: screening, variables: JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'docs', 'queries', 'bank-screening.variables.json'), 'utf8')) });
        const watched = { authorization: `Bearer ${watchedKey}` };
        await load(defaultsUrl, watched, watchedBody, 3, WATCHED_CONNECTIONS);
        const alone = await load(defaultsUrl, watched, watchedBody, SECONDS, WATCHED_CONNECTIONS);
        const [flooded, flood] = await Promise.all([
          load(defaultsUrl, watched, watchedBody, SECONDS, WATCHED_CONNECTIONS),
          load(defaultsUrl, { authorization: `Bearer ${floodKey}` }, floodBody, SECONDS, FLOOD_CONNECTIONS),
        ]);
        lines.push(
          `fairness (default limits, API_CONCURRENCY=${process.env['API_CONCURRENCY'] || 'the pool size'}): an analyst's company profile at ${WATCHED_CONNECTIONS} connections, p99 ${alone.p99} ms alone (${alone.requestsPerSecond.toFixed(0)} req/s), ` +
            `p99 ${flooded.p99} ms (${flooded.requestsPerSecond.toFixed(0)} req/s, ${flooded.errors} errors) while one bank key floods the bank screening at ${FLOOD_CONNECTIONS} connections ` +
            `(${flood.requestsPerSecond.toFixed(0)} responses/s, ${flood.non2xx} refused in all); ratio ${(flooded.p99 / Math.max(1, alone.p99)).toFixed(2)} × (target < 2 ×)`,
        );
      }
    } finally {
      await db.close();
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await database.dispose();
  }
  process.stdout.write(`\n${lines.join('\n')}\n`);
}

/**
 * Issue 16's comparison: the hub, PostGraphile V5 and hand-written SQL answering the same nested
 * read, the answers compared first, then alternating rounds; beside them the hub with one API
 * process per core (the targets are per process; this is what a multi-core deployment serves).
 */
async function nestedReadComparison(options: {
  hubUrl: string;
  hubKey: string;
  hubPid: number | undefined;
  baselineUrl: string;
  baselinePid: number | undefined;
  databaseUrl: string;
  peerPort: number;
  clusterPort: number;
  clusterEnv: Record<string, string>;
  plansOffUrl: string | undefined;
  plansOffPid: number | undefined;
}): Promise<string[]> {
  const lines: string[] = [];
  const say = (line: string): void => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  const children: ChildProcess[] = [];
  try {
    const peer: Peer | { skipped: string } = PEER ? await startPostGraphilePeer(options.databaseUrl, options.peerPort) : { skipped: 'BENCH_PEER=0' };
    if ('skipped' in peer) say(`nested read: PostGraphile V5 peer SKIPPED (${peer.skipped}); the hub is compared with hand-written SQL only`);
    else children.push(peer.child);
    let clusterUrl: string | undefined;
    let clusterPid: number | undefined;
    if (CLUSTER_WORKERS > 0) {
      const cluster = startNode('bench/cluster-api.js', ['--role=api'], { ...options.clusterEnv, PORT: String(options.clusterPort), BENCH_CLUSTER_WORKERS: String(CLUSTER_WORKERS) }, HUB_NODE_FLAGS);
      children.push(cluster);
      await waitFor(`http://127.0.0.1:${options.clusterPort}/readyz`, cluster);
      clusterUrl = `http://127.0.0.1:${options.clusterPort}/graphql`;
      clusterPid = cluster.pid;
    }
    const hubBody = JSON.stringify({ query: HUB_NESTED_READ });
    const hubHeaders = { authorization: `Bearer ${options.hubKey}` };
    const targets: { name: string; url: string; headers: Record<string, string>; body: string; essence: (data: never) => Nested; pid: number | undefined }[] = [
      { name: 'hub', url: options.hubUrl, headers: hubHeaders, body: hubBody, essence: nestedEssence.hub, pid: options.hubPid },
      ...('skipped' in peer ? [] : [{ name: 'PostGraphile V5', url: peer.url, headers: {}, body: JSON.stringify({ query: PEER_NESTED_READ }), essence: nestedEssence.peer, pid: peer.child.pid }]),
      ...(options.plansOffUrl ? [{ name: 'hub, READ_PLANS=off', url: options.plansOffUrl, headers: hubHeaders, body: hubBody, essence: nestedEssence.hub, pid: options.plansOffPid }] : []),
      { name: 'hand-written pg', url: options.baselineUrl, headers: {}, body: '{}', essence: nestedEssence.baseline, pid: options.baselinePid },
      ...(clusterUrl ? [{ name: `hub, ${CLUSTER_WORKERS} processes`, url: clusterUrl, headers: hubHeaders, body: hubBody, essence: nestedEssence.hub, pid: clusterPid }] : []),
    ];
    // The same answer from every server first: the companies and their factories, in order.
    const answers: string[] = [];
    for (const target of targets) {
      const answer = (await (await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body: target.body })).json()) as { data?: never; errors?: unknown };
      if (answer.errors || !answer.data) throw new Error(`nested read: ${target.name} answered ${JSON.stringify(answer).slice(0, 1000)}`);
      answers.push(JSON.stringify(target.essence(answer.data)));
    }
    if (new Set(answers).size !== 1) throw new Error(`nested read: the answers differ\n${targets.map((t, i) => `${t.name}: ${answers[i]!.slice(0, 300)}`).join('\n')}`);
    const essence = JSON.parse(answers[0]!) as Nested;
    say(`nested read: the same answer from ${targets.map((t) => t.name).join(', ')}: ${essence.length} companies, ${essence.reduce((sum, c) => sum + c.fids.length, 0)} factories`);
    for (const target of targets) await load(target.url, target.headers, target.body, 3);
    const results = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
    const cpu = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const target of targets) {
        const before = target.pid ? await cpuMsOf(target.pid) : 0;
        const result = await load(target.url, target.headers, target.body, SECONDS);
        results.get(target.name)!.push(result);
        if (target.pid) cpu.get(target.name)!.push(((await cpuMsOf(target.pid)) - before) / Math.max(1, result.requestsPerSecond * SECONDS));
      }
    }
    const ratios = (name: string, of: string): number[] => results.get(name)!.map((r, i) => r.requestsPerSecond / results.get(of)![i]!.requestsPerSecond);
    for (const target of targets) {
      const result = medianResult(results.get(target.name)!);
      const vsBaseline = ratios(target.name, 'hand-written pg');
      say(
        `nested read, ${target.name}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms; ` +
          `${median(vsBaseline).toFixed(2)} × hand-written (rounds ${vsBaseline.map((r) => r.toFixed(2)).join(', ')})` +
          (cpu.get(target.name)!.length ? `; server CPU ${median(cpu.get(target.name)!).toFixed(2)} ms a request` : '') +
          (result.errors > 0 ? `; ERRORS ${result.errors}` : ''),
      );
    }
    if (options.plansOffUrl) {
      const gains = ratios('hub', 'hub, READ_PLANS=off');
      say(`nested read: hub ÷ hub with READ_PLANS=off = ${median(gains).toFixed(2)} (median of ${ROUNDS} alternating rounds: ${gains.map((r) => r.toFixed(2)).join(', ')})`);
    }
    if (!('skipped' in peer)) {
      const vsPeer = ratios('hub', 'PostGraphile V5');
      say(`nested read: hub ÷ PostGraphile V5 = ${median(vsPeer).toFixed(2)} (target >= 1.0, one process each; median of ${ROUNDS} alternating rounds: ${vsPeer.map((r) => r.toFixed(2)).join(', ')})`);
      const [hubCpu, peerCpu] = [cpu.get('hub')!, cpu.get('PostGraphile V5')!];
      if (hubCpu.length && peerCpu.length) say(`nested read: server CPU a request, PostGraphile V5 ÷ hub = ${(median(peerCpu) / median(hubCpu)).toFixed(2)} (the same ratio in CPU rather than throughput, steadier on a busy machine)`);
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
  return lines;
}

/**
 * The CPU the query analysis takes per request, measured in this process without the noise of a
 * shared machine's load: for each canonical query, a document parsed anew each time (a client whose
 * every query is new) and the same parsed document again (Apollo reuses it for a repeated text).
 */
async function analysisMicroseconds(): Promise<string[]> {
  const schema = await buildHubSchema();
  const budget = { maxCost: 1e9, maxDepth: 1e6, maxAliases: 1e6, maxDirectives: 1e6 };
  const out: string[] = [];
  for (const query of CANONICAL) {
    const text = await fs.readFile(path.join(PROJECT_ROOT, 'docs', 'queries', `${query.name}.graphql`), 'utf8');
    const variables = JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'docs', 'queries', `${query.name}.variables.json`), 'utf8')) as Record<string, unknown>;
    const analyse = (document: ReturnType<typeof parse>): void => {
      asksForIntrospection(document);
      checkDocumentText(document, 2000);
      checkVariablesText(variables, 2000);
      measureOperation(schema, document, undefined, variables, budget);
    };
    const documents = Array.from({ length: 2000 }, () => parse(text));
    let started = performance.now();
    for (const document of documents) analyse(document);
    const fresh = ((performance.now() - started) * 1000) / documents.length;
    const same = documents[0]!;
    started = performance.now();
    for (let i = 0; i < 20_000; i++) analyse(same);
    const repeated = ((performance.now() - started) * 1000) / 20_000;
    out.push(`query analysis of ${query.name}: ${fresh.toFixed(0)} µs a request for a new document, ${repeated.toFixed(1)} µs for a repeated one`);
  }
  return out;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
