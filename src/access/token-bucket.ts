import type { Redis } from 'ioredis';
import type { Pool } from 'pg';

/**
 * Token buckets shared by the API processes (issue 14): a bucket holds up to `capacity` tokens and
 * refills continuously at `perSecond`; a charge takes `amount` tokens when the bucket holds them and
 * nothing otherwise. Unlike a fixed window, a client that spent its budget gets tokens back a little
 * at a time (Retry-After is the time until its next charge fits, not the rest of a minute), and no
 * window boundary lets two budgets through in a moment.
 *
 * rate-limiter-flexible, which the hub used first, has fixed windows only (its maintainers point to
 * BurstyRateLimiter, two fixed windows, for bursts); a token bucket is one atomic step in each store:
 * a Lua script in Redis (on Redis's clock) and one upsert in PostgreSQL (on the server's clock), so
 * that processes with skewed clocks share one bucket.
 */
export interface BucketAnswer {
  granted: boolean;
  /** Tokens left after this charge (granted) or before it (refused). */
  tokens: number;
  /** When refused, milliseconds until `amount` tokens will be there; 0 when granted. */
  msUntilEnough: number;
}

export interface BucketSpec {
  capacity: number;
  perSecond: number;
}

export interface TokenBucketStore {
  take(key: string, bucket: BucketSpec, amount: number): Promise<BucketAnswer>;
}

function answer(tokensBefore: number, bucket: BucketSpec, amount: number): BucketAnswer {
  if (tokensBefore >= amount) return { granted: true, tokens: tokensBefore - amount, msUntilEnough: 0 };
  // A charge larger than the whole bucket never fits: say when the bucket will be full.
  const needed = Math.min(amount, bucket.capacity) - tokensBefore;
  return { granted: false, tokens: tokensBefore, msUntilEnough: Math.max(1, Math.ceil((needed / bucket.perSecond) * 1000)) };
}

/** Buckets in this process's memory: the store of a single process, and the fallback when the shared one fails. */
export class MemoryTokenBuckets implements TokenBucketStore {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  async take(key: string, bucket: BucketSpec, amount: number): Promise<BucketAnswer> {
    const now = Date.now();
    const state = this.buckets.get(key);
    const tokens = state ? Math.min(bucket.capacity, state.tokens + ((now - state.at) / 1000) * bucket.perSecond) : bucket.capacity;
    const result = answer(tokens, bucket, amount);
    this.buckets.set(key, { tokens: result.tokens, at: now });
    // A full bucket is the default: forget it, so idle clients cost no memory.
    if (result.tokens >= bucket.capacity) this.buckets.delete(key);
    return result;
  }
}

/** KEYS[1] the bucket; ARGV capacity, tokens a second, amount. Returns granted (0/1), tokens (text), ms until enough. */
const TAKE_SCRIPT = `
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2]) / 1000
local amount = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = capacity
if state[1] then
  tokens = math.min(capacity, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) * per_ms)
end
local granted = 0
local wait = 0
if tokens >= amount then
  tokens = tokens - amount
  granted = 1
else
  wait = math.max(1, math.ceil((math.min(amount, capacity) - tokens) / per_ms))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / per_ms) + 1000)
return {granted, tostring(tokens), wait}
`;

export class RedisTokenBuckets implements TokenBucketStore {
  constructor(private readonly client: Redis) {}

  async take(key: string, bucket: BucketSpec, amount: number): Promise<BucketAnswer> {
    const [granted, tokens, wait] = (await this.client.eval(TAKE_SCRIPT, 1, key, bucket.capacity, bucket.perSecond, amount)) as [number, string, number];
    return { granted: granted === 1, tokens: Number(tokens), msUntilEnough: granted === 1 ? 0 : wait };
  }
}

export class PostgresTokenBuckets implements TokenBucketStore {
  constructor(private readonly pool: Pool) {}

  async take(key: string, bucket: BucketSpec, amount: number): Promise<BucketAnswer> {
    // One call: the upsert's row lock makes charges from several processes queue (migration 1763903000000).
    const { rows } = await this.pool.query<{ available: number }>('SELECT access.take_tokens($1, $2, $3, $4) AS available', [key, bucket.capacity, bucket.perSecond, amount]);
    return answer(Number(rows[0]!.available), bucket, amount);
  }

  /** Drops buckets idle for a day (they are full by then, the default). */
  async forgetIdle(): Promise<void> {
    await this.pool.query(`DELETE FROM access.rate_bucket WHERE refilled_at < now() - interval '1 day'`);
  }
}
