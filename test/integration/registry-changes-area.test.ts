import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { RegistryAreaFollows1763970000000 } from '../../migrations/1763970000000-registry-area-follows';
import { FactoryOperatorMasked1763975000000 } from '../../migrations/1763975000000-factory-operator-masked';
import { inTransaction } from '../support/in-transaction';
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

  /**
   * What an area holds, by the graph's rules (src/domains/firm-scope-sql.ts), straight from SQL: a
   * record masked for an unsure link (src/shared/firm-identity.ts) by its own data only.
   */
  async function inArea(codes: string[]): Promise<{ companies: Set<string>; factories: Set<string>; licences: Set<string>; dip: Set<string> }> {
    const sure = `coalesce(link_method IN ('TAX_ID', 'EXACT_NAME_PROVINCE', 'EXACT_NAME'), false)`;
    // A factory's operator is shown (and its company with it) when its tax ID is a juristic ID, or it gave none and the link is sure.
    const operatorShown = `(CASE WHEN operator_tax_id IS NOT NULL THEN operator_tax_id ~ '^0[0-9]{12}$' ELSE ${sure} END)`;
    const companies = `(SELECT juristic_id FROM registry.company_profile WHERE province_code = ANY($1::text[]))`;
    const names = `(SELECT name_th FROM reference.province WHERE code = ANY($1::text[]))`;
    const [row] = await t.sql<{ companies: string[]; factories: string[]; licences: string[]; dip: string[] }>(
      `SELECT (SELECT coalesce(array_agg(juristic_id), '{}') FROM registry.company WHERE juristic_id IN ${companies}) AS companies,
              (SELECT coalesce(array_agg(fid), '{}') FROM registry.factory WHERE province IN ${names} OR (company_juristic_id IN ${companies} AND ${operatorShown})) AS factories,
              (SELECT coalesce(array_agg(licence_no), '{}') FROM registry.tis_licence
                 WHERE ${sure} AND (company_juristic_id IN ${companies} OR fid IN (SELECT fid FROM registry.factory WHERE province IN ${names}))) AS licences,
              (SELECT coalesce(array_agg(k), '{}') FROM (
                 SELECT registry.dip_record_key(participant_key || ':' || year::text || ':' || programme_code) AS k FROM registry.dip_participation
                   WHERE CASE WHEN ${sure} THEN company_juristic_id IN ${companies} ELSE province IN ${names} END
                 UNION ALL SELECT registry.dip_record_key(participant_key || ':' || (assessed_on - DATE '2000-01-01')::text) FROM registry.dip_i40_assessment
                   WHERE ${sure} AND company_juristic_id IN ${companies}) d) AS dip`,
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

    test('a company’s head office moves: the old area gets LEFT_SCOPE for the company and each record that followed it, the new area each one whole, exactly once', async () => {
      const newOffice = (await t.hub.services.clients.create({ name: 'destination office', role: 'province', provinceCode: neighbour.code })).key;
      // The company of the province with most records surely linked to it (licences and DIP records).
      const [firm] = await t.sql<{ id: string }>(
        `SELECT p.juristic_id AS id FROM registry.company_profile p
         WHERE p.province_code = $1 AND p.juristic_id <> $2
         ORDER BY (SELECT count(*) FROM registry.tis_licence l WHERE l.company_juristic_id = p.juristic_id)
                + (SELECT count(*) FROM registry.dip_participation d WHERE d.company_juristic_id = p.juristic_id)
                + (SELECT count(*) FROM registry.dip_i40_assessment d WHERE d.company_juristic_id = p.juristic_id) DESC, 1 LIMIT 1`,
        [province.code, insider],
      );
      const company = firm!.id;
      // It runs a plant in a third province, for which it holds a licence; DIP knows it by its juristic ID.
      const [third] = await t.sql<{ name: string }>(`SELECT name_th AS name FROM reference.province WHERE code <> ALL($1::text[]) ORDER BY code LIMIT 1`, [[...centreCodes, neighbour.code]]);
      const [plant] = await t.sql<{ fid: string }>(`SELECT fid FROM registry.factory WHERE province = $1 AND company_juristic_id IS DISTINCT FROM $2 ORDER BY fid LIMIT 1`, [third!.name, company]);
      await t.sql(`UPDATE registry.factory SET company_juristic_id = $1, link_method = 'TAX_ID', link_confidence = 1 WHERE fid = $2`, [company, plant!.fid]);
      // Another plant outside both areas that the linker only guessed to be the company's (a fuzzy
      // name match, no tax ID): its operator is masked with the link, so it never follows the company.
      const [guessed] = await t.sql<{ fid: string }>(
        `SELECT f.fid FROM registry.factory f JOIN reference.province rp ON rp.name_th = f.province WHERE rp.code <> ALL($1::text[]) AND f.fid <> $2 ORDER BY f.fid LIMIT 1`,
        [[...centreCodes, neighbour.code], plant!.fid],
      );
      await t.sql(
        `UPDATE registry.factory SET company_juristic_id = $1, link_method = 'FUZZY_NAME', link_confidence = 0.64, operator_tax_id = NULL, operator_name = 'นายเดา ชื่อคล้าย' WHERE fid = $2`,
        [company, guessed!.fid],
      );
      const [licence] = await t.sql<{ no: string }>(`SELECT licence_no AS no FROM registry.tis_licence WHERE company_juristic_id IS DISTINCT FROM $1 ORDER BY licence_no LIMIT 1`, [company]);
      await t.sql(`UPDATE registry.tis_licence SET company_juristic_id = $1, link_method = 'TAX_ID', link_confidence = 1, fid = $2 WHERE licence_no = $3`, [company, plant!.fid, licence!.no]);
      for (const table of ['registry.dip_participation', 'registry.dip_i40_assessment']) {
        await t.sql(
          `UPDATE ${table} SET company_juristic_id = $1, link_method = 'TAX_ID', link_confidence = 1
           WHERE (participant_key) IN (SELECT participant_key FROM ${table} WHERE company_juristic_id IS DISTINCT FROM $1 ORDER BY participant_key LIMIT 1)`,
          [company],
        );
      }
      const clients = { office, centre: centreKey, newOffice, ministry };
      const end = async (key: string): Promise<string> => (await ndjson('/feeds/registry?limit=1000000', key)).lines.at(-1)!.end!['cursor'] as string;
      const before = Object.fromEntries(await Promise.all(Object.entries(clients).map(async ([name, key]) => [name, await end(key)] as const))) as Record<keyof typeof clients, string>;
      const areaBefore = { office: await inArea([province.code]), newOffice: await inArea([neighbour.code]) };
      const keysOf = (area: Awaited<ReturnType<typeof inArea>>): Set<string> =>
        new Set([...[...area.companies].map((k) => `COMPANY:${k}`), ...[...area.factories].map((k) => `FACTORY:${k}`), ...[...area.licences].map((k) => `TIS_LICENSE:${k}`), ...[...area.dip].map((k) => `DIP:${k}`)]);

      // DBD registers the head office in the neighbouring province: a run writes the company and its profile in one transaction.
      await inTransaction(t.hub.database.dataSource, async (runner) => {
        await runner.query(`UPDATE registry.company SET province = $1 WHERE juristic_id = $2`, [neighbour.name, company]);
        await runner.query(`UPDATE registry.company_profile SET province_code = $1, promotion_centre = $2 WHERE juristic_id = $3`, [neighbour.code, neighbour.centre, company]);
      });
      const areaAfter = { office: await inArea([province.code]), newOffice: await inArea([neighbour.code]) };
      const dipType = (line: Line): string => (line.type === 'DIP_PARTICIPATION' || line.type === 'I40_ASSESSMENT' ? 'DIP' : line.type!);
      const left = [...keysOf(areaBefore.office)].filter((k) => !keysOf(areaAfter.office).has(k)).sort();
      const entered = [...keysOf(areaAfter.newOffice)].filter((k) => !keysOf(areaBefore.newOffice).has(k)).sort();
      // The company, its plant elsewhere, the licence for it, its DIP records: all left the province.
      expect(left).toEqual(expect.arrayContaining([`COMPANY:${company}`, `FACTORY:${plant!.fid}`, `TIS_LICENSE:${licence!.no}`]));
      expect(left).not.toContain(`FACTORY:${guessed!.fid}`);
      expect(left.filter((k) => k.startsWith('DIP:')).length).toBeGreaterThanOrEqual(2);
      expect(entered).toEqual(left);

      const read = async (name: keyof typeof clients, after: string): Promise<{ lines: Line[]; body: string; cursor: string }> => {
        const answer = await ndjson(`/feeds/registry?limit=1000000&after=${after}`, clients[name]);
        return { lines: records(answer.lines), body: answer.body, cursor: answer.lines.at(-1)!.end!['cursor'] as string };
      };
      // The old area: LEFT_SCOPE for each, its key only, nothing of where they went.
      const gone = await read('office', before.office);
      expect(gone.lines.map((l) => `${dipType(l)}:${l.key}`).sort()).toEqual(left);
      expect(gone.lines.every((l) => l.kind === 'LEFT_SCOPE' && l.record === null && (l.changedFields ?? []).length === 0 && l.position === null)).toBe(true);
      expect(gone.body).not.toContain(neighbour.name);
      expect(gone.body).not.toContain(`"${neighbour.code}"`);
      // The centre too (the neighbour is another centre's).
      const centreGone = await read('centre', before.centre);
      expect(centreGone.lines.map((l) => `${dipType(l)}:${l.key}:${l.kind}`).sort()).toEqual(left.map((k) => `${k}:LEFT_SCOPE`));
      // The new area: each record whole, as its export holds it.
      const came = await read('newOffice', before.newOffice);
      expect(came.lines.map((l) => `${dipType(l)}:${l.key}`).sort()).toEqual(entered);
      expect(came.lines.every((l) => l.record !== null && typeof l.record === 'object')).toBe(true);
      const exported = records((await ndjson('/exports/factories.ndjson', newOffice)).lines).find((r) => r['fid'] === plant!.fid);
      expect(came.lines.find((l) => l.type === 'FACTORY')!.record).toEqual(exported);
      // The ministry: the company's own change, nothing more (no record of its own changed).
      const national = await read('ministry', before.ministry);
      expect(national.lines.map((l) => [l.type, l.key, l.kind, l.changedFields])).toEqual([['COMPANY', company, 'CHANGED', ['provinceText']]]);
      // Both kinds of line as the shipped JSON Schema describes them.
      const ajv = new Ajv2020({ allErrors: true, strict: false });
      addFormats(ajv);
      const schemas = join(__dirname, '../../docs/schemas');
      for (const file of (await readdir(schemas)).filter((f) => f.endsWith('.schema.json'))) ajv.addSchema(JSON.parse(await readFile(join(schemas, file), 'utf8')) as object);
      const validate = ajv.getSchema('https://github.com/i-industry-hub/schemas/registry-feed-line.schema.json')!;
      for (const line of [...gone.lines, ...came.lines]) if (!validate(line)) throw new Error(`${JSON.stringify(line).slice(0, 300)}: ${ajv.errorsText(validate.errors)}`);
      expect(came.lines.every((l) => l.kind === 'ENTERED_SCOPE' || (l.type === 'COMPANY' && l.kind === 'CHANGED'))).toBe(true);
      // Exactly once: from each end cursor, nothing more.
      for (const [name, answer] of [['office', gone], ['centre', centreGone], ['newOffice', came], ['ministry', national]] as const) {
        expect([name, (await read(name, answer.cursor)).lines]).toEqual([name, []]);
      }
    });
    test('a plant moved to another province takes the licences granted for it along: LEFT_SCOPE in the old area, ENTERED_SCOPE in the new, once', async () => {
      const newOffice = (await t.hub.services.clients.create({ name: 'plant destination', role: 'province', provinceCode: neighbour.code })).key;
      const [plant] = await t.sql<{ fid: string }>(`SELECT fid FROM registry.factory WHERE province = $1 ORDER BY fid DESC LIMIT 1`, [province.name]);
      // A licence for the plant, held by a company of a third province (its company keeps it in neither area).
      const [third] = await t.sql<{ id: string }>(`SELECT juristic_id AS id FROM registry.company_profile WHERE province_code <> ALL($1::text[]) ORDER BY 1 LIMIT 1`, [[...centreCodes, neighbour.code]]);
      const [licence] = await t.sql<{ no: string }>(`SELECT licence_no AS no FROM registry.tis_licence ORDER BY licence_no DESC LIMIT 1`);
      await t.sql(`UPDATE registry.tis_licence SET fid = $1, company_juristic_id = $2, link_method = 'TAX_ID', link_confidence = 1 WHERE licence_no = $3`, [plant!.fid, third!.id, licence!.no]);
      const end = async (key: string): Promise<string> => (await ndjson('/feeds/registry?limit=1000000', key)).lines.at(-1)!.end!['cursor'] as string;
      const before = { office: await end(office), newOffice: await end(newOffice), ministry: await end(ministry) };
      await t.sql(`UPDATE registry.factory SET province = $1 WHERE fid = $2`, [neighbour.name, plant!.fid]);
      const read = async (key: string, after: string): Promise<{ lines: Line[]; body: string; cursor: string }> => {
        const answer = await ndjson(`/feeds/registry?limit=1000000&after=${after}`, key);
        return { lines: records(answer.lines).filter((l) => l.type === 'TIS_LICENSE' && l.key === licence!.no), body: answer.body, cursor: answer.lines.at(-1)!.end!['cursor'] as string };
      };
      const gone = await read(office, before.office);
      expect(gone.lines.map((l) => [l.kind, l.record, l.changedFields])).toEqual([['LEFT_SCOPE', null, []]]);
      const came = await read(newOffice, before.newOffice);
      expect(came.lines.map((l) => [l.kind, (l.record as Record<string, unknown> | null)?.['licenceNo']])).toEqual([['ENTERED_SCOPE', licence!.no]]);
      expect((await read(ministry, before.ministry)).lines).toEqual([]);
      for (const [key, answer] of [[office, gone], [newOffice, came]] as const) expect((await read(key, answer.cursor)).lines).toEqual([]);
    });
  });

  describe('records masked for a fuzzy link', () => {
    test('a record linked to a company only by a fuzzy name match is not in that company’s area: not in its feed, its exports nor its graph', async () => {
      // A participation, an assessment and a licence of no firm of the province, standing nowhere near it.
      const [participation] = await t.sql<{ key: string; province: string | null }>(
        `SELECT registry.dip_record_key(participant_key || ':' || year::text || ':' || programme_code) AS key, province FROM registry.dip_participation
         WHERE company_juristic_id IS DISTINCT FROM $1 AND province IS DISTINCT FROM $2 ORDER BY 1 LIMIT 1`,
        [insider, province.name],
      );
      const [assessment] = await t.sql<{ key: string }>(
        `SELECT registry.dip_record_key(participant_key || ':' || (assessed_on - DATE '2000-01-01')::text) AS key FROM registry.dip_i40_assessment
         WHERE company_juristic_id IS DISTINCT FROM $1 ORDER BY 1 LIMIT 1`,
        [insider],
      );
      const [licence] = await t.sql<{ no: string }>(
        `SELECT l.licence_no AS no FROM registry.tis_licence l LEFT JOIN registry.factory f ON f.fid = l.fid
         WHERE l.company_juristic_id IS DISTINCT FROM $1 AND f.province IS DISTINCT FROM $2 ORDER BY 1 LIMIT 1`,
        [insider, province.name],
      );
      const [factory] = await t.sql<{ fid: string }>(
        `SELECT fid FROM registry.factory WHERE province IS DISTINCT FROM $2
           AND (company_juristic_id IS NULL OR company_juristic_id NOT IN (SELECT juristic_id FROM registry.company_profile WHERE province_code = $1))
         ORDER BY fid LIMIT 1`,
        [province.code, province.name],
      );
      const before = (await ndjson('/feeds/registry?limit=1000000', office)).lines.at(-1)!.end!['cursor'] as string;
      // The linker finds each resembles a company of the province (a fuzzy name match): masked, for every role.
      const fuzzy = `SET company_juristic_id = $1, link_method = 'FUZZY_NAME', link_confidence = 0.61`;
      // A plant whose operator gave no tax ID (DIW's ONAME only): its operator masked, with the link.
      await t.sql(`UPDATE registry.factory ${fuzzy}, operator_tax_id = NULL WHERE fid = $2`, [insider, factory!.fid]);
      await t.sql(`UPDATE registry.dip_participation ${fuzzy} WHERE registry.dip_record_key(participant_key || ':' || year::text || ':' || programme_code) = $2`, [insider, participation!.key]);
      await t.sql(`UPDATE registry.dip_i40_assessment ${fuzzy} WHERE registry.dip_record_key(participant_key || ':' || (assessed_on - DATE '2000-01-01')::text) = $2`, [insider, assessment!.key]);
      await t.sql(`UPDATE registry.tis_licence ${fuzzy} WHERE licence_no = $2`, [insider, licence!.no]);
      const masked = new Set([participation!.key, assessment!.key, licence!.no, factory!.fid]);

      const fed = records((await ndjson(`/feeds/registry?limit=1000000&after=${before}`, office)).lines);
      expect(fed.filter((l) => masked.has(l.key!))).toEqual([]);
      const whole = records((await ndjson('/feeds/registry?limit=1000000', office)).lines);
      expect(whole.filter((l) => masked.has(l.key!) && l.kind !== 'LEFT_SCOPE')).toEqual([]);
      for (const [name, keyField] of [['dip-participations', 'key'], ['i40-assessments', 'key'], ['tis-licences', 'licenceNo'], ['factories', 'fid']] as const) {
        const exported = records((await ndjson(`/exports/${name}.ndjson`, office)).lines);
        expect([name, exported.filter((r) => masked.has(r[keyField] as string))]).toEqual([name, []]);
      }
      // The graph: the licence is not in the office's list, nor readable by its number or ID; the DIP records neither.
      const area = await inArea([province.code]);
      const graph = await t.graphqlData<{ tisLicenses: { totalCount: number } }>(`{ tisLicenses(first: 1) { totalCount } }`, {}, office);
      expect(graph.tisLicenses.totalCount).toBe(area.licences.size);
      expect(area.licences.has(licence!.no)).toBe(false);
      const factories = await t.graphqlData<{ factories: { totalCount: number } }>(`{ factories(first: 1) { totalCount } }`, {}, office);
      expect(factories.factories.totalCount).toBe(area.factories.size);
      expect(area.factories.has(factory!.fid)).toBe(false);
      const plant = await t.graphql(`query($fid: String!) { factory(fid: $fid) { fid } }`, { fid: factory!.fid }, office);
      expect(plant.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      // Nor does the company list it among its factories, for the office or anyone.
      for (const key of [office, ministry]) {
        const own = await t.graphqlData<{ company: { factories: { edges: { node: { fid: string } }[] } } }>(
          `query($id: JuristicId!) { company(juristicId: $id) { factories(first: 100) { edges { node { fid } } } } }`,
          { id: insider },
          key,
        );
        expect(own.company.factories.edges.map((e) => e.node.fid)).not.toContain(factory!.fid);
      }
      const one = await t.graphql(`query($no: String!) { tisLicense(licenceNo: $no) { licenceNo } }`, { no: licence!.no }, office);
      expect(one.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const ids = [
        Buffer.from(`TisLicense:${licence!.no}`).toString('base64url'),
        Buffer.from(`ProgrammeParticipation:${participation!.key}`).toString('base64url'),
        Buffer.from(`Industry40Assessment:${assessment!.key}`).toString('base64url'),
        Buffer.from(`Factory:${factory!.fid}`).toString('base64url'),
      ];
      const nodes = await t.graphql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids }, office);
      expect(nodes.body.data).toEqual({ nodes: [null, null, null, null] });
      // The ministry still reads them, masked.
      const national = records((await ndjson('/exports/dip-participations.ndjson', ministry)).lines).find((r) => r['key'] === participation!.key);
      expect(national).toMatchObject({ participantMasked: true, companyJuristicId: null });
      const nationalPlant = records((await ndjson('/exports/factories.ndjson', ministry)).lines).find((r) => r['fid'] === factory!.fid);
      expect(nationalPlant).toMatchObject({ operatorMasked: true, companyJuristicId: null, linkMethod: null, linkConfidence: null });
    });

    test('a masked participation is in the area of the province DIP gave for it (its own data), whatever it resembles', async () => {
      const [participation] = await t.sql<{ key: string }>(
        `SELECT registry.dip_record_key(participant_key || ':' || year::text || ':' || programme_code) AS key FROM registry.dip_participation
         WHERE company_juristic_id IS DISTINCT FROM $1 ORDER BY 1 DESC LIMIT 1`,
        [outsider],
      );
      await t.sql(
        `UPDATE registry.dip_participation SET province = $1, company_juristic_id = $2, link_method = 'FUZZY_NAME', link_confidence = 0.58
         WHERE registry.dip_record_key(participant_key || ':' || year::text || ':' || programme_code) = $3`,
        [province.name, outsider, participation!.key],
      );
      const mine = records((await ndjson('/exports/dip-participations.ndjson', office)).lines).find((r) => r['key'] === participation!.key);
      expect(mine).toMatchObject({ participantMasked: true, companyJuristicId: null, province: province.name });
      const theirs = records((await ndjson('/exports/dip-participations.ndjson', (await t.hub.services.clients.create({ name: 'resembled', role: 'province', provinceCode: neighbour.code })).key)).lines);
      expect(theirs.map((r) => r['key'])).not.toContain(participation!.key);
    });

    test('upgrading: an area that holds a masked record by the old rule is told to drop it, once; the one it now belongs to gets it', async () => {
      const migration = new RegistryAreaFollows1763970000000();
      const newOffice = (await t.hub.services.clients.create({ name: 'upgrade destination', role: 'province', provinceCode: neighbour.code })).key;
      const end = async (key: string): Promise<string> => (await ndjson('/feeds/registry?limit=1000000', key)).lines.at(-1)!.end!['cursor'] as string;
      const before = { office: await end(office), newOffice: await end(newOffice) };
      const keySql = `registry.dip_record_key(participant_key || ':' || year::text || ':' || programme_code)`;
      const [participation] = await t.sql<{ key: string }>(`SELECT ${keySql} AS key FROM registry.dip_participation WHERE province IS DISTINCT FROM $1 ORDER BY 1 LIMIT 1`, [province.name]);
      // Before the upgrade: guessed to be a company of the office's province, placed by DIP in the neighbour's.
      await inTransaction(t.hub.database.dataSource, (runner) => migration.down(runner));
      await t.sql(
        `UPDATE registry.dip_participation SET company_juristic_id = $1, link_method = 'FUZZY_NAME', link_confidence = 0.6, province = $2 WHERE ${keySql} = $3`,
        [insider, neighbour.name, participation!.key],
      );
      await inTransaction(t.hub.database.dataSource, (runner) => migration.up(runner));
      const lines = async (key: string, after: string): Promise<Line[]> => records((await ndjson(`/feeds/registry?limit=1000000&after=${after}`, key)).lines).filter((l) => l.key === participation!.key);
      expect((await lines(office, before.office)).map((l) => [l.kind, l.record])).toEqual([['LEFT_SCOPE', null]]);
      // The neighbour: the record whole (the setup's own write shows too, now that the record is the neighbour's: an upsert twice).
      const came = await lines(newOffice, before.newOffice);
      expect(came.map((l) => l.kind)).toEqual(['CHANGED', 'ENTERED_SCOPE']);
      expect(came[1]!.record).toMatchObject({ participantMasked: true, companyJuristicId: null, province: neighbour.name });
      expect(came[1]!.changedFields).toEqual([]);
    });

    test('upgrading: a factory whose masked operator the old rule placed in its company’s area leaves it, once; every key gets its link withheld', async () => {
      const migration = new FactoryOperatorMasked1763975000000();
      const plantOffice = (await t.hub.services.clients.create({ name: 'plant’s office', role: 'province', provinceCode: neighbour.code })).key;
      const end = async (key: string): Promise<string> => (await ndjson('/feeds/registry?limit=1000000', key)).lines.at(-1)!.end!['cursor'] as string;
      const [plant] = await t.sql<{ fid: string }>(
        `SELECT fid FROM registry.factory WHERE province = $1
           AND (company_juristic_id IS NULL OR company_juristic_id NOT IN (SELECT juristic_id FROM registry.company_profile WHERE province_code = $2))
         ORDER BY fid DESC LIMIT 1`,
        [neighbour.name, province.code],
      );
      expect(plant).toBeDefined();
      // Before the upgrade: a plant of the neighbour's province whose operator gave no tax ID, guessed to be the insider's.
      await inTransaction(t.hub.database.dataSource, (runner) => migration.down(runner));
      await t.sql(`UPDATE registry.factory SET company_juristic_id = $1, link_method = 'FUZZY_NAME', link_confidence = 0.66, operator_tax_id = NULL WHERE fid = $2`, [insider, plant!.fid]);
      const before = { office: await end(office), plantOffice: await end(plantOffice), ministry: await end(ministry) };
      await inTransaction(t.hub.database.dataSource, (runner) => migration.up(runner));
      const lines = async (key: string, after: string): Promise<Line[]> => records((await ndjson(`/feeds/registry?limit=1000000&after=${after}`, key)).lines).filter((l) => l.type === 'FACTORY' && l.key === plant!.fid);
      // The insider's office held it by the insider: told to drop it, once, nothing more.
      expect((await lines(office, before.office)).map((l) => [l.kind, l.record])).toEqual([['LEFT_SCOPE', null]]);
      // The office of the province it stands in and the ministry: the record with its link withheld.
      for (const [key, after] of [[plantOffice, before.plantOffice], [ministry, before.ministry]] as const) {
        const got = await lines(key, after);
        expect(got.map((l) => [l.kind, l.changedFields])).toEqual([['UNLINKED', ['companyJuristicId', 'linkMethod', 'linkConfidence']]]);
        expect(got[0]!.record).toMatchObject({ fid: plant!.fid, operatorMasked: true, companyJuristicId: null, linkMethod: null, linkConfidence: null });
      }
      // And from now on, the company's moves leave it where it stands.
      const [row] = await t.sql<{ kept: string }>(`SELECT record_json AS kept FROM registry.factory WHERE fid = $1`, [plant!.fid]);
      expect(JSON.parse(row!.kept)).toMatchObject({ companyJuristicId: null, operatorMasked: true });
    });
  });
});
