import { loadHubConfig } from '../../src/app/config';
import { FeedFormatError, type ParsedRow } from '../../src/ingestion/feed';
import { CKAN_DEFAULT_PAGE_SIZE, readCkanDatastore, type CkanResourceSpec } from '../../src/sources/dip/ckan-datastore';
import { DIP_I40_SPEC, DIP_PARTICIPATION_SPEC, participantKey, reparseDipI40Assessment, reparseDipParticipation } from '../../src/sources/dip/dip.parser';
import type { DipI40AssessmentRecord, DipParticipationRecord } from '../../src/sources/dip/dip.record';
import { DIP_I40_ASSESSMENTS_DEFAULT_SCHEDULE, DIP_PARTICIPATIONS_DEFAULT_SCHEDULE, dipI40AssessmentSource, dipParticipationSource } from '../../src/sources/dip/dip.source';
import { hubSources } from '../../src/sources/registry';

const TAX_ID = '0105536112014'; // valid check digit
const OTHER_ID = '0105556012341'; // valid check digit
const URL_BASE = 'http://ckan.test/api/3/action/datastore_search?resource_id=abc';

type Json = Record<string, unknown>;

const PARTICIPATION_FIELDS = ['_id', 'juristic_id', 'programme_code', 'programme_name', 'fiscal_year', 'province'].map((id) => ({ id, type: 'text' }));
const ASSESSMENT_FIELDS = [
  '_id',
  'juristic_id',
  'assessed_on',
  'overall_level',
  'smart_operation',
  'strategy_organization',
  'workforce',
  'technology_innovation',
  'market_customer_standard',
  'it_data',
].map((id) => ({ id, type: id === 'juristic_id' || id === 'assessed_on' ? 'text' : 'numeric' }));

const PARTICIPATION: Json = { _id: 1, juristic_id: TAX_ID, programme_code: 'I40', programme_name: 'ยกระดับสู่ 4.0', fiscal_year: '2567', province: 'ชลบุรี' };
const ASSESSMENT: Json = {
  _id: 1,
  juristic_id: TAX_ID,
  assessed_on: '2023-05-14',
  overall_level: 2.5,
  smart_operation: 2,
  strategy_organization: 3,
  workforce: 2.5,
  technology_innovation: 2.25,
  market_customer_standard: 3,
  it_data: 2.25,
};

/** A fake CKAN: serves `records` by limit/offset, capping the page at rowsMax; records every URL asked. */
function fakeCkan(records: Json[], options: { fields?: Json[]; rowsMax?: number; answer?: (url: URL) => unknown } = {}) {
  const urls: string[] = [];
  const context = {
    warnings: [] as string[],
    fetchJson: async <T>(url: string): Promise<T> => {
      urls.push(url);
      const parsed = new URL(url);
      if (options.answer) return options.answer(parsed) as T;
      const limit = Math.min(Number(parsed.searchParams.get('limit')), options.rowsMax ?? 32_000);
      const offset = Number(parsed.searchParams.get('offset'));
      return {
        help: 'x',
        success: true,
        result: { resource_id: 'abc', fields: options.fields ?? PARTICIPATION_FIELDS, records: records.slice(offset, offset + limit), total: records.length, _links: {} },
      } as T;
    },
  };
  return { context, urls };
}

async function read<F extends string, R>(spec: CkanResourceSpec<F, R>, ckan: ReturnType<typeof fakeCkan>, url = URL_BASE): Promise<ParsedRow<R>[]> {
  const rows: ParsedRow<R>[] = [];
  for await (const row of readCkanDatastore(url, ckan.context, spec)) rows.push(row);
  return rows;
}

const participations = (records: Json[], options?: Parameters<typeof fakeCkan>[1]) => read(DIP_PARTICIPATION_SPEC, fakeCkan(records, options));
const assessments = (records: Json[]) =>
  read(DIP_I40_SPEC, fakeCkan(records, { fields: ASSESSMENT_FIELDS }));

function records<R>(rows: ParsedRow<R>[]): R[] {
  return rows.map((row) => {
    if (row.kind !== 'record') throw new Error(`expected a record, got ${JSON.stringify(row)}`);
    return row.record;
  });
}

