import fs from 'node:fs/promises';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { HubConfig } from '../../config/config';
import type { Logger } from '../logging/logger';
import { createDataSource, runMigrations } from './data-source';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres';
import { ReplicaMonitor, ReplicaReader } from './read-replica';

export interface Database {
  dataSource: DataSource;
  /** Connection string in use (the embedded server's when DATABASE_URL is unset). */
  url: string;
  embedded: EmbeddedPostgresHandle | undefined;
  close(): Promise<void>;
}

/**
 * One hub process per embedded data folder: a second would adopt the first one's database and stop
 * it on exit. The CLI does not take the lock; it attaches to the running hub's database.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockFile = path.join(dataDir, 'hub.pid');
  await fs.mkdir(dataDir, { recursive: true });
  const holder = Number.parseInt(await fs.readFile(lockFile, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(holder) && holder !== process.pid) {
    let alive = false;
    try {
      process.kill(holder, 0);
      alive = true;
    } catch {
      // stale lock of a process that died
    }
    if (alive) throw new Error(`another hub process (pid ${holder}) is running on ${dataDir}; stop it or set HUB_DATA_DIR`);
  }
  await fs.writeFile(lockFile, String(process.pid));
  return () => fs.rm(lockFile, { force: true });
}

/**
 * Opens the hub database: the server in DATABASE_URL, or the embedded default. No auto-detection:
 * unset means embedded. `owner: 'hub'` starts (or adopts) and later stops the embedded server;
 * `owner: 'cli'` attaches to a running one, or runs one just for the command.
 */
export async function openDatabase(
  config: HubConfig,
  logger: Logger,
  options: { migrate: boolean; owner: 'hub' | 'cli'; applicationName?: string },
): Promise<Database> {
  const log = logger.child({ component: 'database' });
  const unlock = !config.databaseUrl && options.owner === 'hub' ? await lockDataDir(config.dataDir) : async () => undefined;
  let embedded: EmbeddedPostgresHandle | undefined;
  let dataSource: DataSource | undefined;
  try {
    embedded = config.databaseUrl
      ? undefined
      : await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, logger: log, adopt: options.owner === 'hub' });
    const url = config.databaseUrl ?? embedded!.url;
    dataSource = createDataSource(url, { applicationName: options.applicationName });
    await dataSource.initialize();
    if (options.migrate) {
      const applied = await runMigrations(dataSource);
      if (applied.length > 0) log.info({ applied }, 'migrations applied');
    }
    const ds = dataSource;
    const server = embedded;
    return {
      dataSource: ds,
      url,
      embedded: server,
      close: async () => {
        if (ds.isInitialized) await ds.destroy();
        if (server?.owned) await server.stop();
        await unlock();
      },
    };
  } catch (error) {
    if (dataSource?.isInitialized) await dataSource.destroy();
    if (embedded?.owned) await embedded.stop();
    await unlock();
    throw error;
  }
}

/** The read replica of an API process: its data source and the monitor that routes reads to it. */
export interface ReadReplica {
  dataSource: DataSource;
  monitor: ReplicaMonitor;
  /** Registry reads: on the standby, a statement it cannot answer run on the primary instead. */
  reader: ReplicaReader;
  close(): Promise<void>;
}

/** How often the API samples the standby's replay position (the lag metric's resolution). */
const REPLICA_POLL_MS = 500;

/**
 * Opens the standby in DATABASE_READ_URL, if any. A standby that is down at start-up does not stop
 * the API: its reads go to the primary until the standby answers (the monitor polls it).
 */
export async function openReadReplica(config: HubConfig, primary: DataSource, logger: Logger, applicationName: string): Promise<ReadReplica | undefined> {
  if (!config.readReplica) return undefined;
  const log = logger.child({ component: 'read-replica' });
  const dataSource = createDataSource(config.readReplica.url, { applicationName });
  // TypeORM's initialize() connects once; a standby down now is retried by the pool on each poll.
  await dataSource.initialize().catch((error: unknown) => log.warn({ err: error }, 'read replica not reachable at start-up; reads go to the primary'));
  const monitor = new ReplicaMonitor(primary, dataSource, { maxLagMs: config.readReplica.maxLagMs, pollMs: REPLICA_POLL_MS, logger: log });
  await monitor.start();
  return {
    dataSource,
    monitor,
    reader: new ReplicaReader(dataSource, primary, monitor),
    close: async () => {
      await monitor.stop();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
