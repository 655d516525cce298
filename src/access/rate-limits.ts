import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract, type RateLimiterStoreAbstract } from 'rate-limiter-flexible';
import type { HubLimits } from '../config/config';
import type { Logger } from '../platform/logging/logger';
import type { ApiClient } from './api-client.repository';

/**
 * Per-client limits shared by every API process (issue 14), on rate-limiter-flexible: requests
 * a minute, query cost a minute and requests in progress, each counted in Redis when REDIS_URL is
 * set and in PostgreSQL (`access.rate_limit`) otherwise, so N API processes give a client one
 * budget, not N. Defaults come per role from the configuration; a client's own
 * `rate_limit_per_minute` (`client:create --rate-limit N`, `client:update`) replaces its role's
 * request rate.
 *
 * The windows are rate-limiter-flexible's: a fixed minute per key, started by the key's first
 * request (not a sliding token bucket: a client may spend a minute's budget at the end of one
 * window and again at the start of the next, which the concurrency limit bounds). When the store
 * cannot be reached the limits fall back to this process's memory (`insuranceLimiter`) and the
 * requests are served, so an outage of Redis does not become an outage of the API.
 */

export type LimitName = 'requests' | 'cost' | 'concurrency';

export interface Refusal {
  limit: LimitName;
  /** The limit that was reached (requests or cost a minute, or requests at once). */
  allowed: number;
  retryAfterSeconds: number;
}

export type RateLimitStore = { kind: 'redis'; client: Redis } | { kind: 'postgres'; pool: Pool } | { kind: 'memory' };

/** A slot of the concurrency limit; `release` gives it back (once). */
export interface Slot {
  release(): void;
}

const MINUTE = 60;

export class ClientRateLimits {
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  /** Requests of each client in progress in this process: a floor of the shared count. */
  private readonly inFlight = new Map<string, number>();
  private lastStoreWarning = 0;

  constructor(
    private readonly store: RateLimitStore,
    private readonly limits: HubLimits,
    private readonly logger: Logger,
    /** Key prefix, so that hubs sharing a Redis or database (tests) do not share budgets. */
    private readonly prefix = 'iih',
  ) {}

  /** The store's name, for the logs and /readyz. */
  get storeKind(): RateLimitStore['kind'] {
    return this.store.kind;
  }

  requestsPerMinute(client: ApiClient): number {
    return client.rateLimitPerMinute ?? this.limits.requestsPerMinute[client.role];
  }

  /**
   * Counts one request and takes a concurrency slot; a refusal when either limit is reached. The
   * slot must be released when the response is over, whatever happens.
   */
  async admit(client: ApiClient): Promise<{ slot: Slot } | { refused: Refusal }> {
    const perMinute = this.requestsPerMinute(client);
    const concurrent = this.limits.concurrentRequests[client.role];
    // A client already at its limit in this process alone is refused from memory: a flood of
    // retries costs the shared store nothing. A slot frees in well under a second, hence 1 s.
    const local = this.inFlight.get(client.id) ?? 0;
    if (local >= concurrent) return { refused: { limit: 'concurrency', allowed: concurrent, retryAfterSeconds: 1 } };
    this.inFlight.set(client.id, local + 1);
    const leave = (): void => {
      const now = (this.inFlight.get(client.id) ?? 1) - 1;
      if (now <= 0) this.inFlight.delete(client.id);
      else this.inFlight.set(client.id, now);
    };
    let request: RateLimiterRes | { refused: Refusal };
    let slot: RateLimiterRes | { refused: Refusal };
    try {
      [request, slot] = await Promise.all([
        this.consume('requests', client.id, perMinute, MINUTE, 1),
        this.consume('concurrency', client.id, concurrent, this.concurrencyWindowSeconds(client), 1),
      ]);
    } catch (error) {
      leave();
      throw error;
    }
    const release = (): void => {
      leave();
      void this.limiter('concurrency', concurrent, this.concurrencyWindowSeconds(client))
        .reward(client.id, 1)
        .catch((error: unknown) => this.storeFailed(error));
    };
    if ('refused' in slot) {
      // The refused slot was counted as well: give it back.
      release();
      return { refused: { ...slot.refused, retryAfterSeconds: 1 } };
    }
    if ('refused' in request) {
      release();
      return request;
    }
    let released = false;
    return {
      slot: {
        release: () => {
          if (released) return;
          released = true;
          release();
        },
      },
    };
  }

