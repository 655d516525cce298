import 'reflect-metadata';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { type HubConfig } from '../src/config/config';
import { loadHubConfig } from '../src/app/config';
import { IngestionEngine, type RunPhases } from '../src/ingestion/ingestion.engine';
import type { IngestionRunRecord } from '../src/ingestion/ingestion-run.repository';
import { openDatabase } from '../src/platform/database/database';
import { createRootLogger } from '../src/platform/logging/logger';
import { DBD_BASE_TIME, DAY_MS } from '../src/simulator/dbd/dbd-listing';
import { eximProductSource, smedProductSource } from '../src/sources/banks/bank-product.source';
import { hubSources } from '../src/sources/registry';
import { relink } from '../src/linking/relink';
import { mb, openBenchDatabase, sourcesNotLoaded, startSimulatorProcess } from './support/bench-world';

/**
 * npm run bench:ingest — the ingestion engine against its baseline, and stored eligibility, measured
 * in one run.
 *
 * The simulator (a child process, so its memory is not counted) serves BENCH_FIRMS firms
 * (default 1,000,000; DIW then has 200,000 factories). First the banks' loan product catalogues are
 * loaded (unless BENCH_PRODUCTS=0), so that the DBD full load that follows computes every product's
 * eligibility for every firm, as a hub's first load does. The hub loads each source of BENCH_SOURCES
 * in full through the real engine (HTTP, parse, COPY to staging, upsert, quarantine, links, derived
 * facts, the statistics aggregate, eligibility). The baseline is plain COPY of the very rows the hub
 * stored into an empty table of the same shape (indexes and constraints included). Then, with every
 * source of BENCH_SOURCES loaded (DIW, TISI and DIP by default), an incremental DBD run after 1 % of
 * firms changed, with the share of its time that went to links (per linked table: rows examined and
 * changed), profiles, statistics and eligibility; then `hub relink` of everything (unless
 * BENCH_RELINK=0).
 * Reported: rows/s of each, their ratio, each run's phases, incremental time / full time, and peak
 * RSS of this process (which runs the engine). PostgreSQL: BENCH_DATABASE_URL (a server where it may
 * create a database), else an embedded one in a temporary folder. With BENCH_REUSE_DATABASE a
 * source already loaded there is not loaded again (its full load is not measured) and the
 * incremental DBD run reads the next day of changes.
 */
const FIRMS = Number(process.env['BENCH_FIRMS'] ?? 1_000_000);
const SOURCES = (process.env['BENCH_SOURCES'] ?? 'dbd-companies,diw,tisi-standards,tisi-licences,dip-participations,dip-i40-assessments').split(',');
const PRODUCTS = process.env['BENCH_PRODUCTS'] !== '0';
/** Whether to time `hub relink` (every linked table, every firm's profile and eligibility) at the end. */
const RELINK = process.env['BENCH_RELINK'] !== '0';
const REGISTRY = hubSources();
const tableOf = (source: string): string => REGISTRY.get(source)!.target.table;

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

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const pct = (part: number, whole: number): string => `${((part / whole) * 100).toFixed(1)} %`;

/** One line of where a run's time went. */
function describePhases(p: RunPhases): string {
  const t = p.eligibility?.timings;
  const eligibility = p.eligibility
    ? ` (${p.eligibility.firmsUnchanged.toLocaleString('en-US')} firms skipped as unchanged, ${p.eligibility.results.toLocaleString('en-US')} results computed, ${p.eligibility.written.toLocaleString('en-US')} written, ${p.eligibility.events.toLocaleString('en-US')} events` +
      `${t ? `; reads in flight ${s(t.readMs)} (overlapping), evaluated ${s(t.evaluateMs)}, waiting for writes and reads ${s(t.writeMs)}` : ''})`
    : '';
  const links = p.links
    ? ` (${Object.entries(p.links)
        .map(([table, l]) => `${table}: ${l.scoped.toLocaleString('en-US')} examined${l.narrowed === false ? ' (broad)' : ''}, ${l.changed.toLocaleString('en-US')} changed`)
        .join('; ')})`
    : '';
  return (
    `load ${s(p.loadMs)} (read ${s(p.readMs)}, upsert ${s(p.upsertMs)}), links ${s(p.linkMs)}${links}, profiles ${s(p.profileMs)} (${p.profilesRecomputed.toLocaleString('en-US')} firms), ` +
    `statistics ${s(p.statsMs)}, eligibility ${s(p.eligibilityMs)}${eligibility}` +
    (p.bulkTables.length > 0 ? `; bulk first load of ${p.bulkTables.join(', ')} (indexes rebuilt after the links and derivations in ${s(p.rebuildMs)}: ${Object.entries(p.rebuildMsByTable).map(([table, ms]) => `${table} ${s(ms)}`).join(', ')})` : '')
  );
}

