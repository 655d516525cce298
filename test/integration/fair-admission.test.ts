import { Client } from 'pg';
import { startTestHub, type TestHub } from '../support/test-hub';
import { until } from '../support/until';

/**
 * Fair admission (issue 14): an API process runs at most API_CONCURRENCY requests at once; the
 * rest wait in one queue per client, served in turn, so one client's backlog never sits ahead of
 * another client's request. A client's queue is bounded (API_QUEUE_PER_CLIENT; beyond it: 429
 * RATE_LIMITED, `limit: "queue"`), and a queued request still has its deadline (QUERY_TIMEOUT,
 * `which: "queue"`, HTTP 503). Health endpoints and /metrics never queue.
 *
 * The order is made deterministic by a lock: with one request running at a time, the flooder's
 * first request waits on a locked table while its others queue; the order in which the queued
 * requests then finish (one at a time) is the order in which they were admitted.
 */
jest.setTimeout(120_000);

interface Answer {
  status: number;
  code: string | undefined;
  extensions: Record<string, unknown> | undefined;
  retryAfter: string | null;
  data: unknown;
}

const LOCKED = '{ tisStandards(first: 1) { totalCount } }';
const NORMAL = '{ provinces { code } }';
const QUEUE_PER_CLIENT = 4;

describe('fair admission', () => {
  let t: TestHub;
  let keys: Awaited<ReturnType<TestHub['createApiKeys']>>;

  beforeAll(async () => {
    t = await startTestHub({
      env: {
        API_CONCURRENCY: '1',
        API_QUEUE_PER_CLIENT: String(QUEUE_PER_CLIENT),
        // The flooder (ministry) may have more requests in progress than run and wait: its queue
        // is what bounds it (1 running + 4 waiting + 1 more).
        RATE_LIMIT_CONCURRENT: 'ministry=6',
        // A bank's request waits in the queue for at most its deadline.
        REQUEST_TIMEOUT_MS: 'bank=1000',
        // A small cost minute for banks: refused documents are charged to it.
        RATE_LIMIT_COST_PER_MINUTE: 'bank=5000',
      },
    });
    keys = await t.createApiKeys();
  }, 300_000);
  afterAll(async () => {
    await t?.stop();
  });

  async function gql(query: string, key: string): Promise<Answer> {
    const response = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query }),
    });
    const json = (await response.json()) as { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] };
    const extensions = json.errors?.[0]?.extensions;
    return { status: response.status, code: extensions?.['code'] as string | undefined, extensions, retryAfter: response.headers.get('retry-after'), data: json.data };
  }

  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${keys.admin}` } })).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? NaN : Number(line.split(' ')[1]);
  }

  const settles = (name: string, value: number): Promise<true> => until(`${name} = ${value}`, async () => ((await metric(name)) === value ? true : undefined));

  async function holdingLock<T>(fn: () => Promise<T>): Promise<T> {
    const locker = new Client({ connectionString: t.database.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE registry.tis_standard IN ACCESS EXCLUSIVE MODE');
      return await fn();
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
  }

  test('another client is admitted ahead of a flooder\'s backlog; the flooder\'s excess is refused; health never queues', async () => {
    const locker = new Client({ connectionString: t.database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE registry.tis_standard IN ACCESS EXCLUSIVE MODE');
    try {
      const finished: string[] = [];
      const track = (who: string, answer: Promise<Answer>): Promise<Answer> =>
        answer.then((a) => {
          finished.push(`${who}:${a.status}`);
          return a;
        });
      // One running (waiting on the lock), four queued, and the sixth refused: the queue is full.
      const flood = Array.from({ length: QUEUE_PER_CLIENT + 2 }, () => track('flooder', gql(LOCKED, keys.ministry)));
      const refused = await Promise.race(flood);
      expect(refused.status).toBe(429);
      expect(refused.code).toBe('RATE_LIMITED');
      expect(refused.extensions).toMatchObject({ limit: 'queue', allowed: QUEUE_PER_CLIENT });
      expect(refused.retryAfter).toBe('1');
      // Another one now is refused the same way; sent before the Retry-After, it is held, and
      // holds none of its client's 6 requests at once meanwhile: one more beside it is refused for
      // the queue too, not for the client's requests at once.
      const more = gql(LOCKED, keys.ministry);
      await settles('hub_api_refusals_held', 1);
      const beside = await gql(LOCKED, keys.ministry);
      expect([beside.status, beside.code, beside.extensions?.['limit']]).toEqual([429, 'RATE_LIMITED', 'queue']);
      expect([(await more).status, (await more).code, (await more).extensions?.['limit']]).toEqual([429, 'RATE_LIMITED', 'queue']);
      await settles('hub_api_requests_queued', QUEUE_PER_CLIENT);
      expect(await metric('hub_api_requests_running')).toBe(1);

      // Health and metrics answer while every slot is taken and the queue is full.
      expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(200);

      // The analyst arrives after the flooder's four queued requests.
      const analyst = track('analyst', gql(NORMAL, keys.analyst));
      await settles('hub_api_requests_queued', QUEUE_PER_CLIENT + 1);
      await locker.query('ROLLBACK');
      const answers = await Promise.all([analyst, ...flood]);
      expect(answers[0].status).toBe(200);
      expect(answers[0].data).toBeTruthy();
      // One request runs at a time: what finished before the analyst is what was admitted before it.
      // The flooder's running request only; in arrival order (FIFO) it would be all five.
      const before = finished.slice(0, finished.indexOf('analyst:200')).filter((f) => f === 'flooder:200');
      expect(before.length).toBeLessThanOrEqual(1);
      expect(finished.filter((f) => f === 'flooder:200')).toHaveLength(QUEUE_PER_CLIENT + 1);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    expect(await metric('hub_api_requests_queued')).toBe(0);
    expect((await gql(NORMAL, keys.ministry)).status).toBe(200);
    expect((await gql(NORMAL, keys.analyst)).status).toBe(200);
  });

  test('a queued request past its deadline answers QUERY_TIMEOUT (which: queue) and leaves the queue', async () => {
    const { running } = await holdingLock(async () => {
      const running = gql(LOCKED, keys.ministry);
      await settles('hub_api_requests_running', 1);
      // The bank's deadline is 1 s; the ministry's request holds the only slot for longer.
      const late = await gql(NORMAL, keys.smed);
      expect(late.status).toBe(503);
      expect(late.code).toBe('QUERY_TIMEOUT');
      expect(late.extensions).toMatchObject({ which: 'queue', limitMs: 1000 });
      expect(late.retryAfter).toBe('1');
      expect(await metric('hub_api_requests_queued')).toBe(0);
      return { running };
    });
    expect((await running).status).toBe(200);
    expect((await gql(NORMAL, keys.smed)).status).toBe(200);
  });

  test('a client that hangs up while it waits leaves the queue', async () => {
    const { running } = await holdingLock(async () => {
      const running = gql(LOCKED, keys.ministry);
      await settles('hub_api_requests_running', 1);
      const leaving = new AbortController();
      const waiting = fetch(t.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.analyst}` },
        body: JSON.stringify({ query: NORMAL }),
        signal: leaving.signal,
      }).catch(() => undefined);
      await settles('hub_api_requests_queued', 1);
      leaving.abort();
      await waiting;
      await settles('hub_api_requests_queued', 0);
      return { running };
    });
    expect((await running).status).toBe(200);
    await settles('hub_api_requests_running', 0);
    expect((await gql(NORMAL, keys.analyst)).status).toBe(200);
  });

  test('a client sending only refused documents is charged for them and gets RATE_LIMITED', async () => {
    // Each kind of refused document: too many tokens, a syntax error, an unknown field, too deep.
    const tooManyTokens = `{ ${'__typename '.repeat(4000)}}`;
    const documents = [tooManyTokens, '{ provinces { code ', '{ noSuchField }', `{ ${'provinces { region { provinces { '.repeat(8)}code${' } } }'.repeat(8)} }`];
    const codes: string[] = [];
    for (let i = 0; i < 40; i++) {
      const answer = await gql(documents[i % documents.length]!, keys.exim);
      codes.push(answer.code ?? 'OK');
      if (answer.status === 429) {
        expect(answer.code).toBe('RATE_LIMITED');
        expect(answer.extensions).toMatchObject({ limit: 'cost' });
        expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
        break;
      }
      expect(answer.status).toBe(400);
    }
    // A bank's 5,000 a minute: a few refused documents spend it (a request minute of 600 would not).
    expect(codes).toContain('RATE_LIMITED');
    expect(codes.length).toBeLessThan(40);
    // The next large document is refused too; other clients are not affected.
    expect((await gql(tooManyTokens, keys.exim)).code).toBe('RATE_LIMITED');
    expect((await gql(NORMAL, keys.smed)).status).toBe(200);
  });
  test('a request waiting for its read audit to commit gives its turn to the next request', async () => {
    // The audit's commit is held (its chain head locked): the firm read has executed and waits only
    // for its audit entry, which needs no turn. Another client's request is served meanwhile.
    expect((await t.ingestNow('dbd-companies')).status).toBe('succeeded');
    const locker = new Client({ connectionString: t.database.url });
    await locker.connect();
    let auditedAnswer: Promise<Answer> | undefined;
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT seq FROM audit.chain_head FOR UPDATE');
      auditedAnswer = gql('{ companies(first: 1) { edges { node { juristicId } } } }', keys.ministry);
      let auditedDone = false;
      void auditedAnswer.then(() => (auditedDone = true));
      // The firm read is waiting on the audit (its INSERT blocks on the head's lock) and runs no more.
      await until('the audit append waits on the lock', async () => {
        const { rows } = await locker.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database() AND pid <> pg_backend_pid()",
        );
        return Number(rows[0]!.n) > 0 ? true : undefined;
      });
      await settles('hub_api_requests_running', 0);
      const other = await gql(NORMAL, keys.analyst);
      expect(other.status).toBe(200);
      expect(auditedDone).toBe(false);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    // Once the audit commits, the firm read is answered, its data with it.
    const audited = await auditedAnswer;
    expect(audited.status).toBe(200);
    expect(JSON.stringify(audited.data)).toMatch(/juristicId/);
  });
});
