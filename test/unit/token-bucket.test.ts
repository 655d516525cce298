import { MemoryTokenBuckets } from '../../src/access/token-bucket';

/** The bucket's arithmetic (the Redis and PostgreSQL stores are held to the same in test/integration/token-buckets.test.ts). */
describe('a token bucket', () => {
  const bucket = { capacity: 10, perSecond: 10 / 60 };

  test('starts full, gives its capacity at once, then refuses with the time until a token is back', async () => {
    const buckets = new MemoryTokenBuckets();
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await buckets.take('k', bucket, 1));
    expect(answers.filter((a) => a.granted)).toHaveLength(10);
    const refused = answers.at(-1)!;
    expect(refused.granted).toBe(false);
    // A token comes back every 6 s (10 a minute): the wait is at most that.
    expect(refused.msUntilEnough).toBeGreaterThan(5_000);
    expect(refused.msUntilEnough).toBeLessThanOrEqual(6_000);
  });

  test('refills with time, never above its capacity', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const buckets = new MemoryTokenBuckets();
      for (let i = 0; i < 10; i++) await buckets.take('k', bucket, 1);
      expect((await buckets.take('k', bucket, 1)).granted).toBe(false);
      jest.setSystemTime(12_000);
      // Two tokens in 12 s.
      expect((await buckets.take('k', bucket, 2)).granted).toBe(true);
      expect((await buckets.take('k', bucket, 1)).granted).toBe(false);
      jest.setSystemTime(3_600_000);
      const full = await buckets.take('k', bucket, 1);
      expect(full.tokens).toBeCloseTo(9);
    } finally {
      jest.useRealTimers();
    }
  });

  test('a charge larger than what is left is refused whole, and takes nothing', async () => {
    const buckets = new MemoryTokenBuckets();
    expect((await buckets.take('k', bucket, 7)).granted).toBe(true);
    const refused = await buckets.take('k', bucket, 5);
    expect(refused).toMatchObject({ granted: false });
    expect(refused.tokens).toBeCloseTo(3, 1);
    expect((await buckets.take('k', bucket, 3)).granted).toBe(true);
  });

  test('keys are apart', async () => {
    const buckets = new MemoryTokenBuckets();
    for (let i = 0; i < 10; i++) await buckets.take('a', bucket, 1);
    expect((await buckets.take('a', bucket, 1)).granted).toBe(false);
    expect((await buckets.take('b', bucket, 1)).granted).toBe(true);
  });
});