describe('CKAN datastore reader', () => {
  it('pages by offset, one page at a time, until total', async () => {
    const all = Array.from({ length: 7 }, (_, i) => ({ ...PARTICIPATION, _id: i + 1, fiscal_year: String(2560 + i) }));
    const ckan = fakeCkan(all);
    const rows = await read(DIP_PARTICIPATION_SPEC, ckan, `${URL_BASE}&limit=3`);
    expect(records(rows).map((r) => r.year)).toEqual([2017, 2018, 2019, 2020, 2021, 2022, 2023]);
    expect(rows.map((row) => row.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(ckan.urls.map((url) => new URL(url).searchParams.toString())).toEqual([
      'resource_id=abc&limit=3&offset=0',
      'resource_id=abc&limit=3&offset=3',
      'resource_id=abc&limit=3&offset=6',
    ]);
  });

  it(`asks for ${CKAN_DEFAULT_PAGE_SIZE} records a page by default, and follows a portal that caps the page smaller`, async () => {
    const all = Array.from({ length: 5 }, (_, i) => ({ ...PARTICIPATION, _id: i + 1, fiscal_year: String(2560 + i) }));
    const ckan = fakeCkan(all, { rowsMax: 2 });
    const rows = await read(DIP_PARTICIPATION_SPEC, ckan);
    expect(rows).toHaveLength(5);
    expect(ckan.urls.map((url) => new URL(url).searchParams.get('offset'))).toEqual(['0', '2', '4']);
    expect(new URL(ckan.urls[0]!).searchParams.get('limit')).toBe(String(CKAN_DEFAULT_PAGE_SIZE));
  });

  it('stops on an empty page before the reported total, with a warning', async () => {
    const ckan = fakeCkan([], {
      answer: (url) => ({
        success: true,
        result: { fields: PARTICIPATION_FIELDS, records: url.searchParams.get('offset') === '0' ? [PARTICIPATION] : [], total: 5 },
      }),
    });
    const rows = await read(DIP_PARTICIPATION_SPEC, ckan);
    expect(rows).toHaveLength(1);
    expect(ckan.context.warnings).toEqual(['DIP participations resource: reported 5 records but served 1']);
  });

  it('fails with FeedFormatError on success: false, naming CKAN’s error', async () => {
    const ckan = fakeCkan([], { answer: () => ({ success: false, error: { __type: 'Not Found Error', message: 'Resource was not found.' } }) });
    const failure = read(DIP_PARTICIPATION_SPEC, ckan);
    await expect(failure).rejects.toThrow(FeedFormatError);
    await expect(failure).rejects.toThrow('DIP participations resource: CKAN answered success: false (Not Found Error: Resource was not found.)');
  });

  it('fails with FeedFormatError when result.records is missing, or the answer is no CKAN envelope', async () => {
    const noRecords = fakeCkan([], { answer: () => ({ success: true, result: { fields: PARTICIPATION_FIELDS, total: 0 } }) });
    await expect(read(DIP_PARTICIPATION_SPEC, noRecords)).rejects.toThrow(
      new FeedFormatError('DIP participations resource: the CKAN answer has no result.records list'),
    );
    const array = fakeCkan([], { answer: () => [] });
    await expect(read(DIP_PARTICIPATION_SPEC, array)).rejects.toThrow(FeedFormatError);
  });

  it('fails naming a required field missing from fields; warns once about an unknown field', async () => {
    const missing = PARTICIPATION_FIELDS.filter((field) => field.id !== 'programme_code');
    await expect(participations([PARTICIPATION], { fields: missing })).rejects.toThrow(
      new FeedFormatError('DIP participations resource is missing required field(s): programme_code'),
    );
    const ckan = fakeCkan([PARTICIPATION, { ...PARTICIPATION, fiscal_year: '2566' }], { fields: [...PARTICIPATION_FIELDS, { id: 'budget', type: 'numeric' }] });
    const rows = await read(DIP_PARTICIPATION_SPEC, ckan, `${URL_BASE}&limit=1`);
    expect(rows).toHaveLength(2);
    expect(ckan.context.warnings).toEqual(['unknown field(s) ignored: budget']);
  });
});

describe('DIP participations', () => {
  it('maps a clean record, the Buddhist Era fiscal year to the Common Era', async () => {
    expect(records(await participations([PARTICIPATION]))).toEqual<DipParticipationRecord[]>([
      { juristicId: TAX_ID, companyName: null, programmeCode: 'I40', programmeName: 'ยกระดับสู่ 4.0', year: 2024, province: 'ชลบุรี' },
    ]);
  });

  it('reads the optional company_name field, and loads a record without the ID when it names the firm', async () => {
    const fields = [...PARTICIPATION_FIELDS, { id: 'company_name', type: 'text' }];
    const named = { ...PARTICIPATION, company_name: 'บริษัท ศรีทอง สตีล จำกัด' };
    const rows = records(
      await participations(
        [named, ...[null, '', '-', '0000000000000'].map((id, i) => ({ ...named, _id: i + 2, juristic_id: id, company_name: 'บจก. ศรีทอง สตีล' }))],
        { fields },
      ),
    );
    expect(rows[0]).toMatchObject({ juristicId: TAX_ID, companyName: 'บริษัท ศรีทอง สตีล จำกัด' });
    expect(rows.slice(1)).toEqual(Array(4).fill({ ...rows[0], juristicId: null, companyName: 'บจก. ศรีทอง สตีล' }));
    expect(rows.map(participantKey)).toEqual([TAX_ID, ...Array(4).fill('name:ศรีทองสตีล')]);
    expect(dipParticipationSource.target.columns.find((c) => c.name === 'company_name_normalised')!.value(rows[1]!)).toBe('ศรีทองสตีล');
  });

  it('quarantines a record without the ID whose name is missing or gives nothing to link by', async () => {
    const fields = [...PARTICIPATION_FIELDS, { id: 'company_name', type: 'text' }];
    const rows = await participations(
      [
        { ...PARTICIPATION, juristic_id: '', company_name: null },
        { ...PARTICIPATION, juristic_id: '-', company_name: '–' },
      ],
      { fields },
    );
    expect(rows.map((row) => row.kind === 'rejected' && row.reason)).toEqual(Array(2).fill('juristic_id is missing and company_name gives no name to link by'));
  });

  it.each<[string, Json, Partial<DipParticipationRecord>]>([
    ['a juristic ID with dashes', { juristic_id: '0-10-5-536-11201-4' }, { juristicId: TAX_ID }],
    ['an Excel-quoted juristic ID', { juristic_id: `="${TAX_ID}"` }, { juristicId: TAX_ID }],
    ['a Common Era year', { fiscal_year: '2024' }, { year: 2024 }],
    ['a year in Thai digits', { fiscal_year: '๒๕๖๗' }, { year: 2024 }],
    ['a year as a JSON number', { fiscal_year: 2567 }, { year: 2024 }],
    ['a province with its prefix', { province: 'จังหวัดชลบุรี' }, { province: 'ชลบุรี' }],
    ['a lower-case code with spaces', { programme_code: ' i40 ' }, { programmeCode: 'I40' }],
    ['"-" for an empty name', { programme_name: '-' }, { programmeName: null }],
  ])('handles %s', async (_quirk, change, expected) => {
    expect(records(await participations([{ ...PARTICIPATION, ...change }]))).toMatchObject([expected]);
  });

  it('quarantines an invalid check digit and an impossible year, with the record as raw text', async () => {
    const rows = await participations([
      { ...PARTICIPATION, juristic_id: '0105536112015' },
      { ...PARTICIPATION, fiscal_year: '67' },
    ]);
    expect(rows).toEqual([
      { kind: 'rejected', line: 1, raw: { ...PARTICIPATION, _id: '1', juristic_id: '0105536112015' }, reason: 'juristic_id has an invalid check digit: "0105536112015"' },
      { kind: 'rejected', line: 2, raw: { ...PARTICIPATION, _id: '1', fiscal_year: '67' }, reason: 'fiscal_year is not a year: "67"' },
    ]);
  });

  it('re-parses a quarantined record', () => {
    expect(reparseDipParticipation({ _id: '1', juristic_id: OTHER_ID, programme_code: 'NEC', programme_name: '', fiscal_year: '2566', province: '' })).toEqual({
      kind: 'record',
      line: 0,
      record: { juristicId: OTHER_ID, companyName: null, programmeCode: 'NEC', programmeName: null, year: 2023, province: null },
    });
    expect(reparseDipParticipation({ juristic_id: '0105536112015', programme_code: 'NEC', programme_name: '', fiscal_year: '2566', province: '' })).toMatchObject({ kind: 'rejected' });
  });
});

describe('DIP Industry 4.0 assessments', () => {
  it('maps a clean record', async () => {
    expect(records(await assessments([ASSESSMENT]))).toEqual<DipI40AssessmentRecord[]>([
      {
        juristicId: TAX_ID,
        companyName: null,
        assessedOn: '2023-05-14',
        overallLevel: 2.5,
        smartOperation: 2,
        strategyOrganisation: 3,
        workforce: 2.5,
        technologyInnovation: 2.25,
        marketCustomerStandard: 3,
        itData: 2.25,
      },
    ]);
  });

  it.each<[string, Json, Partial<DipI40AssessmentRecord>]>([
    ['a Buddhist Era date', { assessed_on: '14/05/2566' }, { assessedOn: '2023-05-14' }],
    ['a Buddhist Era date in Thai digits', { assessed_on: '๑๔/๐๕/๒๕๖๖' }, { assessedOn: '2023-05-14' }],
    ['scores written as text', { overall_level: '2.50', workforce: ' 2.50 ' }, { overallLevel: 2.5, workforce: 2.5 }],
    ['"-" for a dimension not scored', { it_data: '-' }, { itData: null }],
    ['an ID with dashes', { juristic_id: '0-10-5-536-11201-4' }, { juristicId: TAX_ID }],
  ])('handles %s', async (_quirk, change, expected) => {
    expect(records(await assessments([{ ...ASSESSMENT, ...change }]))).toMatchObject([expected]);
  });

  it('quarantines levels outside 1.0-4.0 and a missing overall level, with reasons', async () => {
    const rows = await assessments([
      { ...ASSESSMENT, overall_level: 4.5 },
      { ...ASSESSMENT, workforce: 0 },
      { ...ASSESSMENT, overall_level: null },
      { ...ASSESSMENT, assessed_on: 'last year' },
    ]);
    expect(rows.map((row) => row.kind === 'rejected' && row.reason)).toEqual([
      'overall_level must be between 1 and 4, got 4.5',
      'workforce must be between 1 and 4, got 0',
      'overall_level is empty',
      'assessed_on is not a date: "last year"',
    ]);
    expect(rows[2]).toMatchObject({ raw: { overall_level: '' } });
  });

  it('fails naming a missing dimension field', async () => {
    const fields = ASSESSMENT_FIELDS.filter((field) => field.id !== 'it_data');
    await expect(read(DIP_I40_SPEC, fakeCkan([ASSESSMENT], { fields }))).rejects.toThrow(
      'DIP Industry 4.0 assessments resource is missing required field(s): it_data',
    );
  });

  it('re-parses a quarantined record, numbers stored as text', () => {
    const raw = Object.fromEntries(Object.entries(ASSESSMENT).map(([key, value]) => [key, String(value)]));
    expect(reparseDipI40Assessment(raw)).toMatchObject({ kind: 'record', record: { overallLevel: 2.5, itData: 2.25 } });
    expect(reparseDipI40Assessment({ ...raw, overall_level: '5' })).toMatchObject({ kind: 'rejected', reason: 'overall_level must be between 1 and 4, got 5' });
    expect(reparseDipI40Assessment({ ...raw, juristic_id: '', company_name: 'หจก. ศรีทอง' })).toMatchObject({ kind: 'record', record: { juristicId: null, companyName: 'หจก. ศรีทอง' } });
  });
});

describe('DIP source definitions', () => {
  it('are snapshot sources with their default schedules and keys among their columns', () => {
    const config = loadHubConfig({});
    expect(config.feeds['dip-participations']!.schedule).toBe(DIP_PARTICIPATIONS_DEFAULT_SCHEDULE);
    expect(config.feeds['dip-i40-assessments']!.schedule).toBe(DIP_I40_ASSESSMENTS_DEFAULT_SCHEDULE);
    expect(config.feeds['dip-participations']!.url).toMatch(/^http:\/\/127\.0\.0\.1:4100\/dip\/api\/3\/action\/datastore_search\?resource_id=/);
    for (const source of [dipParticipationSource, dipI40AssessmentSource]) {
      expect(source.mode).toBe('snapshot');
      expect(hubSources().get(source.id)).toBe(source);
      const columns = source.target.columns.map((c) => c.name);
      for (const key of source.target.key) expect(columns).toContain(key);
    }
    expect(dipParticipationSource.target.key).toEqual(['participant_key', 'programme_code', 'year']);
    expect(dipI40AssessmentSource.target.key).toEqual(['participant_key', 'assessed_on']);
  });
});
