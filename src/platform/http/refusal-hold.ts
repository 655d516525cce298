/**
 * Holding the refusals of a client that does not wait (issue 14, docs/limits.md#a-client-that-does-not-wait).
 *
 * A refusal (429 RATE_LIMITED) tells its client when to come back (Retry-After). A client that
 * comes back before then and is refused again gets that refusal when the wait it was given is over
 * (at most `maxMs` later), not at once: the verdict is the same, only its answer waits. A load
 * generator or a broken retry loop that resends the moment it is answered otherwise gets thousands
 * of refusals a second, and each costs the one event loop that serves every other client a parse
 * of the request's headers, a route and a write; held, each of its connections costs about one
 * refusal a second. HAProxy's `http-request tarpit` and nginx's `limit_req` (without `nodelay`)
 * hold requests the same way.
 *
 * A held refusal is a timer on a socket the client had already opened (holding opens nothing), and
 * its body is never read. Held refusals are bounded per client and in all; beyond either bound a
 * refusal is sent at once, as before. A client that hangs up while held is dropped.
 */

/** Held refusals of one client, at most, per API process. */
export const HELD_PER_CLIENT = 256;
/** Held refusals of all clients together, at most, per API process. */
export const HELD_IN_ALL = 4096;
/** Clients whose last Retry-After is remembered, at most (the expired ones are forgotten first). */
const REMEMBERED_CLIENTS = 10_000;

export class RefusalHold {
  readonly maxMs: number;
  private readonly perClient: number;
  private readonly total: number;
  private readonly maxClients: number;
  /** When each client's last refusal sent at once told it to come back (ms since the epoch). */
  private readonly retryAt = new Map<string, number>();
  private readonly heldOf = new Map<string, number>();
  private heldNow = 0;
  /** Ends every hold at once (close). */
  private readonly wakers = new Set<() => void>();
  private closed = false;

  constructor(options: { maxMs: number; perClient?: number; total?: number; maxClients?: number }) {
    this.maxMs = Math.max(0, options.maxMs);
    this.perClient = options.perClient ?? HELD_PER_CLIENT;
    this.total = options.total ?? HELD_IN_ALL;
    this.maxClients = options.maxClients ?? REMEMBERED_CLIENTS;
  }

  /** Refusals held now, all clients together. */
  get held(): number {
    return this.heldNow;
  }

  /** Clients whose last Retry-After is remembered. */
  get remembered(): number {
    return this.retryAt.size;
  }

  /**
   * How long to hold a refusal of `key` that tells its client to retry after `retryAfterSeconds`:
   * 0 (send it now) unless the client's previous refusal told it to wait and that wait is not over;
   * then the rest of that wait, at most `maxMs`, while the client and the process hold fewer than
   * their bounds. A refusal sent now starts the client's next wait.
   */
  delayFor(key: string, retryAfterSeconds: number, now = Date.now()): number {
    if (this.maxMs === 0 || this.closed) return 0;
    const until = this.retryAt.get(key);
    if (until !== undefined && until > now) {
      if ((this.heldOf.get(key) ?? 0) >= this.perClient || this.heldNow >= this.total) return 0;
      return Math.min(until - now, this.maxMs);
    }
    if (until === undefined && this.retryAt.size >= this.maxClients) this.forget(now);
    this.retryAt.set(key, now + Math.max(1, retryAfterSeconds) * 1000);
    return 0;
  }

  /** Waits `ms`, counted against the bounds; ends early when `signal` aborts (the client hung up) or at close. */
  hold(key: string, ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted || this.closed) return Promise.resolve();
    this.heldNow += 1;
    this.heldOf.set(key, (this.heldOf.get(key) ?? 0) + 1);
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wakers.delete(done);
        this.heldNow -= 1;
        const left = (this.heldOf.get(key) ?? 1) - 1;
        if (left <= 0) this.heldOf.delete(key);
        else this.heldOf.set(key, left);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.wakers.add(done);
    });
  }

  /** Sends every held refusal now, and holds no more (the server is stopping). */
  close(): void {
    this.closed = true;
    for (const wake of [...this.wakers]) wake();
  }

  /** Forgets the clients whose wait is over; if none is, all (a client forgotten is answered at once). */
  private forget(now: number): void {
    for (const [key, until] of this.retryAt) if (until <= now) this.retryAt.delete(key);
    if (this.retryAt.size >= this.maxClients) this.retryAt.clear();
  }
}
