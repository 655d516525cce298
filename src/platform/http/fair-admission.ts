/**
 * Fair admission of an API process (issue 14, docs/limits.md#fair-admission): at most `concurrency`
 * requests execute at once; beyond that each client waits in a queue of its own (first in, first
 * out), and a slot that comes free goes to the waiting client with the fewest requests running,
 * the one served longest ago among equals. A client's backlog therefore never sits ahead of another
 * client's request: the other client is served at the next free slot, however many requests the
 * first one has queued. Each client's queue is bounded (memory); a waiting request gives up at its
 * deadline or when its client hangs up.
 *
 * Why not a library: p-queue and express-queue keep one queue (p-queue's priorities are fixed when
 * a task is queued, not recomputed as other clients' requests finish), bottleneck's groups are
 * independent limiters per key with no shared, fairly divided capacity (and it is unmaintained
 * since 2019). What is needed is one counter and a map of small queues.
 */

export type Entry =
  | { admitted: true; waitedMs: number; release: () => void }
  | { admitted: false; reason: 'queue-full' | 'deadline' | 'gone'; waitedMs: number };

interface Waiter {
  key: string;
  enqueuedAt: number;
  timer: NodeJS.Timeout;
  settle(entry: Entry): void;
  onAbort: () => void;
  signal: AbortSignal | undefined;
}

interface ClientState {
  queue: Waiter[];
  running: number;
  /** When the client was last given a slot (a counter, not a clock). */
  servedAt: number;
}

export class FairAdmission {
  private runningNow = 0;
  private queuedNow = 0;
  private readonly clients = new Map<string, ClientState>();
  private turn = 0;

  constructor(
    /** Requests executing at once in this process. */
    readonly concurrency: number,
    /** Requests one client may have waiting. */
    readonly queuePerClient: number,
  ) {
    if (!(concurrency >= 1) || !(queuePerClient >= 0)) throw new Error('FairAdmission needs a concurrency of at least 1');
  }

  get running(): number {
    return this.runningNow;
  }

  get queued(): number {
    return this.queuedNow;
  }

  /**
   * Waits for a slot for `key`: at once when one is free (nobody waits then), otherwise in the
   * key's queue for at most `waitMs`. An admitted entry must be released when the request is over.
   */
  enter(key: string, options: { waitMs: number; signal?: AbortSignal }): Promise<Entry> {
    const state = this.stateOf(key);
    if (this.runningNow < this.concurrency) return Promise.resolve(this.admit(state, key, 0));
    if (state.queue.length >= this.queuePerClient) {
      this.forgetIfIdle(key, state);
      return Promise.resolve({ admitted: false, reason: 'queue-full', waitedMs: 0 });
    }
    if (options.signal?.aborted) {
      this.forgetIfIdle(key, state);
      return Promise.resolve({ admitted: false, reason: 'gone', waitedMs: 0 });
    }
    return new Promise<Entry>((resolve) => {
      const enqueuedAt = performance.now();
      const waiter: Waiter = {
        key,
        enqueuedAt,
        signal: options.signal,
        settle: resolve,
        onAbort: () => this.leave(waiter, 'gone'),
        timer: setTimeout(() => this.leave(waiter, 'deadline'), Math.max(0, options.waitMs)),
      };
      options.signal?.addEventListener('abort', waiter.onAbort, { once: true });
      state.queue.push(waiter);
      this.queuedNow += 1;
    });
  }

  private stateOf(key: string): ClientState {
    let state = this.clients.get(key);
    if (!state) {
      state = { queue: [], running: 0, servedAt: 0 };
      this.clients.set(key, state);
    }
    return state;
  }

  private forgetIfIdle(key: string, state: ClientState): void {
    if (state.running === 0 && state.queue.length === 0) this.clients.delete(key);
  }

  private admit(state: ClientState, key: string, waitedMs: number): Entry {
    this.runningNow += 1;
    state.running += 1;
    state.servedAt = ++this.turn;
    let released = false;
    return {
      admitted: true,
      waitedMs,
      release: () => {
        if (released) return;
        released = true;
        this.runningNow -= 1;
        state.running -= 1;
        this.forgetIfIdle(key, state);
        this.dispatch();
      },
    };
  }

  /** A waiter that gave up: out of its queue, and told why. */
  private leave(waiter: Waiter, reason: 'deadline' | 'gone'): void {
    const state = this.clients.get(waiter.key);
    const index = state ? state.queue.indexOf(waiter) : -1;
    if (!state || index < 0) return;
    state.queue.splice(index, 1);
    this.queuedNow -= 1;
    this.unhook(waiter);
    this.forgetIfIdle(waiter.key, state);
    waiter.settle({ admitted: false, reason, waitedMs: Math.round(performance.now() - waiter.enqueuedAt) });
  }

  private unhook(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }

  /** Gives free slots to the waiting clients with the fewest running, longest unserved first. */
  private dispatch(): void {
    while (this.runningNow < this.concurrency && this.queuedNow > 0) {
      let next: { key: string; state: ClientState } | undefined;
      for (const [key, state] of this.clients) {
        if (state.queue.length === 0) continue;
        if (!next || state.running < next.state.running || (state.running === next.state.running && state.servedAt < next.state.servedAt)) next = { key, state };
      }
      if (!next) return;
      const waiter = next.state.queue.shift()!;
      this.queuedNow -= 1;
      this.unhook(waiter);
      waiter.settle(this.admit(next.state, next.key, Math.round(performance.now() - waiter.enqueuedAt)));
    }
  }
}
