import { MIN_ITEMS_FOR_DRIFT } from '../../src/sources/dbd/paged-reader';
import { normaliseCompanyName } from '../../src/sources/dbd/company-name';
import { loadHubConfig } from '../../src/app/config';
import type { ParsedRow } from '../../src/ingestion/feed';
import { fetchJsonDocument } from '../../src/ingestion/feed-fetcher';
import { PermanentIngestionError, TransientIngestionError } from '../../src/ingestion/ingestion-errors';
import type { SourceDefinition, SourceRunContext } from '../../src/ingestion/source-definition';
import { BLOCK, DAY_MS, DBD_BASE_TIME, DbdEpoch, DbdListing, updatedAtMs, type DbdListingKind, type ListingEntry } from '../../src/simulator/dbd/dbd-listing';
import { companyItem, dbdPage, financialItem, reportsInMillions } from '../../src/simulator/dbd/dbd.feed';
import { dbdGroundTruth, dbdListingTruth, startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/simulator';
import { FISCAL_YEARS, firmFinancials } from '../../src/simulator/world/firm-profile';
import { firmAt } from '../../src/simulator/world/world';
import { mapCompanyItem, mapFinancialItem } from '../../src/sources/dbd/dbd.mapper';
import { dbdCompanySource, dbdFinancialStatementSource } from '../../src/sources/dbd/dbd.source';

const OPTIONS: SimulatorOptions = { seed: 20191, scale: 2600, quirkRate: 0.1, badRowRate: 0.02 };

let simulator: RunningSimulator;

beforeAll(async () => {
  simulator = await startSimulator({ ...OPTIONS, port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await simulator.close();
});

/** The listing the slow way: every firm, sorted by (step, index, fiscal year), filtered by updatedSince. */
function naiveListing(world: DbdEpoch, kind: DbdListingKind, sinceMs = Number.NEGATIVE_INFINITY): ListingEntry[] {
  const entries: ListingEntry[] = [];
  for (let index = 0; index < world.scale; index++) {
    const step = world.lastStep(kind, index);
    if (kind === 'companies') entries.push({ index, step });
    else if (world.files(index)) {
      for (const fiscalYear of FISCAL_YEARS) entries.push({ index, step: fiscalYear === 2023 ? step : 0, fiscalYear });
    }
  }
  return entries
    .filter((e) => updatedAtMs(e.step, e.index) > sinceMs)
    .sort((a, b) => a.step - b.step || a.index - b.index || (a.fiscalYear ?? 0) - (b.fiscalYear ?? 0));
}

/** A run context on the simulator with the engine's fetcher, recording the URLs asked for and the cursor set. */
function readContext(source: SourceDefinition<unknown>, env: Record<string, string>, cursor?: string): { context: SourceRunContext; urls: string[]; cursor(): string | undefined } {
  const urls: string[] = [];
  let saved: string | undefined;
  const config = loadHubConfig({ DBD_PAGE_SIZE: '97', ...env });
  const context: SourceRunContext = {
    config,
    feedUrl: config.feeds[source.id]!.url,
    settings: config.feeds[source.id]!.settings,
    cursor,
    full: cursor === undefined,
    warnings: [],
    fetchStream: () => Promise.reject(new Error('not used')),
    fetchJson: (url) => {
      urls.push(url);
      return fetchJsonDocument(url, { idleTimeoutMs: 10_000 });
    },
    setCursor: (value) => {
      saved = value;
    },
  };
  return { context, urls, cursor: () => saved };
}

/** Runs a source's read() against the simulator with the engine's fetcher, outside the engine. */
async function readSource<R>(
  source: SourceDefinition<R>,
  env: Record<string, string>,
  cursor?: string,
): Promise<{ rows: ParsedRow<R>[]; cursor: string | undefined; warnings: string[]; urls: string[] }> {
  const run = readContext(source, env, cursor);
  const rows: ParsedRow<R>[] = [];
  for await (const row of source.read(run.context)) rows.push(row);
  return { rows, cursor: run.cursor(), warnings: run.context.warnings, urls: run.urls };
}

function withoutUpdatedAt(item: Record<string, unknown>): Record<string, unknown> {
  const { updatedAt: _updatedAt, ...rest } = item;
  return rest;
}

describe('DBD listings: order, epochs and paging', () => {
  test('at epoch 0 every record is on the base date, and page k is a direct range of firm indexes', () => {
    const listing = new DbdListing(new DbdEpoch(1, 5000, 0), 'companies');
    expect(listing.count()).toBe(5000);
    expect(listing.range(1200, 1300).map((e) => e.index)).toEqual(Array.from({ length: 100 }, (_, i) => 1200 + i));
    expect(new Date(updatedAtMs(0, 4999)).toISOString()).toBe('2025-01-01T00:00:04.999Z');
    expect(updatedAtMs(0, 0)).toBe(DBD_BASE_TIME);
  });

  test.each([
    ['companies', 0, undefined],
    ['companies', 3, undefined],
    ['companies', 3, DBD_BASE_TIME + 1234],
    ['companies', 3, DBD_BASE_TIME + DAY_MS + 1999],
    ['companies', 3, DBD_BASE_TIME + 5 * DAY_MS],
    ['companies', 2, DBD_BASE_TIME - 1],
    ['financials', 0, undefined],
    ['financials', 3, undefined],
    ['financials', 3, DBD_BASE_TIME + 2600],
    ['financials', 3, DBD_BASE_TIME + 2 * DAY_MS + 700],
  ] as const)('%s at epoch %d after %s: block counting agrees with sorting every firm', (kind, epoch, since) => {
    const world = new DbdEpoch(OPTIONS.seed, OPTIONS.scale, epoch);
    const expected = naiveListing(world, kind, since);
    const listing = new DbdListing(world, kind, since);
    expect(listing.count()).toBe(expected.length);
    expect([...listing.all()]).toEqual(expected);
    for (const [start, end] of [[0, 97], [950, 1100], [expected.length - 50, expected.length + 10], [2 * BLOCK - 3, 2 * BLOCK + 3]] as const) {
      expect(listing.range(Math.max(0, start), end)).toEqual(expected.slice(Math.max(0, start), end));
    }
  });

  test('about 1 % of firms change per epoch step, and which ones does not depend on the scale', () => {
    const world = new DbdEpoch(3, 50_000, 2);
    const first = world.changedAt('companies', 1);
    expect(first.length).toBeGreaterThan(350);
    expect(first.length).toBeLessThan(650);
    expect(world.changedAt('companies', 2)).not.toEqual(first);
    expect(new DbdEpoch(3, 10_000, 2).changedAt('companies', 1)).toEqual(first.filter((i) => i < 10_000));
    expect(world.changedAt('financials', 1).length).toBeGreaterThan(300);
  });

  test('a record is a function of (seed, firm, epoch) only, whatever the scale', () => {
    const small = new DbdEpoch(OPTIONS.seed, 100, 2);
    const large = new DbdEpoch(OPTIONS.seed, 50_000, 2);
    for (const index of [0, 7, 99]) {
      expect(companyItem(OPTIONS, small, index)).toEqual(companyItem(OPTIONS, large, index));
      expect(financialItem(OPTIONS, small, index, 2022)).toEqual(financialItem(OPTIONS, large, index, 2022));
    }
  });

  test('every change at a step changes what the hub loads for that firm', () => {
    const before = new DbdEpoch(OPTIONS.seed, 20_000, 0);
    const after = new DbdEpoch(OPTIONS.seed, 20_000, 1);
    const clean = { ...OPTIONS, quirkRate: 0, badRowRate: 0 };
    const changed = after.changedAt('companies', 1);
    expect(changed.length).toBeGreaterThan(100);
    for (const index of changed) {
      const a = mapCompanyItem(companyItem(clean, before, index), 1);
      const b = mapCompanyItem(companyItem(clean, after, index), 1);
      if (a.kind !== 'record' || b.kind !== 'record') throw new Error('rejected');
      expect({ ...b.record, sourceUpdatedAt: '' }).not.toEqual({ ...a.record, sourceUpdatedAt: '' });
      expect(b.record.sourceUpdatedAt).toBe(new Date(DBD_BASE_TIME + DAY_MS + index).toISOString());
    }
    for (const index of after.changedAt('financials', 1).slice(0, 50)) {
      expect(withoutUpdatedAt(financialItem(clean, after, index, 2023))).not.toEqual(withoutUpdatedAt(financialItem(clean, before, index, 2023)));
      expect(financialItem(clean, after, index, 2022)).toEqual(financialItem(clean, before, index, 2022));
    }
  });

  test('a page repeats the duplicated records of the page before', () => {
    const options = { ...OPTIONS, quirkRate: 1, badRowRate: 0 };
    const page1 = dbdPage(options, 'companies', { epoch: 0, page: 1, pageSize: 50 });
    const page2 = dbdPage(options, 'companies', { epoch: 0, page: 2, pageSize: 50 });
    const repeated = page2.items.length - 50;
    expect(repeated).toBeGreaterThan(0);
    expect(page2.items.slice(0, repeated)).toEqual(page1.items.filter((item) => page2.items.slice(0, repeated).some((r) => r['juristicId'] === item['juristicId'])));
    expect(page1.items).toHaveLength(50);
  });
});

describe('DBD routes over HTTP', () => {
  test('answer pages with page, pageSize, totalPages and items, ordered by updatedAt', async () => {
    const response = await fetch(`${simulator.url}/dbd/juristic-persons?page=2&pageSize=10&quirkRate=0&badRowRate=0`);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await response.json()) as { page: number; pageSize: number; totalPages: number; items: { juristicId: string; updatedAt: string }[] };
    expect(body).toMatchObject({ page: 2, pageSize: 10, totalPages: 260 });
    expect(body.items.map((item) => item.juristicId)).toEqual(Array.from({ length: 10 }, (_, i) => firmAt(OPTIONS.seed, 10 + i).juristicId));
    const times = body.items.map((item) => Date.parse(item.updatedAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const beyond = (await (await fetch(`${simulator.url}/dbd/juristic-persons?page=999&pageSize=10`)).json()) as { items: unknown[] };
    expect(beyond.items).toEqual([]);
  });

  test('carry every quirk at quirkRate 1, and invalid check digits at badRowRate', async () => {
    const text = await (await fetch(`${simulator.url}/dbd/juristic-persons?pageSize=2000&quirkRate=1&badRowRate=0`)).text();
    expect(text).toMatch(/"juristicId":"0-\d\d-\d-\d{3}-\d{5}-\d"/);
    expect(text).toMatch(/"juristicId":"=\\"\d{13}\\""/);
    expect(text).toMatch(/"registeredOn":"[๐-๙]{2}\/[๐-๙]{2}\/[๐-๙]{4}"/);
    expect(text).toMatch(/"nameTh":"บจก\. /);
    expect(text).toMatch(/"nameTh":"หจก\. /);
    expect(text).toMatch(/"nameEn":"[^"]*(?<!Public) Company Limited"/);
    expect(text).toContain('\u0E4D\u0E32');
    expect(text).toMatch(/"registeredCapital":"\d{1,3}(,\d{3})+\.00"/);
    expect(text).toMatch(/"province":"จังหวัด/);
    const statements = await (await fetch(`${simulator.url}/dbd/financial-statements?pageSize=3000&quirkRate=1&badRowRate=0`)).text();
    expect(statements).toMatch(/"fiscalYear":256[456]/);
    expect(statements).toMatch(/"fiscalYear":"๒๕๖[๔๕๖]"/);
    expect(statements).toMatch(/"unit":"THB_MILLION"/);
    expect(statements).toMatch(/"unit":"THB"/);
  });

  test('stats routes answer the ground truth of the same query', async () => {
    const query = 'epoch=2&pageSize=100&updatedSince=2025-01-01T00:00:01.000Z';
    const stats = await (await fetch(`${simulator.url}/dbd/juristic-persons.stats.json?${query}`)).json();
    expect(stats).toEqual(dbdListingTruth(OPTIONS, 'companies', { epoch: 2, pageSize: 100, updatedSince: '2025-01-01T00:00:01.000Z' }));
    const financial = await (await fetch(`${simulator.url}/dbd/financial-statements.stats.json?pageSize=100`)).json();
    expect(financial).toEqual(dbdGroundTruth(OPTIONS, 0, { pageSize: 100 }).financials);
  });

  test('column faults: missing-column drops a required field, renamed-column renames juristicId, extra-column adds a field; faultPage too', async () => {
    const items = async (path: string): Promise<Record<string, unknown>[]> => ((await (await fetch(`${simulator.url}${path}`)).json()) as { items: Record<string, unknown>[] }).items;
    const clean = await items('/dbd/juristic-persons?pageSize=5');
    const missing = await items('/dbd/juristic-persons?pageSize=5&fault=missing-column');
    expect(missing).toEqual(clean.map(({ nameTh: _nameTh, ...rest }) => rest));
    const renamed = await items('/dbd/juristic-persons?pageSize=5&fault=renamed-column');
    expect(renamed.map((item) => Object.keys(item)[0])).toEqual(clean.map(() => 'juristicNo'));
    expect(renamed.map((item) => item['juristicNo'])).toEqual(clean.map((item) => item['juristicId']));
    expect((await items('/dbd/juristic-persons?pageSize=5&fault=extra-column')).every((item) => item['businessSize'] === 'S')).toBe(true);
    expect((await items('/dbd/financial-statements?pageSize=5&fault=missing-column')).some((item) => 'unit' in item)).toBe(false);
    expect((await items('/dbd/financial-statements?pageSize=5&fault=renamed-column')).some((item) => 'juristicId' in item)).toBe(false);
    expect(await items('/dbd/juristic-persons?pageSize=5&fault=missing-column&faultPage=2')).toEqual(clean);
    expect((await items('/dbd/juristic-persons?pageSize=5&page=2&fault=missing-column&faultPage=2')).some((item) => 'nameTh' in item)).toBe(false);
  });

  test('faults: http500, html, truncate, slow; faultPage limits a fault to one page', async () => {
    const failed = await fetch(`${simulator.url}/dbd/juristic-persons?fault=http500`);
    expect(failed.status).toBe(500);
    await expect(failed.json()).resolves.toMatchObject({ error: 'internal server error' });
    const html = await fetch(`${simulator.url}/dbd/financial-statements?fault=html`);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    await expect(fetchJsonDocument(`${simulator.url}/dbd/juristic-persons?fault=html`, { idleTimeoutMs: 5000 })).rejects.toThrow(PermanentIngestionError);
    await expect(fetchJsonDocument(`${simulator.url}/dbd/juristic-persons?fault=truncate`, { idleTimeoutMs: 5000 })).rejects.toThrow(TransientIngestionError);
    await expect(fetchJsonDocument(`${simulator.url}/dbd/juristic-persons?fault=http500`, { idleTimeoutMs: 5000 })).rejects.toThrow(/HTTP 500/);
    expect((await fetch(`${simulator.url}/dbd/juristic-persons?fault=http500&faultPage=2&page=1`)).status).toBe(200);
    expect((await fetch(`${simulator.url}/dbd/juristic-persons?fault=http500&faultPage=2&page=2`)).status).toBe(500);
    const started = Date.now();
    expect((await fetch(`${simulator.url}/dbd/juristic-persons?fault=slow&delayMs=300&pageSize=1`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect((await fetch(`${simulator.url}/dbd/juristic-persons?pageSize=0`)).status).toBe(400);
    expect((await fetch(`${simulator.url}/dbd/juristic-persons?updatedSince=yesterday`)).status).toBe(400);
  });
});

describe('the DBD sources read the simulator', () => {
  const companiesUrl = (query = ''): Record<string, string> => ({ DBD_COMPANIES_FEED_URL: `${simulator.url}/dbd/juristic-persons${query}` });
  const financialsUrl = (query = ''): Record<string, string> => ({ DBD_FINANCIALS_FEED_URL: `${simulator.url}/dbd/financial-statements${query}` });
  /** The plain full read of the company listing (2,600 firms over HTTP): two tests look at it, it is read once. */
  const readAllCompanies = () => readSource(dbdCompanySource, companiesUrl());
  let allCompanies: ReturnType<typeof readAllCompanies> | undefined;
  const fullCompanyRead = (): ReturnType<typeof readAllCompanies> => (allCompanies ??= readAllCompanies());

  test('a full read pages through everything: exactly the bad records rejected, duplicates served, cursor at the latest updatedAt', async () => {
    const truth = dbdGroundTruth(OPTIONS, 0, { pageSize: 97 }).companies;
    expect(truth.badRecords).toBeGreaterThan(0);
    expect(truth.duplicates).toBeGreaterThan(0);
    const { rows, cursor, urls, warnings } = await fullCompanyRead();
    expect(urls).toHaveLength(truth.totalPages);
    expect(urls[0]).toBe(`${simulator.url}/dbd/juristic-persons?page=1&pageSize=97`);
    expect(rows).toHaveLength(truth.items);
    const rejected = rows.filter((row) => row.kind === 'rejected');
    expect(rejected).toHaveLength(truth.badRecords);
    for (const row of rejected) expect(row.kind === 'rejected' && row.reason).toMatch(/^juristicId has an invalid check digit/);
    const ids = new Set(rows.flatMap((row) => (row.kind === 'record' ? [row.record.juristicId] : [])));
    expect(ids.size).toBe(truth.validRecords);
    expect(rows.map((row) => row.line)).toEqual(rows.map((_, i) => i + 1));
    expect(cursor).toBe(truth.latestUpdatedAt);
    expect(cursor).toBe('2025-01-01T00:00:02.599Z');
    expect(warnings).toEqual([]);
  });

  test('names, provinces and IDs agree with the firms DIW\'s factories belong to', async () => {
    const { rows } = await readSource(dbdCompanySource, companiesUrl('?quirkRate=1&badRowRate=0'));
    const byId = new Map(rows.flatMap((row) => (row.kind === 'record' ? [[row.record.juristicId, row.record]] : [])));
    for (let index = 0; index < OPTIONS.scale; index += 13) {
      const firm = firmAt(OPTIONS.seed, index);
      const record = byId.get(firm.juristicId)!;
      expect(record.province).toBe(firm.province.nameTh);
      expect(record.registeredOn).toBe(firm.registeredOn);
      expect(record.tsicCode).toBe(firm.industry.tsic);
      expect(record.objective).toBe(firm.industry.objective);
      expect(record.nameEn === firm.nameEn || record.nameEn === firm.nameEn.replace(/ Co\., Ltd\.$/, ' Company Limited')).toBe(true);
      expect(normaliseCompanyName(record.nameEn!)).toBe(normaliseCompanyName(firm.nameEn));
      expect(record.nameTh === firm.nameTh || /^(บจก|บมจ|หจก)\. /.test(record.nameTh)).toBe(true);
    }
  });

  test('an incremental read asks updatedSince=<cursor> and gets only what changed; nothing changed keeps the cursor', async () => {
    const full = await fullCompanyRead();
    const unchanged = await readSource(dbdCompanySource, companiesUrl(), full.cursor);
    expect(unchanged.urls).toEqual([`${simulator.url}/dbd/juristic-persons?updatedSince=${encodeURIComponent(full.cursor!)}&page=1&pageSize=97`]);
    expect(unchanged.rows).toEqual([]);
    expect(unchanged.cursor).toBe(full.cursor);

    const truth = dbdGroundTruth(OPTIONS, 1, { pageSize: 97, updatedSince: full.cursor! });
    const changed = await readSource(dbdCompanySource, companiesUrl('?epoch=1'), full.cursor);
    expect(truth.changedCompanies.length).toBeGreaterThan(10);
    expect(changed.rows).toHaveLength(truth.companies.items);
    expect(truth.companies.records).toBe(truth.changedCompanies.length);
    const ids = changed.rows.map((row) => (row.kind === 'record' ? row.record.juristicId : 'bad'));
    const expected = truth.changedCompanies.map((index) => firmAt(OPTIONS.seed, index).juristicId);
    expect(ids.filter((id) => id !== 'bad').every((id) => expected.includes(id))).toBe(true);
    expect(changed.cursor).toBe(truth.companies.latestUpdatedAt);
    expect(Date.parse(changed.cursor!)).toBeGreaterThan(Date.parse(full.cursor!) + DAY_MS - OPTIONS.scale);
  });

  test('a page that is not a listing page fails the read as a feed format error', async () => {
    await expect(readSource(dbdCompanySource, { DBD_COMPANIES_FEED_URL: `${simulator.url}/dbd/juristic-persons.stats.json` })).rejects.toThrow(
      /DBD juristic persons page 1 has no "items" list/,
    );
    await expect(readSource(dbdCompanySource, companiesUrl('?fault=http500&faultPage=3'))).rejects.toThrow(/HTTP 500/);
  });

  test('schema drift: a missing or renamed required field fails the read naming it, before any item is handed out', async () => {
    for (const [source, url, fault, message, warnings] of [
      [dbdCompanySource, companiesUrl, 'missing-column', 'DBD juristic persons page 1 is missing required field(s): nameTh (absent from all 97 items)', []],
      [dbdCompanySource, companiesUrl, 'renamed-column', 'DBD juristic persons page 1 is missing required field(s): juristicId (absent from all 97 items)', ['unknown field(s) ignored: juristicNo']],
      [dbdFinancialStatementSource, financialsUrl, 'missing-column', 'DBD financial statements page 1 is missing required field(s): unit (absent from all 97 items)', []],
      [dbdFinancialStatementSource, financialsUrl, 'renamed-column', 'DBD financial statements page 1 is missing required field(s): juristicId (absent from all 97 items)', ['unknown field(s) ignored: juristicNo']],
    ] as const) {
      const rows: unknown[] = [];
      const context = readContext(source, url(`?fault=${fault}`));
      await expect(
        (async () => {
          for await (const row of (source as SourceDefinition<unknown>).read(context.context)) rows.push(row);
        })(),
      ).rejects.toThrow(message);
      expect({ fault, rows: rows.length, cursor: context.cursor(), warnings: context.context.warnings }).toEqual({ fault, rows: 0, cursor: undefined, warnings });
      // The check stops the read before the next page is asked for.
      expect(context.urls).toHaveLength(1);
    }
    // On a later page: the pages before it were read (the engine rolls them back).
    await expect(readSource(dbdCompanySource, companiesUrl('?fault=missing-column&faultPage=3'))).rejects.toThrow('DBD juristic persons page 3 is missing required field(s): nameTh');
  });

  test('schema drift: a page too small to tell drift from bad items is not judged; its items are quarantined and the next larger page fails', async () => {
    // Pages of 4 (below MIN_ITEMS_FOR_DRIFT): one bad item must not block the source on its page every day.
    // Ten pages of a 40-firm listing show it; the whole listing would be 650 pages of the same.
    const small = await readSource(dbdCompanySource, {
      ...companiesUrl(`?fault=missing-column&faultPage=2&scale=${10 * (MIN_ITEMS_FOR_DRIFT - 1)}`),
      DBD_PAGE_SIZE: String(MIN_ITEMS_FOR_DRIFT - 1),
    });
    expect(small.urls).toHaveLength(10);
    const page2 = small.rows.slice(MIN_ITEMS_FOR_DRIFT - 1, 2 * (MIN_ITEMS_FOR_DRIFT - 1));
    expect(page2.map((row) => row.kind === 'rejected' && /nameTh/.test(row.reason))).toEqual(page2.map(() => true));
    expect(small.rows.filter((row) => row.kind === 'record').length).toBeGreaterThan(page2.length);
    // The same fault on a page of the smallest size judged fails the read.
    await expect(
      readSource(dbdCompanySource, { ...companiesUrl('?fault=missing-column&faultPage=2'), DBD_PAGE_SIZE: String(MIN_ITEMS_FOR_DRIFT) }),
    ).rejects.toThrow(`DBD juristic persons page 2 is missing required field(s): nameTh (absent from all ${MIN_ITEMS_FOR_DRIFT} items)`);
  });

  test('schema drift: an unknown extra field is one warning for the whole read, and every item still loads', async () => {
    const truth = dbdGroundTruth(OPTIONS, 0, { pageSize: 97 }).companies;
    const { rows, cursor, warnings } = await readSource(dbdCompanySource, companiesUrl('?fault=extra-column'));
    expect(warnings).toEqual(['unknown field(s) ignored: businessSize']);
    expect(rows).toHaveLength(truth.items);
    expect(rows.filter((row) => row.kind === 'rejected')).toHaveLength(truth.badRecords);
    expect(cursor).toBe(truth.latestUpdatedAt);
    const statements = await readSource(dbdFinancialStatementSource, financialsUrl('?fault=extra-column'));
    expect(statements.warnings).toEqual(['unknown field(s) ignored: costOfSales']);
  });

  test('financial statements: three fiscal years per filing firm, amounts in baht whatever the unit', async () => {
    const truth = dbdGroundTruth(OPTIONS, 0, { pageSize: 97 }).financials;
    const { rows, cursor } = await readSource(dbdFinancialStatementSource, financialsUrl());
    expect(rows).toHaveLength(truth.items);
    expect(rows.filter((row) => row.kind === 'rejected')).toHaveLength(truth.badRecords);
    expect(cursor).toBe(truth.latestUpdatedAt);
    const records = rows.flatMap((row) => (row.kind === 'record' ? [row.record] : []));
    const keys = new Set(records.map((r) => `${r.juristicId}/${r.fiscalYear}`));
    expect(keys.size).toBe(truth.validRecords);
    expect(new Set(records.map((r) => r.fiscalYear))).toEqual(new Set([2021, 2022, 2023]));
    const firms = new Set(records.map((r) => r.juristicId));
    expect(firms.size).toBeLessThan(OPTIONS.scale * 0.97); // some firms file nothing
    expect(firms.size).toBeGreaterThan(OPTIONS.scale * 0.85);

    let millions = 0;
    for (let index = 0; index < 400; index++) {
      const firm = firmAt(OPTIONS.seed, index);
      const year = firmFinancials(OPTIONS.seed, firm).find((y) => y.fiscalYear === 2022)!;
      const record = records.find((r) => r.juristicId === firm.juristicId && r.fiscalYear === 2022);
      if (!record) continue;
      if (reportsInMillions(OPTIONS.seed, index)) millions++;
      expect(record.reportedUnit).toBe(reportsInMillions(OPTIONS.seed, index) ? 'THB_MILLION' : 'THB');
      expect(record).toMatchObject({ revenueBaht: year.revenue, totalAssetsBaht: year.totalAssets, equityBaht: year.equity, netProfitBaht: year.netProfit, employees: year.employees });
    }
    expect(millions).toBeGreaterThan(50);
  });

  test('mapFinancialItem reads every simulated statement that is not bad', () => {
    const world = new DbdEpoch(OPTIONS.seed, OPTIONS.scale, 0);
    const options = { ...OPTIONS, quirkRate: 1, badRowRate: 0 };
    for (let index = 0; index < 300; index++) {
      for (const year of FISCAL_YEARS) expect(mapFinancialItem(financialItem(options, world, index, year), 1).kind).toBe('record');
      expect(mapCompanyItem(companyItem(options, world, index), 1).kind).toBe('record');
    }
  });
});
