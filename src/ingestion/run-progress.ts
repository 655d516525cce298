/** What a running run has done so far: the CLI's `ingest --wait` shows it while the run goes on. */
export interface RunProgress {
  rowsRead: number;
}

/** The interval at which a run reports its progress (ms). */
export const PROGRESS_EVERY_MS = 1000;

/**
 * Passes the rows through, telling `report` how many were read at most once per interval and once
 * at the end of the feed. Reporting must not slow the run down: it is called, never awaited; the
 * extra generator costs well under a microsecond a row, and nothing at all without `report`.
 */
export function withProgress<T>(rows: AsyncIterable<T>, report: ((progress: RunProgress) => void) | undefined, everyMs = PROGRESS_EVERY_MS): AsyncIterable<T> {
  return report ? counted(rows, report, everyMs) : rows;
}

async function* counted<T>(rows: AsyncIterable<T>, report: (progress: RunProgress) => void, everyMs: number): AsyncGenerator<T> {
  let rowsRead = 0;
  let last = Date.now();
  for await (const row of rows) {
    rowsRead += 1;
    yield row;
    const now = Date.now();
    if (now - last >= everyMs) {
      last = now;
      report({ rowsRead });
    }
  }
  report({ rowsRead });
}
