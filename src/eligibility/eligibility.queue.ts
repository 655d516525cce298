import { UnrecoverableError, type JobsOptions } from 'bullmq';
import { JOB_MAX_STALLS, untilEarlierAttemptEnds } from '../ingestion/run-lock';
import type { Logger } from '../platform/logging/logger';
import type { HubQueue, HubWorker, QueueBackend } from '../platform/queue/queue-backend';
import type { DailyEligibilityRecompute, DailyRecomputeResult } from './daily-recompute';

/** The queue of eligibility jobs that no ingestion run starts (today: the daily recompute). */
export const ELIGIBILITY_QUEUE = 'eligibility';
export const DAILY_RECOMPUTE_JOB = 'recompute-date-dependent';
/** Stable scheduler ID, so restarts update the schedule instead of adding one. */
export const DAILY_RECOMPUTE_SCHEDULER_ID = 'eligibility:daily-recompute';
/**
 * Default schedule of the daily recompute: 00:30 Bangkok time, just after the day changes, so a
 * firm's anniversary takes effect in the feed early in the day, before the agencies' loads (02:00 on).
 */
export const ELIGIBILITY_RECOMPUTE_DEFAULT_SCHEDULE = '30 0 * * *';

export interface EligibilityJobData {
  trigger: 'schedule' | 'manual' | 'cli';
}

const JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 60_000, jitter: 0.5 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 500 },
};

/** The daily recompute's job scheduler, on its cron pattern in the configured time zone. */
export async function upsertDailyRecomputeSchedule(queue: HubQueue<EligibilityJobData>, schedule: { pattern: string; tz: string }, logger: Logger): Promise<void> {
  await queue.upsertJobScheduler(DAILY_RECOMPUTE_SCHEDULER_ID, schedule, { name: DAILY_RECOMPUTE_JOB, data: { trigger: 'schedule' }, opts: JOB_OPTIONS });
  logger.debug({ scheduler: DAILY_RECOMPUTE_SCHEDULER_ID, ...schedule }, 'schedule set');
}

/** Queues a daily recompute now (operators, tests). */
export function enqueueDailyRecompute(queue: HubQueue<EligibilityJobData>, trigger: EligibilityJobData['trigger']) {
  return queue.add(DAILY_RECOMPUTE_JOB, { trigger }, JOB_OPTIONS);
}

/**
 * One handler per job name; a job with no handler fails as unrecoverable. The queue may hand a job
 * out again while an earlier attempt still runs (its lock lapsed: Redis away for longer than
 * WORKER_LOCK_MS): the recompute recognises its own job as the source runs do
 * (src/ingestion/run-lock.ts), so that delivery waits for the earlier attempt and reports its run,
 * and one after the recompute succeeded completes without recomputing.
 */
export function createEligibilityWorker(backend: QueueBackend, recompute: DailyEligibilityRecompute, logger: Logger, options: { lockMs: number }): HubWorker<EligibilityJobData> {
  type EligibilityJob = { id?: string | undefined; name: string; data: EligibilityJobData; attemptsMade: number; timestamp: number };
  const handlers: Record<string, (job: EligibilityJob) => Promise<DailyRecomputeResult>> = {
    [DAILY_RECOMPUTE_JOB]: (job) =>
      untilEarlierAttemptEnds(
        () => recompute.run({ trigger: job.data.trigger, jobId: job.id ?? null, jobCreatedAt: job.timestamp, attempt: job.attemptsMade + 1 }),
        () => logger.warn({ jobId: job.id, job: job.name }, 'an earlier attempt of this job is still running (its queue lock lapsed); waiting for it instead of recomputing again'),
      ),
  };
  const worker = backend.createWorker<EligibilityJobData>(
    ELIGIBILITY_QUEUE,
    async (job) => {
      const handler = handlers[job.name];
      if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}"`);
      return handler(job);
    },
    // Re-delivery is harmless (above), so stalls are bounded by JOB_MAX_STALLS, not BullMQ's 1.
    { concurrency: 1, lockDuration: options.lockMs, stalledInterval: Math.max(1000, Math.floor(options.lockMs / 2)), maxStalledCount: JOB_MAX_STALLS },
  );
  worker.on('failed', (job, error) => {
    logger.warn({ jobId: job?.id, job: job?.name, attemptsMade: job?.attemptsMade, err: error.message }, 'eligibility job failed');
  });
  return worker;
}
