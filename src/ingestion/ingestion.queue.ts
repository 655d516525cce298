import { UnrecoverableError, type Job, type JobsOptions } from 'bullmq';
import { feedOf, type HubConfig } from '../config/config';
import type { Logger } from '../platform/logging/logger';
import type { HubQueue, HubQueueEvents, HubWorker, QueueBackend } from '../platform/queue/queue-backend';
import type { SourceRegistry } from './source-registry';
import type { IngestionEngine } from './ingestion.engine';
import { PermanentIngestionError } from './ingestion-errors';
import { JOB_MAX_STALLS, untilEarlierAttemptEnds } from './run-lock';
import type { RunProgress } from './run-progress';
import type { IngestionRunRepository, RunTrigger } from './ingestion-run.repository';

export const INGESTION_QUEUE = 'ingestion';
export const INGEST_JOB = 'ingest';

export interface IngestJobData {
  source: string;
  trigger: RunTrigger;
  /** Ignore the saved cursor and read the whole feed. */
  full?: boolean;
}

export interface IngestJobResult {
  runId: string;
  status: string;
}

/** Stable scheduler ID per source, so restarts update the schedule instead of adding one. */
export const schedulerId = (source: string): string => `ingest:${source}`;

export class IngestionQueue {
  constructor(
    readonly queue: HubQueue<IngestJobData>,
    private readonly sources: SourceRegistry,
    private readonly config: HubConfig,
    private readonly logger: Logger,
  ) {}

  private jobOptions(): JobsOptions {
    return {
      attempts: this.config.ingestAttempts,
      backoff: { type: 'exponential', delay: this.config.ingestBackoffMs, jitter: 0.5 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    };
  }

  /** One job scheduler per source, on its cron pattern, in the configured time zone; returns them for one summary line. */
  async upsertSchedules(): Promise<{ source: string; pattern: string }[]> {
    const set: { source: string; pattern: string }[] = [];
    for (const source of this.sources.all()) {
      const pattern = feedOf(this.config, source.id).schedule;
      await this.queue.upsertJobScheduler(
        schedulerId(source.id),
        { pattern, tz: this.config.scheduleTimezone },
        { name: INGEST_JOB, data: { source: source.id, trigger: 'schedule' }, opts: this.jobOptions() },
      );
      this.logger.debug({ source: source.id, pattern, tz: this.config.scheduleTimezone }, 'schedule set');
      set.push({ source: source.id, pattern });
    }
    return set;
  }

  async enqueue(source: string, trigger: RunTrigger, options: { full?: boolean } = {}): Promise<Job<IngestJobData>> {
    if (!this.sources.get(source)) throw new Error(`unknown source "${source}" (known: ${this.sources.ids().join(', ')})`);
    return this.queue.add(INGEST_JOB, { source, trigger, ...(options.full ? { full: true } : {}) }, this.jobOptions());
  }

  /**
   * Queues the first load of each source that never loaded and is ready: every source it names in
   * `after` has loaded, or has failed for good (a dead feed must not hold the others back: any order
   * ends in the same picture, this one with the least rework). Called at start-up and whenever a
   * run ends, so a fresh hub loads its registers first and the rest as they become ready, two at a
   * time. Deduplicated while waiting or active, so several processes queue each load once.
   */
  async enqueueReadyFirstLoads(runs: IngestionRunRepository): Promise<string[]> {
    const { loaded, gaveUp } = await runs.firstLoadStates(this.config.ingestAttempts);
    const queued: string[] = [];
    for (const id of this.sources.firstLoadOrder()) {
      if (loaded.has(id) || gaveUp.has(id)) continue;
      const waitingFor = (this.sources.get(id)!.after ?? []).filter((dependency) => !loaded.has(dependency) && !gaveUp.has(dependency));
      if (waitingFor.length > 0) continue;
      await this.queue.add(INGEST_JOB, { source: id, trigger: 'startup' }, { ...this.jobOptions(), deduplication: { id: `startup:${id}` } });
      queued.push(id);
    }
    if (queued.length > 0) this.logger.debug({ sources: queued }, 'queued first loads of sources with no data yet');
    return queued;
  }

  /** Waits for a job to finish and returns its result; throws with the job's failure reason. */
  static async waitFor(job: Job<IngestJobData>, events: HubQueueEvents, timeoutMs: number): Promise<IngestJobResult> {
    return (await job.waitUntilFinished(events, timeoutMs)) as IngestJobResult;
  }
}

type JobHandler = (job: Job<IngestJobData>) => Promise<IngestJobResult>;

/**
 * The ingestion worker: one handler per job name. A job with no handler fails as unrecoverable;
 * permanent feed failures become UnrecoverableError so BullMQ does not retry them.
 */
export function createIngestionWorker(
  backend: QueueBackend,
  engine: IngestionEngine,
  logger: Logger,
  options: { lockMs: number },
): HubWorker<IngestJobData> {
  const handlers: Record<string, JobHandler> = {
    [INGEST_JOB]: async (job) => {
      const request = {
        source: job.data.source,
        trigger: job.data.trigger,
        jobId: job.id,
        jobCreatedAt: job.timestamp,
        attempt: job.attemptsMade + 1,
        full: job.data.full === true,
        onProgress: (progress: RunProgress) => void job.updateProgress({ ...progress }).catch(() => undefined),
      };
      try {
        // A second delivery of this job while an earlier attempt still runs waits for it (run-lock.ts).
        const run = await untilEarlierAttemptEnds(
          () => engine.run(request),
          () => logger.warn({ jobId: job.id, source: job.data.source }, 'an earlier attempt of this job is still running (its queue lock lapsed); waiting for it instead of running the source again'),
        );
        return { runId: run.id, status: run.status };
      } catch (error) {
        if (error instanceof PermanentIngestionError) throw new UnrecoverableError(error.message);
        throw error;
      }
    },
  };
  const worker = backend.createWorker<IngestJobData>(
    INGESTION_QUEUE,
    async (job) => {
      const handler = handlers[job.name];
      if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}"`);
      return handler(job);
    },
    // A dead worker's job is noticed as stalled within about one lock period and retried; a job
    // handed out again while its first attempt lives waits for it, so stalls are bounded by
    // JOB_MAX_STALLS rather than BullMQ's 1 (run-lock.ts says why).
    { concurrency: 2, lockDuration: options.lockMs, stalledInterval: Math.max(1000, Math.floor(options.lockMs / 2)), maxStalledCount: JOB_MAX_STALLS },
  );
  worker.on('failed', (job, error) => {
    logger.warn({ jobId: job?.id, source: job?.data.source, attemptsMade: job?.attemptsMade, err: error.message }, 'ingestion job failed');
  });
  return worker;
}
