import { Redis } from 'ioredis';
import { Pool } from 'pg';
import type { HubLimits } from '../config/config';
import type { Logger } from '../platform/logging/logger';
import type { ApiClient } from './api-client.repository';
import { MemoryTokenBuckets, PostgresTokenBuckets, RedisTokenBuckets, type BucketAnswer, type TokenBucketStore } from './token-bucket';

/**
 * Per-client limits (issue 14): requests a minute and query cost a minute, as token buckets
 * (./token-bucket.ts) kept in Redis when REDIS_URL is set and in PostgreSQL (`access.rate_bucket`) otherwise,
 * so N API processes give a client one budget, not N; and requests in progress at once, and their
 * query cost, counted in each API process (they protect that process's event loop and its pool of
 * database connections; weighting by cost keeps a client of heavy queries from taking more of them
 * than a client of light ones: equal counts are not equal shares).
 * Defaults come per role from the configuration; a client's own `rate_limit_per_minute`
 * (`client:create --rate-limit N`, `client:update`) replaces its role's request rate.
 *
 * The store is the authority, but a request does not wait for it while its client is well within
 * its minute: each process keeps the store's last answer per client and counts ahead on it, sending
 * the charges of each 250 ms together without awaiting them; within the last tenth of a minute's
 * budget (and the last 20 requests), with no answer yet, or once the store has refused, each charge
 * waits for the store. So the limits cost no round trip in
 * the common case and stay exact at the boundary, except that charges another process made since
 * this one's last answer are seen one answer late.
 *
 * A bucket holds a minute's budget and refills at a sixtieth of it a second: a client may spend its
 * minute at once, and then gets its rate back continuously (Retry-After is the time until its next
 * request fits). When the store cannot be reached the limits fall back to buckets in this process's
 * memory and the requests are served, so an outage of Redis does not become an outage of the API.
 */

export type LimitName = 'requests' | 'cost' | 'concurrency' | 'queue';

export interface Refusal {
  limit: LimitName;
  /** The limit that was reached (requests or cost a minute, or requests or query cost at once). */
  allowed: number;
  retryAfterSeconds: number;
  /** For `concurrency`: what is counted at once, requests or their query cost. */
  measure?: 'requests' | 'cost';
  /** For the cost at once: what the client had in progress, and what this operation costs. */
  inProgressCost?: number;
  cost?: number;
}

export type RateLimitStore = { kind: 'redis'; client: Redis } | { kind: 'postgres'; pool: Pool } | { kind: 'memory' };

/** A slot of the concurrency limit; `release` gives it back (once), with the cost it holds. */
export interface Slot {
  /**
   * Once the operation's cost is known: holds it against the client's cost at once, or refuses
   * when the client has other work in progress and this would take it over its budget.
   */
  holdCost(cost: number): Refusal | undefined;
  release(): void;
}

const MINUTE = 60;

/** How long the store's answer stands for a client well within its budget (buckets only refill meanwhile). */
const VIEW_MS = 1000;

/** The store's last answer for one client and limit, counted down by the charges sent since. */
interface View {
  remaining: number;
  resetsAt: number;
  /** Counted ahead since the store's last answer: at most a tenth of the budget. */
  ahead: number;
}

/**
 * How long charges counted ahead wait to be sent together: one store write per client and limit,
 * at most four a second however many requests (docs/performance.md). What counting ahead may let
 * through is bounded by the tenth of the budget, not by this interval: a longer one only makes
 * the other processes' charges reach this process's view later (at most this much plus a round trip).
 */
const FLUSH_MS = 250;

export class ClientRateLimits {
  private readonly buckets: TokenBucketStore;
  /** Where charges go while the shared store does not answer. */
  private readonly insurance = new MemoryTokenBuckets();
  private readonly views = new Map<string, View>();
  /** Charges counted ahead and not yet sent, by view. */
  private readonly pending = new Map<string, { limit: 'requests' | 'cost'; key: string; points: number; amount: number }>();
  private flushTimer: NodeJS.Timeout | undefined;
  /** Requests of each client in progress in this process. */
  private readonly inFlight = new Map<string, number>();
  /** Query cost of each client's operations in progress in this process. */
  private readonly costInFlight = new Map<string, number>();
  private lastStoreWarning = 0;

