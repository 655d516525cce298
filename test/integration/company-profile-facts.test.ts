import type { Queryable } from '../../src/ingestion/ingestion-run.repository';
import { recomputeProfiles } from '../../src/linking/company-profile';
import { ProvinceIndex } from '../../src/reference/province';
import { loadProvinces, loadTargetIndustryTsic } from '../../src/reference/reference-data';
import { sectorOfTsic, smeSize } from '../../src/reference/sme-size';
import { targetIndustriesOfTsic } from '../../src/reference/target-industry';
import { LOADED_HUB_TIMEOUT_MS, startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * The wiring of recomputeProfiles (src/linking/company-profile.ts), which picks in SQL the statement,
 * sector, target industries, province and linked records each firm's profile is computed from:
 * every stored fact of every firm is compared with the same fact computed here, in TypeScript, from
 * the raw registry rows and the reference files (issue 3: "Derived per company: SME size by the 2019
 * rule ..., target-industry membership via the TSIC mapping, region and regional centre via the
 * province, number of operating factories, certifications held, latest Industry 4.0 level.
 * Recomputed for affected firms after each run"), after a full load and after DBD incremental runs.
 * The rules themselves are tested on their own (test/unit/sme-size.test.ts,
 * test/integration/sme-size-sql.test.ts, test/integration/reference-data.test.ts).
 */

/** The facts a profile stores, as compared (numbers as numbers, industries sorted). */
interface Facts {
  sme_sector: string | null;
  sme_size: string | null;
  sme_size_reason: string | null;
  sme_fiscal_year: number | null;
  revenue_baht: number | null;
  employees: number | null;
  target_industries: string[];
  target_mapping_version: string | null;
  province_code: string | null;
  region: string | null;
  promotion_centre: number | null;
  operating_factories: number;
  certifications: number;
  latest_i40_level: number | null;
}

const num = (value: string | number | null): number | null => (value === null ? null : Number(value));

describe('company profiles: every stored fact equals the rules applied in TypeScript to the raw rows', () => {
  let t: TestHub;
  const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(text, params);
  const provinces = new ProvinceIndex(loadProvinces().rows);
  const mapping = loadTargetIndustryTsic().rows;

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 1500 });
  }, LOADED_HUB_TIMEOUT_MS);
  afterAll(async () => {
    t?.feed.set('');
    await t?.stop();
  });

  /** Each firm's facts, from registry.company and the rows linked to it, by the TypeScript rules. */
  async function expectedFacts(): Promise<Map<string, Facts>> {
    const companies = await sql<{ juristic_id: string; tsic_code: string | null; province: string | null }>(
      'SELECT juristic_id, tsic_code, province FROM registry.company',
    );
    // The latest statement the register still has (a statement marked absent was withdrawn by DBD),
    // whatever it reports: a latest statement without revenue or employees is not passed over for
    // an older one (the size is then by the other measure only, or unknown: src/reference/sme-size.ts).
    const latest = new Map<string, { fiscal_year: number; revenue_baht: string | null; employees: number | null }>();
    for (const s of await sql<{ juristic_id: string; fiscal_year: number; revenue_baht: string | null; employees: number | null }>(
      'SELECT juristic_id, fiscal_year, revenue_baht, employees FROM registry.financial_statement WHERE absent_since_run_id IS NULL',
    )) {
      const previous = latest.get(s.juristic_id);
      if (previous === undefined || s.fiscal_year > previous.fiscal_year) latest.set(s.juristic_id, s);
    }
    const countBy = (rows: { company_juristic_id: string }[]): Map<string, number> => {
      const counts = new Map<string, number>();
      for (const r of rows) counts.set(r.company_juristic_id, (counts.get(r.company_juristic_id) ?? 0) + 1);
      return counts;
    };
    const operating = countBy(
      await sql(`SELECT company_juristic_id FROM registry.factory WHERE company_juristic_id IS NOT NULL AND status = 'OPERATING' AND absent_since_run_id IS NULL`),
    );
    const valid = countBy(
      await sql(`SELECT company_juristic_id FROM registry.tis_licence WHERE company_juristic_id IS NOT NULL AND status = 'VALID' AND absent_since_run_id IS NULL`),
    );
    const i40 = new Map<string, { assessed_on: string; level: number }>();
    for (const a of await sql<{ company_juristic_id: string; assessed_on: string; overall_level: string }>(
      `SELECT company_juristic_id, to_char(assessed_on, 'YYYY-MM-DD') AS assessed_on, overall_level::text
       FROM registry.dip_i40_assessment WHERE company_juristic_id IS NOT NULL AND absent_since_run_id IS NULL`,
    )) {
      const previous = i40.get(a.company_juristic_id);
      const level = Number(a.overall_level);
      // The latest assessment; of two on one day (one with the ID, one linked by name), the higher level.
      if (previous === undefined || a.assessed_on > previous.assessed_on || (a.assessed_on === previous.assessed_on && level > previous.level)) {
        i40.set(a.company_juristic_id, { assessed_on: a.assessed_on, level });
      }
    }

    const facts = new Map<string, Facts>();
    for (const c of companies) {
      const sector = sectorOfTsic(c.tsic_code);
      const statement = latest.get(c.juristic_id);
      const revenue = num(statement?.revenue_baht ?? null);
      const employees = statement?.employees ?? null;
      const size = sector === null ? null : smeSize({ sector, revenueBaht: revenue, employees });
      const industries = targetIndustriesOfTsic(c.tsic_code, mapping);
      const province = provinces.find(c.province);
      const assessment = i40.get(c.juristic_id);
      facts.set(c.juristic_id, {
        sme_sector: sector,
        sme_size: size?.size ?? null,
        // Without a sector the 2019 rule cannot be applied (its limits differ by sector): no size, and a reason saying why.
        sme_size_reason: size?.reason ?? 'no TSIC code: the sector (manufacturing or trade and services) is unknown',
        sme_fiscal_year: statement?.fiscal_year ?? null,
        revenue_baht: revenue,
        employees,
        target_industries: industries.map((i) => i.industryCode).sort(),
        target_mapping_version: industries[0]?.mappingVersion ?? null,
        province_code: province?.code ?? null,
        region: province?.region ?? null,
        promotion_centre: province?.promotionCentre ?? null,
        operating_factories: operating.get(c.juristic_id) ?? 0,
        certifications: valid.get(c.juristic_id) ?? 0,
        // Exactly as DIP assessed it (two decimals): a 2.96 is below level 3 for filters and statistics,
        // as for eligibility (migration 1763804000000).
        latest_i40_level: assessment === undefined ? null : assessment.level,
      });
    }
    return facts;
  }

  async function storedFacts(): Promise<Map<string, Facts & { run: string }>> {
    const rows = await sql<Record<keyof Facts, unknown> & { juristic_id: string; run: string }>(
      `SELECT juristic_id, sme_sector, sme_size, sme_size_reason, sme_fiscal_year, revenue_baht::text, employees, target_industries,
              target_mapping_version, province_code, region, promotion_centre, operating_factories, certifications,
              latest_i40_level::text, computed_by_run_id::text AS run
       FROM registry.company_profile`,
    );
    return new Map(
      rows.map((r) => [
        r.juristic_id,
        {
          sme_sector: r.sme_sector as string | null,
          sme_size: r.sme_size as string | null,
          sme_size_reason: r.sme_size_reason as string | null,
          sme_fiscal_year: r.sme_fiscal_year as number | null,
          revenue_baht: num(r.revenue_baht as string | null),
          employees: r.employees as number | null,
          target_industries: [...(r.target_industries as string[])].sort(),
          target_mapping_version: r.target_mapping_version as string | null,
          province_code: r.province_code as string | null,
          region: r.region as string | null,
          promotion_centre: r.promotion_centre as number | null,
          operating_factories: r.operating_factories as number,
          certifications: r.certifications as number,
          latest_i40_level: num(r.latest_i40_level as string | null),
          run: r.run,
        },
      ]),
    );
  }

  /** Every difference, by fact: how many firms and the first few (an empty object when all agree). */
  function differences(expected: Map<string, Facts>, stored: Map<string, Facts>): Record<string, { firms: number; first: unknown[] }> {
    const found: Record<string, { firms: number; first: unknown[] }> = {};
    const note = (fact: string, detail: unknown): void => {
      const entry = (found[fact] ??= { firms: 0, first: [] });
      entry.firms += 1;
      if (entry.first.length < 5) entry.first.push(detail);
    };
    for (const [id, want] of expected) {
      const got = stored.get(id);
      if (got === undefined) {
        note('profile', { id, stored: 'none' });
        continue;
      }
      for (const fact of Object.keys(want) as (keyof Facts)[]) {
        if (JSON.stringify(got[fact]) !== JSON.stringify(want[fact])) note(fact, { id, stored: got[fact], expected: want[fact] });
      }
    }
    for (const id of stored.keys()) if (!expected.has(id)) note('profile', { id, stored: 'a profile without a company' });
    return found;
  }

  test('after the full load', async () => {
    const expected = await expectedFacts();
    const stored = await storedFacts();
    expect(differences(expected, stored)).toEqual({});

    // The comparison covers each rule's cases, not only the empty ones.
    const all = [...expected.values()];
    // (The simulated world is all manufacturing, with no micro firm: the last test adds the other cases.)
    expect(new Set(all.map((f) => f.sme_size))).toEqual(new Set(['SMALL', 'MEDIUM', 'LARGE', null]));
    expect(all.filter((f) => f.sme_fiscal_year === null).length).toBeGreaterThan(0);
    expect(all.filter((f) => f.target_industries.length > 0).length).toBeGreaterThan(0);
    expect(new Set(all.map((f) => f.region)).size).toBeGreaterThanOrEqual(6);
    expect(all.filter((f) => f.operating_factories > 0).length).toBeGreaterThan(0);
    expect(all.filter((f) => f.certifications > 0).length).toBeGreaterThan(0);
    expect(all.filter((f) => f.latest_i40_level !== null).length).toBeGreaterThan(0);
    // Firms with statements of several years: picking any but the latest would show above.
    const [years] = await sql<{ firms: number }>(
      `SELECT count(*)::int AS firms FROM (SELECT juristic_id FROM registry.financial_statement GROUP BY 1 HAVING count(DISTINCT fiscal_year) > 1) m`,
    );
    expect(years!.firms).toBeGreaterThan(0);
  });

  test('after DBD incremental runs: the firms they changed are recomputed, and every firm still agrees', async () => {
    const before = await storedFacts();
    const runs: string[] = [];
    try {
      for (const epoch of [1, 2]) {
        t.feed.set(`epoch=${epoch}`);
        for (const source of ['dbd-companies', 'dbd-financials']) {
          const { runId, status } = await t.ingestNow(source);
          expect({ source, epoch, status }).toEqual({ source, epoch, status: 'succeeded' });
          runs.push(runId);
        }
      }
    } finally {
      t.feed.set('');
    }

    const expected = await expectedFacts();
    const after = await storedFacts();
    expect(differences(expected, after)).toEqual({});

    // The runs changed firms' data, and their profiles with it: a profile left as it was before
    // the runs would differ from the expected facts above.
    const [changed] = await sql<{ companies: number; statements: number }>(
      `SELECT (SELECT count(*)::int FROM registry.company WHERE source_run_id = ANY($1::bigint[])) AS companies,
              (SELECT count(*)::int FROM registry.financial_statement WHERE source_run_id = ANY($1::bigint[])) AS statements`,
      [runs],
    );
    expect(changed!.companies).toBeGreaterThan(0);
    expect(changed!.statements).toBeGreaterThan(0);
    const recomputed = [...after].filter(([, f]) => runs.includes(f.run));
    expect(recomputed.length).toBeGreaterThan(0);
    const factsChanged = [...after].filter(([id, f]) => {
      const { run: _after, ...now } = f;
      const { run: _before, ...then } = before.get(id)!;
      return JSON.stringify(now) !== JSON.stringify(then);
    });
    expect(factsChanged.length).toBeGreaterThan(0);
    // Only the firms the runs touched were recomputed (plus the few whose links a rename moved).
    expect(recomputed.length).toBeLessThan(after.size / 4);
  }, 120_000);

  test('firms the simulated world lacks (trade and services, no TSIC code, micro, a measure unknown, a withdrawn statement), recomputed', async () => {
    // The world is all manufacturing firms that file complete statements: rewrite some of them as DBD
    // could have them, then recompute every firm's profile as a run does (recomputeProfiles, in a
    // transaction, for the firms listed in pg_temp.profile_affected), and compare again.
    const ids = (await sql<{ juristic_id: string }>('SELECT juristic_id FROM registry.company ORDER BY juristic_id')).map((r) => r.juristic_id);
    const [run] = await sql<{ id: string }>('SELECT max(id)::text AS id FROM ingestion.run');
    const pick = (from: number, n: number): string[] => ids.slice(from, from + n);
    // Trade and services (domain.md, "SME size": its own limits), some in a target industry (hotels,
    // travel agencies, hospitals, farming, R&D), and section letters, malformed and missing codes (no sector).
    const codes = ['46101', '47111', '55101', '79110', '86101', '01110', '72100', '62010', 'G', 'C', 'X1', '99999', null];
    const retyped = pick(0, 260);
    for (const [i, id] of retyped.entries()) await sql('UPDATE registry.company SET tsic_code = $2 WHERE juristic_id = $1', [id, codes[i % codes.length]]);
    // Latest statements at the limits and with a measure unknown (the size is then by the other alone).
    const statements: [number | null, number | null][] = [
      [1_800_000, 5], [1_800_000.01, 5], [1_000_000, 6], [50_000_000, 30], [50_000_000.01, 30], [100_000_000, 50],
      [300_000_000, 100], [500_000_000, 200], [500_000_000.01, 3], [null, 4], [900_000, null], [null, null], [0, 0],
    ];
    for (const [i, id] of pick(130, 260).entries()) {
      const [revenue, employees] = statements[i % statements.length]!;
      await sql(
        `UPDATE registry.financial_statement SET revenue_baht = $2, employees = $3
         WHERE juristic_id = $1 AND fiscal_year = (SELECT max(fiscal_year) FROM registry.financial_statement WHERE juristic_id = $1)`,
        [id, revenue, employees],
      );
    }
    // A latest statement DBD withdrew (marked absent by a run): the year before it is the latest.
    const withdrawn = pick(350, 40);
    await sql(
      `UPDATE registry.financial_statement s SET absent_since_run_id = $2
       WHERE s.juristic_id = ANY($1) AND s.fiscal_year = (SELECT max(fiscal_year) FROM registry.financial_statement WHERE juristic_id = s.juristic_id)`,
      [withdrawn, run!.id],
    );

    const runner = t.hub.database.dataSource.createQueryRunner();
    const client: Queryable = { query: async <T>(text: string, params?: unknown[]) => ({ rows: (await runner.query(text, params)) as T[], rowCount: null }) };
    try {
      await runner.startTransaction();
      await runner.query('CREATE TEMP TABLE profile_affected (juristic_id text NOT NULL) ON COMMIT DROP');
      await runner.query('INSERT INTO pg_temp.profile_affected SELECT juristic_id FROM registry.company');
      await recomputeProfiles(client, run!.id);
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }

    const expected = await expectedFacts();
    expect(differences(expected, await storedFacts())).toEqual({});
    const all = [...expected.values()];
    expect(new Set(all.map((f) => `${f.sme_sector} ${f.sme_size}`))).toEqual(
      new Set(['MANUFACTURING MICRO', 'MANUFACTURING SMALL', 'MANUFACTURING MEDIUM', 'MANUFACTURING LARGE', 'MANUFACTURING null',
        'TRADE_AND_SERVICES MICRO', 'TRADE_AND_SERVICES SMALL', 'TRADE_AND_SERVICES MEDIUM', 'TRADE_AND_SERVICES LARGE', 'TRADE_AND_SERVICES null', 'null null']),
    );
    expect(all.filter((f) => f.sme_sector === 'TRADE_AND_SERVICES' && f.target_industries.length > 0).length).toBeGreaterThan(0);
    expect(withdrawn.every((id) => expected.get(id)!.sme_fiscal_year === null || expected.get(id)!.sme_fiscal_year! < 2023)).toBe(true);
  }, 120_000);
});
