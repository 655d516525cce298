import type { Logger } from '../platform/logging/logger';
import type { IngestionQueue } from './ingestion.queue';
import type { IngestionRunRepository } from './ingestion-run.repository';

/**
 * A fresh hub's first loads, in dependency order (IngestionQueue.enqueueReadyFirstLoads): queued at
 * start-up, and again whenever one of this process's runs ends, since that may make others ready.
 * Says once, in one line, when every source has loaded: the moment the hub's picture is whole.
 */
export class FirstLoads {
  private chain: Promise<void> = Promise.resolve();
  private complete = false;
  private readonly startedAt = Date.now();

  constructor(
    private readonly queue: IngestionQueue,
    private readonly runs: IngestionRunRepository,
    private readonly sourceIds: readonly string[],
    private readonly logger: Logger,
  ) {}

  /** At start-up: queues what is ready; a hub whose sources have all loaded before stays quiet. */
  async start(): Promise<void> {
    this.complete = (await this.loaded()) === this.sourceIds.length;
    if (!this.complete) await this.queue.enqueueReadyFirstLoads(this.runs);
  }

  /** After a run of this process ended (succeeded, or failed): one check at a time. */
  runEnded(): void {
    this.chain = this.chain.then(() => this.check()).catch((error: unknown) => this.logger.warn({ err: error }, 'could not queue the next first loads'));
  }

  /** Resolves once the checks asked for so far are done (tests, shutdown). */
  settled(): Promise<void> {
    return this.chain;
  }

  private async check(): Promise<void> {
    if (this.complete) return;
    await this.queue.enqueueReadyFirstLoads(this.runs);
    const loaded = await this.loaded();
    if (loaded < this.sourceIds.length) return;
    this.complete = true;
    this.logger.info({ sources: loaded, seconds: Math.round((Date.now() - this.startedAt) / 1000) }, `every source has loaded once (${loaded} sources): the hub's picture of each firm is complete`);
  }

  /** How many of the sources have loaded at least once. */
  private async loaded(): Promise<number> {
    const states = await this.runs.sourceStates();
    return states.filter((s) => s.lastSuccessRunId !== null && this.sourceIds.includes(s.source)).length;
  }
}
