import fs from 'node:fs/promises';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { HubConfig } from '../../config/config';
import type { Logger } from '../logging/logger';
import { createDataSource, runMigrations } from './data-source';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres';

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
