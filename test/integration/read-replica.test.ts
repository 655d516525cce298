import { startHub, type RunningHub } from '../../src/app/hub';
import { hubConfigVariables, loadHubConfig } from '../../src/app/config';
import { READ_AFTER_HEADER, READ_FROM_HEADER } from '../../src/app/read-routing';
import type { ConfigEnv } from '../../src/config/config';
import { IngestionEngine } from '../../src/ingestion/ingestion.engine';
import { createRootLogger } from '../../src/platform/logging/logger';
import { startSimulator, type RunningSimulator } from '../../src/simulator/simulator';
import { hubSources } from '../../src/sources/registry';
import { describeWithPostgresServer, PgServer } from '../support/pg-server';
import { until } from '../support/until';

/**
 * Issue 19, the read replica: a primary and a real streaming standby (pg_basebackup -R), started
 * from the machine's PostgreSQL server binaries on loopback. The API reads registry data from the
 * standby; keys, consents and the eligibility feed from the primary; a request needing fresher
 * data than the standby has, or any request while the standby lags too far or is down, is served
 * from the primary. The standby's replay is paused (pg_wal_replay_pause) to make it lag at will.
 */
const NO_SCHEDULES = Object.fromEntries(
  Object.keys(hubConfigVariables())
    .filter((name) => name.endsWith('_SCHEDULE'))
    .map((name) => [name, '0 0 1 1 *']),
) as ConfigEnv;

interface Answer {
  status: number;
  readFrom: string | null;
  body: { data?: Record<string, unknown>; errors?: { message: string; extensions?: { code?: string } }[] };
}

