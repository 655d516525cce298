import { Client } from 'pg';
import { loadHubConfig } from '../../src/app/config';
import { IngestionEngine } from '../../src/ingestion/ingestion.engine';
import { IngestionRunRepository } from '../../src/ingestion/ingestion-run.repository';
import { FUZZY_MARGIN, FUZZY_MIN_PROVINCE, linkRecords } from '../../src/linking/company-linker';
import { FACTORY_LINKS } from '../../src/sources/diw/diw.source';
import { createRootLogger } from '../../src/platform/logging/logger';
import { factoryAt, factoryCount } from '../../src/simulator/world/world';
import { thaiIdCheckDigit } from '../../src/shared/thai-id';
import { hubSources } from '../../src/sources/registry';
import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * A company run relinks only what it may change. DBD quarantines a firm whose ID has a wrong check
 * digit, so the factories, licences and DIP records of that firm stay unlinked; an operator corrects
 * the ID and retries: that run adds one company, links its records, and leaves every other link (and
 * its linked_at) as it was, having examined only the records the company may match (not every
 * record not linked by ID), with the same links a relink of everything gives.
 */
const SCALE = 3000; // 600 factories
/** Enough quarantined firms that some of them run factories. */
const RATES = { quirkRate: 0.02, badRowRate: 0.03 };

interface LinkState {
  key: string;
  company: string | null;
  method: string | null;
  confidence: string | null;
  linked_at: string | null;
}

