// @node-runtime: Redis connections and a second API process (runs on every Node.js line .ci/run tests; docs/development.md#test-tiers)
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { startHub, type RunningHub } from '../../src/app/hub';
import { createRootLogger } from '../../src/platform/logging/logger';
import { redisTestUrl } from '../support/test-database';
import { startTestHub, type TestHub } from '../support/test-hub';
import { until } from '../support/until';

/**
 * Per-client limits (issue 14): one budget across API processes, counted in PostgreSQL without
 * REDIS_URL and in Redis with it; HTTP 429 with Retry-After and RATE_LIMITED; a flooding key is
 * refused while another client keeps being served; the NDJSON feed counts; `client:update` changes
 * a running hub's limit.
 */
jest.setTimeout(120_000);

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli.js');
const QUERY = '{ factories(first: 2) { totalCount } }';

interface Answer {
  status: number;
  retryAfter: string | null;
  code: string | undefined;
  limit: unknown;
  measure?: unknown;
  cost?: unknown;
}

async function ask(url: string, key: string, query = QUERY): Promise<Answer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string; limit?: unknown; measure?: unknown; cost?: unknown } }[] };
  const extensions = body.errors?.[0]?.extensions;
  return { status: response.status, retryAfter: response.headers.get('retry-after'), code: extensions?.code, limit: extensions?.limit, measure: extensions?.measure, cost: extensions?.cost };
}

const stores: ['postgres' | 'redis', boolean][] = [
  ['postgres', true],
  ['redis', redisTestUrl() !== undefined],
];

describe.each(stores)('rate limits shared by two API processes on %s', (store, available) => {
  const maybe = available ? test : test.skip;
  let t: TestHub;
  let second: RunningHub;

  beforeAll(async () => {
    if (!available) return;
    // Refusals answered at once (RATE_LIMIT_HOLD_MS=0): these tests are about the shared budget, and
    // a held refusal (up to a second each, tested below on its own hub) only made them wait.
    t = await startTestHub({ queue: store, scale: 100, env: { RATE_LIMIT_COST_PER_MINUTE: 'analyst=300', RATE_LIMIT_HOLD_MS: '0' } });
    await t.ingestNow('diw');
    // A second API process on the same database and store, with its own memory.
    second = await startHub(t.config, 'api', createRootLogger('silent'));
  }, 120_000);
  afterAll(async () => {
    await second?.stop();
    await t?.stop();
  });

  maybe('a client of 10 requests a minute gets 10 answers at once, then 429 with Retry-After from either process', async () => {
    const { key } = await t.hub.services.clients.create({ name: 'ten-a-minute', role: 'ministry', rateLimitPerMinute: 10 });
    const answers: Answer[] = [];
    const started = Date.now();
    for (let i = 0; i < 7; i++) {
      answers.push(await ask(t.baseUrl, key));
      answers.push(await ask(second.apiUrl!, key));
    }
    // The bucket holds a minute's 10 and gets one back every 6 s: a slow machine may earn one more.
    const refilled = Math.floor((Date.now() - started) / 6000);
    const answered = answers.filter((a) => a.status === 200).length;
    expect(answered).toBeGreaterThanOrEqual(10);
    expect(answered).toBeLessThanOrEqual(10 + refilled);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(14 - answered);
    for (const answer of refused) {
      expect(answer.code).toBe('RATE_LIMITED');
      expect(answer.limit).toBe('requests');
      // The time until the next token, not the rest of a minute.
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(answer.retryAfter)).toBeLessThanOrEqual(6);
    }
    // Another client is not affected.
    const other = await t.createApiKey('ministry');
    expect((await ask(second.apiUrl!, other)).status).toBe(200);
  });

  maybe('query cost a minute is shared too', async () => {
    const key = await t.createApiKey('analyst');
    // Cost of about 41 each (a page of 20 factories, each with its province); the minute holds 300 here.
    const costly = '{ factories(first: 20) { edges { node { fid province { code } } } } }';
    const answers: Answer[] = [];
    for (let i = 0; i < 10; i++) answers.push(await ask(i % 2 ? second.apiUrl! : t.baseUrl, key, costly));
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.limit).toBe('cost');
    expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(15);
  });
});

