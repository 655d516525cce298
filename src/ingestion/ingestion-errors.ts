/**
 * Failure classes the queue acts on: transient failures are retried with backoff, permanent ones
 * fail the job at once (BullMQ's UnrecoverableError).
 */
export class TransientIngestionError extends Error {
  override readonly name = 'TransientIngestionError';
}

export class PermanentIngestionError extends Error {
  override readonly name = 'PermanentIngestionError';
}

/** Another run of the same source holds the source's lock; the job is retried later. */
export class SourceBusyError extends TransientIngestionError {}

/**
 * The source's lock is held by an earlier attempt of the same job, still running: the queue handed
 * the job out again because its lock lapsed (Redis away for longer than WORKER_LOCK_MS, or a worker
 * stalled), not because that attempt ended. The new attempt waits for it instead of failing.
 */
export class EarlierAttemptRunningError extends SourceBusyError {}
