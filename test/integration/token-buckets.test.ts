import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { PostgresTokenBuckets, RedisTokenBuckets, type TokenBucketStore } from '../../src/access/token-bucket';
import { createDataSource, runMigrations } from '../../src/platform/database/data-source';
import { createTestDatabase, redisTestUrl, type TestDatabase } from '../support/test-database';

/**
 * The shared stores of the per-client limits: two "processes" (two pools, two Redis connections)
 * charging one bucket at once get exactly its capacity between them, and a refused charge says how
 * long until it fits.
 */
describe.each([
  ['postgres', true],
  ['redis', redisTestUrl() !== undefined],
] as const)('token buckets in %s', (store, available) => {
  const maybe = available ? test : test.skip;
  let database: TestDatabase | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  let stores: TokenBucketStore[] = [];

  beforeAll(async () => {
    if (!available) return;
    if (store === 'postgres') {
      database = await createTestDatabase();
      const migrate = createDataSource(database.url);
      await migrate.initialize();
      await runMigrations(migrate);
      await migrate.destroy();
      stores = [0, 1].map(() => {
        const pool = new Pool({ connectionString: database!.url, max: 4 });
        // An idle client ended by the server must not fail the run as an unhandled 'error' event.
        pool.on('error', () => undefined);
        closers.push(() => pool.end());
        return new PostgresTokenBuckets(pool);
      });
    } else {
      stores = [0, 1].map(() => {
        const client = new Redis(redisTestUrl()!);
        closers.push(async () => client.disconnect());
        return new RedisTokenBuckets(client);
      });
    }
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await database?.drop();
  });

  const key = (): string => `test:${randomBytes(6).toString('hex')}`;

  maybe('two processes charging one bucket at once get its capacity between them, no more', async () => {
    const bucket = { capacity: 50, perSecond: 50 / 3600 };
    const k = key();
    const answers = await Promise.all(Array.from({ length: 120 }, (_, i) => stores[i % 2]!.take(k, bucket, 1)));
    expect(answers.filter((a) => a.granted)).toHaveLength(50);
    const refused = answers.filter((a) => !a.granted);
    // A token every 72 s.
    for (const answer of refused) expect(answer.msUntilEnough).toBeGreaterThan(60_000);
  });

  maybe('a refused charge takes nothing, and the bucket refills with time', async () => {
    const bucket = { capacity: 4, perSecond: 20 };
    const k = key();
    expect((await stores[0]!.take(k, bucket, 4)).granted).toBe(true);
    const refused = await stores[1]!.take(k, bucket, 3);
    expect(refused.granted).toBe(false);
    expect(refused.msUntilEnough).toBeLessThanOrEqual(150);
    await new Promise((resolve) => setTimeout(resolve, 250));
    // 250 ms at 20 a second refilled the bucket (at most to its capacity of 4).
    const after = await stores[0]!.take(k, bucket, 4);
    expect(after.granted).toBe(true);
    expect((await stores[1]!.take(k, bucket, 4)).granted).toBe(false);
  });
});
