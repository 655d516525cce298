/**
 * One run at a time per source, and one run per queue job, however often the queue hands the job
 * out. Every job that writes a run record goes through here: the ingestion engine's source runs and
 * the daily eligibility recompute (src/eligibility/daily-recompute.ts).
 *
 * The queue may hand a job out again while an earlier attempt of it still runs: its lock in Redis
 * lapsed (Redis away for longer than WORKER_LOCK_MS, or a worker stalled), and BullMQ's stalled
 * check cannot tell a lapsed lock from a dead worker. The run record (in PostgreSQL, beside the data
 * it loads) can: under the source's advisory lock a new attempt
 *  - finds a `running` run of its own job holding the lock: the earlier attempt is alive; it throws
 *    EarlierAttemptRunningError, and its worker waits (`untilEarlierAttemptEnds`) and asks again;
 *  - finds a `succeeded` run of its own job: the job is done though the queue never heard so (the
 *    completion was lost with the lock); it reports that run instead of running again;
 *  - otherwise runs; a `running` run it finds once it holds the lock was left by a dead worker (a
 *    live one would hold the lock) and is marked failed first.
 * So however many times a job is handed out, it runs its work once while one attempt is alive, and
 * never again after one succeeded: JOB_MAX_STALLS rests on that.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { EarlierAttemptRunningError, SourceBusyError } from './ingestion-errors';
import { IngestionRunRepository, type IngestionRunRecord } from './ingestion-run.repository';

/** How often a run's connection checks, while a statement runs, that its worker is still there (ms). */
const DEAD_CLIENT_CHECK_MS = 2000;
/** How often an attempt waiting for an earlier attempt of its job asks again (ms). */
export const EARLIER_ATTEMPT_POLL_MS = 1000;

/**
 * BullMQ's `maxStalledCount` for the workers whose jobs go through `withRunLock`: how many times
 * the stalled check may hand one job out again before it fails the job ("job stalled more than
 * allowable limit"). BullMQ's default, 1, exists for a job that kills its worker each time (out of
 * memory, say), and it cannot tell that from a lapsed lock: with it a run lasting through two Redis
 * outages longer than WORKER_LOCK_MS ended loaded and recorded as succeeded, but its job failed.
 * Here a new delivery is harmless while an earlier attempt lives (it waits) and after one succeeded
 * (it reports that run), so the count only bounds the case it is for: a job that keeps killing its
 * worker runs at most JOB_MAX_STALLS + 1 times (each time from its transaction's start; nothing of
 * a killed run is kept) before it fails, instead of twice. The counter is the job's, for its whole
 * life (retries after failures included), so this many long outages within one job are survived.
 */
export const JOB_MAX_STALLS = 5;

export interface RunLockRequest {
  /** The run records' source (`ingestion.run.source`). */
  source: string;
  /** The session advisory lock's key (`hashtext`ed): one holder at a time across processes. */
  lockKey: string;
  /** The queue job this attempt belongs to; without one (CLI, tests) nothing is recognised. */
  jobId?: string | undefined;
  /** When the job was created (ms): tells this job's runs from an older job's under the same ID. */
  jobCreatedAt?: number | undefined;
}

export interface RunLockState {
  /** Runs a dead worker left `running`, marked failed on taking the lock. */
  abandoned: number;
  /** Set when the pinned connection reported an error: it cannot be used to unlock or roll back. */
  connectionBroken: boolean;
}

export interface RunLockWork<T> {
  /** The job's work, under the lock. */
  run(client: PoolClient, state: RunLockState): Promise<T>;
  /** An earlier attempt of this job already succeeded with this run: what the job reports instead. */
  alreadyDone(run: IngestionRunRecord, client: PoolClient): Promise<T>;
}

/**
 * Pins a connection and takes the session-level advisory lock `request.lockKey`, released with the
 * connection if the worker dies, so a crash never leaves a source locked. Throws
 * EarlierAttemptRunningError when the holder is an earlier attempt of the same job, SourceBusyError
 * when it is another run.
 *
 * A backend notices its client is gone only when it next reads from it: one whose worker was
 * killed while it waited for a lock or ran a long statement would go on holding the lock (and its
 * transaction) until then, and the job's retries would find the source busy until their attempts
 * ran out. So the connection checks its client every DEAD_CLIENT_CHECK_MS while a statement runs
 * (PostgreSQL 14+, on systems that report closed sockets; elsewhere the setting is refused and the
 * run goes on without it). The setting stays with the pooled connection, which is no harm: any
 * backend whose client died should end.
 */
export async function withRunLock<T>(dataSource: DataSource, request: RunLockRequest, work: RunLockWork<T>): Promise<T> {
  const queryRunner = dataSource.createQueryRunner('master');
  const client = (await queryRunner.connect()) as PoolClient;
  const state: RunLockState = { abandoned: 0, connectionBroken: false };
  const onConnectionError = (): void => {
    state.connectionBroken = true;
  };
  client.on('error', onConnectionError);
  const { source, lockKey, jobId } = request;
  try {
    await client.query(`SET client_connection_check_interval = ${DEAD_CLIENT_CHECK_MS}`).catch(() => undefined);
    const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [lockKey]);
    if (!locked.rows[0]!.ok) {
      if (jobId !== undefined && (await IngestionRunRepository.isRunningForJob(client, source, jobId))) {
        throw new EarlierAttemptRunningError(`an earlier attempt of job ${jobId} is still running ${source}`);
      }
      throw new SourceBusyError(`another run of ${source} is in progress`);
    }
    try {
      if (jobId !== undefined) {
        const done = await IngestionRunRepository.succeededOfJob(client, source, jobId, request.jobCreatedAt);
        if (done) return await work.alreadyDone(done, client);
      }
      state.abandoned = await IngestionRunRepository.markAbandoned(client, source);
      return await work.run(client, state);
    } finally {
      if (!state.connectionBroken) await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
    }
  } finally {
    client.off('error', onConnectionError);
    await queryRunner.release();
  }
}

/**
 * The worker's side: runs `attempt` until it ends other than with EarlierAttemptRunningError,
 * asking again every EARLIER_ATTEMPT_POLL_MS meanwhile (the job's lock is renewed while it waits).
 * Failing instead would fail a job whose run then succeeds, and a retry would run it twice; once
 * the earlier attempt has ended, the next ask reports its run (or runs, if it failed).
 * `onFirstWait` is called once, for one log line.
 */
export async function untilEarlierAttemptEnds<T>(attempt: () => Promise<T>, onFirstWait: () => void, pollMs = EARLIER_ATTEMPT_POLL_MS): Promise<T> {
  let waiting = false;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof EarlierAttemptRunningError)) throw error;
      if (!waiting) onFirstWait();
      waiting = true;
      await delay(pollMs);
    }
  }
}
