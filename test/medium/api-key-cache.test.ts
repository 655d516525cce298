import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { ApiClientChangeListener } from '../../src/access/api-client-changes';
import { ApiClientRepository } from '../../src/access/api-client.repository';
import { ApiClientService } from '../../src/access/api-client.service';
import { createDataSource } from '../../src/platform/database/data-source';
import { withSqlStatementTally } from '../../src/platform/database/sql-statement-count';
import { createRootLogger } from '../../src/platform/logging/logger';
import { migratedTemplate } from '../support/template-database';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The API answers keys from memory, and a revocation made by another process (the CLI) reaches it
 * through the database's NOTIFY within milliseconds; without the listener it reads the database.
 */
describe('API key cache', () => {
  let database: TestDatabase;
  let apiSide: DataSource;
  let cliSide: DataSource;
  let listener: ApiClientChangeListener;
  let api: ApiClientService;
  let cli: ApiClientService;

  beforeAll(async () => {
    database = await createTestDatabase({ template: await migratedTemplate() });
    apiSide = createDataSource(database.url);
    await apiSide.initialize();
    cliSide = createDataSource(database.url);
    await cliSide.initialize();
    api = new ApiClientService(new ApiClientRepository(apiSide));
    cli = new ApiClientService(new ApiClientRepository(cliSide));
    listener = ApiClientChangeListener.forDataSource(apiSide, createRootLogger('silent'));
    await listener.start();
    api.useChangeListener(listener);
  });
  afterAll(async () => {
    await listener?.stop();
    await apiSide?.destroy();
    await cliSide?.destroy();
    await database?.drop();
  });

  /** Authenticates and reports how many SQL statements it cost. */
  async function authenticate(key: string): Promise<{ clientId: string | undefined; statements: number }> {
    const tally = { statements: 0 };
    const client = await withSqlStatementTally(tally, () => api.authenticate(`Bearer ${key}`));
    return { clientId: client?.id, statements: tally.statements };
  }

  async function until(check: () => Promise<boolean>, ms: number): Promise<number> {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return Date.now() - started;
  }

  test('a key already seen costs no SQL statement', async () => {
    const { client, key } = await cli.create({ name: 'cached-analyst', role: 'analyst' });
    const first = await authenticate(key);
    expect(first.clientId).toBe(client.id);
    expect(first.statements).toBeGreaterThanOrEqual(1);
    const again = await authenticate(key);
    expect(again).toEqual({ clientId: client.id, statements: 0 });
  });

  test('a key revoked by another process stops working within a second, without restarting the API', async () => {
    const { client, key } = await cli.create({ name: 'revoked-elsewhere', role: 'bank', bankCode: 'SMED' });
    expect((await authenticate(key)).clientId).toBe(client.id);
    expect((await authenticate(key)).statements).toBe(0);
    await cli.revoke('revoked-elsewhere');
    await until(async () => (await authenticate(key)).clientId === undefined, 1000);
    expect((await authenticate(key)).clientId).toBeUndefined();
  });

  test('an unknown key is looked up once, then refused from memory (a flood of one wrong key costs no SELECT each)', async () => {
    const unknown = `iih_unknown-${Date.now()}`;
    expect(await authenticate(unknown)).toEqual({ clientId: undefined, statements: 1 });
    expect(await authenticate(unknown)).toEqual({ clientId: undefined, statements: 0 });
    // A key created later is a new key: it is found at once.
    const { client, key } = await cli.create({ name: 'created-after-a-wrong-key', role: 'analyst' });
    expect((await authenticate(key)).clientId).toBe(client.id);
  });

  test('while the listener is down every request reads the database, and caching resumes after reconnecting', async () => {
    const { client, key } = await cli.create({ name: 'listener-down', role: 'ministry' });
    await authenticate(key);
    expect((await authenticate(key)).statements).toBe(0);
    // Cut the listener's connection from the server side, as a failover or restart would.
    await cliSide.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`);
    await until(async () => !listener.live, 2000);
    expect(await authenticate(key)).toEqual({ clientId: client.id, statements: 1 });
    // A revocation while it is down is seen at once, since nothing is cached.
    await cli.revoke('listener-down');
    expect((await authenticate(key)).clientId).toBeUndefined();
    await until(async () => listener.live, 5000);
    const { key: next } = await cli.create({ name: 'after-reconnect', role: 'analyst' });
    await authenticate(next);
    expect((await authenticate(next)).statements).toBe(0);
  });
});
