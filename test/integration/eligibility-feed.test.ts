// @node-runtime: HTTP response streaming, back-pressure and clients that disconnect (runs on every Node.js line .ci/run tests; docs/development.md#test-tiers)
import { Client } from 'pg';
import { LOADED_HUB_TIMEOUT_MS, startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * How the NDJSON eligibility feed ends. With `trailer=1` a complete response ends with an `end`
 * line and one that fails after it started ends with an `error` line, so a bank's sync job can tell
 * the two apart; without it the format is the original one. The failure is real: the database
 * backend serving the feed is terminated with pg_terminate_backend in the middle of the stream.
 */
describe('NDJSON eligibility feed: end and error lines', () => {
  let t: TestHub;
  let smed: string;
  let admin: string;
  /** The hub streams 10 events per statement here, so a feed of a few hundred events takes many. */
  const BATCH = 10;

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 600, env: { ELIGIBILITY_FEED_BATCH_SIZE: String(BATCH) } });
    [smed, admin] = await Promise.all([t.createApiKey('bank', 'SMED'), t.createApiKey('admin')]);
  }, LOADED_HUB_TIMEOUT_MS);
  afterAll(async () => {
    await t?.stop();
  });

  const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(text, params);

  type Line = {
    cursor?: string;
    position?: string;
    end?: { cursor: string | null; events: number; hasMore: boolean };
    errors?: { message: string; extensions: Record<string, unknown> }[];
    error?: { code: string; message: string; requestId: string };
  };

  async function feed(key: string, params: Record<string, string>): Promise<{ status: number; lines: Line[]; requestId: string | null }> {
    const response = await fetch(`${t.baseUrl}/feeds/eligibility?${new URLSearchParams(params).toString()}`, { headers: { authorization: `Bearer ${key}` } });
    const body = await response.text();
    return { status: response.status, lines: response.status === 200 ? body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line) : [], requestId: response.headers.get('x-request-id') };
  }

  test('without trailer the feed is events only, as before; with trailer=1 the same events and then an end line', async () => {
    const [{ n }] = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM lending.eligibility_event WHERE bank_code = 'SMED'`)) as [{ n: number }];
    expect(n).toBeGreaterThan(5 * BATCH);
    const plain = await feed(smed, { limit: '100000' });
    expect(plain.lines).toHaveLength(n);
    expect(plain.lines.every((l) => typeof l.cursor === 'string' && typeof l.position === 'string')).toBe(true);

    const withTrailer = await feed(smed, { limit: '100000', trailer: '1' });
    expect(withTrailer.lines.slice(0, -1)).toEqual(plain.lines);
    expect(withTrailer.lines.at(-1)).toEqual({ end: { cursor: plain.lines.at(-1)!.cursor, events: n, hasMore: false } });
  });

  test('at the limit the end line says whether more events wait, and its cursor resumes the feed', async () => {
    const all = (await feed(smed, { limit: '100000' })).lines;
    const first = await feed(smed, { limit: '25', trailer: '1' });
    expect(first.lines.slice(0, -1)).toEqual(all.slice(0, 25));
    expect(first.lines.at(-1)).toEqual({ end: { cursor: all[24]!.cursor, events: 25, hasMore: true } });
    const rest = await feed(smed, { after: first.lines.at(-1)!.end!.cursor!, limit: String(all.length - 25), trailer: 'true' });
    expect(rest.lines.slice(0, -1)).toEqual(all.slice(25));
    // Exactly at the end of the log: nothing more waits.
    expect(rest.lines.at(-1)).toEqual({ end: { cursor: all.at(-1)!.cursor, events: all.length - 25, hasMore: false } });
    // Resuming at the end: no events, and the same cursor back.
    expect((await feed(smed, { after: all.at(-1)!.cursor!, trailer: '1' })).lines).toEqual([{ end: { cursor: all.at(-1)!.cursor, events: 0, hasMore: false } }]);
    expect((await feed(smed, { trailer: 'yes' })).status).toBe(400);
  });

  /**
   * Replaces the event table by a view that lets a reader pass every position but `stopAt`, where it
   * waits on an advisory lock this test holds: the feed's statement for the batch holding that
   * position is then provably in flight, and its backend can be terminated. `OFFSET 0` keeps the
   * filters out of the ordered subquery, so the trap is evaluated row by row in position order under
   * the feed's LIMIT, and earlier batches never reach it, whatever plan the table's size gives.
   */
  async function withTrap<T>(stopAt: number, run: (control: Client) => Promise<T>): Promise<T> {
    const control = new Client({ connectionString: t.database.url });
    await control.connect();
    try {
      await control.query('SELECT pg_advisory_lock(4242)');
      await control.query(`ALTER TABLE lending.eligibility_event RENAME TO eligibility_event_stored`);
      await control.query(`CREATE FUNCTION lending.feed_trap(pos bigint) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
        BEGIN IF pos = ${stopAt} THEN PERFORM pg_advisory_lock_shared(4242); END IF; RETURN true; END $$`);
      await control.query(`CREATE VIEW lending.eligibility_event AS
        SELECT s.* FROM (SELECT * FROM lending.eligibility_event_stored ORDER BY position OFFSET 0) s WHERE lending.feed_trap(s.position)`);
      return await run(control);
    } finally {
      await control.query('SELECT pg_advisory_unlock_all()');
      await control.query('DROP VIEW IF EXISTS lending.eligibility_event');
      await control.query('DROP FUNCTION IF EXISTS lending.feed_trap(bigint)');
      await control.query(`ALTER TABLE IF EXISTS lending.eligibility_event_stored RENAME TO eligibility_event`);
      await control.end();
    }
  }

  /** Waits until a backend waits on the trap, then terminates it. */
  async function terminateTrapped(control: Client): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const { rows } = await control.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE '%eligibility_event%' AND pid <> pg_backend_pid()`,
      );
      if (rows.length === 1) {
        await control.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('no feed statement reached the trap');
  }

  /** Reads a response body line by line, resolving `seen(n)` once n lines have arrived. */
  function reader(response: Response): { lines: string[]; seen(n: number): Promise<void>; done: Promise<void> } {
    const lines: string[] = [];
    let text = '';
    const waiters: { n: number; resolve: () => void }[] = [];
    const done = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        const parts = text.split('\n');
        text = parts.pop()!;
        lines.push(...parts);
        for (const w of waiters.filter((w) => lines.length >= w.n)) w.resolve();
      }
      if (text) lines.push(text);
    })();
    return {
      lines,
      done,
      seen: (n) => (lines.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
    };
  }

  test('a stream that fails after it started ends with an error line naming the request, after the events already sent', async () => {
    const all = (await feed(admin, { limit: '100000' })).lines;
    expect(all.length).toBeGreaterThan(5 * BATCH);
    // The fourth batch holds position 35: three batches (30 events) go out, then its statement is killed.
    const stopAt = 3 * BATCH + 5;
    await withTrap(stopAt, async (control) => {
      const response = await fetch(`${t.baseUrl}/feeds/eligibility?limit=100000&trailer=1`, { headers: { authorization: `Bearer ${admin}` } });
      expect(response.status).toBe(200);
      const body = reader(response);
      // The client really holds the first three batches before the failure.
      await body.seen(3 * BATCH);
      await terminateTrapped(control);
      await body.done;
      const lines = body.lines.map((l) => JSON.parse(l) as Line);
      expect(lines.slice(0, -1)).toEqual(all.slice(0, 3 * BATCH));
      const requestId = response.headers.get('x-request-id')!;
      const message = 'Internal error. Quote the requestId when reporting it.';
      // The hub's one error shape, and the first format's member beside it (deprecated).
      expect(lines.at(-1)).toEqual({
        errors: [{ message, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }],
        error: { code: 'INTERNAL_SERVER_ERROR', message, requestId },
      });
      expect(lines.some((l) => l.end)).toBe(false);
    });
    // The hub recovers: the next read is complete.
    const after = await feed(admin, { limit: '100000', trailer: '1' });
    expect(after.lines.slice(0, -1)).toEqual(all);
    expect(after.lines.at(-1)!.end).toMatchObject({ events: all.length, hasMore: false });
  });

  test('without trailer a failure after the start still aborts the connection, as before', async () => {
    await withTrap(2 * BATCH + 1, async (control) => {
      const response = await fetch(`${t.baseUrl}/feeds/eligibility?limit=100000`, { headers: { authorization: `Bearer ${admin}` } });
      const body = reader(response);
      await body.seen(2 * BATCH);
      await terminateTrapped(control);
      await expect(body.done).rejects.toThrow();
      expect(body.lines.every((l) => !l.includes('"error"'))).toBe(true);
    });
  });
});