describeWithPostgresServer('registry reads on a streaming standby (DATABASE_READ_URL)', () => {
  const logger = createRootLogger(process.env['TEST_LOG_LEVEL'] ?? 'silent');
  const cleanups: (() => Promise<unknown>)[] = [];
  let primary: PgServer;
  let standby: PgServer;
  let simulator: RunningSimulator;
  let hub: RunningHub;
  let env: ConfigEnv;
  let admin: string;
  let fid: string;
  let loadedName: string;

  const ask = async (apiUrl: string, key: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Answer> => {
    const response = await fetch(`${apiUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, readFrom: response.headers.get(READ_FROM_HEADER), body: (await response.json()) as Answer['body'] };
  };
  const factoryName = (apiUrl: string, key: string, headers: Record<string, string> = {}) => ask(apiUrl, key, 'query Name($fid: String!) { factory(fid: $fid) { name } }', { fid }, headers);
  const nameOf = (answer: Answer): unknown => (answer.body.data?.['factory'] as { name?: string } | undefined)?.name;
  const replayedEverything = async (): Promise<true | undefined> => {
    const [current] = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    const [replay] = await standby.query<{ behind: boolean }>('SELECT pg_last_wal_replay_lsn() < $1::pg_lsn AS behind', [current!.lsn]);
    return replay!.behind ? undefined : true;
  };
  const metric = async (apiUrl: string, name: string): Promise<string[]> => {
    const text = await (await fetch(`${apiUrl}/metrics`, { headers: { authorization: `Bearer ${admin}` } })).text();
    return text.split('\n').filter((line) => line.startsWith(name));
  };

  beforeAll(async () => {
    primary = await PgServer.primary();
    cleanups.push(() => primary.destroy());
    await primary.query('CREATE DATABASE hub');
    standby = await PgServer.standbyOf(primary);
    cleanups.push(() => standby.destroy());
    simulator = await startSimulator({ port: 0, host: '127.0.0.1', seed: 5, scale: 1000, quirkRate: 0, badRowRate: 0 });
    cleanups.push(() => simulator.close());
    env = {
      DATABASE_URL: primary.url('hub'),
      DATABASE_READ_URL: standby.url('hub'),
      // Generous here: this hub shows that a paused standby still serves (stale) registry reads.
      DATABASE_READ_MAX_LAG_MS: '600000',
      PORT: '0',
      SIMULATOR_URL: simulator.url,
      INGEST_ON_START: 'false',
      LOG_LEVEL: 'silent',
      ...NO_SCHEDULES,
    };
    hub = await startHub(loadHubConfig(env), 'all', logger);
    cleanups.push(() => hub.stop());
    const run = await new IngestionEngine(hub.database.dataSource, hubSources(), loadHubConfig(env), logger).run({ source: 'diw', trigger: 'manual' });
    expect(run.status).toBe('succeeded');
    admin = (await hub.services.clients.create({ name: 'ops', role: 'admin' })).key;
    const [first] = await primary.query<{ fid: string; name: string }>('SELECT fid, name FROM registry.factory ORDER BY fid LIMIT 1', [], 'hub');
    ({ fid, name: loadedName } = first!);
    await until('the standby to replay the load', replayedEverything, 30_000, 100);
    await until('the API to see the standby caught up', async () => (hub.readReplica!.monitor.route().target === 'replica' ? true : undefined), 10_000);
  }, 120_000);
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  test('registry queries read the standby; a new key works at once, as keys live on the primary', async () => {
    const counted = await ask(hub.apiUrl!, admin, '{ factories(first: 1) { totalCount } }');
    expect(counted).toMatchObject({ status: 200, readFrom: 'replica', body: { data: { factories: { totalCount: 200 } } } });
    await standby.query('SELECT pg_wal_replay_pause()', [], 'hub');
    try {
      // Changed on the primary, not yet on the paused standby.
      await primary.query('UPDATE registry.factory SET name = $2 WHERE fid = $1', [fid, 'Renamed on the primary'], 'hub');
      const analyst = (await hub.services.clients.create({ name: 'new-analyst', role: 'analyst' })).key;
      // The key is one second old and the standby has not replayed it: it works all the same.
      const stale = await factoryName(hub.apiUrl!, analyst);
      expect(stale).toMatchObject({ status: 200, readFrom: 'replica' });
      expect(nameOf(stale)).toBe(loadedName);
      // A caller that needs the change (it saw it happen at `now`) is served from the primary.
      const fresh = await factoryName(hub.apiUrl!, analyst, { [READ_AFTER_HEADER]: new Date().toISOString() });
      expect(fresh).toMatchObject({ status: 200, readFrom: 'primary' });
      expect(nameOf(fresh)).toBe('Renamed on the primary');
      // Malformed freshness: refused, not guessed.
      for (const value of ['yesterday', '2026-13-45T99:00:00Z', `2026-01-01T${'9'.repeat(8000)}`, '2026-01-01T00:00:00Z; DROP TABLE x']) {
        const malformed = await factoryName(hub.apiUrl!, analyst, { [READ_AFTER_HEADER]: value });
        expect(malformed.status).toBe(400);
        expect(malformed.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      }
      // A time far ahead is a freshness no standby has: the primary answers.
      expect(await factoryName(hub.apiUrl!, analyst, { [READ_AFTER_HEADER]: '9999-12-31T23:59:59Z' })).toMatchObject({ status: 200, readFrom: 'primary' });
      // Mutations run on the primary, whatever the standby's state.
      const mutation = await ask(hub.apiUrl!, admin, 'mutation { triggerIngestion(source: "oie-mpi") { jobId } }');
      expect(mutation).toMatchObject({ status: 200, readFrom: 'primary' });
      expect(mutation.body.errors).toBeUndefined();

      // The lag is a metric, and grows while the standby is paused.
      const lagOf = async () => Number((await metric(hub.apiUrl!, 'hub_read_replica_lag_seconds ')).at(0)?.split(' ')[1]);
      await until('a measured lag of over a second', async () => ((await lagOf()) > 1 ? true : undefined), 10_000, 200);
      expect(await metric(hub.apiUrl!, 'hub_read_replica_up ')).toEqual(['hub_read_replica_up 1']);

      // A second API with a 1-second bound sends every read to the primary while the lag is over it.
      const strict = await startHub(loadHubConfig({ ...env, DATABASE_READ_MAX_LAG_MS: '1000' }), 'api', logger);
      try {
        const bounded = await factoryName(strict.apiUrl!, analyst);
        expect(bounded).toMatchObject({ status: 200, readFrom: 'primary' });
        expect(nameOf(bounded)).toBe('Renamed on the primary');
        expect(await metric(strict.apiUrl!, 'hub_read_replica_requests_total{target="primary",reason="replica_lagging"}')).toEqual([
          'hub_read_replica_requests_total{target="primary",reason="replica_lagging"} 1',
        ]);
      } finally {
        await strict.stop();
      }
    } finally {
      await standby.query('SELECT pg_wal_replay_resume()', [], 'hub');
    }
    // Replay resumed: the standby catches up and serves the change itself.
    await until('the standby to serve the change', async () => {
      const answer = await factoryName(hub.apiUrl!, admin);
      return answer.readFrom === 'replica' && nameOf(answer) === 'Renamed on the primary' ? true : undefined;
    }, 20_000, 100);
  });

  test('the eligibility feed and consents read the primary', async () => {
    await standby.query('SELECT pg_wal_replay_pause()', [], 'hub');
    try {
      const bank = (await hub.services.clients.create({ name: 'bank', role: 'bank', bankCode: 'SMED' })).key;
      // The bank's key and its (empty) consents are on the primary only: both answer.
      const consents = await ask(hub.apiUrl!, bank, '{ consents(first: 5) { totalCount } }');
      expect(consents.status).toBe(200);
      expect(consents.body.errors).toBeUndefined();
      const feed = await fetch(`${hub.apiUrl}/feeds/eligibility`, { headers: { authorization: `Bearer ${bank}` } });
      expect(feed.status).toBe(200);
      await feed.text();
    } finally {
      await standby.query('SELECT pg_wal_replay_resume()', [], 'hub');
    }
  });

  test('a standby that stops is left out until it is back; no request fails once that is noticed', async () => {
    await standby.stop();
    try {
      await until('the API to notice the standby is gone', async () => (hub.readReplica!.monitor.current().reachable ? undefined : true), 10_000);
      for (let i = 0; i < 5; i += 1) {
        const answer = await factoryName(hub.apiUrl!, admin);
        expect(answer).toMatchObject({ status: 200, readFrom: 'primary' });
      }
      expect(await metric(hub.apiUrl!, 'hub_read_replica_up ')).toEqual(['hub_read_replica_up 0']);
    } finally {
      await standby.start();
    }
    await until('reads back on the standby', async () => ((await factoryName(hub.apiUrl!, admin)).readFrom === 'replica' ? true : undefined), 30_000, 200);
  });

  test('a standby killed between two polls fails no request: reads it cut off are retried on the primary', async () => {
    await until('reads on the standby', async () => ((await factoryName(hub.apiUrl!, admin)).readFrom === 'replica' ? true : undefined), 30_000, 200);
    const fallbacksBefore = Number((await metric(hub.apiUrl!, 'hub_read_replica_fallbacks_total ')).at(0)?.split(' ')[1] ?? '0');
    // Eight clients read back to back (a page of factories and their count: two statements each),
    // so requests are in flight on the standby when it dies, and more arrive before the next poll
    // could notice it.
    const query = '{ factories(first: 50) { totalCount edges { node { fid name } } } }';
    const answers: { answer: Answer; startedAt: number }[] = [];
    let stopAt = Number.POSITIVE_INFINITY;
    const client = async () => {
      while (Date.now() < stopAt) {
        const startedAt = Date.now();
        answers.push({ answer: await ask(hub.apiUrl!, admin, query), startedAt });
      }
    };
    const clients = Array.from({ length: 8 }, () => client());
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Immediate mode: the server's sessions end without a goodbye, as on a crash or a lost host.
      const killedAt = Date.now();
      await standby.stop('immediate');
      stopAt = Date.now() + 1500;
      await Promise.all(clients);
      const failed = answers.filter(({ answer }) => answer.status !== 200 || answer.body.errors !== undefined);
      expect(failed.map(({ answer }) => ({ status: answer.status, codes: answer.body.errors?.map((error) => error.extensions?.code) }))).toEqual([]);
      // Requests were on the standby when it died, and requests came after it.
      expect(answers.filter(({ answer, startedAt }) => answer.readFrom === 'replica' && startedAt < killedAt).length).toBeGreaterThan(0);
      expect(answers.filter(({ startedAt }) => startedAt > killedAt).length).toBeGreaterThan(0);
      // The API knew at once, not at the next poll; and it says how often it fell back.
      expect(hub.readReplica!.monitor.current().reachable).toBe(false);
      const fallbacks = Number((await metric(hub.apiUrl!, 'hub_read_replica_fallbacks_total ')).at(0)?.split(' ')[1]);
      expect(fallbacks).toBeGreaterThan(fallbacksBefore);
    } finally {
      stopAt = 0;
      await Promise.all(clients);
      await standby.start();
    }
    await until('reads back on the standby', async () => ((await factoryName(hub.apiUrl!, admin)).readFrom === 'replica' ? true : undefined), 30_000, 200);
  });
});
