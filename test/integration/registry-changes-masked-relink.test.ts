import { MASKED_1763980000000, RegistryMaskedLinks1763980000000 } from '../../migrations/1763980000000-registry-masked-links';
import { linkIsSureSql, operatorIsCompanySql } from '../../src/shared/firm-identity';
import { inTransaction } from '../support/in-transaction';
import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * A masked record (src/shared/firm-identity.ts: a licensee, DIP participant or factory operator not
 * known to be a company) shows no company link to anyone, before and after the linker moves its
 * guess. So the change feed must not say that the guess moved: a RELINKED, LINKED or UNLINKED (or a
 * CHANGED naming the link fields) of a record whose visible copy did not change is a side channel on
 * whom a person resembles. Hostile readers: every role, national and area, the NDJSON feed and
 * GraphQL. Controls: a shown record's relink is still RELINKED; a relink that flips the mask (the
 * record's visible copy changes) is still published; a visible change made together with a hidden
 * one names the visible fields only; a client resuming from its cursor gets each visible change once.
 */
describe('Registry change feed: a masked record’s hidden link moves unpublished', () => {
  let t: TestHub;
  let keys: Record<string, string>;
  let insider: string;
  let outsider: string;
  let otherPerson: string;
  let plantProvince: { code: string; name: string };
  const targets: Record<'licence' | 'fuzzyPlant' | 'personalPlant' | 'participation' | 'assessment' | 'sureLicence', string> = {
    licence: '',
    fuzzyPlant: '',
    personalPlant: '',
    participation: '',
    assessment: '',
    sureLicence: '',
  };
  const PARTICIPATION_KEY = `registry.dip_record_key(participant_key || ':' || year::text || ':' || programme_code)`;
  const ASSESSMENT_KEY = `registry.dip_record_key(participant_key || ':' || (assessed_on - DATE '2000-01-01')::text)`;
  const PERSON_ID = '3100500765432';

  type Line = Record<string, unknown> & { cursor?: string; key?: string; kind?: string; changedFields?: string[]; record?: Record<string, unknown> | null; end?: Record<string, unknown> };
  async function feed(key: string, after?: string, limit = 1_000_000): Promise<Line[]> {
    const response = await fetch(`${t.baseUrl}/feeds/registry?limit=${limit}${after ? `&after=${after}` : ''}`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    return (await response.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
  }
  const changes = (lines: Line[]): Line[] => lines.filter((l) => !l.end);
  const endOf = async (key: string): Promise<string> => (await feed(key)).at(-1)!.end!['cursor'] as string;
  const ends = async (): Promise<Record<string, string>> => Object.fromEntries(await Promise.all(Object.entries(keys).map(async ([role, key]) => [role, await endOf(key)] as const)));
  const watched = (): Set<string> => new Set([targets.licence, targets.fuzzyPlant, targets.personalPlant, targets.participation, targets.assessment]);

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 200 });
    const national = await t.createApiKeys();
    const ranked = await t.sql<{ code: string; name: string }>(
      `SELECT p.province_code AS code, r.name_th AS name FROM registry.company_profile p JOIN reference.province r ON r.code = p.province_code GROUP BY 1, 2 ORDER BY count(*) DESC, 1`,
    );
    const [home, away] = [ranked[0]!, ranked[1]!];
    insider = (await t.sql<{ id: string }>(`SELECT juristic_id AS id FROM registry.company_profile WHERE province_code = $1 ORDER BY 1 LIMIT 1`, [home.code]))[0]!.id;
    outsider = (await t.sql<{ id: string }>(`SELECT juristic_id AS id FROM registry.company_profile WHERE province_code = $1 ORDER BY 1 LIMIT 1`, [away.code]))[0]!.id;
    otherPerson = (await t.sql<{ id: string }>(`SELECT juristic_id AS id FROM registry.company_profile WHERE province_code = $1 ORDER BY 1 DESC LIMIT 1`, [away.code]))[0]!.id;
    // The plants stand in a third province.
    plantProvince = (
      await t.sql<{ code: string; name: string }>(
        `SELECT rp.code, rp.name_th AS name FROM registry.factory f JOIN reference.province rp ON rp.name_th = f.province
         WHERE rp.code <> ALL ($1::text[]) GROUP BY 1, 2 HAVING count(*) >= 2 ORDER BY count(*) DESC, 1 LIMIT 1`,
        [[home.code, away.code]],
      )
    )[0]!;
    const create = async (name: string, provinceCode: string): Promise<string> => (await t.hub.services.clients.create({ name, role: 'province', provinceCode })).key;
    keys = {
      admin: national.admin,
      ministry: national.ministry,
      analyst: national.analyst,
      bank: national.smed,
      insiderOffice: await create('insider’s office', home.code),
      outsiderOffice: await create('outsider’s office', away.code),
      plantOffice: await create('plants’ office', plantProvince.code),
    };
    const licences = await t.sql<{ no: string }>(`SELECT licence_no AS no FROM registry.tis_licence ORDER BY licence_no LIMIT 2`);
    targets.licence = licences[0]!.no;
    targets.sureLicence = licences[1]!.no;
    const plants = await t.sql<{ fid: string }>(`SELECT fid FROM registry.factory WHERE province = $1 ORDER BY fid LIMIT 2`, [plantProvince.name]);
    targets.fuzzyPlant = plants[0]!.fid;
    targets.personalPlant = plants[1]!.fid;
    targets.participation = (await t.sql<{ key: string }>(`SELECT ${PARTICIPATION_KEY} AS key FROM registry.dip_participation ORDER BY 1 LIMIT 1`))[0]!.key;
    targets.assessment = (await t.sql<{ key: string }>(`SELECT ${ASSESSMENT_KEY} AS key FROM registry.dip_i40_assessment ORDER BY 1 LIMIT 1`))[0]!.key;

    // Masked records, each guessed to be the insider (writes published or not: these are the setup).
    const fuzzy = `company_juristic_id = $1, link_method = 'FUZZY_NAME', link_confidence = 0.7`;
    await t.sql(`UPDATE registry.tis_licence SET ${fuzzy} WHERE licence_no = $2`, [insider, targets.licence]);
    await t.sql(`UPDATE registry.factory SET ${fuzzy}, operator_tax_id = NULL, operator_name = 'นายสมปอง ทดสอบลิงก์ซ่อน' WHERE fid = $2`, [insider, targets.fuzzyPlant]);
    // A sole trader whose personal ID is the tax ID: masked, though the name matched exactly.
    await t.sql(`UPDATE registry.factory SET company_juristic_id = $1, link_method = 'EXACT_NAME', link_confidence = 0.9, operator_tax_id = $3 WHERE fid = $2`, [insider, targets.personalPlant, PERSON_ID]);
    await t.sql(`UPDATE registry.dip_participation SET ${fuzzy}, province = $3 WHERE ${PARTICIPATION_KEY} = $2`, [insider, targets.participation, plantProvince.name]);
    await t.sql(`UPDATE registry.dip_i40_assessment SET ${fuzzy} WHERE ${ASSESSMENT_KEY} = $2`, [insider, targets.assessment]);
    // A licence surely the insider's (by tax ID): the control, shown with its link.
    await t.sql(`UPDATE registry.tis_licence SET company_juristic_id = $1, licensee_tax_id = $1, link_method = 'TAX_ID', link_confidence = 1 WHERE licence_no = $2`, [insider, targets.sureLicence]);
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** The linker changes its guesses for every masked record, in separate statements, as runs and relinks do. */
  async function moveHiddenLinks(): Promise<void> {
    const guess = (to: string, confidence: number): { set: string; params: unknown[] } => ({ set: `company_juristic_id = $1, link_method = 'FUZZY_NAME', link_confidence = ${confidence}`, params: [to] });
    const unlink = `company_juristic_id = NULL, link_method = NULL, link_confidence = NULL`;
    for (const [to, confidence] of [[outsider, 0.64], [otherPerson, 0.66], [insider, 0.71]] as const) {
      const g = guess(to, confidence);
      await t.sql(`UPDATE registry.tis_licence SET ${g.set} WHERE licence_no = $2`, [...g.params, targets.licence]);
      await t.sql(`UPDATE registry.factory SET ${g.set} WHERE fid = $2`, [...g.params, targets.fuzzyPlant]);
      await t.sql(`UPDATE registry.dip_participation SET ${g.set} WHERE ${PARTICIPATION_KEY} = $2`, [...g.params, targets.participation]);
      await t.sql(`UPDATE registry.dip_i40_assessment SET ${g.set} WHERE ${ASSESSMENT_KEY} = $2`, [...g.params, targets.assessment]);
      // The personal-ID operator matched another company's name exactly: still masked by its ID.
      await t.sql(`UPDATE registry.factory SET company_juristic_id = $1, link_method = 'EXACT_NAME_PROVINCE', link_confidence = $3 WHERE fid = $2`, [to, targets.personalPlant, confidence]);
    }
    // Unlinked, then guessed again, while masked throughout.
    await t.sql(`UPDATE registry.tis_licence SET ${unlink} WHERE licence_no = $1`, [targets.licence]);
    await t.sql(`UPDATE registry.dip_i40_assessment SET ${unlink} WHERE ${ASSESSMENT_KEY} = $1`, [targets.assessment]);
    await t.sql(`UPDATE registry.factory SET ${unlink} WHERE fid = $1`, [targets.fuzzyPlant]);
    await t.sql(`UPDATE registry.tis_licence SET company_juristic_id = $1, link_method = 'FUZZY_NAME', link_confidence = 0.7 WHERE licence_no = $2`, [insider, targets.licence]);
    await t.sql(`UPDATE registry.factory SET company_juristic_id = $1, link_method = 'FUZZY_NAME', link_confidence = 0.7 WHERE fid = $2`, [insider, targets.fuzzyPlant]);
    // A masked operator's name and personal ID, both shown as *** before and after.
    await t.sql(`UPDATE registry.factory SET operator_name = 'นายสมศักดิ์ ทดสอบลิงก์ซ่อน' WHERE fid = $1`, [targets.fuzzyPlant]);
    await t.sql(`UPDATE registry.factory SET operator_tax_id = '3100500765441' WHERE fid = $1`, [targets.personalPlant]);
  }

  test('every role, national or area, NDJSON or GraphQL: no change of a masked record when only its hidden link moved', async () => {
    const before = await ends();
    await moveHiddenLinks();
    // The control: a shown licence relinked to another company by its tax ID.
    await t.sql(`UPDATE registry.tis_licence SET company_juristic_id = $1 WHERE licence_no = $2`, [outsider, targets.sureLicence]);
    const hidden = watched();
    for (const [role, key] of Object.entries(keys)) {
      const got = changes(await feed(key, before[role]));
      expect([role, got.filter((l) => hidden.has(l.key!)).map((l) => [l.key, l.kind, l.changedFields])]).toEqual([role, []]);
      // Nothing names the company guessed in between either.
      expect([role, JSON.stringify(got).includes(otherPerson)]).toEqual([role, false]);
    }
    // The control is published as before: RELINKED with the link fields, to the national roles.
    const national = changes(await feed(keys['ministry']!, before['ministry'])).filter((l) => l.key === targets.sureLicence);
    expect(national.map((l) => [l.kind, l.changedFields])).toEqual([['RELINKED', ['companyJuristicId']]]);
    expect(national[0]!.record).toMatchObject({ licenseeMasked: false, companyJuristicId: outsider });
    // GraphQL reads the same log the same way.
    const graph = await t.graphqlData<{ registryChanges: { edges: { node: { key: string; kind: string; changedFields: string[] } }[] } }>(
      `query($after: String) { registryChanges(first: 100, after: $after, types: [TIS_LICENSE, FACTORY, DIP_PARTICIPATION, I40_ASSESSMENT]) { edges { node { key kind changedFields } } } }`,
      { after: before['admin'] },
      keys['admin'],
    );
    const nodes = graph.registryChanges.edges.map((e) => e.node);
    expect(nodes.filter((n) => hidden.has(n.key))).toEqual([]);
    expect(nodes.filter((n) => n.key === targets.sureLicence).map((n) => n.kind)).toEqual(['RELINKED']);
  });

  test('a visible change made with a hidden one names only the visible fields; a mask that flips is published; each once, paged or not', async () => {
    const before = await ends();
    // The plant's workers and its guess change in one statement: the workers are what a client sees change.
    await t.sql(`UPDATE registry.factory SET workers = coalesce(workers, 0) + 7, company_juristic_id = $1, link_confidence = 0.69 WHERE fid = $2`, [outsider, targets.fuzzyPlant]);
    // A masked operator that had no name gets one: `***` appears where null was.
    await t.sql(`UPDATE registry.factory SET operator_name = NULL WHERE fid = $1`, [targets.personalPlant]);
    // The licensee becomes surely the insider: the record now shows its link (and its licensee).
    await t.sql(`UPDATE registry.tis_licence SET link_method = 'EXACT_NAME', link_confidence = 0.95 WHERE licence_no = $1`, [targets.licence]);
    for (const role of ['ministry', 'plantOffice'] as const) {
      const got = changes(await feed(keys[role]!, before[role])).filter((l) => l.key === targets.fuzzyPlant || l.key === targets.personalPlant);
      expect([role, got.map((l) => [l.key, l.kind, l.changedFields])]).toEqual([
        role,
        [
          [targets.fuzzyPlant, 'CHANGED', ['workers']],
          [targets.personalPlant, 'CHANGED', ['operatorName']],
        ],
      ]);
      expect([role, JSON.stringify(got).includes(outsider)]).toEqual([role, false]);
    }
    // The insider's office does not hold the plants (masked: their own province only).
    expect(changes(await feed(keys['insiderOffice']!, before['insiderOffice'])).filter((l) => l.key === targets.fuzzyPlant || l.key === targets.personalPlant)).toEqual([]);
    // The flip is published to the national roles and to the area the licence now belongs to (the insider's).
    for (const role of ['ministry', 'insiderOffice'] as const) {
      const flipped = changes(await feed(keys[role]!, before[role])).filter((l) => l.key === targets.licence);
      expect([role, flipped.map((l) => l.kind)]).toEqual([role, ['RELINKED']]);
      expect(flipped[0]!.changedFields).toEqual(expect.arrayContaining(['linkMethod', 'linkConfidence']));
      expect(flipped[0]!.record).toMatchObject({ licenseeMasked: false, companyJuristicId: insider, linkMethod: 'EXACT_NAME' });
    }
    // Paged one change at a time from the same cursor: the same changes, each once.
    for (const role of ['ministry', 'plantOffice'] as const) {
      const whole = changes(await feed(keys[role]!, before[role])).map((l) => `${l.key}:${l.kind}`);
      const paged: string[] = [];
      let cursor = before[role]!;
      for (let i = 0; i < whole.length + 2; i++) {
        const page = await feed(keys[role]!, cursor, 1);
        paged.push(...changes(page).map((l) => `${l.key}:${l.kind}`));
        cursor = page.at(-1)!.end!['cursor'] as string;
        if (page.at(-1)!.end!['hasMore'] === false) break;
      }
      expect([role, paged]).toEqual([role, whole]);
    }
  });

  test('the change log’s mask is the one rule of firm-identity.ts (a change of the rule needs a migration like 1763980000000)', () => {
    const rule = { 'registry.factory': `NOT ${operatorIsCompanySql('r')}` };
    for (const table of ['registry.tis_licence', 'registry.dip_participation', 'registry.dip_i40_assessment']) Object.assign(rule, { [table]: `NOT ${linkIsSureSql('r')}` });
    expect(Object.fromEntries(Object.entries(MASKED_1763980000000).map(([table, m]) => [table, m.when('r')]))).toEqual(rule);
  });

  test('the migration is what withholds them: undone, a hidden relink is logged as RELINKED again; redone, not', async () => {
    const migration = new RegistryMaskedLinks1763980000000();
    const [plant] = await t.sql<{ fid: string }>(`SELECT fid FROM registry.factory WHERE fid <> ALL ($1::text[]) ORDER BY fid DESC LIMIT 1`, [[targets.fuzzyPlant, targets.personalPlant]]);
    await t.sql(`UPDATE registry.factory SET operator_tax_id = NULL, company_juristic_id = $1, link_method = 'FUZZY_NAME', link_confidence = 0.6 WHERE fid = $2`, [insider, plant!.fid]);
    const relinkTo = (to: string): Promise<unknown> => t.sql(`UPDATE registry.factory SET company_juristic_id = $1 WHERE fid = $2`, [to, plant!.fid]);
    const logged = async (after: string): Promise<Line[]> => changes(await feed(keys['ministry']!, after)).filter((l) => l.key === plant!.fid);
    let undone = false;
    try {
      await inTransaction(t.hub.database.dataSource, (runner) => migration.down(runner));
      undone = true;
      let before = await endOf(keys['ministry']!);
      await relinkTo(outsider);
      expect((await logged(before)).map((l) => [l.kind, l.record?.['companyJuristicId']])).toEqual([['RELINKED', null]]);
      await inTransaction(t.hub.database.dataSource, (runner) => migration.up(runner));
      undone = false;
      before = await endOf(keys['ministry']!);
      await relinkTo(insider);
      expect(await logged(before)).toEqual([]);
    } finally {
      // Redone whatever failed, for any test after this one.
      if (undone) await inTransaction(t.hub.database.dataSource, (runner) => migration.up(runner));
    }
  });
});
