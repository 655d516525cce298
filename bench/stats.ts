import 'reflect-metadata';
import os from 'node:os';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { type HubConfig } from '../src/config/config';
import { loadHubConfig } from '../src/app/config';
import { createServices } from '../src/app/services';
import { type CompanyFilter, CompanyStatus } from '../src/domains/company/company.type';
import { RegionCode } from '../src/domains/geography/region-code';
import { refreshCompanyAggregate } from '../src/linking/company-aggregate';
import { CompanyStatsDimension, StatsSource } from '../src/domains/statistics/statistics.type';
import { IngestionEngine } from '../src/ingestion/ingestion.engine';
import { openDatabase } from '../src/platform/database/database';
import { createRootLogger } from '../src/platform/logging/logger';
import { hubSources } from '../src/sources/registry';
import { openBenchDatabase, sourcesNotLoaded, startSimulatorProcess } from './support/bench-world';

/**
 * npm run bench:stats — grouped company statistics on a loaded database.
 *
 * Loads BENCH_FIRMS firms (default 1,000,000) through the real engine as bench:ingest does, or
 * reuses a database already loaded (BENCH_REUSE_DATABASE, see bench/support/bench-world.ts: created
 * and loaded when missing, kept, reused when it holds the sources). Without BENCH_DATABASE_URL an
 * embedded PostgreSQL in a temporary folder is used.
 * Sources loaded: BENCH_SOURCES (default DBD companies and financial statements, DIP Industry 4.0
 * assessments: what the company statistics read). Prints median and p95 of each grouping from the
 * aggregate and from the live rows, their ratio, and the time to rebuild the aggregate.
 */
const FIRMS = Number(process.env['BENCH_FIRMS'] ?? 1_000_000);
const SOURCES = (process.env['BENCH_SOURCES'] ?? 'dbd-companies,dbd-financials,dip-i40-assessments').split(',');

async function companyCount(dataSource: DataSource): Promise<number> {
  const rows: { n: number }[] = await dataSource.query(`SELECT count(*)::int AS n FROM registry.company`);
  return rows[0]!.n;
}

export interface StatsTiming {
  grouping: string;
  groups: number;
  aggregate: { medianMs: number; p95Ms: number; source: StatsSource };
  live: { medianMs: number; p95Ms: number };
  /** Live median over aggregate median: how many times faster the aggregate answers. */
  speedup: number;
}

export interface StatsBenchmark {
  companies: number;
  aggregateGroups: number;
  timings: StatsTiming[];
  /** Rebuilding the aggregate, as every ingestion run that changes profiles does (rolled back here). */
  refresh: { medianMs: number };
  lines: string[];
}