  constructor(
    private readonly store: RateLimitStore,
    private readonly limits: HubLimits,
    private readonly logger: Logger,
    /** Key prefix, so that hubs sharing a Redis or database (tests) do not share budgets. */
    private readonly prefix = 'iih',
  ) {
    switch (store.kind) {
      case 'redis':
        this.buckets = new RedisTokenBuckets(store.client);
        break;
      case 'postgres': {
        const buckets = new PostgresTokenBuckets(store.pool);
        this.buckets = buckets;
        // Rows of idle clients are full buckets, the default: drop them now and then.
        setInterval(() => void buckets.forgetIdle().catch((error: unknown) => this.storeFailed(error)), 3600_000).unref();
        break;
      }
      case 'memory':
        this.buckets = this.insurance;
        break;
    }
  }

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
    let heldCost = 0;
    const release = (): void => {
      if (released) return;
      released = true;
      const now = (this.inFlight.get(client.id) ?? 1) - 1;
      if (now <= 0) this.inFlight.delete(client.id);
      else this.inFlight.set(client.id, now);
      if (heldCost > 0) this.addCostInFlight(client.id, -heldCost);
      heldCost = 0;
    };
    const holdCost = (cost: number): Refusal | undefined => {
      if (released || cost <= 0) return undefined;
      const budget = this.limits.concurrentCost[client.role];
      const inProgress = (this.costInFlight.get(client.id) ?? 0) - heldCost;
      // One operation alone always runs (QUERY_MAX_COST bounds it); beside others it must fit.
      if (inProgress > 0 && inProgress + cost > budget) {
        return { limit: 'concurrency', measure: 'cost', allowed: budget, retryAfterSeconds: 1, inProgressCost: inProgress, cost };
      }
      this.addCostInFlight(client.id, cost - heldCost);
      heldCost = cost;
      return undefined;
    };
    // A client whose query cost minute is spent (the store refused its last charge) is refused
    // from memory until enough has refilled, before its document is parsed: refused documents are
    // charged to it too, so sending only those does not keep costing the process parsing.
    const costView = this.views.get(`cost:${this.limits.costPerMinute[client.role]}:${client.id}`);
    const now = Date.now();
    if (costView && costView.remaining < 1 && costView.resetsAt > now) {
      release();
      return { refused: { limit: 'cost', allowed: this.limits.costPerMinute[client.role], retryAfterSeconds: Math.max(1, Math.ceil((costView.resetsAt - now) / 1000)) } };
    }
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
    return { slot: { holdCost, release } };
  }

  private addCostInFlight(clientId: string, delta: number): void {
    const now = (this.costInFlight.get(clientId) ?? 0) + delta;
    if (now <= 0) this.costInFlight.delete(clientId);
    else this.costInFlight.set(clientId, now);
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
      // The bucket was empty at the store's last answer: refuse from memory until the charge fits.
      return { limit, allowed: points, retryAfterSeconds: Math.max(1, Math.ceil((view.resetsAt - now) / 1000)) };
    }
    // Well within the budget: count ahead, and send the charges of the next few milliseconds together.
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
    return result.refused;
  }

  /** Sends charges to the store and keeps its answer as the view for the next ones. */
  private async send(id: string, limit: 'requests' | 'cost', key: string, points: number, amount: number): Promise<{ refused?: Refusal }> {
    const result = await this.take(limit, key, points, amount);
    // Charges counted ahead after this one was sent are not in the answer yet.
    const unsent = this.pending.get(id)?.amount ?? 0;
    if (!result.granted) {
      const retryAfterSeconds = Math.max(1, Math.ceil(result.msUntilEnough / 1000));
      this.views.set(id, { remaining: 0, resetsAt: Date.now() + result.msUntilEnough, ahead: unsent });
      return { refused: { limit, allowed: points, retryAfterSeconds } };
    }
    this.views.set(id, { remaining: result.tokens - unsent, resetsAt: Date.now() + VIEW_MS, ahead: unsent });
    return {};
  }

  private flush(): void {
    this.flushTimer = undefined;
    const batch = [...this.pending];
    this.pending.clear();
    for (const [id, charge] of batch) void this.send(id, charge.limit, charge.key, charge.points, charge.amount);
  }

  /** One charge of a bucket holding a minute's `points`, refilling a sixtieth of them a second. */
  private async take(limit: 'requests' | 'cost', key: string, points: number, amount: number): Promise<BucketAnswer> {
    const bucket = { capacity: points, perSecond: points / MINUTE };
    const bucketKey = `${this.prefix}:rl:${limit}:${key}`;
    try {
      return await this.buckets.take(bucketKey, bucket, amount);
    } catch (error) {
      this.storeFailed(error);
      return this.insurance.take(bucketKey, bucket, amount);
    }
  }

  private storeFailed(error: unknown): void {
    if (Date.now() - this.lastStoreWarning < 60_000) return;
    this.lastStoreWarning = Date.now();
    this.logger.warn({ err: error, store: this.store.kind }, 'rate limit store failed: limits are counted in this process until it answers');
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
