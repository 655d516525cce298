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