async function main(): Promise<void> {
  const logger = createRootLogger(process.env['LOG_LEVEL'] ?? 'warn');
  const database = await openBenchDatabase(logger);
  const url = database.url;
  const simulatorPort = 47000 + (process.pid % 1000);
  const simulator = await startSimulatorProcess(simulatorPort, FIRMS);

  const config: HubConfig = loadHubConfig({
    DATABASE_URL: url,
    SIMULATOR_PORT: String(simulatorPort),
    LOG_LEVEL: 'warn',
    FEED_TIMEOUT_MS: '600000',
  });
  const db = await openDatabase(config, logger, { migrate: true, owner: 'cli' });
  const engine = new IngestionEngine(db.dataSource, REGISTRY, config, logger);
  const lines: string[] = [`i-Industry Hub ingestion benchmark — ${FIRMS.toLocaleString('en-US')} firms, Node ${process.version}, ${os.cpus().length} cores`];
  const say = (line: string): void => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  const timed = async (source: string, full: boolean): Promise<{ run: IngestionRunRecord; seconds: number; phases: RunPhases | undefined }> => {
    let phases: RunPhases | undefined;
    const started = process.hrtime.bigint();
    const run = await engine.run({
      source,
      trigger: 'cli',
      full,
      onPhases: (p) => (phases = p),
      // Part of the run's time (it ends after it), reported on its own line.
      onVacuumed: (ms) => say(`  ${source}: vacuum after its bulk load (committed already) ${Object.entries(ms).map(([table, t]) => `${table} ${s(t)}`).join(', ')}`),
    });
    return { run, seconds: Number(process.hrtime.bigint() - started) / 1e9, phases };
  };
  try {
    const toLoad = await sourcesNotLoaded(db.dataSource, SOURCES);
    if (PRODUCTS) {
      for (const source of await sourcesNotLoaded(db.dataSource, [smedProductSource.id, eximProductSource.id])) {
        const { run, seconds } = await timed(source, true);
        say(`${source}: ${run.rowsInserted} products loaded in ${seconds.toFixed(1)} s`);
      }
    }
    for (const source of SOURCES) {
      if (toLoad.includes(source)) {
        peakRss = 0;
        const [before] = await db.dataSource.query<{ none: boolean }[]>(`SELECT NOT EXISTS (SELECT 1 FROM lending.eligibility_result) AS none`);
        const { run, seconds, phases } = await timed(source, true);
        const hubRate = run.rowsRead / seconds;
        const baseline = await copyBaseline(url, tableOf(source));
        const copyRate = baseline.rows / baseline.seconds;
        say(
          `${source}: full load ${run.rowsRead} rows in ${seconds.toFixed(1)} s = ${hubRate.toFixed(0)} rows/s; ` +
            `plain COPY ${baseline.rows} rows in ${baseline.seconds.toFixed(1)} s = ${copyRate.toFixed(0)} rows/s; ` +
            `ratio ${(hubRate / copyRate).toFixed(2)} × COPY; peak RSS ${mb(peakRss)}`,
        );
        if (phases) say(`  phases: ${describePhases(phases)}`);
        if (phases?.eligibility && phases.eligibility.results > 0) {
          const eligibilityMs = phases.eligibilityMs + (phases.rebuildMsByTable['lending.eligibility_result'] ?? 0);
          const without = seconds - eligibilityMs / 1000;
          say(
            before!.none
              ? `  eligibility full computation: ${s(eligibilityMs)} (results written ${s(phases.eligibilityMs)}, their indexes ${s(eligibilityMs - phases.eligibilityMs)}) ` +
                  `for ${phases.eligibility.results.toLocaleString('en-US')} results (every product × every firm), in the ${source} full load of ${seconds.toFixed(1)} s ` +
                  `that caused it (${pct(eligibilityMs, seconds * 1000)} of it)`
              : `  eligibility recompute of the firms this load touched: ${s(eligibilityMs)} for ${phases.eligibility.results.toLocaleString('en-US')} results ` +
                  `(${pct(eligibilityMs, seconds * 1000)} of the ${seconds.toFixed(1)} s load)`,
          );
          say(
            `  ${source} full load less its eligibility phases (what it costs when the products load after it, as in the hub's initial load order): ${without.toFixed(1)} s = ` +
              `${(run.rowsRead / without).toFixed(0)} rows/s; ratio ${(run.rowsRead / without / copyRate).toFixed(2)} × COPY`,
          );
        }
      } else {
        say(`${source}: already loaded in the reused database (full load not measured)`);
      }
    }
    // After every source's full load: the links phase then covers DIW, TISI and DIP records.
    const source = 'dbd-companies';
    if (SOURCES.includes(source)) {
      // 1 % of firms change from one epoch (day) to the next; a reused database reads the next day.
      const [state] = await db.dataSource.query<{ cursor: string | null }[]>(`SELECT cursor FROM ingestion.source_state WHERE source = 'dbd-companies'`);
      const epoch = state?.cursor ? Math.floor((Date.parse(state.cursor) - DBD_BASE_TIME) / DAY_MS) + 1 : 1;
      const feed = config.feeds['dbd-companies']!;
      const base = feed.url.replace(/[?&]epoch=\d+/, '');
      feed.url = `${base}${base.includes('?') ? '&' : '?'}epoch=${epoch}`;
      // The full load left gigabytes of dirty pages that the checkpointer writes in the background
      // for minutes: written now and reported, so the incremental run is measured on its own.
      const checkpointStarted = process.hrtime.bigint();
      try {
        await db.dataSource.query('CHECKPOINT');
        say(`${source}: checkpoint before the incremental run (writing what the loads before it left in memory): ${(Number(process.hrtime.bigint() - checkpointStarted) / 1e9).toFixed(1)} s`);
      } catch (error) {
        say(`${source}: no checkpoint before the incremental run (${error instanceof Error ? error.message : String(error)})`);
      }
      peakRss = 0;
      const incremental = await timed(source, false);
      const full = lines.find((line) => line.startsWith(`${source}: full load`));
      const fullSeconds = full ? Number(/ in ([\d.]+) s/.exec(full)![1]) : undefined;
      say(
        `${source}: incremental run (1 % changed, epoch ${epoch}) read ${incremental.run.rowsRead} rows, updated ${incremental.run.rowsUpdated}, in ` +
          `${incremental.seconds.toFixed(1)} s${fullSeconds ? ` = ${pct(incremental.seconds, fullSeconds)} of the full load` : ''}; peak RSS ${mb(peakRss)}`,
      );
      const p = incremental.phases;
      if (p) {
        const runMs = incremental.seconds * 1000;
        say(`  phases: ${describePhases(p)}`);
        say(
          `  eligibility recompute: ${s(p.eligibilityMs)} = ${pct(p.eligibilityMs, runMs)} of the run's ${s(runMs)}, ` +
            `adds ${pct(p.eligibilityMs, runMs - p.eligibilityMs)} to the rest of it (target ≤ 20 %); ` +
            `profiles + statistics + eligibility ${s(p.profileMs + p.statsMs + p.eligibilityMs)} = ${pct(p.profileMs + p.statsMs + p.eligibilityMs, runMs)} of the run`,
        );
      }
    }
    if (RELINK) {
      // The operator's repair, at this scale: every linked table, every firm's profile and eligibility.
      peakRss = 0;
      const started = process.hrtime.bigint();
      const { run, summary } = await relink(db.dataSource, REGISTRY, logger);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      say(
        `relink: ${run.status} in ${seconds.toFixed(1)} s; ${run.rowsRead.toLocaleString('en-US')} records examined, ${run.rowsUpdated.toLocaleString('en-US')} links changed; ` +
          (summary
            ? `${summary.profiles.toLocaleString('en-US')} profiles, ${summary.statsGroups.toLocaleString('en-US')} statistics groups; eligibility ${summary.eligibility.firmsUnchanged.toLocaleString('en-US')} firms unchanged, ` +
              `${summary.eligibility.written.toLocaleString('en-US')} results changed, ${summary.eligibility.events.toLocaleString('en-US')} events; `
            : '') +
          `peak RSS ${mb(peakRss)}`,
      );
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
