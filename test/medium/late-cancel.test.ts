import 'reflect-metadata';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, pgPool } from '../../src/platform/database/data-source';
import { RequestDeadline, withRequestDeadline } from '../../src/platform/database/request-deadline';
import { migratedTemplate } from '../support/template-database';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * A late cancel hits nothing but its own statement (red-team probe). PostgreSQL's cancel request
 * names a backend, not a statement: when the statement it was meant for finishes while the cancel
 * is on its way, and its connection goes back to the pool and runs someone else's statement, the
 * cancel arrives and kills that one (seen under load: the read audit's insert failed with 57014 and
 * twenty answers were withheld). Here the cancel request is held back on its own socket until the
 * next statement on the pool's only connection is running, then let go: that statement must
 * succeed.
 */
describe('a late cancel hits nothing but the statement it was meant for', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let watcher: Client;

  interface PgConnection {
    cancel(processID: number, secretKey: number): void;
  }
  const connectionPrototype = Object.getPrototypeOf((new Client() as unknown as { connection: PgConnection }).connection) as PgConnection;
  const sendCancel = connectionPrototype.cancel;
  /** Cancel requests pg has connected for, held before their CancelRequest message is sent. */
  let held: Array<() => void> = [];

  beforeAll(async () => {
    database = await createTestDatabase({ template: await migratedTemplate() });
    dataSource = createDataSource(database.url, { poolSize: 1 });
    await dataSource.initialize();
    watcher = new Client({ connectionString: database.url });
    await watcher.connect();
  });
  beforeEach(() => {
    held = [];
    // The cancel request is slow to arrive (as on a loaded machine): it leaves only when the test says.
    connectionPrototype.cancel = function (this: PgConnection, processID: number, secretKey: number) {
      held.push(() => sendCancel.call(this, processID, secretKey));
    };
  });
  afterEach(() => {
    connectionPrototype.cancel = sendCancel;
    for (const send of held) send();
  });
  afterAll(async () => {
    await watcher?.end();
    await dataSource?.destroy();
    await database?.drop();
  });

  async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
    const started = Date.now();
    while (!(await condition())) {
      if (Date.now() - started > 5_000) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** True once a statement containing `marker` runs on the server (seen from outside the pool). */
  async function running(marker: string): Promise<boolean> {
    const { rows } = await watcher.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()",
      [marker],
    );
    return rows[0]!.n > 0;
  }

  /**
   * Request A's statement outlives its statement timeout (100 ms) and finishes (300 ms) before its
   * cancel arrives; its connection goes back to the pool; `next` runs a statement of 600 ms on it,
   * and A's cancel arrives while that one runs.
   */
  async function lateCancelThen<T>(next: () => Promise<T>): Promise<T> {
    const a = new RequestDeadline(100, 30_000);
    const first = await withRequestDeadline(a, () => dataSource.query<Array<{ a: string }>>("SELECT 'a' AS a FROM pg_sleep(0.3)"));
    a.finish();
    // A's statement finished with its answer: the cancel came too late for it.
    expect(first).toEqual([{ a: 'a' }]);
    expect(held).toHaveLength(1);
    const outcome = next().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await until(() => running('late-cancel-next'), 'the next statement runs');
    for (const send of held.splice(0)) send();
    const settled = await outcome;
    if ('error' in settled) throw settled.error;
    return settled.value;
  }

  test("another request's statement on the same pooled connection succeeds", async () => {
    const b = new RequestDeadline(5_000, 30_000);
    const rows = await lateCancelThen(() => withRequestDeadline(b, () => dataSource.query("SELECT 'b' AS b, 'late-cancel-next' FROM pg_sleep(0.6)")));
    b.finish();
    expect(rows).toEqual([{ b: 'b', '?column?': 'late-cancel-next' }]);
  });

  test("a statement outside any request (as the read audit's insert, through the pool) succeeds", async () => {
    const { rows } = await lateCancelThen(() => pgPool(dataSource).query<{ c: string }>("SELECT 'c' AS c, 'late-cancel-next' AS marker FROM pg_sleep(0.6)"));
    expect(rows).toEqual([{ c: 'c', marker: 'late-cancel-next' }]);
  });

  test("within the request, the connection runs nothing more after its late cancel: nothing commits", async () => {
    const a = new RequestDeadline(100, 30_000);
    const transaction = withRequestDeadline(a, () =>
      dataSource.transaction(async (manager) => {
        await manager.query('SELECT pg_sleep(0.3)');
        await manager.query('CREATE TABLE late_cancel_probe (x int)');
      }),
    );
    await expect(transaction).rejects.toMatchObject({ code: 'QUERY_TIMEOUT', which: 'statement', limitMs: 100 });
    a.finish();
    for (const send of held.splice(0)) send();
    await expect(dataSource.query("SELECT to_regclass('late_cancel_probe') AS t")).resolves.toEqual([{ t: null }]);
    expect(pgPool(dataSource).totalCount).toBe(1);
  });

  test('a statement the cancel reaches still answers QUERY_TIMEOUT, and the pool serves the next one', async () => {
    connectionPrototype.cancel = sendCancel;
    const a = new RequestDeadline(100, 30_000);
    await expect(withRequestDeadline(a, () => dataSource.query('SELECT pg_sleep(5)'))).rejects.toMatchObject({ code: 'QUERY_TIMEOUT', which: 'statement', limitMs: 100 });
    a.finish();
    await expect(dataSource.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
    expect(pgPool(dataSource).totalCount).toBe(1);
  });
});