  /** Charges an operation's cost to the client's minute; a refusal when it does not fit. */
  async chargeCost(client: ApiClient, cost: number): Promise<Refusal | undefined> {
    if (cost <= 0) return undefined;
    const result = await this.consume('cost', client.id, this.limits.costPerMinute[client.role], MINUTE, cost);
    return 'refused' in result ? result.refused : undefined;
  }

  /** A slot outlives no request: after the longest deadline and a margin its count expires by itself. */
  private concurrencyWindowSeconds(client: ApiClient): number {
    return Math.ceil(this.limits.requestTimeoutMs[client.role] / 1000) + 30;
  }

  private async consume(limit: LimitName, key: string, points: number, seconds: number, amount: number): Promise<RateLimiterRes | { refused: Refusal }> {
    try {
      return await this.limiter(limit, points, seconds).consume(key, amount);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return { refused: { limit, allowed: points, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) } };
      }
      this.storeFailed(rejection);
      return new RateLimiterRes(points, 0, 0, false);
    }
  }

  private storeFailed(error: unknown): void {
    if (Date.now() - this.lastStoreWarning < 60_000) return;
    this.lastStoreWarning = Date.now();
    this.logger.warn({ err: error, store: this.store.kind }, 'rate limit store failed: limits are counted in this process until it answers');
  }

  /** One limiter per limit and size; limiters of one limit share their counters (the key prefix). */
  private limiter(limit: LimitName, points: number, seconds: number): RateLimiterAbstract {
    const id = `${limit}:${points}:${seconds}`;
    let limiter = this.limiters.get(id);
    if (limiter) return limiter;
    const keyPrefix = `${this.prefix}:rl:${limit}`;
    const options = {
      keyPrefix,
      points,
      duration: seconds,
      // A key over its minute is refused from this process's memory until the window ends, so a
      // flood costs the shared store nothing. Not for concurrency, whose slots come back early.
      ...(limit === 'concurrency' ? {} : { inMemoryBlockOnConsumed: points + 1, inMemoryBlockDuration: seconds }),
      insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: seconds }),
    };
    let created: RateLimiterStoreAbstract | RateLimiterMemory;
    switch (this.store.kind) {
      case 'redis':
        created = new RateLimiterRedis({ ...options, storeClient: this.store.client, rejectIfRedisNotReady: true });
        break;
      case 'postgres':
        created = new RateLimiterPostgres({ ...options, storeClient: this.store.pool, storeType: 'pool', schemaName: 'access', tableName: 'rate_limit', tableCreated: true, clearExpiredByTimeout: true });
        break;
      case 'memory':
        created = new RateLimiterMemory({ keyPrefix, points, duration: seconds });
        break;
    }
    limiter = created;
    this.limiters.set(id, limiter);
    return limiter;
  }
}

/**
 * The store of the shared counters: its own Redis connection (no offline queue, so an outage
 * fails fast into the in-memory insurance) or its own small PostgreSQL pool, so that counting never
 * waits behind the requests it is limiting.
 */
export function openRateLimitStore(options: { redisUrl: string | undefined; databaseUrl: string }): { store: RateLimitStore; close(): Promise<void> } {
  if (options.redisUrl) {
    const client = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'iih-rate-limits' });
    // Errors are seen by the limiter (and logged there); an unhandled 'error' event would crash.
    client.on('error', () => undefined);
    return { store: { kind: 'redis', client }, close: async () => void client.disconnect() };
  }
  const pool = new Pool({ connectionString: options.databaseUrl, max: 3, application_name: 'i-industry-hub-rate-limits' });
  pool.on('error', () => undefined);
  return { store: { kind: 'postgres', pool }, close: () => pool.end() };
}
