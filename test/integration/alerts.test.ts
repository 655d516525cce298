// @node-runtime: outgoing webhook requests and their retries (runs on every Node.js line .ci/run tests; docs/development.md#test-tiers)
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { AlertEvent } from '../../src/app/alerts';
import { createRootLogger } from '../../src/platform/logging/logger';
import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * Alerts: a source turning stale, a run failing its last attempt and a quarantine past its
 * threshold each log one line and POST one JSON event to ALERT_WEBHOOK_URL (here a receiver on
 * this machine); their recoveries too; a condition that stays as it is alerts once.
 */
describe('alerts', () => {
  let t: TestHub;
  let receiver: http.Server;
  const received: AlertEvent[] = [];
  const logLines: { level: string; msg: string; alert?: string; state?: string }[] = [];
  let failNextPosts = 0;

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (failNextPosts > 0) {
          failNextPosts -= 1;
          res.writeHead(503).end();
          return;
        }
        expect(req.method).toBe('POST');
        expect(req.headers['content-type']).toBe('application/json');
        received.push(JSON.parse(body) as AlertEvent);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const logs = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
        done();
      },
    });
    t = await startTestHub({
      scale: 300,
      // Enough bad rows that DBD's first load quarantines more than the threshold.
      simulator: { badRowRate: 0.1 },
      env: {
        ALERT_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/hub`,
        ALERT_CHECK_SECONDS: '86400',
        ALERT_QUARANTINE_THRESHOLD: '2',
      },
      logger: createRootLogger('info', logs),
    });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const check = (now = new Date()) => t.hub.alerts!.check(now);
  const alertLines = () => logLines.filter((line) => line.alert !== undefined);

  test('a hub where nothing loaded yet alerts nothing, and its checks write nothing', async () => {
    expect(await check()).toEqual([]);
    expect(received).toEqual([]);
    expect(await t.sql('SELECT key FROM ingestion.alert_state')).toEqual([]);
  });

  test('a quarantine past its threshold alerts once', async () => {
    expect((await t.ingestNow('diw')).status).toBe('succeeded');
    expect((await t.ingestNow('dbd-companies')).status).toBe('succeeded');
    const [{ n }] = (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ingestion.quarantined_row WHERE source = 'dbd-companies' AND resolved_at IS NULL`)) as [{ n: number }];
    expect(n).toBeGreaterThan(2);
    await check();
    expect(received).toEqual([
      expect.objectContaining({ alert: 'quarantine_growing', state: 'firing', source: 'dbd-companies', details: { openQuarantinedRows: n, threshold: 2 }, hub: 'i-industry-hub' }),
    ]);
    // Unchanged: nothing more, however often the monitor looks.
    await check();
    await check();
    expect(received).toHaveLength(1);
    expect(alertLines()).toEqual([expect.objectContaining({ level: 'warn', alert: 'quarantine_growing', state: 'firing' })]);
  });

  // From here on, DIW's alerts: DBD's loaded source follows the same course alongside.
  const ofDiw = (events: AlertEvent[]) => events.filter((e) => e.source === 'diw');

  test('a source turning stale alerts once, and its next load announces the recovery', async () => {
    received.length = 0;
    const later = new Date(Date.now() + 49 * 3_600_000); // DIW may age 48 hours
    const events = ofDiw(await check(later));
    expect(events).toEqual([expect.objectContaining({ alert: 'source_stale', state: 'firing', source: 'diw' })]);
    expect(ofDiw(received)).toEqual(events);
    expect(events[0]!.summary).toMatch(/^source diw is stale: last loaded 49 h ago, it may age 48 h$/);
    expect(ofDiw(await check(new Date(later.getTime() + 3_600_000)))).toEqual([]);

    expect((await t.ingestNow('diw')).status).toBe('succeeded');
    expect(ofDiw(await check())).toEqual([expect.objectContaining({ alert: 'source_stale', state: 'resolved', source: 'diw' })]);
    expect(ofDiw(received).map((e) => `${e.alert}:${e.state}`)).toEqual(['source_stale:firing', 'source_stale:resolved']);
    expect(alertLines().filter((l) => l.alert === 'source_stale' && (l as { source?: string }).source === 'diw').map((l) => l.level)).toEqual(['warn', 'info']);
  });

  test('a run that failed its last attempt alerts once; the next success announces the recovery', async () => {
    received.length = 0;
    t.feed.set('fault=http500');
    try {
      // INGEST_ATTEMPTS is 1 in test hubs: this attempt is the last.
      expect((await t.ingestNow('diw')).status).toBe('failed');
      expect((await t.ingestNow('diw')).status).toBe('failed');
    } finally {
      t.feed.set('');
    }
    await check();
    expect(ofDiw(received)).toEqual([expect.objectContaining({ alert: 'run_failed', state: 'firing', source: 'diw' })]);
    expect(received[0]!.summary).toMatch(/^source diw run \d+ failed for good \(attempt 1, transient\): .*500/);
    expect(received[0]!.details).toMatchObject({ status: 'failed', attempt: 1, errorKind: 'transient' });
    await check();
    expect(ofDiw(received)).toHaveLength(1);

    expect((await t.ingestNow('diw')).status).toBe('succeeded');
    await check();
    expect(ofDiw(received).map((e) => `${e.alert}:${e.state}`)).toEqual(['run_failed:firing', 'run_failed:resolved']);
    // Every event is distinct, so a receiver can drop a retried delivery by its id.
    expect(new Set(received.map((e) => e.id)).size).toBe(received.length);
  }, 60_000);

  test('a webhook that fails is retried, and the state change is not announced twice', async () => {
    received.length = 0;
    failNextPosts = 1;
    const later = new Date(Date.now() + 49 * 3_600_000);
    await check(later);
    expect(ofDiw(received)).toEqual([expect.objectContaining({ alert: 'source_stale', state: 'firing' })]);
    await check(later);
    expect(ofDiw(received)).toHaveLength(1);
  }, 30_000);
});
