import 'reflect-metadata';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { loadConfig, type HubConfig } from '../src/config/config';
import { IngestionEngine } from '../src/ingestion/ingestion.engine';
import type { IngestionRunRecord } from '../src/ingestion/ingestion-run.repository';
import { openDatabase } from '../src/platform/database/database';
import { createRootLogger } from '../src/platform/logging/logger';
import { SourceRegistry } from '../src/sources/registry';
import { mb, openBenchDatabase, startSimulatorProcess } from './support/bench-world';

/**
 * npm run bench:ingest — the ingestion engine against its baseline, measured in one run.
 *
 * The simulator (a child process, so its memory is not counted) serves BENCH_FIRMS firms
 * (default 1,000,000; DIW then has 200,000 factories). The hub loads each source in full through
 * the real engine (HTTP, parse, COPY to staging, upsert, quarantine, links, derived facts). The
 * baseline is plain COPY of the very rows the hub stored into an empty table of the same shape
 * (indexes and constraints included). Then an incremental DBD run after 1 % of firms changed.
 * Reported: rows/s of each, their ratio, incremental time / full time, and peak RSS of this process
 * (which runs the engine). PostgreSQL: BENCH_DATABASE_URL (a server where it may create a
 * database), else an embedded one in a temporary folder.
 */
const FIRMS = Number(process.env['BENCH_FIRMS'] ?? 1_000_000);
const SOURCES = (process.env['BENCH_SOURCES'] ?? 'dbd-companies,diw').split(',');
const TABLE_OF: Record<string, string> = {
  'dbd-companies': 'registry.company',
  'dbd-financials': 'registry.financial_statement',
  diw: 'registry.factory',
};

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
sampler.unref();

/** Plain COPY of the rows the hub stored, into an empty table of the same shape: the baseline. */
async function copyBaseline(url: string, table: string): Promise<{ rows: number; seconds: number }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const file = path.join(os.tmpdir(), `iih-bench-${process.pid}.copy`);
  try {
    await client.query(`DROP TABLE IF EXISTS bench_copy; CREATE UNLOGGED TABLE bench_copy (LIKE ${table} INCLUDING ALL)`);
    await client.query(`ALTER TABLE bench_copy SET LOGGED`);
    const handle = await fs.open(file, 'w');
    await pipeline(client.query(copyTo(`COPY ${table} TO STDOUT`)), handle.createWriteStream());
    const started = process.hrtime.bigint();
    const read = await fs.open(file, 'r');
    await pipeline(read.createReadStream({ highWaterMark: 1 << 20 }), client.query(copyFrom('COPY bench_copy FROM STDIN')));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rows = Number((await client.query('SELECT count(*) AS n FROM bench_copy')).rows[0].n);
    await client.query('DROP TABLE bench_copy');
    return { rows, seconds };
  } finally {
    await client.end();
    await fs.rm(file, { force: true });
  }
}

async function main(): Promise<void> {
  const logger = createRootLogger(process.env['LOG_LEVEL'] ?? 'warn');
  const database = await openBenchDatabase(logger);
  const url = database.url;
  const simulatorPort = 47000 + (process.pid % 1000);
  const simulator = await startSimulatorProcess(simulatorPort, FIRMS);

  const config: HubConfig = loadConfig({
    DATABASE_URL: url,
    SIMULATOR_PORT: String(simulatorPort),
    LOG_LEVEL: 'warn',
    FEED_TIMEOUT_MS: '600000',
  });
  const db = await openDatabase(config, logger, { migrate: true, owner: 'cli' });
  const engine = new IngestionEngine(db.dataSource, new SourceRegistry(), config, logger);
  const lines: string[] = [`i-Industry Hub ingestion benchmark — ${FIRMS.toLocaleString('en-US')} firms, Node ${process.version}, ${os.cpus().length} cores`];
  const timed = async (source: string, full: boolean): Promise<{ run: IngestionRunRecord; seconds: number }> => {
    const started = process.hrtime.bigint();
    const run = await engine.run({ source, trigger: 'cli', full });
    return { run, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  };
  try {
    for (const source of SOURCES) {
      peakRss = 0;
      const { run, seconds } = await timed(source, true);
      const hubRate = run.rowsRead / seconds;
      const baseline = await copyBaseline(url, TABLE_OF[source]!);
      const copyRate = baseline.rows / baseline.seconds;
      lines.push(
        `${source}: full load ${run.rowsRead} rows in ${seconds.toFixed(1)} s = ${hubRate.toFixed(0)} rows/s; ` +
          `plain COPY ${baseline.rows} rows in ${baseline.seconds.toFixed(1)} s = ${copyRate.toFixed(0)} rows/s; ` +
          `ratio ${(hubRate / copyRate).toFixed(2)} × COPY; peak RSS ${mb(peakRss)}`,
      );
      if (source === 'dbd-companies') {
        // 1 % of firms change from one epoch to the next.
        config.sources.dbdCompanies.feedUrl = `${config.sources.dbdCompanies.feedUrl}?epoch=1`;
        peakRss = 0;
        const incremental = await timed(source, false);
        lines.push(
          `${source}: incremental run (1 % changed) read ${incremental.run.rowsRead} rows, updated ${incremental.run.rowsUpdated}, in ` +
            `${incremental.seconds.toFixed(1)} s = ${((incremental.seconds / seconds) * 100).toFixed(1)} % of the full load; peak RSS ${mb(peakRss)}`,
        );
      }
      process.stdout.write(`${lines.at(-1)}\n`);
    }
  } finally {
    await db.close();
    simulator.kill('SIGTERM');
    await database.dispose();
  }
  process.stdout.write(`\n${lines.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