describe('a company run relinks the records a company it adds may match, and nothing else', () => {
  let t: TestHub;
  let runs: IngestionRunRepository;
  const query = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(sql, params);
  /** Every link of the four linked tables, keyed by table and row key. */
  const links = async (db: { query: (sql: string) => Promise<unknown> } = t.hub.database.dataSource): Promise<Map<string, LinkState>> => {
    const sql = hubSources().linkTargets().map(
      (target) =>
        `SELECT '${target.id}:' || ${target.key.map((k) => `${k}::text`).join(` || '|' || `)} AS key, company_juristic_id AS company, link_method AS method,
                link_confidence::text AS confidence, linked_at::text FROM ${target.table}`,
    ).join(' UNION ALL ');
    const answer = await db.query(sql);
    const rows = (Array.isArray(answer) ? answer : (answer as { rows: LinkState[] }).rows) as LinkState[];
    return new Map(rows.map((row) => [row.key, row]));
  };

  beforeAll(async () => {
    t = await startTestHub({ scale: SCALE, simulator: RATES });
    runs = new IngestionRunRepository(t.hub.database.dataSource);
    for (const source of ['diw', 'tisi-licences', 'dbd-companies', 'dip-participations', 'dip-i40-assessments']) {
      expect((await t.ingestNow(source)).status).toBe('succeeded');
    }
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  /**
   * Replays the run's relinking in a transaction that is rolled back: it examined only the
   * candidates, and relinking everything would change nothing.
   */
  async function expectOnlyCandidatesExaminedAndSameAsRelinkingEverything(runId: string, linksAfter: Map<string, LinkState>): Promise<void> {
    const client = new Client({ connectionString: t.database.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      for (const target of hubSources().linkTargets()) {
        const outcome = await linkRecords(client, target, { kind: 'company-run', runId });
        const [broad] = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${target.table} WHERE link_method IS DISTINCT FROM 'TAX_ID'`)).rows;
        expect(outcome.narrowed).toBe(true);
        expect(outcome.scoped).toBeLessThan(broad!.n);
        if (target === FACTORY_LINKS) {
          const [unlinked] = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM registry.factory WHERE company_juristic_id IS NULL`)).rows;
          process.stdout.write(`[company run] factories examined ${outcome.scoped} of ${broad!.n} not linked by tax ID (${unlinked!.n} unlinked)\n`);
        }
      }
      for (const target of hubSources().linkTargets()) await linkRecords(client, target, { kind: 'all' });
      const relinked = await links(client);
      const differ = [...relinked.values()].filter((r) => {
        const now = linksAfter.get(r.key)!;
        return r.company !== now.company || r.method !== now.method || r.confidence !== now.confidence;
      });
      expect(differ).toEqual([]);
    } finally {
      await client.query('ROLLBACK');
      await client.end();
    }
  }

  /** The quarantined DBD rows whose firm has an invalid check digit, with the ID corrected and the loaded factories of that firm. */
  async function quarantinedFirmsWithFactories(): Promise<{ row: { id: string }; raw: Record<string, unknown>; id: string; fids: string[] }[]> {
    const fidsOf = new Map<string, string[]>();
    for (let i = 0; i < factoryCount(SCALE); i += 1) {
      const factory = factoryAt(t.simulatorOptions.seed, i);
      fidsOf.set(factory.firm.juristicId, [...(fidsOf.get(factory.firm.juristicId) ?? []), factory.fid]);
    }
    const loadedFids = new Set((await query<{ fid: string }>('SELECT fid FROM registry.factory')).map((r) => r.fid));
    const quarantined = (await runs.openQuarantined({ source: 'dbd-companies', limit: 1000 })).filter((row) => /invalid check digit/.test(row.reason));
    return quarantined
      .map((row) => {
        const raw = row.raw as Record<string, unknown>;
        const digits = String(raw['juristicId']).replace(/\D/g, '');
        const id = `${digits.slice(0, 12)}${thaiIdCheckDigit(digits)}`;
        return { row, raw, id, fids: (fidsOf.get(id) ?? []).filter((fid) => loadedFids.has(fid)) };
      })
      .filter((candidate) => candidate.fids.length > 0);
  }

  test('correcting a quarantined firm links its records; every other link and linked_at stays; only candidates are examined', async () => {
    // The quarantined firms that run a factory DIW loaded, with their IDs corrected.
    const corrected = (await quarantinedFirmsWithFactories())[0];
    expect(corrected).toBeDefined();
    const { row, raw, id, fids } = corrected!;
    const [before] = await query<{ linked: number }>(`SELECT count(*)::int AS linked FROM registry.factory WHERE fid = ANY($1) AND company_juristic_id IS NOT NULL`, [fids]);
    expect(before!.linked).toBe(0);
    const linksBefore = await links();

    await query(`UPDATE ingestion.quarantined_row SET raw = $2 WHERE id = $1`, [row.id, JSON.stringify({ ...raw, juristicId: id })]);
    const engine = new IngestionEngine(t.hub.database.dataSource, hubSources(), loadHubConfig({}), createRootLogger('silent'));
    const retried = await engine.retryQuarantined('dbd-companies');
    expect(retried).toMatchObject({ status: 'succeeded', rowsInserted: 1, rowsUpdated: 0 });

    // The firm's factories are linked to it now.
    const factories = await query<{ company: string | null; method: string }>(`SELECT company_juristic_id AS company, link_method AS method FROM registry.factory WHERE fid = ANY($1)`, [fids]);
    expect(factories.map((f) => f.company)).toEqual(fids.map(() => id));
    // Every link that changed, in any table, is to the new company; all others (linked_at too) are as they were.
    const linksAfter = await links();
    const changed = [...linksAfter.values()].filter((after) => JSON.stringify(after) !== JSON.stringify(linksBefore.get(after.key)));
    expect(changed.length).toBeGreaterThanOrEqual(fids.length);
    for (const after of changed) {
      expect(after.company).toBe(id);
      expect(linksBefore.get(after.key)!.company).toBeNull();
    }
    expect(linksAfter.size).toBe(linksBefore.size);

    await expectOnlyCandidatesExaminedAndSameAsRelinkingEverything(retried.id, linksAfter);
  });

  /** A DBD record arriving for an existing company (through the quarantine retry, as a corrected row would), renamed and moved. */
  async function renameThroughDbd(juristicId: string, nameTh: string, province: string): Promise<string> {
    const [spare] = await quarantinedFirmsWithFactories();
    expect(spare).toBeDefined();
    await query(`UPDATE ingestion.quarantined_row SET raw = $2 WHERE id = $1`, [spare!.row.id, JSON.stringify({ ...spare!.raw, juristicId, nameTh, province })]);
    const engine = new IngestionEngine(t.hub.database.dataSource, hubSources(), loadHubConfig({}), createRootLogger('silent'));
    const retried = await engine.retryQuarantined('dbd-companies');
    expect(retried).toMatchObject({ status: 'succeeded', rowsInserted: 0, rowsUpdated: 1 });
    const [renamed] = await query<{ name: string; run: string | null }>(`SELECT name_th_normalised AS name, renamed_by_run_id::text AS run FROM registry.company WHERE juristic_id = $1`, [juristicId]);
    expect(renamed).toEqual({ name: nameTh, run: retried.id });
    return retried.id;
  }

  /** A company none of the four tables links to. */
  async function companyWithoutRecords(): Promise<string> {
    const [company] = await query<{ juristic_id: string }>(
      `SELECT juristic_id FROM registry.company c
       WHERE absent_since_run_id IS NULL
         AND NOT EXISTS (SELECT 1 FROM registry.factory f WHERE f.company_juristic_id = c.juristic_id)
         AND NOT EXISTS (SELECT 1 FROM registry.tis_licence l WHERE l.company_juristic_id = c.juristic_id)
         AND NOT EXISTS (SELECT 1 FROM registry.dip_participation p WHERE p.company_juristic_id = c.juristic_id)
         AND NOT EXISTS (SELECT 1 FROM registry.dip_i40_assessment a WHERE a.company_juristic_id = c.juristic_id)
       ORDER BY juristic_id LIMIT 1`,
    );
    return company!.juristic_id;
  }

  test('renaming a company links the records its new name now resembles, as relinking everything would', async () => {
    // A firm DBD quarantined runs a factory nobody is linked to; an existing company without
    // records is renamed to nearly that firm's name (a trigram match, not an exact one).
    const [firm] = await quarantinedFirmsWithFactories();
    expect(firm).toBeDefined();
    const [factory] = await query<{ fid: string; name: string; province: string; company: string | null }>(
      `SELECT fid, operator_name_normalised AS name, province, company_juristic_id AS company FROM registry.factory WHERE fid = $1`,
      [firm!.fids[0]],
    );
    expect(factory!.company).toBeNull();
    const company = await companyWithoutRecords();
    const newName = `${factory!.name}ใหม่`;
    const [similar] = await query<{ score: number }>(`SELECT similarity($1, $2) AS score`, [factory!.name, newName]);
    expect(similar!.score).toBeGreaterThanOrEqual(FUZZY_MIN_PROVINCE + FUZZY_MARGIN);
    const linksBefore = await links();

    const runId = await renameThroughDbd(company, newName, factory!.province);
    const linksAfter = await links();
    expect(linksAfter.get(`factory:${factory!.fid}`)).toMatchObject({ company, method: 'FUZZY_NAME' });
    expect(linksBefore.get(`factory:${factory!.fid}`)!.company).toBeNull();
    await expectOnlyCandidatesExaminedAndSameAsRelinkingEverything(runId, linksAfter);
  });

  test('a company renamed away from a name it shared lets the records carrying that name link to the other company again', async () => {
    // A record linked by exact name (no usable ID) to company D in its province.
    const [record] = await query<{ fid: string; name: string; province: string; company: string }>(
      `SELECT fid, operator_name_normalised AS name, province, company_juristic_id AS company FROM registry.factory
       WHERE link_method = 'EXACT_NAME_PROVINCE' ORDER BY fid LIMIT 1`,
    );
    expect(record).toBeDefined();
    const other = await companyWithoutRecords();

    // Another company takes D's name in the same province: the name no longer says which firm it is.
    const tied = await renameThroughDbd(other, record!.name, record!.province);
    const whileTied = await links();
    expect(whileTied.get(`factory:${record!.fid}`)!.company).toBeNull();
    await expectOnlyCandidatesExaminedAndSameAsRelinkingEverything(tied, whileTied);

    // It is renamed again: only its old name connects it to the record, which links to D again.
    const untied = await renameThroughDbd(other, `${record!.name}ทดสอบเปลี่ยนชื่อใหม่อีกครั้ง`, record!.province);
    const afterwards = await links();
    expect(afterwards.get(`factory:${record!.fid}`)).toMatchObject({ company: record!.company, method: 'EXACT_NAME_PROVINCE' });
    await expectOnlyCandidatesExaminedAndSameAsRelinkingEverything(untied, afterwards);
  });
});
