import type { DataSource, ObjectLiteral } from 'typeorm';
import type { Logger } from '../logging/logger';
import { isDatabaseUnavailable } from './database-unavailable';
import type { SqlReader } from './sql-reader';

/** Where one request's registry reads go. */
export type ReadTarget = 'replica' | 'primary';

/** Why a request that could have read the replica reads the primary (a metric label). */
export type PrimaryReason = 'replica_unreachable' | 'replica_lagging' | 'fresher_than_replica';

export interface ReplicaState {
  /** The last poll reached both servers and the replica is in recovery (a standby). */
  reachable: boolean;
  /** Everything the primary had committed by this time (the hub's clock) is on the replica; undefined until known. */
  freshAsOf: Date | undefined;
  /** How far behind the primary the replica is, in ms (now − freshAsOf); undefined until known. */
  lagMs: number | undefined;
  /** Replay position of the replica at the last poll. */
  replayLsn: string | undefined;
}

/** A WAL position ("16/B374D848") as a number of bytes; exact below 2^53 (8 PiB of WAL). */
export function lsnBytes(lsn: string): number {
  const [high, low] = lsn.split('/');
  return Number.parseInt(high!, 16) * 2 ** 32 + Number.parseInt(low!, 16);
}

/**
 * Watches a streaming standby (DATABASE_READ_URL) and decides, per request, whether its registry
 * reads may go there. Each poll reads the primary's WAL position, then the standby's replay
 * position: once the standby has replayed a position, it holds everything the primary had
 * committed when that position was read. So the standby is "fresh as of" the time of the newest
 * sample it has replayed, on the hub's own clock, and its lag is how long ago that was. This works
 * on an idle primary too, where `now() - pg_last_xact_replay_timestamp()` grows without end.
 *
 * A request goes to the primary when the standby is unreachable, lags more than `maxLagMs`, or the
 * request asks for data at least as fresh as a time the standby has not reached yet.
 */
export class ReplicaMonitor {
  /** Primary positions sampled, oldest first, trimmed to those the standby has not replayed yet (plus one). */
  private samples: { lsn: number; at: number }[] = [];
  private state: ReplicaState = { reachable: false, freshAsOf: undefined, lagMs: undefined, replayLsn: undefined };
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private stopped = false;
  private loggedDown = false;
  /** Bumped when a request finds the standby gone, so a poll that began before cannot undo it. */
  private downMarks = 0;
  /** When a request last found the standby gone (ms, the hub's clock). */
  private markedDownAt = 0;
  /** Statements sent to the primary instead, since start (the fallbacks metric). */
  fallbacks = 0;

  constructor(
    private readonly primary: DataSource,
    private readonly replica: DataSource,
    private readonly options: { maxLagMs: number; pollMs: number; logger: Logger },
  ) {}

