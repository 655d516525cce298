import { createHash } from 'node:crypto';
import { loadHubConfig } from '../../src/app/config';
import { openDatabase } from '../../src/platform/database/database';
import { createRootLogger } from '../../src/platform/logging/logger';
import { createTestDatabase, testDatabaseNamed, testDatabasePrefix, withAdmin, type TestDatabase } from './test-database';

/**
 * Databases built once per test run and copied for each test file that asks for one
 * (`CREATE DATABASE ... TEMPLATE`), instead of each file migrating and loading its own. A template
 * is built by the first file that needs it, under an advisory lock, so the jest workers never build
 * one twice and a run that needs none builds none; the global teardown drops them with the run's
 * other databases. A template is finished before it gets its name: a build that fails leaves
 * nothing another file could copy.
 */
export async function templateDatabase(key: string, build: (database: TestDatabase) => Promise<void>): Promise<string> {
  const name = `${testDatabasePrefix()}t_${key}`;
  if (name.length > 63) throw new Error(`template database name too long: ${name}`);
  return withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount) return name;
      const building = testDatabaseNamed(`${name}_b`);
      await admin.query(`DROP DATABASE IF EXISTS ${building.name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${building.name}${key === 'migrated' ? '' : ` TEMPLATE ${await migratedTemplate()}`}`);
      try {
        await build(building);
      } catch (error) {
        await building.drop().catch(() => undefined);
        throw error;
      }
      await admin.query(`ALTER DATABASE ${building.name} RENAME TO ${name}`);
      return name;
    } finally {
      await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
    }
  });
}

/** A database with every migration applied and the reference data they seed, nothing loaded. */
export function migratedTemplate(): Promise<string> {
  return templateDatabase('migrated', async (database) => {
    const db = await openDatabase(loadHubConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent' }), createRootLogger('silent'), { migrate: true, owner: 'cli' });
    await db.close();
  });
}

/** A short, stable name part for a template built from these settings. */
export function templateKey(kind: string, settings: unknown): string {
  return `${kind}_${createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 10)}`;
}

/** A fresh database of the test server with every migration applied: a copy of the migrated template. */
export async function createMigratedDatabase(): Promise<TestDatabase> {
  return createTestDatabase({ template: await migratedTemplate() });
}