describe('a flooding key', () => {
  let t: TestHub;

  beforeAll(async () => {
    t = await startTestHub({ scale: 100 });
    await t.ingestNow('diw');
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  test('gets 429s while another client keeps answering 200, and /readyz stays ready', async () => {
    const flooder = (await t.hub.services.clients.create({ name: 'flooder', role: 'bank', bankCode: 'SMED', rateLimitPerMinute: 10 })).key;
    const other = await t.createApiKey('bank', 'EXIM');
    const query = '{ companies(first: 50) { totalCount edges { node { juristicId nameTh factories(first: 5) { edges { node { fid } } } } } } }';
    const started = Date.now();
    const flood = (async () => {
      const answers: Answer[] = [];
      // 20 at a time, 200 in all: over both the concurrency (2) and the minute (10).
      for (let wave = 0; wave < 10; wave++) answers.push(...(await Promise.all(Array.from({ length: 20 }, () => ask(t.baseUrl, flooder, query)))));
      return answers;
    })();
    const others: Answer[] = [];
    const ready: number[] = [];
    for (let i = 0; i < 15; i++) {
      others.push(await ask(t.baseUrl, other, query));
      ready.push((await fetch(`${t.baseUrl}/readyz`)).status);
    }
    const flooded = await flood;
    expect(others.map((a) => a.status)).toEqual(others.map(() => 200));
    expect(ready.every((status) => status === 200)).toBe(true);
    const refused = flooded.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(100);
    expect(refused.every((a) => a.code === 'RATE_LIMITED' && Number(a.retryAfter) >= 1)).toBe(true);
    // Its minute's 10 at once, then one every 6 s.
    expect(flooded.filter((a) => a.status === 200).length).toBeLessThanOrEqual(10 + Math.floor((Date.now() - started) / 6000));
    expect(new Set(refused.map((a) => a.limit))).toEqual(new Set(['requests', 'concurrency']));
  });

  test('a key that does not wait for its Retry-After gets its refusals no faster than it was told, while another client is served', async () => {
    // 60 a minute: a token a second, so Retry-After is 1 s once the minute is spent. A ministry
    // client may have 8 requests at once, so the minute is what refuses it.
    const { key: flooder } = await t.hub.services.clients.create({ name: 'impatient', role: 'ministry', rateLimitPerMinute: 60 });
    const other = await t.createApiKey('ministry');
    const timed = async (key: string): Promise<Answer & { ms: number }> => {
      const started = performance.now();
      const answer = await ask(t.baseUrl, key);
      return { ...answer, ms: performance.now() - started };
    };
    // Its minute spent at once, a few requests at a time, until the first refusals.
    let firstRefused: (Answer & { ms: number })[] = [];
    for (let wave = 0; wave < 40 && firstRefused.length === 0; wave++) {
      firstRefused = (await Promise.all(Array.from({ length: 5 }, () => timed(flooder)))).filter((a) => a.status === 429);
    }
    expect(firstRefused[0]).toMatchObject({ status: 429, code: 'RATE_LIMITED', limit: 'requests', retryAfter: '1' });
    // The first refusal is sent at once.
    expect(Math.min(...firstRefused.map((a) => a.ms))).toBeLessThan(500);
    // Then 8 connections send again the moment each answer arrives, for 3 s.
    const seconds = 3;
    const endAt = performance.now() + seconds * 1000;
    const loops = Array.from({ length: 8 }, async () => {
      const answers: (Answer & { ms: number })[] = [];
      while (performance.now() < endAt) answers.push(await timed(flooder));
      return answers;
    });
    const others: Answer[] = [];
    const otherMs: number[] = [];
    while (performance.now() < endAt) {
      const started = performance.now();
      others.push(await ask(t.baseUrl, other));
      otherMs.push(performance.now() - started);
    }
    const flooded = (await Promise.all(loops)).flat();
    // The other client: every request answered, none held.
    expect(others.length).toBeGreaterThan(3);
    expect(others.every((a) => a.status === 200)).toBe(true);
    expect(Math.max(...otherMs)).toBeLessThan(900);
    // The flooder: refused with the documented code and Retry-After, but at most about one answer a
    // second per connection (each refusal is held until the Retry-After it was given before), not
    // the hundreds a second that answering at once would give. A token a second lets a few through.
    const refused = flooded.filter((a) => a.status === 429);
    expect(refused.every((a) => a.code === 'RATE_LIMITED' && a.limit === 'requests' && Number(a.retryAfter) >= 1)).toBe(true);
    expect(flooded.length - refused.length).toBeLessThanOrEqual(seconds + 2);
    expect(refused.length).toBeGreaterThanOrEqual(8);
    expect(flooded.length).toBeLessThanOrEqual(8 * (2 * seconds + 2));
    // Most refusals were held (the held ones waited for most of a second).
    expect(refused.filter((a) => a.ms >= 300).length).toBeGreaterThan(refused.length / 2);
  });

  test('a held refusal whose client hangs up is dropped; /metrics counts what is held', async () => {
    const { key: flooder } = await t.hub.services.clients.create({ name: 'hangs-up', role: 'bank', bankCode: 'SMED', rateLimitPerMinute: 1 });
    const admin = await t.createApiKey('admin');
    const held = async (): Promise<number> => {
      const text = await (await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${admin}` } })).text();
      return Number(text.split('\n').find((l) => l.startsWith('hub_api_refusals_held '))?.split(' ')[1]);
    };
    expect((await ask(t.baseUrl, flooder)).status).toBe(200);
    // Refused at once (Retry-After: the minute's token, up to 60 s) ...
    expect(await ask(t.baseUrl, flooder)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    // ... then early again: held (for at most RATE_LIMIT_HOLD_MS).
    const leaving = new AbortController();
    const waiting = fetch(`${t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${flooder}` },
      body: JSON.stringify({ query: QUERY }),
      signal: leaving.signal,
    }).catch(() => undefined);
    await until('a refusal to be held', async () => ((await held()) === 1 ? true : undefined), 5_000, 20);
    leaving.abort();
    await waiting;
    await until('the held refusal to be dropped', async () => ((await held()) === 0 ? true : undefined), 5_000, 20);
  });

  test('holds a client to a query cost at once: a heavy operation beside another is refused, a light one is not', async () => {
    // A bank may have 2 requests and 1,500 of query cost in progress at once (the defaults).
    const bank = await t.createApiKey('bank', 'SMED');
    const heavy = '{ companies(first: 80) { edges { node { juristicId factories(first: 10) { edges { node { fid } } } } } } }';
    const locker = new Client({ connectionString: t.config.databaseUrl });
    await locker.connect();
    let first: Promise<Answer> | undefined;
    try {
      // The first heavy operation stays in progress: the table it reads is locked.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE registry.company IN ACCESS EXCLUSIVE MODE');
      first = ask(t.baseUrl, bank, heavy);
      await until('the first operation to wait for the lock', async () =>
        (await locker.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`)).rows[0],
      );
      // A second one would take the bank over its cost at once, though it has a request slot left.
      const second = await ask(t.baseUrl, bank, heavy);
      expect(second).toMatchObject({ status: 429, code: 'RATE_LIMITED', limit: 'concurrency', measure: 'cost' });
      // Priced over half the budget (so two do not fit), and with room for a light one beside it.
      expect(Number(second.cost)).toBeGreaterThan(750);
      expect(Number(second.cost)).toBeLessThan(1400);
      expect(Number(second.retryAfter)).toBeGreaterThanOrEqual(1);
      // Sent again at once, without waiting the second it was told: the same refusal, held (its
      // body was read and its document analysed, but its slot is not kept while it is held).
      const againStarted = performance.now();
      const again = await ask(t.baseUrl, bank, heavy);
      expect(again).toMatchObject({ status: 429, code: 'RATE_LIMITED', limit: 'concurrency', measure: 'cost' });
      expect(performance.now() - againStarted).toBeGreaterThanOrEqual(300);
      // A light one fits beside it, and is not held.
      const lightStarted = performance.now();
      const light = await ask(t.baseUrl, bank);
      expect(light).toMatchObject({ status: 200, code: undefined });
      expect(performance.now() - lightStarted).toBeLessThan(900);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    expect((await first).status).toBe(200);
    // The first over, its cost is given back: a heavy operation runs again.
    expect(await ask(t.baseUrl, bank, heavy)).toMatchObject({ status: 200, code: undefined });
  });

  test('the NDJSON eligibility feed counts against the same minute', async () => {
    const { key } = await t.hub.services.clients.create({ name: 'feed-reader', role: 'bank', bankCode: 'SMED', rateLimitPerMinute: 3 });
    const feed = () => fetch(`${t.baseUrl}/feeds/eligibility?limit=10`, { headers: { authorization: `Bearer ${key}` } });
    for (let i = 0; i < 3; i++) expect((await feed()).status).toBe(200);
    const refused = await feed();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('RATE_LIMITED');
    expect((await ask(t.baseUrl, key)).status).toBe(429);
  });

  test('client:create --rate-limit and client:update change a client\'s minute in a running hub', async () => {
    const run = (args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: t.database.url, LOG_LEVEL: 'warn' } });
    const created = await run(['client:create', '--name', 'cli-limited', '--role', 'analyst', '--rate-limit', '2']);
    expect(created.stdout).toMatch(/2 requests a minute/);
    const key = created.stdout.trim().split('\n').at(-1)!;
    expect((await ask(t.baseUrl, key)).status).toBe(200);
    expect((await ask(t.baseUrl, key)).status).toBe(200);
    expect((await ask(t.baseUrl, key)).status).toBe(429);
    const updated = await run(['client:update', 'cli-limited', '--rate-limit', '100']);
    expect(updated.stdout).toMatch(/100 requests a minute/);
    // The hub learns of the change by NOTIFY within milliseconds.
    let status = 429;
    for (let i = 0; i < 50 && status === 429; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await ask(t.baseUrl, key)).status;
    }
    expect(status).toBe(200);
    await expect(run(['client:update', 'cli-limited', '--rate-limit', '0'])).rejects.toMatchObject({ code: 2 });
  });
});