  /** Polls once (so the first requests already know the standby's state), then every pollMs. */
  async start(): Promise<void> {
    await this.poll();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.polling = this.poll().finally(() => this.schedule());
    }, this.options.pollMs);
    this.timer.unref();
  }

  /** One sample: the primary's position, then the standby's replay position. Never throws. */
  async poll(): Promise<void> {
    const at = Date.now();
    const marksAtStart = this.downMarks;
    try {
      const [primary] = await this.primary.query<{ lsn: string }[]>('SELECT pg_current_wal_lsn()::text AS lsn');
      this.samples.push({ lsn: lsnBytes(primary!.lsn), at });
      // A standby that was down when the API started is connected on the first poll that reaches it.
      if (!this.replica.isInitialized) await this.replica.initialize();
      const [standby] = await this.replica.query<{ recovering: boolean; replay: string | null; replayed_commit: Date | null }[]>(
        'SELECT pg_is_in_recovery() AS recovering, pg_last_wal_replay_lsn()::text AS replay, pg_last_xact_replay_timestamp() AS replayed_commit',
      );
      if (!standby?.recovering || standby.replay === null) throw new Error('DATABASE_READ_URL is not a streaming standby (pg_is_in_recovery() is false)');
      const replayed = lsnBytes(standby.replay);
      // The newest sample the standby has replayed tells how fresh it is; older ones are no longer needed.
      let newest = -1;
      for (let i = 0; i < this.samples.length; i += 1) if (this.samples[i]!.lsn <= replayed) newest = i;
      // Before any sample is replayed (a new API beside a standby that lags), the commit time of
      // the last transaction it replayed is a lower bound (on the primary's clock).
      const candidates = [newest >= 0 ? this.samples[newest]!.at : undefined, this.state.freshAsOf?.getTime(), standby.replayed_commit?.getTime()].filter(
        (time): time is number => time !== undefined,
      );
      const freshAsOf = candidates.length > 0 ? new Date(Math.max(...candidates)) : undefined;
      if (newest > 0) this.samples = this.samples.slice(newest);
      // A standby stuck for hours must not grow the list without end: keep the latest 10,000 samples.
      if (this.samples.length > 10_000) this.samples = this.samples.slice(-10_000);
      // A request found the standby gone while this poll ran: the next poll decides, not this one.
      if (this.downMarks !== marksAtStart) return;
      this.state = { reachable: true, freshAsOf, lagMs: freshAsOf ? Math.max(0, Date.now() - freshAsOf.getTime()) : undefined, replayLsn: standby.replay };
      if (this.loggedDown) this.options.logger.info('read replica reachable again; registry reads go to it while it keeps up');
      this.loggedDown = false;
    } catch (error) {
      this.state = { ...this.state, reachable: false, lagMs: this.state.freshAsOf ? Date.now() - this.state.freshAsOf.getTime() : undefined };
      if (!this.loggedDown) this.options.logger.warn({ err: error }, 'read replica (or the primary) unreachable; every read goes to the primary until it answers');
      this.loggedDown = true;
    }
  }

  /**
   * A request's statement found the standby unreachable (its connection cut, refused): every read
   * goes to the primary from now on, not from the next poll; the polls bring it back when it answers.
   */
  markUnreachable(error: unknown): void {
    this.downMarks += 1;
    this.markedDownAt = Date.now();
    if (!this.state.reachable) return;
    this.state = { ...this.state, reachable: false };
    if (!this.loggedDown) this.options.logger.warn({ err: error }, 'read replica lost during a request; its reads and every later one go to the primary until it answers');
    this.loggedDown = true;
  }

  /** Whether a request that started at `since` (ms) may have had reads cut off the standby. */
  fellBackSince(since: number): boolean {
    return this.markedDownAt >= since;
  }

  /** The standby's state at the last poll, its lag counted up to now. */
  current(): ReplicaState {
    const { freshAsOf } = this.state;
    return { ...this.state, lagMs: freshAsOf ? Math.max(0, Date.now() - freshAsOf.getTime()) : undefined };
  }

  /**
   * Where a request's registry reads go. `notBefore`: the request needs every change committed
   * by then (e.g. the end of a run it saw finish).
   */
  route(notBefore?: Date): { target: ReadTarget; reason?: PrimaryReason } {
    const state = this.current();
    if (!state.reachable) return { target: 'primary', reason: 'replica_unreachable' };
    if (state.freshAsOf === undefined || state.lagMs! > this.options.maxLagMs) return { target: 'primary', reason: 'replica_lagging' };
    if (notBefore && notBefore.getTime() > state.freshAsOf.getTime()) return { target: 'primary', reason: 'fresher_than_replica' };
    return { target: 'replica' };
  }
}

/**
 * A standby cancelling a statement that conflicts with the WAL it replays: SQLSTATE 40001 or 40P01
 * (read by code, not by message, which follows the server's lc_messages; a read-only standby has
 * no other cause for either).
 */
const RECOVERY_CONFLICT_CODES: ReadonlySet<unknown> = new Set(['40001', '40P01']);

/**
 * The registry's reader on the standby. A statement the standby cannot answer because it is gone
 * (a connection refused or cut: the standby died between two polls) is run once more on the
 * primary, within the same request, and the standby is marked unreachable at once, so the
 * request's later statements and every later request go to the primary until a poll reaches it
 * again. A statement the standby cancelled for a conflict with the WAL it replays is also run on
 * the primary (the standby itself is fine). Any other error is the statement's own and is thrown,
 * as the primary would throw it too; a timeout of the request is never retried.
 */
export class ReplicaReader implements SqlReader {
  constructor(
    private readonly replica: DataSource,
    private readonly primary: DataSource,
    private readonly monitor: ReplicaMonitor,
  ) {}

  async query<T = unknown>(text: string, parameters?: unknown[] | ObjectLiteral): Promise<T> {
    if (!this.monitor.current().reachable) return this.onPrimary<T>(text, parameters);
    try {
      return await this.replica.query<T>(text, parameters);
    } catch (error) {
      if (isDatabaseUnavailable(error)) this.monitor.markUnreachable(error);
      else if (!RECOVERY_CONFLICT_CODES.has((error as { code?: unknown } | null)?.code)) throw error;
      return this.onPrimary<T>(text, parameters);
    }
  }

  private onPrimary<T>(text: string, parameters: unknown[] | ObjectLiteral | undefined): Promise<T> {
    this.monitor.fallbacks += 1;
    return this.primary.query<T>(text, parameters);
  }
}
