import { runSoak } from '../../bench/soak-run';
import { HUB_ENTRY } from '../support/hub-process';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import fs from 'node:fs';

/**
 * Issue 19: the short soak, one minute of `npm run bench:soak`'s mixed load (the three canonical
 * queries back to back, a bank syncing the eligibility feed every second, an incremental DBD run
 * every 20 s on a feed that changes between runs) against an API process and a worker process.
 * Asserted: no request failed, every run succeeded, the bank received every event exactly once,
 * and memory was measured in both processes. Latency and memory are reported (the ten-minute
 * figures are in docs/scale-out.md), not asserted.
 */
describe('a one-minute soak', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    if (!fs.existsSync(HUB_ENTRY)) throw new Error(`${HUB_ENTRY} is missing: build first (npm run build; npm test does)`);
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  test('no errors, every run succeeded, every feed event exactly once, memory measured in both processes', async () => {
    const lines: string[] = [];
    const report = await runSoak({ databaseUrl: database.url, durationMs: 60_000, runEveryMs: 20_000, scale: 600, warmUpMs: 15_000, log: (line) => lines.push(line) });
    process.stdout.write(`${lines.join('\n')}\n`);
    expect(report.errors).toEqual({ count: 0, samples: [] });
    expect(report.requests).toBeGreaterThan(30);
    expect(report.runs.length).toBeGreaterThanOrEqual(2);
    expect(report.runs.map((run) => run.status)).toEqual(report.runs.map(() => 'succeeded'));
    // The feed changed during the soak (the runs wrote events) and the bank got each once.
    expect(report.feed.logged).toBeGreaterThan(0);
    expect(report.feed.exactlyOnce).toBe(true);
    // Measurement started once the worker had done its work (the first run) once, and both
    // processes' heap after a full collection was read there and at the end.
    expect(report.memory.warm).toBeDefined();
    for (const point of [report.memory.warm!, report.memory.end]) {
      expect(point.collected).toBe(true);
      expect(point.api.heapUsedMb).toBeGreaterThan(0);
      expect(point.worker.heapUsedMb).toBeGreaterThan(0);
    }
  }, 240_000);
});
