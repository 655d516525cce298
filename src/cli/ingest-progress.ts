import type { Job } from 'bullmq';
import type { RunProgress } from '../ingestion/run-progress';
import { count } from './format';

/** What the display needs to know of a job, read from the queue (either backend). */
interface JobView {
  progress: unknown;
  processedOn?: number | undefined;
}

export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * The progress of `ingest --wait`: on a terminal one line rewritten in place (rows read, rate,
 * elapsed); elsewhere (a log file, CI) a plain line every `plainEveryMs` while the count moves.
 * Written to standard error: standard output keeps only the results.
 */
export class ProgressDisplay {
  private shown = false;
  private lastPlainAt = 0;
  private lastPlainRows = -1;

  constructor(
    private readonly sink: ProgressSink,
    private readonly plainEveryMs = 10_000,
  ) {}

  show(source: string, job: JobView, now = Date.now()): void {
    const rowsRead = typeof job.progress === 'object' && job.progress !== null ? (job.progress as Partial<RunProgress>).rowsRead : undefined;
    const line = job.processedOn === undefined ? `${source}: waiting for a worker` : describe(source, rowsRead ?? 0, now - job.processedOn);
    if (this.sink.isTTY) {
      this.sink.write(`\r\x1b[K${line}`);
      this.shown = true;
      return;
    }
    if (job.processedOn === undefined || rowsRead === undefined || rowsRead === this.lastPlainRows) return;
    if (now - this.lastPlainAt < this.plainEveryMs) return;
    this.lastPlainAt = now;
    this.lastPlainRows = rowsRead;
    this.sink.write(`${line}\n`);
  }

  /** Removes the terminal line before the run's summary is printed. */
  clear(): void {
    if (this.sink.isTTY && this.shown) this.sink.write('\r\x1b[K');
    this.shown = false;
  }
}

function describe(source: string, rowsRead: number, elapsedMs: number): string {
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  const elapsed = `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;
  return `${source}: ${count(rowsRead)} rows read, ${count(Math.round(rowsRead / seconds))} rows/s, ${elapsed} elapsed`;
}

/** Shows the job's progress every `everyMs` until `done` settles; never throws (progress is a courtesy). */
export async function followJob(
  source: string,
  readJob: () => Promise<Job | JobView | undefined>,
  done: Promise<unknown>,
  display: ProgressDisplay,
  everyMs = 1000,
): Promise<void> {
  let finished = false;
  const settled = done.then(
    () => (finished = true),
    () => (finished = true),
  );
  while (!finished) {
    const job = await readJob().catch(() => undefined);
    if (job && !finished) display.show(source, job);
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, everyMs).unref())]);
  }
  display.clear();
}