const GROUPINGS: { name: string; groupBy: CompanyStatsDimension[]; filter?: CompanyFilter }[] = [
  { name: '[REGION, TARGET_INDUSTRY]', groupBy: [CompanyStatsDimension.REGION, CompanyStatsDimension.TARGET_INDUSTRY] },
  { name: '[REGION]', groupBy: [CompanyStatsDimension.REGION] },
  { name: '[PROVINCE, SME_SIZE]', groupBy: [CompanyStatsDimension.PROVINCE, CompanyStatsDimension.SME_SIZE] },
  {
    name: '[TARGET_INDUSTRY, INDUSTRY40_LEVEL] where region CENTRAL, status ACTIVE',
    groupBy: [CompanyStatsDimension.TARGET_INDUSTRY, CompanyStatsDimension.INDUSTRY40_LEVEL],
    filter: { region: RegionCode.CENTRAL, status: [CompanyStatus.ACTIVE] },
  },
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function time(runs: number, work: () => Promise<unknown>): Promise<{ medianMs: number; p95Ms: number }> {
  await work(); // warm-up: plan cache, reference names, buffers
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = process.hrtime.bigint();
    await work();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { medianMs: percentile(samples, 50), p95Ms: percentile(samples, 95) };
}

/**
 * Median and p95 of grouped company statistics through the service (filter validation, SQL,
 * naming and ordering of the groups), from the aggregate and from the live rows (the baseline),
 * on a database already loaded; and the cost of rebuilding the aggregate.
 */
export async function benchmarkStats(dataSource: DataSource, options: { aggregateRuns?: number; liveRuns?: number } = {}): Promise<StatsBenchmark> {
  // The hub's one wiring, without a queue.
  const service = createServices(dataSource, hubSources(), loadHubConfig()).statistics;
  const companies = await companyCount(dataSource);
  const [counted] = await dataSource.query<{ groups: number }[]>(`SELECT count(*)::int AS groups FROM stats.company_aggregate`);
  const aggregateGroups = counted!.groups;
  const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
  const lines = [`companies ${companies.toLocaleString('en-US')}; aggregate rows ${aggregateGroups.toLocaleString('en-US')}`];
  const timings: StatsTiming[] = [];
  for (const { name, groupBy, filter } of GROUPINGS) {
    const first = await service.companyStats(filter, groupBy);
    const aggregate = await time(options.aggregateRuns ?? 50, () => service.companyStats(filter, groupBy));
    const live = await time(options.liveRuns ?? 7, () => service.companyStats(filter, groupBy, StatsSource.LIVE));
    const timing: StatsTiming = { grouping: name, groups: first.groups.length, aggregate: { ...aggregate, source: first.source }, live, speedup: live.medianMs / aggregate.medianMs };
    timings.push(timing);
    lines.push(
      `${name}: ${timing.groups} groups; ${first.source.toLowerCase()} median ${fmt(aggregate.medianMs)}, p95 ${fmt(aggregate.p95Ms)}; ` +
        `live median ${fmt(live.medianMs)}, p95 ${fmt(live.p95Ms)}; ${timing.speedup.toFixed(0)} × faster`,
    );
    process.stdout.write(`${lines.at(-1)}\n`);
  }
  const refreshTimes: number[] = [];
  const runner = dataSource.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  try {
    for (let i = 0; i < 3; i += 1) {
      await client.query('BEGIN');
      const started = process.hrtime.bigint();
      await refreshCompanyAggregate(client, null);
      refreshTimes.push(Number(process.hrtime.bigint() - started) / 1e6);
      await client.query('ROLLBACK');
    }
  } finally {
    await runner.release();
  }
  refreshTimes.sort((a, b) => a - b);
  const refresh = { medianMs: percentile(refreshTimes, 50) };
  lines.push(`aggregate rebuild (in a run's transaction): median ${fmt(refresh.medianMs)} over 3`);
  return { companies, aggregateGroups: aggregateGroups, timings, refresh, lines };
}

async function main(): Promise<void> {
  const logger = createRootLogger(process.env['LOG_LEVEL'] ?? 'warn');
  const database = await openBenchDatabase(logger);
  const simulatorPort = 47000 + (process.pid % 1000);
  const config: HubConfig = loadHubConfig({ DATABASE_URL: database.url, SIMULATOR_PORT: String(simulatorPort), LOG_LEVEL: 'warn', FEED_TIMEOUT_MS: '600000' });
  const db = await openDatabase(config, logger, { migrate: true, owner: 'cli' });
  const lines: string[] = [`i-Industry Hub statistics benchmark — ${FIRMS.toLocaleString('en-US')} firms, Node ${process.version}, ${os.cpus().length} cores`];
  try {
    const toLoad = await sourcesNotLoaded(db.dataSource, SOURCES);
    if (toLoad.length === 0) {
      lines.push(`reused the loaded database (${(await companyCount(db.dataSource)).toLocaleString('en-US')} companies)`);
    } else {
      const simulator = await startSimulatorProcess(simulatorPort, FIRMS);
      try {
        const engine = new IngestionEngine(db.dataSource, hubSources(), config, logger);
        for (const source of toLoad) {
          const started = Date.now();
          const run = await engine.run({ source, trigger: 'cli', full: true });
          const line = `loaded ${source}: ${run.rowsRead.toLocaleString('en-US')} rows in ${((Date.now() - started) / 1000).toFixed(0)} s`;
          lines.push(line);
          process.stdout.write(`${line}\n`);
        }
      } finally {
        simulator.kill('SIGTERM');
      }
    }
    await db.dataSource.query('VACUUM ANALYZE');
    lines.push(...(await benchmarkStats(db.dataSource)).lines);
  } finally {
    await db.close();
    await database.dispose();
  }
  process.stdout.write(`\n${lines.join('\n')}\n`);
}

// Run directly, or through scripts/run-built.mjs (which imports this file with argv[1] set to it).
if (require.main === module || process.argv[1] === __filename) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
