import type { Queryable } from '../../src/ingestion/ingestion-run.repository';
import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * The registry change feed's exactly-once property, as the eligibility feed's is proved
 * (eligibility.test.ts): readers resuming with their last cursor while runs of several sources
 * commit concurrently (DIP's among them) see every change once, in position order, and positions are dense; and a
 * writer numbers its changes only once the one before it committed, whoever the writer is.
 */
describe('Registry change feed under concurrent writers', () => {
  let t: TestHub;
  let admin: string;
  let smed: string;
  let office: string;
  let officeProvince: string;

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 300, env: { ELIGIBILITY_FEED_BATCH_SIZE: '37' } });
    [admin, smed] = await Promise.all([t.createApiKey('admin'), t.createApiKey('bank', 'SMED')]);
    // A provincial office of the province with most companies.
    [{ code: officeProvince }] = (await t.sql<{ code: string }>(`SELECT province_code AS code FROM registry.company_profile WHERE province_code IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`)) as [{ code: string }];
    office = (await t.hub.services.clients.create({ name: 'office', role: 'province', provinceCode: officeProvince })).key;
  });
  afterAll(async () => {
    t?.feed.set('');
    await t?.stop();
  });

  type Change = { cursor: string; position: string | null; type: string; key: string; kind: string };
  type Read = { changes: Change[]; cursor: string | null };

  async function readGraphQL(key: string, after: string | null): Promise<Read> {
    const changes: Change[] = [];
    let cursor = after;
    for (;;) {
      const { registryChanges: page } = await t.graphqlData<{ registryChanges: { edges: { cursor: string; node: Omit<Change, 'cursor'> }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
        `query($after: String) { registryChanges(first: 100, after: $after) { edges { cursor node { position type key kind } } pageInfo { hasNextPage endCursor } } }`,
        { after: cursor },
        key,
      );
      changes.push(...page.edges.map((e) => ({ cursor: e.cursor, ...e.node })));
      cursor = page.pageInfo.endCursor ?? cursor;
      if (!page.pageInfo.hasNextPage) return { changes, cursor };
    }
  }

  /** NDJSON reads of `limit` changes, resumed from each end line's cursor until nothing more waits. */
  async function readNdjson(key: string, after: string | null, limit: number): Promise<Read> {
    const changes: Change[] = [];
    let cursor = after;
    for (;;) {
      const response = await fetch(`${t.baseUrl}/feeds/registry?limit=${limit}${cursor ? `&after=${cursor}` : ''}`, { headers: { authorization: `Bearer ${key}` } });
      expect(response.status).toBe(200);
      const lines = (await response.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Change & { end?: { cursor: string | null; hasMore: boolean } });
      const end = lines.at(-1)!.end!;
      expect(end).toBeDefined();
      changes.push(...lines.slice(0, -1).map(({ cursor: c, position, type, key: k, kind }) => ({ cursor: c, position, type, key: k, kind })));
      cursor = end.cursor ?? cursor;
      if (!end.hasMore) return { changes, cursor };
    }
  }

  test('readers resuming with their last cursor while runs commit concurrently get every change exactly once, in order', async () => {
    // A later day for DBD (companies change), a smaller DIW world (factories marked absent), new product rules.
    t.feed.set('epoch=2&edition=2&scale=250');
    let ingesting = true;
    const ingestion = Promise.all(['dbd-companies', 'diw', 'tisi-licences', 'dip-participations', 'dip-i40-assessments', 'smed-products', 'dbd-financials'].map((s) => t.ingestNow(s))).finally(() => {
      ingesting = false;
    });
    const all: Change[] = [];
    const mine: Change[] = [];
    const area: Change[] = [];
    const readers = (async () => {
      let adminCursor: string | null = null;
      let smedCursor: string | null = null;
      let officeCursor: string | null = null;
      let passes = 0;
      for (let last = false; ; ) {
        last = !ingesting;
        const pass: [Read, Read, Read] = await Promise.all([readGraphQL(admin, adminCursor), readNdjson(smed, smedCursor, 53), readNdjson(office, officeCursor, 11)]);
        const [a, s, o] = pass;
        all.push(...a.changes);
        mine.push(...s.changes);
        area.push(...o.changes);
        adminCursor = a.cursor;
        smedCursor = s.cursor;
        officeCursor = o.cursor;
        passes += 1;
        if (last) return passes;
      }
    })();
    const runs = await ingestion;
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(await readers).toBeGreaterThan(1);
    const [overlaps] = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM ingestion.run x JOIN ingestion.run y ON x.id < y.id AND x.started_at < y.finished_at AND y.started_at < x.finished_at
       WHERE x.id = ANY ($1::bigint[]) AND y.id = ANY ($1::bigint[])`,
      [runs.map((r) => r.runId)],
    );
    expect(overlaps!.n).toBeGreaterThan(0);

    const log = await t.sql<{ position: string; entity: string; record_key: string; kind: string }>(
      `SELECT c.position::text, c.entity, c.record_key, c.kind FROM registry.record_change c ORDER BY c.position`,
    );
    // Dense: 1..n.
    expect(log.map((c) => c.position)).toEqual(log.map((_, i) => String(i + 1)));
    // The runs changed records of several kinds.
    const [firstOfRuns] = await t.sql<{ p: string }>(`SELECT min(position)::text AS p FROM registry.record_change WHERE run_id = ANY ($1::bigint[])`, [runs.map((r) => r.runId)]);
    const changedByRuns = new Set(log.filter((c) => BigInt(c.position) >= BigInt(firstOfRuns!.p)).map((c) => c.entity));
    expect(changedByRuns.size).toBeGreaterThanOrEqual(3);
    // DIP's runs among them: their records' changes are numbered under the same lock.
    expect(changedByRuns.has('DIP_PARTICIPATION') || changedByRuns.has('I40_ASSESSMENT')).toBe(true);
    // The admin saw every change once, in order; the bank every change but the other bank's products.
    expect(all.map((c) => [c.position, c.type, c.key, c.kind])).toEqual(log.map((c) => [c.position, c.entity, c.record_key, c.kind]));
    // A bank's and an area's cursors are sealed and their changes carry no position: compared in order.
    const visibleToSmed = log.filter((c) => !(c.entity === 'LOAN_PRODUCT' && !c.record_key.startsWith('SMED:')));
    expect(mine.every((c) => c.position === null)).toBe(true);
    expect(mine.map((c) => [c.type, c.key, c.kind])).toEqual(visibleToSmed.map((c) => [c.entity, c.record_key, c.kind]));
    // The office: every change of a record of its province, once, in order (no record left or entered the province in these runs);
    // a record masked for an unsure link by its own data only (src/shared/firm-identity.ts).
    const SURE = `coalesce(link_method IN ('TAX_ID', 'EXACT_NAME_PROVINCE', 'EXACT_NAME'), false)`;
    const [inArea] = await t.sql<{ keys: string[] }>(
      `SELECT array_agg(k) AS keys FROM (
         SELECT 'COMPANY:' || juristic_id AS k FROM registry.company_profile WHERE province_code = $1
         UNION ALL SELECT 'FACTORY:' || fid FROM registry.factory
           WHERE province = (SELECT name_th FROM reference.province WHERE code = $1) OR company_juristic_id IN (SELECT juristic_id FROM registry.company_profile WHERE province_code = $1)
         UNION ALL SELECT 'TIS_LICENSE:' || licence_no FROM registry.tis_licence
           WHERE ${SURE} AND (company_juristic_id IN (SELECT juristic_id FROM registry.company_profile WHERE province_code = $1)
              OR fid IN (SELECT fid FROM registry.factory WHERE province = (SELECT name_th FROM reference.province WHERE code = $1)))
         UNION ALL SELECT 'DIP_PARTICIPATION:' || registry.dip_record_key(participant_key || ':' || year::text || ':' || programme_code) FROM registry.dip_participation
           WHERE CASE WHEN ${SURE} THEN company_juristic_id IN (SELECT juristic_id FROM registry.company_profile WHERE province_code = $1)
                 ELSE province = (SELECT name_th FROM reference.province WHERE code = $1) END
         UNION ALL SELECT 'I40_ASSESSMENT:' || registry.dip_record_key(participant_key || ':' || (assessed_on - DATE '2000-01-01')::text) FROM registry.dip_i40_assessment
           WHERE ${SURE} AND company_juristic_id IN (SELECT juristic_id FROM registry.company_profile WHERE province_code = $1)
         UNION ALL SELECT 'LOAN_PRODUCT:' || bank_code || ':' || product_code FROM lending.loan_product) x`,
      [officeProvince],
    );
    const visibleToOffice = new Set(inArea!.keys);
    expect(area.length).toBeGreaterThan(0);
    expect(area.every((c) => c.position === null)).toBe(true);
    expect(area.map((c) => [c.type, c.key, c.kind])).toEqual(log.filter((c) => visibleToOffice.has(`${c.entity}:${c.record_key}`)).map((c) => [c.entity, c.record_key, c.kind]));
  });

  test('a writer of the registers waits for the one before it to commit, even one that took no lock itself', async () => {
    const [first, second] = [t.hub.database.dataSource.createQueryRunner(), t.hub.database.dataSource.createQueryRunner()];
    const a = (await first.connect()) as Queryable;
    const b = (await second.connect()) as Queryable;
    const [x, y] = await t.sql<{ juristic_id: string }>(`SELECT juristic_id FROM registry.company ORDER BY juristic_id LIMIT 2`);
    const maxPosition = async (): Promise<number> => (await t.sql<{ n: number }>('SELECT coalesce(max(position), 0)::int AS n FROM registry.record_change'))[0]!.n;
    try {
      const before = await maxPosition();
      await a.query('BEGIN');
      await a.query(`UPDATE registry.company SET name_en = 'First Writer Co., Ltd.' WHERE juristic_id = $1`, [x!.juristic_id]);
      await b.query('BEGIN');
      let secondDone = false;
      const secondWriter = (async () => {
        await b.query(`UPDATE registry.company SET name_en = 'Second Writer Co., Ltd.' WHERE juristic_id = $1`, [y!.juristic_id]);
        await b.query('COMMIT');
        secondDone = true;
      })();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The second writer's change waits: nothing of it is visible, nor numbered.
      expect(secondDone).toBe(false);
      expect(await maxPosition()).toBe(before);
      await a.query('COMMIT');
      await secondWriter;
      const changes = await t.sql<{ position: number; record_key: string; kind: string; changed_fields: string[] }>(
        `SELECT position::int, record_key, kind, changed_fields FROM registry.record_change c WHERE c.position > $1 ORDER BY c.position`,
        [before],
      );
      expect(changes).toEqual([
        { position: before + 1, record_key: x!.juristic_id, kind: 'CHANGED', changed_fields: ['name_en'] },
        { position: before + 2, record_key: y!.juristic_id, kind: 'CHANGED', changed_fields: ['name_en'] },
      ]);
    } finally {
      await a.query('ROLLBACK').catch(() => undefined);
      await b.query('ROLLBACK').catch(() => undefined);
      await first.release();
      await second.release();
    }
  });

  test('the changes of records that follow a moved company are numbered after the writer before, once, in the company’s transaction', async () => {
    const [first, second] = [t.hub.database.dataSource.createQueryRunner(), t.hub.database.dataSource.createQueryRunner()];
    const a = (await first.connect()) as Queryable;
    const b = (await second.connect()) as Queryable;
    // A company of the office's province operating a plant that stands elsewhere: the plant follows it.
    const [row] = await t.sql<{ company: string; fid: string }>(
      `SELECT f.company_juristic_id AS company, f.fid FROM registry.factory f JOIN registry.company_profile p ON p.juristic_id = f.company_juristic_id
       WHERE p.province_code = $1 AND f.province IS DISTINCT FROM (SELECT name_th FROM reference.province WHERE code = $1) ORDER BY f.fid LIMIT 1`,
      [officeProvince],
    );
    const [elsewhere] = await t.sql<{ code: string }>(`SELECT code FROM reference.province WHERE code <> $1 AND name_th <> ALL (SELECT province FROM registry.factory WHERE company_juristic_id = $2 AND province IS NOT NULL) ORDER BY code LIMIT 1`, [officeProvince, row!.company]);
    const [x] = await t.sql<{ juristic_id: string }>(`SELECT juristic_id FROM registry.company WHERE juristic_id <> $1 ORDER BY juristic_id LIMIT 1`, [row!.company]);
    const maxPosition = async (): Promise<number> => (await t.sql<{ n: number }>('SELECT coalesce(max(position), 0)::int AS n FROM registry.record_change'))[0]!.n;
    const officeBefore = (await readNdjson(office, null, 1000)).cursor;
    try {
      const before = await maxPosition();
      await a.query('BEGIN');
      await a.query(`UPDATE registry.company SET name_en = 'Earlier Writer Co., Ltd.' WHERE juristic_id = $1`, [x!.juristic_id]);
      await b.query('BEGIN');
      let moved = false;
      const mover = (async () => {
        await b.query(`UPDATE registry.company_profile SET province_code = $1 WHERE juristic_id = $2`, [elsewhere!.code, row!.company]);
        await b.query('COMMIT');
        moved = true;
      })();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(moved).toBe(false);
      expect(await maxPosition()).toBe(before);
      await a.query('COMMIT');
      await mover;
      const changes = await t.sql<{ position: number; entity: string; record_key: string; kind: string; left_areas: string[] | null; entered_areas: string[] | null }>(
        `SELECT position::int, entity, record_key, kind, left_areas, entered_areas FROM registry.record_change WHERE position > $1 ORDER BY position`,
        [before],
      );
      expect(changes[0]).toMatchObject({ position: before + 1, record_key: x!.juristic_id, kind: 'CHANGED' });
      expect(changes.map((c) => c.position)).toEqual(changes.map((_, i) => before + 1 + i));
      expect(changes.slice(1).every((c) => c.kind === 'MOVED')).toBe(true);
      expect(changes.find((c) => c.entity === 'FACTORY' && c.record_key === row!.fid)).toMatchObject({ left_areas: [officeProvince], entered_areas: [elsewhere!.code] });
      // The office reads the plant's exit once; the admin none of the MOVED changes (nothing of the records changed).
      const exit = (await readNdjson(office, officeBefore, 7)).changes.filter((c) => c.type === 'FACTORY' && c.key === row!.fid);
      expect(exit.map((c) => c.kind)).toEqual(['LEFT_SCOPE']);
      const national = await readGraphQL(admin, Buffer.from(`registryChange:${before}`).toString('base64url'));
      expect(national.changes.map((c) => [c.type, c.key, c.kind])).toEqual([['COMPANY', x!.juristic_id, 'CHANGED']]);
    } finally {
      await a.query('ROLLBACK').catch(() => undefined);
      await b.query('ROLLBACK').catch(() => undefined);
      await first.release();
      await second.release();
    }
  });
});
