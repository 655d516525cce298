import { IngestionRunRepository, type IngestionRunRecord } from '../../src/ingestion/ingestion-run.repository';
import { DAY_MS } from '../../src/simulator/dbd/dbd-listing';
import { isBadRecord, reportsInMillions } from '../../src/simulator/dbd/dbd.feed';
import { dbdGroundTruth } from '../../src/simulator/simulator';
import { firmFinancials } from '../../src/simulator/world/firm-profile';
import { firmAt } from '../../src/simulator/world/world';
import { normaliseCompanyName } from '../../src/sources/dbd/company-name';
import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * The two DBD sources end to end: paged JSON from the agency simulator, through the queue and the
 * engine, into PostgreSQL; first a full load, then incremental runs driven by the simulator's epoch
 * (one epoch = one day of changes to about 1 % of the firms).
 */
describe('DBD ingestion (incremental, paged JSON)', () => {
  let t: TestHub;
  let runs: IngestionRunRepository;
  const scale = 1500; // firms
  const pageSize = 100; // 15+ pages per full read

  const query = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(sql, params);
  const run = async (id: string): Promise<IngestionRunRecord> => (await runs.findById(id))!;
  const savedCursor = async (source: string): Promise<string | null> => (await runs.sourceStates()).find((s) => s.source === source)?.cursor ?? null;
  const ingest = async (source: string, options?: { full?: boolean }): Promise<IngestionRunRecord> => {
    const { runId } = await t.ingestNow(source, options);
    return run(runId);
  };
  const snapshot = async (table: string, key: string): Promise<string> =>
    (await query<{ h: string }>(`SELECT md5(string_agg(${key} || row_hash || source_run_id, ',' ORDER BY ${key})) AS h FROM ${table}`))[0]!.h;
  const companySnapshot = (): Promise<string> => snapshot('registry.company', 'juristic_id');

  beforeAll(async () => {
    t = await startTestHub({ scale, env: { DBD_PAGE_SIZE: String(pageSize) } });
    runs = new IngestionRunRepository(t.hub.database.dataSource);
  });
  afterAll(async () => {
    await t?.stop();
  });
  afterEach(() => t.feed.set(''));

  describe('juristic persons', () => {
    test('a first run reads every page, loads exactly the valid firms and quarantines the invalid IDs with reasons', async () => {
      const truth = dbdGroundTruth(t.simulatorOptions, 0, { pageSize }).companies;
      expect(truth.badRecords).toBeGreaterThan(0);
      expect(truth.duplicates).toBeGreaterThan(0);
      expect(truth.totalPages).toBe(scale / pageSize);

      const first = await ingest('dbd-companies');
      expect(first).toMatchObject({
        status: 'succeeded',
        fullRefresh: true,
        cursorBefore: null,
        rowsRead: truth.items,
        rowsRejected: truth.badRecords,
        rowsInserted: truth.validRecords,
        rowsUpdated: 0,
        rowsUnchanged: 0,
        rowsDuplicate: truth.duplicates,
        cursorAfter: truth.latestUpdatedAt,
      });
      expect(first.feedUrl).toMatch(/\/dbd\/juristic-persons$/);
      expect(await savedCursor('dbd-companies')).toBe(truth.latestUpdatedAt);
      expect((await query<{ n: number }>('SELECT count(*)::int AS n FROM registry.company'))[0]!.n).toBe(truth.validRecords);

      const quarantined = await runs.quarantinedRows(first.id, 1000);
      expect(quarantined).toHaveLength(truth.badRecords);
      for (const row of quarantined) {
        expect(row.reason).toMatch(/^juristicId has an invalid check digit: ".+" ends in \d, expected \d$/);
        expect(row.raw).toMatchObject({ juristicId: expect.any(String), nameTh: expect.any(String), updatedAt: expect.any(String) });
      }
    });

    test('rows agree with the firms of the world (the firms DIW factories belong to)', async () => {
      const { seed } = t.simulatorOptions;
      const rows = await query<{
        juristic_id: string;
        name_th_normalised: string;
        province: string;
        registered_on: string;
        status: string;
        directors: { name: string; position: string }[];
        shareholders: { shares: number; nationality: string; personalId?: string }[];
        thai_shareholding_pct: string | null;
        source: string;
      }>(
        `SELECT juristic_id, name_th_normalised, province, to_char(registered_on, 'YYYY-MM-DD') AS registered_on, status, directors, shareholders,
                thai_shareholding_pct, source
         FROM registry.company`,
      );
      const byId = new Map(rows.map((row) => [row.juristic_id, row]));
      let checked = 0;
      for (let index = 0; index < scale; index += 7) {
        if (isBadRecord(t.simulatorOptions, 'companies', index)) continue;
        const firm = firmAt(seed, index);
        const row = byId.get(firm.juristicId)!;
        expect({ index, name: row.name_th_normalised, province: row.province, registeredOn: row.registered_on, source: row.source }).toEqual({
          index,
          name: normaliseCompanyName(firm.nameTh),
          province: firm.province.nameTh,
          registeredOn: firm.registeredOn,
          source: 'dbd-companies',
        });
        expect(['ACTIVE', 'DISSOLVED', 'ABANDONED', 'BANKRUPT']).toContain(row.status);
        expect(row.directors.length).toBeGreaterThan(0);
        const total = row.shareholders.reduce((sum, s) => sum + s.shares, 0);
        const thai = row.shareholders.filter((s) => s.nationality === 'ไทย').reduce((sum, s) => sum + s.shares, 0);
        expect(row.thai_shareholding_pct === null ? null : Number(row.thai_shareholding_pct)).toBe(total === 0 ? null : Math.round((thai / total) * 10_000) / 100);
        checked++;
      }
      expect(checked).toBeGreaterThan(200);
      // Personal IDs are kept as given, for the API to mask.
      expect(rows.some((row) => row.shareholders.some((s) => /^\d{13}$/.test(s.personalId ?? '')))).toBe(true);
      const statuses = await query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM registry.company GROUP BY status');
      expect(statuses.map((s) => s.status).sort()).toEqual(['ABANDONED', 'ACTIVE', 'BANKRUPT', 'DISSOLVED']);
    });

    test('a second run with nothing changed is incremental, asks from the cursor and reads nothing', async () => {
      const cursor = await savedCursor('dbd-companies');
      const before = await companySnapshot();
      const again = await ingest('dbd-companies');
      expect(again).toMatchObject({ status: 'succeeded', fullRefresh: false, cursorBefore: cursor, cursorAfter: cursor, rowsRead: 0, rowsInserted: 0, rowsUpdated: 0 });
      expect(await companySnapshot()).toBe(before);
    });

    test('after a day of changes (epoch=1) a run reads only the changed firms, updates exactly those, and advances the cursor', async () => {
      const cursor = (await savedCursor('dbd-companies'))!;
      const truth = dbdGroundTruth(t.simulatorOptions, 1, { pageSize, updatedSince: cursor });
      const changed = truth.changedCompanies;
      expect(changed.length).toBeGreaterThanOrEqual(scale * 0.003); // about 1 %
      expect(changed.length).toBeLessThanOrEqual(scale * 0.025);
      expect(truth.companies.records).toBe(changed.length);
      const changedValid = changed.filter((index) => !isBadRecord(t.simulatorOptions, 'companies', index));

      t.feed.set('epoch=1');
      const day1 = await ingest('dbd-companies');
      expect(day1).toMatchObject({
        status: 'succeeded',
        fullRefresh: false,
        cursorBefore: cursor,
        rowsRead: truth.companies.items,
        rowsRejected: truth.companies.badRecords,
        rowsInserted: 0,
        rowsUpdated: changedValid.length,
        rowsUnchanged: 0,
        cursorAfter: truth.companies.latestUpdatedAt,
      });
      expect(Date.parse(day1.cursorAfter!)).toBeGreaterThan(Date.parse(cursor));
      expect(Date.parse(day1.cursorAfter!) - Date.parse(cursor)).toBeLessThan(DAY_MS + scale);
      expect(await savedCursor('dbd-companies')).toBe(day1.cursorAfter);

      const touched = await query<{ juristic_id: string; source_updated_at: Date }>(
        'SELECT juristic_id, source_updated_at FROM registry.company WHERE source_run_id = $1 ORDER BY juristic_id',
        [day1.id],
      );
      expect(touched.map((row) => row.juristic_id)).toEqual(changedValid.map((index) => firmAt(t.simulatorOptions.seed, index).juristicId).sort());
      for (const row of touched) expect(row.source_updated_at.getTime()).toBeGreaterThan(Date.parse(cursor));
    });

    test('a forced full refresh reads everything again and inserts nothing', async () => {
      const cursor = await savedCursor('dbd-companies');
      const truth = dbdGroundTruth(t.simulatorOptions, 1, { pageSize }).companies;
      const before = await companySnapshot();
      t.feed.set('epoch=1');
      const full = await ingest('dbd-companies', { full: true });
      expect(full).toMatchObject({
        status: 'succeeded',
        fullRefresh: true,
        rowsRead: truth.items,
        rowsRejected: truth.badRecords,
        rowsInserted: 0,
        rowsUpdated: 0,
        rowsUnchanged: truth.validRecords,
        rowsDuplicate: truth.duplicates,
        cursorAfter: cursor,
      });
      expect(await companySnapshot()).toBe(before);
    });

    test.each([
      ['epoch=2&fault=http500', false, 'transient', /HTTP 500/],
      ['epoch=2&fault=http500&faultPage=4', true, 'transient', /HTTP 500/], // after three pages were staged
      ['epoch=2&fault=truncate', false, 'transient', /./],
      ['epoch=2&fault=html', false, 'permanent', /HTML/],
    ])('a failed run (%s, full: %s) leaves the data and the cursor as they were', async (fault, full, kind, message) => {
      const cursor = await savedCursor('dbd-companies');
      const before = await companySnapshot();
      t.feed.set(fault);
      const failed = await ingest('dbd-companies', { full });
      expect(failed).toMatchObject({ status: 'failed', errorKind: kind, cursorAfter: null });
      expect(failed.errorMessage).toMatch(message);
      expect(await savedCursor('dbd-companies')).toBe(cursor);
      expect(await companySnapshot()).toBe(before);
    });

    test.each([
      ['epoch=2&fault=missing-column', false, 'DBD juristic persons page 1 is missing required field(s): nameTh', []],
      ['epoch=2&fault=missing-column&faultPage=4', true, 'DBD juristic persons page 4 is missing required field(s): nameTh', []], // after three pages were staged
      ['epoch=2&fault=renamed-column', false, 'DBD juristic persons page 1 is missing required field(s): juristicId', ['unknown field(s) ignored: juristicNo']],
      ['epoch=2&fault=renamed-column', true, 'DBD juristic persons page 1 is missing required field(s): juristicId', ['unknown field(s) ignored: juristicNo']],
    ])('schema drift (%s, full: %s) fails the run naming the field; the data and the cursor stay as they were', async (fault, full, message, warnings) => {
      const cursor = await savedCursor('dbd-companies');
      const before = await companySnapshot();
      const quarantinedBefore = (await runs.openQuarantined({ source: 'dbd-companies', limit: 10_000 })).length;
      t.feed.set(fault);
      const failed = await ingest('dbd-companies', { full });
      expect(failed).toMatchObject({ status: 'failed', errorKind: 'permanent', cursorAfter: null, warnings });
      expect(failed.errorMessage).toContain(message);
      expect(failed.errorMessage).toMatch(/ \(absent from all \d+ items\)$/);
      expect(await savedCursor('dbd-companies')).toBe(cursor);
      expect(await companySnapshot()).toBe(before);
      // Nothing quarantined either: the items were never mapped.
      expect(await runs.quarantinedRows(failed.id, 10)).toEqual([]);
      expect(await runs.openQuarantined({ source: 'dbd-companies', limit: 10_000 })).toHaveLength(quarantinedBefore);
    });

    test('the next good run picks up from the unchanged cursor', async () => {
      const cursor = (await savedCursor('dbd-companies'))!;
      const truth = dbdGroundTruth(t.simulatorOptions, 2, { pageSize, updatedSince: cursor }).companies;
      t.feed.set('epoch=2');
      const day2 = await ingest('dbd-companies');
      expect(day2).toMatchObject({ status: 'succeeded', cursorBefore: cursor, rowsRead: truth.items, rowsUpdated: truth.validRecords, cursorAfter: truth.latestUpdatedAt });
    });
    test('an unknown extra field is a warning on the run, once; the day\'s changes load and the cursor moves', async () => {
      const cursor = (await savedCursor('dbd-companies'))!;
      const truth = dbdGroundTruth(t.simulatorOptions, 3, { pageSize, updatedSince: cursor }).companies;
      expect(truth.validRecords).toBeGreaterThan(0);
      t.feed.set('epoch=3&fault=extra-column');
      const day3 = await ingest('dbd-companies');
      expect(day3).toMatchObject({
        status: 'succeeded',
        cursorBefore: cursor,
        rowsRead: truth.items,
        rowsRejected: truth.badRecords,
        rowsUpdated: truth.validRecords,
        cursorAfter: truth.latestUpdatedAt,
        warnings: ['unknown field(s) ignored: businessSize'],
      });
      expect(await savedCursor('dbd-companies')).toBe(truth.latestUpdatedAt);
      // The rows are those a clean feed gives: a full re-read without the extra field changes nothing.
      const after = await companySnapshot();
      t.feed.set('epoch=3');
      expect(await ingest('dbd-companies', { full: true })).toMatchObject({ status: 'succeeded', rowsInserted: 0, rowsUpdated: 0, warnings: [] });
      expect(await companySnapshot()).toBe(after);
    });
  });

  describe('financial statements', () => {
    test('load keyed by (juristic_id, fiscal_year), with amounts in baht whatever unit the feed used', async () => {
      const truth = dbdGroundTruth(t.simulatorOptions, 0, { pageSize }).financials;
      const first = await ingest('dbd-financials');
      expect(first).toMatchObject({
        status: 'succeeded',
        fullRefresh: true,
        rowsRead: truth.items,
        rowsRejected: truth.badRecords,
        rowsInserted: truth.validRecords,
        rowsDuplicate: truth.duplicates,
        cursorAfter: truth.latestUpdatedAt,
      });
      const rows = await query<{ juristic_id: string; fiscal_year: number; reported_unit: string; revenue_baht: string; net_profit_baht: string; employees: number }>(
        'SELECT juristic_id, fiscal_year, reported_unit, revenue_baht, net_profit_baht, employees FROM registry.financial_statement',
      );
      expect(rows).toHaveLength(truth.validRecords);
      expect(new Set(rows.map((row) => row.fiscal_year))).toEqual(new Set([2021, 2022, 2023]));
      const byKey = new Map(rows.map((row) => [`${row.juristic_id}/${row.fiscal_year}`, row]));
      let millions = 0;
      for (let index = 0; index < scale; index += 5) {
        if (isBadRecord(t.simulatorOptions, 'financials', index)) continue;
        const firm = firmAt(t.simulatorOptions.seed, index);
        for (const year of firmFinancials(t.simulatorOptions.seed, firm)) {
          const row = byKey.get(`${firm.juristicId}/${year.fiscalYear}`);
          if (!row) continue; // a firm that files nothing
          expect({ unit: row.reported_unit, revenue: Number(row.revenue_baht), netProfit: Number(row.net_profit_baht), employees: row.employees }).toEqual({
            unit: reportsInMillions(t.simulatorOptions.seed, index) ? 'THB_MILLION' : 'THB',
            revenue: year.revenue,
            netProfit: year.netProfit,
            employees: year.employees,
          });
          if (row.reported_unit === 'THB_MILLION') millions++;
        }
      }
      expect(millions).toBeGreaterThan(20);
    });

    test('an incremental run reads only the amended statements', async () => {
      const cursor = (await savedCursor('dbd-financials'))!;
      const truth = dbdGroundTruth(t.simulatorOptions, 1, { pageSize, updatedSince: cursor });
      expect(truth.financials.records).toBe(truth.changedFinancials.length); // the latest year of each amending firm
      t.feed.set('epoch=1');
      const day1 = await ingest('dbd-financials');
      expect(day1).toMatchObject({
        status: 'succeeded',
        fullRefresh: false,
        cursorBefore: cursor,
        rowsRead: truth.financials.items,
        rowsInserted: 0,
        rowsUpdated: truth.financials.validRecords,
        cursorAfter: truth.financials.latestUpdatedAt,
      });
      const touched = await query<{ fiscal_year: number }>('SELECT DISTINCT fiscal_year FROM registry.financial_statement WHERE source_run_id = $1', [day1.id]);
      expect(touched.map((row) => row.fiscal_year)).toEqual(truth.financials.validRecords > 0 ? [2023] : []);
    });

    test.each([
      ['fault=missing-column', 'unit', []],
      ['fault=renamed-column', 'juristicId', ['unknown field(s) ignored: juristicNo']],
    ])('schema drift (%s) fails the run naming %s; the statements and the cursor stay as they were', async (fault, field, warnings) => {
      const cursor = await savedCursor('dbd-financials');
      const before = await snapshot('registry.financial_statement', 'juristic_id || fiscal_year');
      t.feed.set(`epoch=2&${fault}`);
      const failed = await ingest('dbd-financials');
      expect(failed).toMatchObject({ status: 'failed', errorKind: 'permanent', cursorAfter: null, warnings });
      expect(failed.errorMessage).toMatch(new RegExp(`^DBD financial statements page 1 is missing required field\\(s\\): ${field} \\(absent from all \\d+ items\\)$`));
      expect(await savedCursor('dbd-financials')).toBe(cursor);
      expect(await snapshot('registry.financial_statement', 'juristic_id || fiscal_year')).toBe(before);
    });

    test('an unknown extra field is a warning on the succeeded run, and the amended statements load', async () => {
      const cursor = (await savedCursor('dbd-financials'))!;
      const truth = dbdGroundTruth(t.simulatorOptions, 2, { pageSize, updatedSince: cursor }).financials;
      t.feed.set('epoch=2&fault=extra-column');
      const day2 = await ingest('dbd-financials');
      expect(day2).toMatchObject({
        status: 'succeeded',
        rowsRead: truth.items,
        rowsUpdated: truth.validRecords,
        cursorAfter: truth.latestUpdatedAt,
        warnings: ['unknown field(s) ignored: costOfSales'],
      });
    });
  });
});
