import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { migrations } from '../../../migrations';
import pg from 'pg';
import { DeadlineAwareClient, DeadlinePool } from './request-deadline';
import { SqlStatementCounter } from './sql-statement-count';

/** Connections of a process's pool unless told otherwise (the API's fair admission runs as many requests at once). */
export const DEFAULT_POOL_SIZE = 10;

/**
 * The TypeORM data source. The schema is owned by migrations/ (never `synchronize`); repositories
 * use it for SQL and the ingestion engine borrows pinned connections from its pool for COPY.
 */
export function createDataSource(url: string, options: { poolSize?: number; applicationName?: string } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    migrations,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    logging: false,
    // Counts statements per API request; it logs nothing.
    logger: new SqlStatementCounter(),
    poolSize: options.poolSize ?? DEFAULT_POOL_SIZE,
    // A server that does not answer (a host gone from the network) fails a connect in this long,
    // so requests answer SERVICE_UNAVAILABLE rather than wait; a stopped one refuses at once.
    connectTimeoutMS: 5000,
    applicationName: options.applicationName ?? 'i-industry-hub',
    // API requests bound their statements with it (see request-deadline.ts); elsewhere it is pg's own.
    extra: { Client: DeadlineAwareClient },
    // ... and a wait for a free connection counts toward the request's deadline (request-deadline.ts).
    driver: { ...pg, Pool: DeadlinePool },
  });
}

// Serialises migrations across processes (API and worker may start together).
const MIGRATION_LOCK = 7_317_001;

/** Applies pending migrations under an advisory lock; returns the names of those applied. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const lock = await pgPool(dataSource).connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    lock.release();
  }
}

/** The node-postgres pool behind the data source, for what TypeORM does not wrap (COPY, plain results). */
export function pgPool(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}
