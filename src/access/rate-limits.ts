import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract, type RateLimiterStoreAbstract } from 'rate-limiter-flexible';
import type { HubLimits } from '../config/config';
import type { Logger } from '../platform/logging/logger';
import type { ApiClient } from './api-client.repository';

/**
 * Per-client limits (issue 14), on rate-limiter-flexible: requests a minute and query cost a
 * minute, counted in Redis when REDIS_URL is set and in PostgreSQL (`access.rate_limit`) otherwise,
 * so N API processes give a client one budget, not N; and requests in progress at once, counted in
 * each API process (they protect that process's event loop and its pool of database connections).
 * Defaults come per role from the configuration; a client's own `rate_limit_per_minute`
 * (`client:create --rate-limit N`, `client:update`) replaces its role's request rate.
 *
 * The store is the authority, but a request does not wait for it while its client is well within
 * its minute: each process keeps the store's last answer per client and counts ahead on it, sending
 * the charges of each 50 ms together without awaiting them; within the last tenth of a minute's
 * budget (and the last 20 requests), with no answer yet, or once the store has refused, each charge
 * waits for the store. So the limits cost no round trip in
 * the common case and stay exact at the boundary, except that charges another process made since
 * this one's last answer are seen one answer late.
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

/** The store's last answer for one client and limit, counted down by the charges sent since. */
interface View {
  remaining: number;
  resetsAt: number;
  /** Counted ahead since the store's last answer: at most a tenth of the budget. */
  ahead: number;
}

/** How long charges counted ahead wait to be sent together: one store write per client and limit. */
const FLUSH_MS = 50;

export class ClientRateLimits {
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private readonly views = new Map<string, View>();
  /** Charges counted ahead and not yet sent, by view. */
  private readonly pending = new Map<string, { limit: 'requests' | 'cost'; key: string; points: number; amount: number }>();
  private flushTimer: NodeJS.Timeout | undefined;
  /** Requests of each client in progress in this process. */
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
   * Takes a concurrency slot and counts one request; a refusal when either limit is reached. The
   * slot must be released when the response is over, whatever happens.
   */
  async admit(client: ApiClient): Promise<{ slot: Slot } | { refused: Refusal }> {
    const concurrent = this.limits.concurrentRequests[client.role];
    const running = this.inFlight.get(client.id) ?? 0;
    // A slot frees in well under a second, hence Retry-After 1.
    if (running >= concurrent) return { refused: { limit: 'concurrency', allowed: concurrent, retryAfterSeconds: 1 } };
    this.inFlight.set(client.id, running + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const now = (this.inFlight.get(client.id) ?? 1) - 1;
      if (now <= 0) this.inFlight.delete(client.id);
      else this.inFlight.set(client.id, now);
    };
    try {
      const refused = await this.charge('requests', client.id, this.requestsPerMinute(client), 1);
      if (refused) {
        release();
        return { refused };
      }
    } catch (error) {
      release();
      throw error;
    }
    return { slot: { release } };
  }

  /** Charges an operation's cost to the client's minute; a refusal when it does not fit. */
  async chargeCost(client: ApiClient, cost: number): Promise<Refusal | undefined> {
    if (cost <= 0) return undefined;
    return this.charge('cost', client.id, this.limits.costPerMinute[client.role], cost);
  }

  private async charge(limit: 'requests' | 'cost', key: string, points: number, amount: number): Promise<Refusal | undefined> {
    const id = `${limit}:${points}:${key}`;
    const now = Date.now();
    const view = this.views.get(id);
    const fresh = view !== undefined && view.resetsAt > now;
    if (fresh && view.remaining < amount) {
      // The store said this minute is spent: refuse from memory, the store is not asked again.
      return { limit, allowed: points, retryAfterSeconds: Math.max(1, Math.ceil((view.resetsAt - now) / 1000)) };
    }
    // Well within the minute: count ahead, and send the charges of the next few milliseconds together.
    // The margin keeps the last tenth of a budget (and of a small one, its last 20 requests) exact;
    // counting ahead stops at a tenth of the budget until the store answers, which bounds what the
    // processes together can let through on answers that are a moment old.
    const tenth = Math.max(1, Math.ceil(points / 10));
    const margin = Math.max(tenth, limit === 'requests' ? 20 : 0);
    if (fresh && view.remaining - amount >= margin && view.ahead + amount <= tenth) {
      view.remaining -= amount;
      view.ahead += amount;
      const waiting = this.pending.get(id);
      if (waiting) waiting.amount += amount;
      else this.pending.set(id, { limit, key, points, amount });
      this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
      return undefined;
    }
    const waiting = this.pending.get(id);
    this.pending.delete(id);
    const result = await this.send(id, limit, key, points, amount + (waiting?.amount ?? 0));
    return 'refused' in result ? result.refused : undefined;
  }

  /** Sends charges to the store and keeps its answer as the view for the next ones. */
  private async send(id: string, limit: 'requests' | 'cost', key: string, points: number, amount: number): Promise<RateLimiterRes | { refused: Refusal }> {
    const result = await this.consume(limit, key, points, MINUTE, amount);
    // Charges counted ahead after this one was sent are not in the answer yet.
    const unsent = this.pending.get(id)?.amount ?? 0;
    if ('refused' in result) this.views.set(id, { remaining: 0, resetsAt: Date.now() + result.refused.retryAfterSeconds * 1000, ahead: unsent });
    else if (result.msBeforeNext > 0) this.views.set(id, { remaining: result.remainingPoints - unsent, resetsAt: Date.now() + result.msBeforeNext, ahead: unsent });
    else this.views.delete(id);
    return result;
  }

  private flush(): void {
    this.flushTimer = undefined;
    const batch = [...this.pending];
    this.pending.clear();
    for (const [id, charge] of batch) void this.send(id, charge.limit, charge.key, charge.points, charge.amount);
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
    const options = { keyPrefix, points, duration: seconds, insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: seconds }) };
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
