import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * Area roles (a provincial office, a regional centre) syncing their own area through the registry
 * change feed and the exports: the records of their area only, scoped exactly as the graph scopes
 * them, and nothing that tells them what happened elsewhere: no out-of-area record, no count of
 * changes left out, and cursors that neither show nor let them choose a hub-wide position (the
 * banks' eligibility feed hides the other bank's events the same way: issue 14).
 */
describe('Registry change feed and exports for area roles', () => {
  let t: TestHub;
  let office: string;
  let centreKey: string;
  let ministry: string;
  let province: { code: string; name: string; centre: number };
  let neighbour: { code: string; name: string; centre: number };
  let centreCodes: string[];
  let insider: string;
  let outsider: string;

  type Line = Record<string, unknown> & { cursor?: string; position?: string | null; type?: string; key?: string; kind?: string; changedFields?: string[]; record?: Record<string, unknown>; end?: Record<string, unknown> };
  async function ndjson(path: string, key: string): Promise<{ status: number; lines: Line[]; body: string; headers: Headers }> {
    const response = await fetch(`${t.baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
    const body = await response.text();
    const lines = response.headers.get('content-type')?.includes('ndjson') ? body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line) : [];
    return { status: response.status, lines, body, headers: response.headers };
  }
  const records = (lines: Line[]): Line[] => lines.filter((l) => !l.end);

  /** What an area holds, by the graph's rules (src/domains/firm-scope-sql.ts), straight from SQL. */
  async function inArea(codes: string[]): Promise<{ companies: Set<string>; factories: Set<string>; licences: Set<string>; dip: Set<string> }> {
    const companies = `(SELECT juristic_id FROM registry.company_profile WHERE province_code = ANY($1::text[]))`;
    const names = `(SELECT name_th FROM reference.province WHERE code = ANY($1::text[]))`;
    const [row] = await t.sql<{ companies: string[]; factories: string[]; licences: string[]; dip: string[] }>(
      `SELECT (SELECT coalesce(array_agg(juristic_id), '{}') FROM registry.company WHERE juristic_id IN ${companies}) AS companies,
              (SELECT coalesce(array_agg(fid), '{}') FROM registry.factory WHERE province IN ${names} OR company_juristic_id IN ${companies}) AS factories,
              (SELECT coalesce(array_agg(licence_no), '{}') FROM registry.tis_licence
                 WHERE company_juristic_id IN ${companies} OR fid IN (SELECT fid FROM registry.factory WHERE province IN ${names})) AS licences,
              (SELECT coalesce(array_agg(k), '{}') FROM (
                 SELECT registry.dip_record_key(participant_key || ':' || year::text || ':' || programme_code) AS k FROM registry.dip_participation WHERE company_juristic_id IN ${companies}
                 UNION ALL SELECT registry.dip_record_key(participant_key || ':' || (assessed_on - DATE '2000-01-01')::text) FROM registry.dip_i40_assessment WHERE company_juristic_id IN ${companies}) d) AS dip`,
      [codes],
    );
    return { companies: new Set(row!.companies), factories: new Set(row!.factories), licences: new Set(row!.licences), dip: new Set(row!.dip) };
  }
  const keyIn = (area: Awaited<ReturnType<typeof inArea>>, type: string, key: string): boolean =>
    type === 'COMPANY' ? area.companies.has(key) : type === 'FACTORY' ? area.factories.has(key) : type === 'TIS_LICENSE' ? area.licences.has(key) : type === 'DIP_PARTICIPATION' || type === 'I40_ASSESSMENT' ? area.dip.has(key) : type === 'LOAN_PRODUCT';

  const touch = (juristicId: string): Promise<unknown> => t.sql(`UPDATE registry.company SET objective = coalesce(objective, '') || ' +' WHERE juristic_id = $1`, [juristicId]);

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 200 });
    ministry = (await t.createApiKeys()).ministry;
    const ranked = await t.sql<{ code: string; name: string; centre: number }>(
      `SELECT p.province_code AS code, r.name_th AS name, r.promotion_centre AS centre FROM registry.company_profile p
       JOIN reference.province r ON r.code = p.province_code GROUP BY 1, 2, 3 ORDER BY count(*) DESC, 1`,
    );
    province = ranked[0]!;
    neighbour = ranked.find((r) => r.centre !== province.centre)!;
    centreCodes = (await t.sql<{ code: string }>(`SELECT code FROM reference.province WHERE promotion_centre = $1`, [province.centre])).map((r) => r.code);
    insider = (await t.sql<{ id: string }>(`SELECT juristic_id AS id FROM registry.company_profile WHERE province_code = $1 ORDER BY 1 LIMIT 1`, [province.code]))[0]!.id;
    outsider = (await t.sql<{ id: string }>(`SELECT juristic_id AS id FROM registry.company_profile WHERE province_code = $1 ORDER BY 1 LIMIT 1`, [neighbour.code]))[0]!.id;
    office = (await t.hub.services.clients.create({ name: 'office', role: 'province', provinceCode: province.code })).key;
    centreKey = (await t.hub.services.clients.create({ name: 'centre', role: 'centre', centre: province.centre })).key;
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('hostile area callers', () => {
    test('exports: exactly the area’s records, as the graph scopes them; nothing of another province’s, not a byte', async () => {
      const area = await inArea([province.code]);
      const other = await inArea([neighbour.code]);
      expect(area.companies.size).toBeGreaterThan(0);
      expect(area.factories.size).toBeGreaterThan(0);
      expect(area.licences.size).toBeGreaterThan(0);
      const bodies: string[] = [];
      for (const [name, keyField, expected] of [
        ['companies', 'juristicId', area.companies],
        ['factories', 'fid', area.factories],
        ['tis-licences', 'licenceNo', area.licences],
      ] as const) {
        const answer = await ndjson(`/exports/${name}.ndjson`, office);
        expect(answer.status).toBe(200);
        bodies.push(answer.body);
        expect(new Set(records(answer.lines).map((r) => r[keyField]))).toEqual(expected);
        expect(answer.lines.at(-1)!.end).toMatchObject({ records: expected.size, complete: true });
      }
      // The graph agrees on the counts.
      const graph = await t.graphqlData<{ companies: { totalCount: number }; factories: { totalCount: number } }>(`{ companies(first: 1) { totalCount } factories(first: 1) { totalCount } }`, {}, office);
      expect([graph.companies.totalCount, graph.factories.totalCount]).toEqual([area.companies.size, area.factories.size]);
      // Another province's companies no record of the area points to (a factory's operator, a licensee, a shareholder): neither their IDs nor their names.
      const body = bodies.join('');
      const [referenced] = await t.sql<{ ids: string[] }>(
        `SELECT coalesce(array_agg(DISTINCT company_juristic_id), '{}') AS ids FROM (
           SELECT company_juristic_id FROM registry.factory WHERE fid = ANY($1::text[])
           UNION ALL SELECT company_juristic_id FROM registry.tis_licence WHERE licence_no = ANY($2::text[])
           UNION ALL SELECT s->>'juristicId' FROM registry.company c, jsonb_array_elements(c.shareholders) s WHERE c.juristic_id = ANY($3::text[])) x`,
        [[...area.factories], [...area.licences], [...area.companies]],
      );
      const foreign = [...other.companies].filter((id) => !referenced!.ids.includes(id));
      expect(foreign.length).toBeGreaterThan(0);
      const names = await t.sql<{ id: string; name: string }>(`SELECT juristic_id AS id, name_th AS name FROM registry.company WHERE juristic_id = ANY($1::text[])`, [foreign]);
      for (const { id, name } of names) {
        expect(body).not.toContain(id);
        expect(body).not.toContain(`"${name}"`);
      }
      for (const fid of [...other.factories].filter((fid) => !area.factories.has(fid))) expect(body).not.toContain(fid);
    });

    test('the feed: only changes of the area’s records, no hub-wide position, no count of what was left out', async () => {
      const area = await inArea([province.code]);
      const full = await ndjson('/feeds/registry?limit=1000000', office);
      expect(full.status).toBe(200);
      const changes = records(full.lines);
      const [total] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.record_change`);
      expect(changes.length).toBeGreaterThan(0);
      expect(changes.length).toBeLessThan(total!.n);
      for (const change of changes) expect([change.type, change.key, keyIn(area, change.type!, change.key!)]).toEqual([change.type, change.key, true]);
      // Every change of the area's records is there, once.
      const log = await t.sql<{ entity: string; record_key: string }>(`SELECT entity, record_key FROM registry.record_change ORDER BY position`);
      const expected = log.filter((c) => keyIn(area, c.entity, c.record_key)).map((c) => `${c.entity}:${c.record_key}`);
      expect(changes.map((c) => `${c.type}:${c.key}`)).toEqual(expected);
      // No hub-wide position anywhere: not in the changes, not in the cursors, not in the end line.
      expect(changes.every((c) => c.position === null)).toBe(true);
      for (const cursor of [...changes.map((c) => c.cursor!), full.lines.at(-1)!.end!['cursor'] as string]) {
        expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toContain('registryChange');
        expect(cursor).toHaveLength(50);
      }
      expect(full.lines.at(-1)!.end).toEqual({ cursor: expect.any(String), changes: changes.length, hasMore: false });
      // The same through GraphQL.
      const page = await t.graphqlData<{ registryChanges: { edges: { cursor: string; node: { position: string | null; type: string; key: string } }[] } }>(
        `{ registryChanges(first: 100) { edges { cursor node { position type key } } } }`,
        {},
        office,
      );
      expect(page.registryChanges.edges.map((e) => `${e.node.type}:${e.node.key}`)).toEqual(expected.slice(0, 100));
      expect(page.registryChanges.edges.every((e) => e.node.position === null)).toBe(true);
    });

    test('a change elsewhere leaves no trace: the same empty answer, cursors that cannot be compared, and the next area change once', async () => {
      const head = (await ndjson('/feeds/registry?limit=1000000', office)).lines.at(-1)!.end!['cursor'] as string;
      await touch(outsider);
      const after = await ndjson(`/feeds/registry?after=${head}`, office);
      expect(after.lines).toEqual([{ end: { cursor: expect.any(String), changes: 0, hasMore: false } }]);
      const moved = after.lines[0]!.end!['cursor'] as string;
      // A cursor is sealed afresh each time: two answers over the same log differ, so comparing them tells nothing.
      const again = (await ndjson(`/feeds/registry?after=${head}`, office)).lines[0]!.end!['cursor'] as string;
      expect(new Set([head, moved, again]).size).toBe(3);
      const graph = await t.graphqlData<{ registryChanges: { edges: unknown[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } }>(
        `query($after: String) { registryChanges(after: $after) { edges { cursor } pageInfo { endCursor hasNextPage } } }`,
        { after: head },
        office,
      );
      expect(graph.registryChanges).toEqual({ edges: [], pageInfo: { endCursor: expect.any(String), hasNextPage: false } });
      // The ministry sees the outside change; the office sees the next change of its own area exactly once, from either cursor.
      await touch(insider);
      for (const cursor of [head, moved, graph.registryChanges.pageInfo.endCursor!]) {
        const next = records((await ndjson(`/feeds/registry?after=${cursor}`, office)).lines);
        expect(next.map((c) => [c.type, c.key, c.kind, c.changedFields])).toEqual([['COMPANY', insider, 'CHANGED', ['objective']]]);
      }
      const [last] = await t.sql<{ n: string }>(`SELECT max(position)::text AS n FROM registry.record_change`);
      const national = records((await ndjson(`/feeds/registry?after=${Buffer.from(`registryChange:${Number(last!.n) - 2}`).toString('base64url')}`, ministry)).lines);
      expect(national.map((c) => c.key)).toEqual([outsider, insider]);
    });

    test('forged, foreign and tampered cursors are refused; a plain position is the national roles’ only', async () => {
      const sealed = (await ndjson('/feeds/registry?limit=1', office)).lines.at(-1)!.end!['cursor'] as string;
      const bytes = Buffer.from(sealed, 'base64url');
      bytes[bytes.length - 1] = bytes.at(-1)! ^ 1;
      for (const cursor of [Buffer.from('registryChange:0').toString('base64url'), Buffer.from('registryChange:12').toString('base64url'), bytes.toString('base64url'), 'AAAA', sealed.slice(0, -4)]) {
        const answer = await ndjson(`/feeds/registry?after=${cursor}`, office);
        expect([cursor, answer.status]).toEqual([cursor, 400]);
        expect((JSON.parse(answer.body) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
        const graph = await t.graphql(`query($after: String) { registryChanges(after: $after) { edges { cursor } } }`, { after: cursor }, centreKey);
        expect(graph.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      }
    });

    test('paged with small limits and type filters: the same changes, each once, and only the area’s', async () => {
      const area = await inArea([province.code]);
      const whole = records((await ndjson('/feeds/registry?limit=1000000', office)).lines);
      const paged: Line[] = [];
      let cursor = '';
      for (let i = 0; i < 10_000; i++) {
        const answer = await ndjson(`/feeds/registry?limit=7${cursor ? `&after=${cursor}` : ''}`, office);
        paged.push(...records(answer.lines));
        const end = answer.lines.at(-1)!.end as { cursor: string; changes: number; hasMore: boolean };
        expect(end.changes).toBe(records(answer.lines).length);
        cursor = end.cursor;
        if (!end.hasMore) break;
      }
      expect(paged.map((c) => `${c.type}:${c.key}:${c.kind}`)).toEqual(whole.map((c) => `${c.type}:${c.key}:${c.kind}`));
      for (const type of ['FACTORY', 'TIS_LICENSE', 'COMPANY']) {
        const typed = records((await ndjson(`/feeds/registry?limit=1000000&types=${type}`, office)).lines);
        expect(typed.length).toBeGreaterThan(0);
        expect(typed.every((c) => c.type === type && keyIn(area, type, c.key!))).toBe(true);
        expect(typed.map((c) => c.key)).toEqual(whole.filter((c) => c.type === type).map((c) => c.key));
      }
    });

    test('a centre syncs its provinces, none of another centre’s; an export’s sealed feed cursor continues it', async () => {
      const area = await inArea(centreCodes);
      const other = await inArea([neighbour.code]);
      const exported = await ndjson('/exports/companies.ndjson', centreKey);
      expect(new Set(records(exported.lines).map((r) => r['juristicId']))).toEqual(area.companies);
      const feedCursor = exported.lines.at(-1)!.end!['feedCursor'] as string;
      expect(exported.headers.get('x-registry-feed-cursor')).toBe(feedCursor);
      expect(Buffer.from(feedCursor, 'base64url').toString('latin1')).not.toContain('registryChange');
      const fed = records((await ndjson('/feeds/registry?limit=1000000', centreKey)).lines);
      expect(fed.every((c) => keyIn(area, c.type!, c.key!))).toBe(true);
      expect(fed.some((c) => c.type === 'COMPANY' && other.companies.has(c.key!))).toBe(false);
      await touch(outsider);
      await touch(insider);
      const next = records((await ndjson(`/feeds/registry?after=${feedCursor}`, centreKey)).lines);
      expect(next.map((c) => c.key)).toEqual([insider]);
    });
  });

  describe('records leaving an area', () => {
    test('a factory moved to another province: the old area gets LEFT_SCOPE (its key only), the new one the whole record, the ministry a change; each once', async () => {
      const newOffice = (await t.hub.services.clients.create({ name: 'neighbour office', role: 'province', provinceCode: neighbour.code })).key;
      // A plant of the province, operated by no company (unlinked first): its province alone puts it in the area.
      const [plant] = await t.sql<{ fid: string }>(`SELECT f.fid FROM registry.factory f WHERE f.province = $1 ORDER BY f.fid LIMIT 1`, [province.name]);
      await t.sql(`UPDATE registry.factory SET company_juristic_id = NULL, link_method = NULL, link_confidence = NULL WHERE fid = $1`, [plant?.fid]);
      expect(plant).toBeDefined();
      const fid = plant!.fid;
      const end = async (key: string): Promise<string> => (await ndjson('/feeds/registry?limit=1000000', key)).lines.at(-1)!.end!['cursor'] as string;
      const clients = { office, centre: centreKey, newOffice, ministry };
      const before = Object.fromEntries(await Promise.all(Object.entries(clients).map(async ([name, key]) => [name, await end(key)] as const)));
      const linesOf = async (name: keyof typeof clients, after: string): Promise<{ lines: Line[]; body: string; cursor: string }> => {
        const answer = await ndjson(`/feeds/registry?limit=1000000&after=${after}`, clients[name]);
        return { lines: records(answer.lines).filter((l) => l.type === 'FACTORY' && l.key === fid), body: answer.body, cursor: answer.lines.at(-1)!.end!['cursor'] as string };
      };

      // DIW now lists the plant in the neighbouring province (the upsert of a run writes it so).
      await t.sql(`UPDATE registry.factory SET province = $1 WHERE fid = $2`, [neighbour.name, fid]);
      const left = await linesOf('office', before['office']!);
      expect(left.lines).toEqual([expect.objectContaining({ type: 'FACTORY', key: fid, kind: 'LEFT_SCOPE', changedFields: [], record: null, position: null })]);
      // Nothing of the new area: no field of the record, not the province it went to.
      expect(left.body).not.toContain(neighbour.name);
      expect((await linesOf('centre', before['centre']!)).lines.map((l) => [l.kind, l.record])).toEqual([['LEFT_SCOPE', null]]);
      const entered = await linesOf('newOffice', before['newOffice']!);
      expect(entered.lines.map((l) => l.kind)).toEqual(['CHANGED']);
      // The whole record, as the new area's export holds it: an upsert creates the copy.
      const exported = records((await ndjson('/exports/factories.ndjson', newOffice)).lines).find((r) => r['fid'] === fid);
      expect(entered.lines[0]!.record).toEqual(exported);
      expect(entered.lines[0]!.record).toMatchObject({ fid, provinceName: neighbour.name });
      const national = await linesOf('ministry', before['ministry']!);
      expect(national.lines.map((l) => [l.kind, l.changedFields])).toEqual([['CHANGED', ['provinceName']]]);
      // Exactly once: from the end cursors, nothing more; the same reads again give the same.
      for (const name of ['office', 'centre', 'newOffice', 'ministry'] as const) {
        const after = await linesOf(name, before[name]!);
        expect([name, (await linesOf(name, after.cursor)).lines]).toEqual([name, []]);
        expect([name, after.lines.map((l) => l.kind)]).toEqual([name, name === 'office' || name === 'centre' ? ['LEFT_SCOPE'] : ['CHANGED']]);
      }

      // Back home: the old area gets it whole again, the neighbour its exit.
      const mid = { office: left.cursor, newOffice: entered.cursor };
      await t.sql(`UPDATE registry.factory SET province = $1 WHERE fid = $2`, [province.name, fid]);
      const back = await linesOf('office', mid.office);
      expect(back.lines.map((l) => [l.kind, (l.record as Record<string, unknown> | null)?.['provinceName']])).toEqual([['CHANGED', province.name]]);
      expect((await linesOf('newOffice', mid.newOffice)).lines.map((l) => [l.kind, l.record])).toEqual([['LEFT_SCOPE', null]]);
    });
  });
});
