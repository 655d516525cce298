import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * One masking rule for DIP records (src/shared/firm-identity.ts), hostile callers first: a
 * participant DIP named by a typed name or a personal ID, which the linker only guessed to be a
 * company (a fuzzy name match), is read by every national role and an area office through every
 * path: `node(id)`, `nodes`, under its company (root and through its province), the registry feed
 * and the exports. Each path must show the same fields masked the same way, and none may carry
 * the name, the personal ID or the company guessed (a global ID included: it is base64, not secret);
 * the office of the guessed company's province reads none of them (placed by DIP elsewhere).
 * A participant linked by an exact name is the control: shown in the clear, the same everywhere.
 */
describe('DIP participations and assessments: one masking rule in the graph, the feed and the exports', () => {
  let t: TestHub;
  let keys: Record<string, string>;
  let insider: string;
  let provinceCode: string;
  const PERSON = 'นายสมหมาย ทดสอบปกปิด';
  const PERSON_ID = '3100500765432';
  const SURE_NAME = 'บริษัท ทดสอบชื่อตรง จำกัด';

  type Rec = Record<string, unknown>;
  const PARTICIPANT_FIELDS = ['juristicId', 'companyName', 'participantMasked', 'companyJuristicId', 'linkMethod', 'linkConfidence'] as const;
  const participant = (r: Rec): Rec => Object.fromEntries(PARTICIPANT_FIELDS.map((f) => [f, r[f]]));
  const globalId = (type: string, key: string): string => Buffer.from(`${type}:${key}`).toString('base64url');
  const idText = (text: string): string => text.replace(/"id":"([A-Za-z0-9_-]+)"/g, (_m, id: string) => Buffer.from(id, 'base64url').toString());

  async function ndjson(path: string, key: string): Promise<{ status: number; body: string; lines: Rec[] }> {
    const response = await fetch(`${t.baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
    const body = await response.text();
    return { status: response.status, body, lines: body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec) };
  }

  /** Copies an existing row of `table` with DIP's participant replaced: a record as DIP might send one. */
  async function insertLike(table: string, overrides: Rec, extra: Rec): Promise<string> {
    const keySql =
      table === 'registry.dip_participation'
        ? `registry.dip_record_key(r.participant_key || ':' || r.year::text || ':' || r.programme_code)`
        : `registry.dip_record_key(r.participant_key || ':' || (r.assessed_on - DATE '2000-01-01')::text)`;
    const [row] = await t.sql<{ key: string }>(
      `WITH r AS (INSERT INTO ${table} SELECT (jsonb_populate_record(a, $1::jsonb)).* FROM ${table} a ORDER BY a.participant_key LIMIT 1 RETURNING *)
       SELECT ${keySql} AS key FROM r`,
      [JSON.stringify({ ...overrides, ...extra })],
    );
    return row!.key;
  }

  const records: { type: 'DIP_PARTICIPATION' | 'I40_ASSESSMENT'; graphType: string; exportName: string; key: string; sure: boolean; tag: string }[] = [];

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 200 });
    const national = await t.createApiKeys();
    const [firm] = await t.sql<{ id: string; code: string }>(
      `SELECT p.juristic_id AS id, p.province_code AS code FROM registry.company_profile p WHERE p.province_code IS NOT NULL ORDER BY 1 LIMIT 1`,
    );
    insider = firm!.id;
    provinceCode = firm!.code;
    const office = (await t.hub.services.clients.create({ name: 'office', role: 'province', provinceCode })).key;
    keys = { ministry: national.ministry, analyst: national.analyst, bank: national.smed, office };
    // Guessed to be the office's firm, placed by DIP in another province: the office reads none of them
    // (a masked record is scoped by its own data, never by the company it resembles).
    const [elsewhere] = await t.sql<{ name: string }>(`SELECT name_th AS name FROM reference.province WHERE code <> $1 ORDER BY code LIMIT 1`, [provinceCode]);
    const guessed = { company_juristic_id: insider, link_method: 'FUZZY_NAME', link_confidence: 0.71, province: elsewhere!.name };
    const sure = { company_juristic_id: insider, link_method: 'EXACT_NAME', link_confidence: 1 };
    const byName = (name: string) => ({ participant_key: `name:${name}`, juristic_id: null, company_name: name, company_name_normalised: name });
    const byId = { participant_key: PERSON_ID, juristic_id: PERSON_ID, company_name: PERSON, company_name_normalised: PERSON };
    const P = { type: 'DIP_PARTICIPATION', graphType: 'ProgrammeParticipation', exportName: 'dip-participations' } as const;
    const A = { type: 'I40_ASSESSMENT', graphType: 'Industry40Assessment', exportName: 'i40-assessments' } as const;
    records.push({ ...P, sure: false, tag: 'person by name', key: await insertLike('registry.dip_participation', byName(PERSON), { ...guessed, programme_code: 'MASK-1', year: 2024 }) });
    records.push({ ...P, sure: false, tag: 'person by ID', key: await insertLike('registry.dip_participation', byId, { ...guessed, programme_code: 'MASK-2', year: 2024 }) });
    records.push({ ...P, sure: true, tag: 'exact name', key: await insertLike('registry.dip_participation', byName(SURE_NAME), { ...sure, programme_code: 'MASK-3', year: 2024 }) });
    records.push({ ...A, sure: false, tag: 'person by name', key: await insertLike('registry.dip_i40_assessment', byName(PERSON), { ...guessed, assessed_on: '2024-03-01' }) });
    records.push({ ...A, sure: true, tag: 'exact name', key: await insertLike('registry.dip_i40_assessment', byName(SURE_NAME), { ...sure, assessed_on: '2024-03-02' }) });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const FIELDS = `id juristicId companyName participantMasked companyJuristicId linkMethod linkConfidence company { juristicId }`;

  test('every role reads a guessed participant masked alike through node, nodes, the feed and the exports; an exact one in the clear alike', async () => {
    for (const [role, key] of Object.entries(keys)) {
      const feed = await ndjson('/feeds/registry?types=DIP_PARTICIPATION,I40_ASSESSMENT&limit=1000000', key);
      const exports = new Map<string, Rec>();
      const bodies = [feed.body];
      for (const name of ['dip-participations', 'i40-assessments']) {
        const answer = await ndjson(`/exports/${name}.ndjson`, key);
        expect([role, name, answer.status]).toEqual([role, name, 200]);
        bodies.push(answer.body);
        for (const line of answer.lines) if (typeof line['key'] === 'string') exports.set(line['key'], line);
      }
      const ids = records.map((r) => globalId(r.graphType, r.key));
      const nodes = await t.graphql<{ nodes: (Rec | null)[] }>(
        `query($ids: [ID!]!) { nodes(ids: $ids) { ... on ProgrammeParticipation { ${FIELDS} } ... on Industry40Assessment { ${FIELDS} } } }`,
        { ids },
        key,
      );
      expect([role, nodes.body.errors]).toEqual([role, undefined]);
      for (const [i, r] of records.entries()) {
        const node = await t.graphql<{ node: Rec | null }>(`query($id: ID!) { node(id: $id) { ... on ${r.graphType} { ${FIELDS} } } }`, { id: ids[i] }, key);
        const paths = {
          node: node.body.data!.node,
          nodes: nodes.body.data!.nodes[i]!,
          feed: (feed.lines.find((l) => l['key'] === r.key)?.['record'] ?? null) as Rec | null,
          export: exports.get(r.key) ?? null,
        };
        const expected = r.sure
          ? { juristicId: null, companyName: SURE_NAME, participantMasked: false, companyJuristicId: insider, linkMethod: 'EXACT_NAME', linkConfidence: 1 }
          : { juristicId: r.tag === 'person by ID' ? '***' : null, companyName: '***', participantMasked: true, companyJuristicId: null, linkMethod: null, linkConfidence: null };
        // Outside the office's area: the same on every path, as if it did not exist.
        const outside = role === 'office' && !r.sure;
        for (const [path, record] of Object.entries(paths)) {
          expect([role, r.type, r.tag, path, record === null ? null : participant(record)]).toEqual([role, r.type, r.tag, path, outside ? null : expected]);
        }
        if (outside) continue;
        // The graph's ID is the feed's key; the company is withheld with the link.
        expect([role, r.tag, paths.node!['id']]).toEqual([role, r.tag, ids[i]]);
        expect([role, r.tag, paths.node!['company']]).toEqual([role, r.tag, r.sure ? { juristicId: insider } : null]);
        bodies.push(JSON.stringify(paths.node), JSON.stringify(paths.nodes));
      }
      const text = idText(bodies.join('\n'));
      expect([role, text.includes(PERSON), text.includes(PERSON_ID)]).toEqual([role, false, false]);
    }
  });

  test('a guessed participant is not listed under the company it resembles (root or through its province), nor does any global ID there name it', async () => {
    const LIST = `juristicId programmeParticipations { id programmeCode ${FIELDS.replace('id ', '')} } industry40Assessments { id assessedOn participantMasked companyName }`;
    for (const [role, key] of Object.entries(keys)) {
      const direct = await t.graphql<{ company: { programmeParticipations: Rec[]; industry40Assessments: Rec[] } }>(`query($id: JuristicId!) { company(juristicId: $id) { ${LIST} } }`, { id: insider }, key);
      expect([role, direct.body.errors]).toEqual([role, undefined]);
      const viaProvince = await t.graphql<{ province: { companies: { edges: { node: Rec & { juristicId: string } }[] } } }>(
        `query($code: String!) { province(codeOrName: $code) { companies(first: 100) { edges { node { ${LIST} } } } } }`,
        { code: provinceCode },
        key,
      );
      expect([role, viaProvince.body.errors]).toEqual([role, undefined]);
      const nested = viaProvince.body.data!.province.companies.edges.find((e) => e.node.juristicId === insider)?.node;
      for (const company of [direct.body.data!.company, nested] as { programmeParticipations: Rec[]; industry40Assessments: Rec[] }[]) {
        expect(company).toBeDefined();
        const listed = [...company.programmeParticipations, ...company.industry40Assessments];
        const keysListed = listed.map((r) => Buffer.from(String(r['id']), 'base64url').toString().split(':')[1]);
        for (const r of records) expect([role, r.type, r.tag, keysListed.includes(r.key)]).toEqual([role, r.type, r.tag, r.sure]);
        for (const r of listed) expect([role, r['participantMasked']]).toEqual([role, false]);
        const text = idText(JSON.stringify(listed));
        expect([role, text.includes(PERSON), text.includes(PERSON_ID)]).toEqual([role, false, false]);
      }
    }
  });

  test('a global ID built from DIP’s own key (a typed name, a personal ID) finds nothing', async () => {
    for (const id of [globalId('ProgrammeParticipation', `name:${PERSON}:2024:MASK-1`), globalId('ProgrammeParticipation', `${PERSON_ID}:2024:MASK-2`), globalId('Industry40Assessment', `name:${PERSON}:2024-03-01`)]) {
      const answer = await t.graphql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id }, keys['ministry']);
      expect([answer.body.errors, answer.body.data?.node]).toEqual([undefined, null]);
    }
  });
});
