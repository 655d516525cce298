import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * DIP's records (programme participations, Industry 4.0 assessments) in the registry change feed and
 * the exports, hostile callers first: a province key sees the DIP records of its area's companies
 * only, and a participant not known to be a company (DIP's name may be a person's, typed by a clerk)
 * is masked in every field of every line, its key included, for every role.
 */
describe('DIP records in the registry change feed and exports', () => {
  let t: TestHub;
  let ministry: string;
  let office: string;
  let province: string;
  let insider: string;
  let outsider: string;
  const PERSON = 'นายสมชาย ทดสอบเปิดเผย';
  const PERSON_ID = '3100500123456';

  type Line = Record<string, unknown> & { type?: string; key?: string; kind?: string; changedFields?: string[]; record?: Record<string, unknown>; end?: Record<string, unknown> };
  async function ndjson(path: string, key: string): Promise<{ status: number; lines: Line[]; body: string }> {
    const response = await fetch(`${t.baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
    const body = await response.text();
    return { status: response.status, body, lines: body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line) };
  }
  const records = (lines: Line[]): Line[] => lines.filter((l) => !l.end);

  /**
   * The keys of the DIP records of the area, straight from SQL: those surely linked to companies of
   * the area; a masked one by its own data only (a participation by the province DIP gave for it).
   */
  async function dipInArea(code: string): Promise<{ participations: Set<string>; assessments: Set<string> }> {
    const companies = `(SELECT juristic_id FROM registry.company_profile WHERE province_code = $1)`;
    const sure = `coalesce(link_method IN ('TAX_ID', 'EXACT_NAME_PROVINCE', 'EXACT_NAME'), false)`;
    const [row] = await t.sql<{ p: string[]; a: string[] }>(
      `SELECT (SELECT coalesce(array_agg(registry.dip_record_key(participant_key || ':' || year::text || ':' || programme_code)), '{}')
                 FROM registry.dip_participation
                 WHERE CASE WHEN ${sure} THEN company_juristic_id IN ${companies} ELSE province = (SELECT name_th FROM reference.province WHERE code = $1) END) AS p,
              (SELECT coalesce(array_agg(registry.dip_record_key(participant_key || ':' || (assessed_on - DATE '2000-01-01')::text)), '{}')
                 FROM registry.dip_i40_assessment WHERE ${sure} AND company_juristic_id IN ${companies}) AS a`,
      [code],
    );
    return { participations: new Set(row!.p), assessments: new Set(row!.a) };
  }

  /** A participation as DIP might send one: a person (by name, or by personal ID), linked by a guess or not at all. */
  async function participate(participant: { name: string } | { personalId: string }, linkedTo: string | null, programme: string): Promise<void> {
    const [run] = await t.sql<{ id: string }>(`SELECT max(id)::text AS id FROM ingestion.run`);
    const byName = 'name' in participant;
    await t.sql(
      `INSERT INTO registry.dip_participation (participant_key, juristic_id, company_name, company_name_normalised, programme_code, year, programme_name, province,
         company_juristic_id, link_method, link_confidence, row_hash, source, source_run_id, fetched_at)
       VALUES ($1, $2, $3, coalesce($3, ''), $4, 2024, 'โครงการทดสอบ', 'เชียงใหม่', $5, $6, $7, 'test', 'dip-participations', $8, now())`,
      [byName ? `name:${participant.name}` : participant.personalId, byName ? null : participant.personalId, byName ? participant.name : null, programme, linkedTo, linkedTo === null ? null : 'FUZZY_NAME', linkedTo === null ? null : 0.71, run!.id],
    );
  }

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 200 });
    ministry = (await t.createApiKeys()).ministry;
    const ranked = await t.sql<{ code: string }>(
      `SELECT p.province_code AS code FROM registry.dip_participation d JOIN registry.company_profile p ON p.juristic_id = d.company_juristic_id GROUP BY 1 ORDER BY count(*) DESC, 1`,
    );
    province = ranked[0]!.code;
    const other = ranked[1]!.code;
    const first = (code: string): Promise<{ id: string }[]> => t.sql<{ id: string }>(`SELECT juristic_id AS id FROM registry.company_profile WHERE province_code = $1 ORDER BY 1 LIMIT 1`, [code]);
    insider = (await first(province))[0]!.id;
    outsider = (await first(other))[0]!.id;
    office = (await t.hub.services.clients.create({ name: 'office', role: 'province', provinceCode: province })).key;
    // A person guessed to be a company of the area, and a person by personal ID.
    await participate({ name: PERSON }, insider, 'HOSTILE-1');
    await participate({ personalId: PERSON_ID }, insider, 'HOSTILE-2');
    // A firm no company matches yet: linked by a later run (the last test).
    await participate({ name: 'บริษัท ทดสอบภายหลัง จำกัด' }, null, 'LATER-1');
  });
  afterAll(async () => {
    await t?.stop();
  });

  test('a province key: exactly its area’s DIP records in the exports and the feed, no other province’s', async () => {
    const area = await dipInArea(province);
    expect(area.participations.size).toBeGreaterThan(0);
    expect(area.assessments.size).toBeGreaterThan(0);
    const [foreign] = await t.sql<{ ids: string[]; names: string[] }>(
      `SELECT coalesce(array_agg(DISTINCT d.company_juristic_id), '{}') AS ids, coalesce(array_agg(DISTINCT c.name_th), '{}') AS names
       FROM registry.dip_participation d JOIN registry.company_profile p ON p.juristic_id = d.company_juristic_id JOIN registry.company c ON c.juristic_id = d.company_juristic_id
       WHERE p.province_code <> $1`,
      [province],
    );
    expect(foreign!.ids.length).toBeGreaterThan(0);
    const bodies: string[] = [];
    for (const [name, expected] of [
      ['dip-participations', area.participations],
      ['i40-assessments', area.assessments],
    ] as const) {
      const answer = await ndjson(`/exports/${name}.ndjson`, office);
      expect(answer.status).toBe(200);
      bodies.push(answer.body);
      expect(new Set(records(answer.lines).map((r) => r['key']))).toEqual(expected);
      expect(answer.lines.at(-1)!.end).toMatchObject({ records: expected.size, complete: true });
    }
    const feed = await ndjson('/feeds/registry?types=DIP_PARTICIPATION,I40_ASSESSMENT&limit=1000000', office);
    expect(feed.status).toBe(200);
    bodies.push(feed.body);
    const changes = records(feed.lines);
    expect(changes.length).toBeGreaterThan(0);
    for (const c of changes) expect([c.type, c.key, (c.type === 'DIP_PARTICIPATION' ? area.participations : area.assessments).has(c.key!)]).toEqual([c.type, c.key, true]);
    const body = bodies.join('');
    for (const id of foreign!.ids) expect(body).not.toContain(id);
    expect(body).not.toContain(outsider);
  });

  test('a DIP export resumed from a key that is not one (a typed name, a personal ID, huge, control characters) answers 400 BAD_USER_INPUT, echoing none of it', async () => {
    for (const exportName of ['dip-participations', 'i40-assessments']) {
      for (const after of [PERSON, PERSON_ID, `dip-${'f'.repeat(10_000)}`, 'dip-\u0000', 'dip-' + 'g'.repeat(64)]) {
        const answer = await ndjson(`/exports/${exportName}.ndjson?after=${encodeURIComponent(after)}`, office);
        expect([exportName, after.slice(0, 20), answer.status]).toEqual([exportName, after.slice(0, 20), 400]);
        expect((JSON.parse(answer.body) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
        expect(answer.body).not.toContain(PERSON);
        expect(answer.body).not.toContain(PERSON_ID);
        expect(answer.body.length).toBeLessThan(1_000);
      }
    }
    expect((await ndjson('/exports/dip-participations.ndjson?limit=1', office)).status).toBe(200);
  });

  test('a participant not known to be a company: masked in every field and key of every line, for every role', async () => {
    // Placed by DIP in Chiang Mai, guessed to be a company of the office's province: the office
    // reads them only if it is Chiang Mai's (by their own data, never by the guess); the ministry always.
    for (const [key, expected] of [
      [office, province === '50' ? 4 : 0],
      [ministry, 4],
    ] as const) {
      const lines = [
        ...records((await ndjson('/exports/dip-participations.ndjson', key)).lines),
        ...records((await ndjson('/feeds/registry?types=DIP_PARTICIPATION&limit=1000000', key)).lines),
      ];
      const text = JSON.stringify(lines);
      expect(text).not.toContain(PERSON);
      expect(text).not.toContain(PERSON_ID);
      const hostile = lines.map((l) => l.record ?? l).filter((r) => String(r['programmeCode']).startsWith('HOSTILE'));
      // In the export and the feed (CREATED), where they are seen.
      expect(hostile).toHaveLength(expected);
      for (const r of hostile) {
        expect(r).toMatchObject({ participantMasked: true, companyJuristicId: null, linkMethod: null, linkConfidence: null });
        expect(r['key']).toMatch(/^dip-[0-9a-f]{64}$/);
      }
    }
  });

  test('a participation linked to a company of the area later is a change the area sees once, as LINKED', async () => {
    const before = (await ndjson('/feeds/registry?types=DIP_PARTICIPATION&limit=1000000', office)).lines.at(-1)!.end!['cursor'] as string;
    await t.sql(`UPDATE registry.dip_participation SET company_juristic_id = $1, link_method = 'EXACT_NAME', link_confidence = 1 WHERE programme_code = 'LATER-1'`, [insider]);
    const after = records((await ndjson(`/feeds/registry?types=DIP_PARTICIPATION&limit=1000000&after=${before}`, office)).lines);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ type: 'DIP_PARTICIPATION', kind: 'LINKED', record: { programmeCode: 'LATER-1', participantMasked: false, companyJuristicId: insider } });
    // Relinked elsewhere: the area is told to drop it (its key only), the ministry sees RELINKED.
    await t.sql(`UPDATE registry.dip_participation SET company_juristic_id = $1 WHERE programme_code = 'LATER-1'`, [outsider]);
    const cursor = after[0]!['cursor'] as string;
    const exit = await ndjson(`/feeds/registry?types=DIP_PARTICIPATION&limit=1000000&after=${cursor}`, office);
    expect(records(exit.lines)).toEqual([expect.objectContaining({ type: 'DIP_PARTICIPATION', key: after[0]!.key, kind: 'LEFT_SCOPE', changedFields: [], record: null })]);
    expect(exit.body).not.toContain(outsider);
    const national = records((await ndjson('/feeds/registry?types=DIP_PARTICIPATION&limit=1000000', ministry)).lines).filter((l) => l.record?.['programmeCode'] === 'LATER-1');
    expect(national.map((l) => l.kind)).toEqual(['CREATED', 'LINKED', 'RELINKED']);
  });
});
