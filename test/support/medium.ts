import type { DataSource } from 'typeorm';
import { loadHubConfig } from '../../src/app/config';
import { createServices, type HubServices } from '../../src/app/services';
import type { ConfigEnv } from '../../src/config/config';
import type { IngestionQueue } from '../../src/ingestion/ingestion.queue';
import { createDataSource } from '../../src/platform/database/data-source';
import { hubSources } from '../../src/sources/registry';
import { loadedWorldTemplate, type World } from './loaded-hub';
import { migratedTemplate } from './template-database';
import { createTestDatabase, type TestDatabase } from './test-database';

/**
 * The middle tier (test/medium): a copy of a migrated database, or of a loaded world, with the
 * hub's real repositories and services on it, and no HTTP server, queue, worker or simulator. As in
 * immich's server "medium" tests, the test chooses what is real: the database always is; the
 * ingestion queue is a stand-in that fails the test if a service reaches for it.
 */
export interface MediumContext {
  database: TestDatabase;
  dataSource: DataSource;
  /** The services the API and the CLI use, wired as the hub wires them (src/app/services.ts). */
  services: HubServices;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export interface MediumOptions {
  /** 'migrated' (default): every migration and the reference data, nothing loaded; or a loaded world. */
  world?: 'migrated' | World;
  /** Configuration variables for the services. */
  env?: ConfigEnv;
}

/** A queue that is not there: any use is a test set-up error, said plainly. */
const NO_QUEUE = new Proxy({} as IngestionQueue, {
  get: (_target, property) => {
    throw new Error(`the medium tier has no ingestion queue (IngestionQueue.${String(property)}): use an integration test`);
  },
});

export async function newMediumContext(options: MediumOptions = {}): Promise<MediumContext> {
  const world = options.world ?? 'migrated';
  const template = world === 'migrated' ? await migratedTemplate() : await loadedWorldTemplate(world);
  const database = await createTestDatabase({ template });
  const dataSource = createDataSource(database.url, { poolSize: 4, applicationName: 'medium-test' });
  try {
    await dataSource.initialize();
  } catch (error) {
    await database.drop();
    throw error;
  }
  const config = loadHubConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', ...options.env });
  return {
    database,
    dataSource,
    services: createServices(dataSource, hubSources(), config, NO_QUEUE),
    sql: <T>(text: string, params: unknown[] = []): Promise<T[]> => dataSource.query(text, params),
    stop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
    },
  };
}
