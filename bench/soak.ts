import 'reflect-metadata';
import { runSoak } from './soak-run';

/**
 * npm run bench:soak — SOAK_MINUTES (default 10) of mixed load, a DBD run every
 * SOAK_RUN_EVERY_SECONDS (default 120), a world of SOAK_FIRMS firms (default 5,000): see
 * bench/soak-run.ts. SOAK_HEAP_SNAPSHOTS=<folder>: heap snapshots of the API and the worker after
 * warm-up and at the end (compare them with bench/heap-compare.ts). SOAK_GC_EACH_RUN=1 (a
 * diagnostic): both processes' heap after a full collection as each incremental run ends. Exits non-zero on an error, a failed run, or a feed event missed or repeated.
 */
const minutes = Number(process.env['SOAK_MINUTES'] ?? 10);
runSoak({
  durationMs: minutes * 60_000,
  runEveryMs: Number(process.env['SOAK_RUN_EVERY_SECONDS'] ?? 120) * 1000,
  scale: Number(process.env['SOAK_FIRMS'] ?? 5000),
  warmUpMs: Math.min(60_000, (minutes * 60_000) / 5),
  ...(process.env['SOAK_HEAP_SNAPSHOTS'] ? { heapSnapshotDir: process.env['SOAK_HEAP_SNAPSHOTS'] } : {}),
  gcAfterEachRun: process.env['SOAK_GC_EACH_RUN'] === '1',
})
  .then((report) => {
    process.exitCode = report.errors.count === 0 && report.feed.exactlyOnce && report.runs.every((r) => r.status === 'succeeded') ? 0 : 1;
  })
  .catch((error: unknown) => {
    process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
    process.exitCode = 1;
  });
