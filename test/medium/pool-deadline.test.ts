import 'reflect-metadata';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, pgPool } from '../../src/platform/database/data-source';
import { RequestDeadline, withRequestDeadline } from '../../src/platform/database/request-deadline';
import { migratedTemplate } from '../support/template-database';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * A request waiting for a pooled connection waits no longer than its deadline (red-team probe,
 * issue 14): with the pool exhausted it fails with QUERY_TIMEOUT, and a connection that comes free
 * afterwards goes back to the pool, not to the request that gave up.
 */
describe('waiting for a pooled connection counts toward the request deadline', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let held: PoolClient | undefined;

  beforeAll(async () => {
    database = await createTestDatabase({ template: await migratedTemplate() });
    dataSource = createDataSource(database.url, { poolSize: 1 });
    await dataSource.initialize();
  });
  afterAll(async () => {
    held?.release();
    await dataSource?.destroy();
    await database?.drop();
  });

  /** Takes the pool's one connection and gives it back after `ms` (so a wait without a bound ends too). */
  async function exhaustPool(ms: number): Promise<PoolClient> {
    const client = await pgPool(dataSource).connect();
    held = client;
    setTimeout(() => {
      if (held === client) {
        held = undefined;
        client.release();
      }
    }, ms).unref();
    return client;
  }

  test.each([
    ['the statement timeout, within a long deadline', new RequestDeadline(300, 30_000), 'pool', 300],
    ['the request deadline, when it comes first', new RequestDeadline(5_000, 300), 'request', 300],
    ['a feed without a request deadline: its statement timeout', new RequestDeadline(300, undefined), 'pool', 300],
  ])('bounded by %s', async (_name, deadline, which, limitMs) => {
    const client = await exhaustPool(4_000);
    const started = performance.now();
    await expect(withRequestDeadline(deadline, () => dataSource.query('SELECT 1'))).rejects.toMatchObject({ code: 'QUERY_TIMEOUT', which, limitMs });
    expect(performance.now() - started).toBeLessThan(2_500);
    deadline.finish();
    // The connection given back now goes to the pool, not to the waiter that gave up.
    held = undefined;
    client.release();
    await expect(dataSource.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
    expect(pgPool(dataSource).waitingCount).toBe(0);
    expect(pgPool(dataSource).totalCount).toBe(1);
  });

  test('a free connection is taken at once, and statements outside a request wait as before', async () => {
    const deadline = new RequestDeadline(300, 1_000);
    await expect(withRequestDeadline(deadline, () => dataSource.query('SELECT 2 AS two'))).resolves.toEqual([{ two: 2 }]);
    deadline.finish();
    await exhaustPool(500);
    await expect(dataSource.query('SELECT 3 AS three')).resolves.toEqual([{ three: 3 }]);
  });
});
