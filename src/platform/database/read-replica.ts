import type { DataSource } from 'typeorm';
import type { Logger } from '../logging/logger';

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
      this.state = { reachable: true, freshAsOf, lagMs: freshAsOf ? Math.max(0, Date.now() - freshAsOf.getTime()) : undefined, replayLsn: standby.replay };
      if (this.loggedDown) this.options.logger.info('read replica reachable again; registry reads go to it while it keeps up');
      this.loggedDown = false;
    } catch (error) {
      this.state = { ...this.state, reachable: false, lagMs: this.state.freshAsOf ? Date.now() - this.state.freshAsOf.getTime() : undefined };
      if (!this.loggedDown) this.options.logger.warn({ err: error }, 'read replica (or the primary) unreachable; every read goes to the primary until it answers');
      this.loggedDown = true;
    }
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
