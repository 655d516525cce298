import { Readable } from 'node:stream';
import { loadHubConfig } from '../../src/app/config';
import { FeedFormatError, type ParsedRow } from '../../src/ingestion/feed';
import { month, parseOieMpi, reparseOieMpiRow } from '../../src/sources/oie/oie.parser';
import { OIE_MPI_DEFAULT_SCHEDULE, oieMpiSource } from '../../src/sources/oie/oie.source';
import { hubSources } from '../../src/sources/registry';
import { OIE_MPI_OPTIONAL_COLUMNS, OIE_MPI_REQUIRED_COLUMNS, type IndustrialIndexRecord } from '../../src/sources/oie/oie.record';

const COLUMNS = ['INDUSTRY_CODE', 'INDUSTRY_NAME', 'MONTH', 'MPI', 'CAP_U'];
const ROW: Record<string, string> = { INDUSTRY_CODE: '10', INDUSTRY_NAME: 'การผลิตผลิตภัณฑ์อาหาร', MONTH: '2024-03', MPI: '104.25', CAP_U: '63.10' };

function csvField(value: string): string {
  if (/^="[^",]*"$/.test(value)) return value;
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csv(rows: Record<string, string>[], columns: string[] = COLUMNS): string {
  return [columns.join(','), ...rows.map((row) => columns.map((column) => csvField(row[column] ?? '')).join(','))].join('\n') + '\n';
}

async function parse(text: string): Promise<{ rows: ParsedRow<IndustrialIndexRecord>[]; warnings: string[] }> {
  const context = { warnings: [] as string[] };
  const rows: ParsedRow<IndustrialIndexRecord>[] = [];
  for await (const row of parseOieMpi(Readable.from([Buffer.from(text, 'utf8')]), context)) rows.push(row);
  return { rows, warnings: context.warnings };
}

async function records(rows: Record<string, string>[]): Promise<IndustrialIndexRecord[]> {
  const parsed = await parse(csv(rows));
  return parsed.rows.map((row) => {
    if (row.kind !== 'record') throw new Error(`expected a record, got ${JSON.stringify(row)}`);
    return row.record;
  });
}

describe('OIE MPI parser', () => {
  it('maps a clean row, the month as the date of its first day', async () => {
    await expect(records([ROW])).resolves.toEqual<IndustrialIndexRecord[]>([
      { industryCode: '10', industryName: 'การผลิตผลิตภัณฑ์อาหาร', month: '2024-03-01', mpi: 104.25, capacityUtilisation: 63.1 },
    ]);
  });

  it.each<[string, Record<string, string>, Partial<IndustrialIndexRecord>]>([
    ['a Buddhist Era month', { MONTH: '2567-03' }, { month: '2024-03-01' }],
    ['a month in Thai digits', { MONTH: '๒๕๖๗-๐๓' }, { month: '2024-03-01' }],
    ['month first', { MONTH: '03/2567' }, { month: '2024-03-01' }],
    ['an Excel-quoted code', { INDUSTRY_CODE: '="10"' }, { industryCode: '10' }],
    ['"-" for capacity utilisation not published', { CAP_U: '-' }, { capacityUtilisation: null }],
    ['numbers padded with spaces', { MPI: ' 104.25 ', CAP_U: ' 63.10' }, { mpi: 104.25, capacityUtilisation: 63.1 }],
    ['the all-manufacturing code in lower case', { INDUSTRY_CODE: 'c' }, { industryCode: 'C' }],
    ['a decomposed sara am', { INDUSTRY_NAME: 'การท\u0E4D\u0E32เหมือง' }, { industryName: 'การท\u0E33เหมือง' }],
  ])('handles %s', async (_quirk, change, expected) => {
    await expect(records([{ ...ROW, ...change }])).resolves.toMatchObject([expected]);
  });

  it('quarantines out-of-range values and impossible months, with reasons', async () => {
    const { rows } = await parse(
      csv([
        { ...ROW, CAP_U: '104.37' },
        { ...ROW, MPI: '-104.25' },
        { ...ROW, MPI: '' },
        { ...ROW, MONTH: '2024-13' },
        { ...ROW, MONTH: 'March 2024' },
        { ...ROW, INDUSTRY_CODE: 'C10X' },
      ]),
    );
    expect(rows.map((row) => row.kind === 'rejected' && row.reason)).toEqual([
      'CAP_U must be between 0 and 100, got 104.37',
      'MPI must be between 0 and 1000, got -104.25',
      'MPI is empty',
      'MONTH is not a valid month: "2024-13"',
      'MONTH is not a month (YYYY-MM): "March2024"',
      'INDUSTRY_CODE must be C or 2-5 digits, got "C10X"',
    ]);
    expect(rows[0]).toMatchObject({ line: 2, raw: { ...ROW, CAP_U: '104.37' } });
  });

  it('fails naming a missing required column; warns about unknown ones; the name column is optional', async () => {
    await expect(parse(csv([ROW], ['INDUSTRY_CODE', 'MONTH', 'CAP_U']))).rejects.toThrow(new FeedFormatError('OIE MPI feed is missing required column(s): MPI'));
    const { rows, warnings } = await parse(csv([{ ...ROW, SOURCE: 'สศอ.' }], [...OIE_MPI_REQUIRED_COLUMNS, 'SOURCE']));
    expect(rows).toMatchObject([{ kind: 'record', record: { industryName: null } }]);
    expect(warnings).toEqual(['unknown column(s) ignored: SOURCE']);
    expect(OIE_MPI_OPTIONAL_COLUMNS).toEqual(['INDUSTRY_NAME']);
  });

  it('re-parses a quarantined row once corrected', () => {
    expect(reparseOieMpiRow({ ...ROW, CAP_U: '104.37' })).toMatchObject({ kind: 'rejected' });
    expect(reparseOieMpiRow({ ...ROW, CAP_U: '94.37' })).toMatchObject({ kind: 'record', record: { capacityUtilisation: 94.37 } });
    expect(month('2024-03-01')).toBe('2024-03-01');
  });
});

describe('OIE source definition', () => {
  it('is a monthly snapshot source keyed by industry and month', () => {
    expect(loadHubConfig({}).feeds['oie-mpi']).toEqual({ url: 'http://127.0.0.1:4100/oie/mpi.csv', schedule: OIE_MPI_DEFAULT_SCHEDULE, settings: {} });
    expect(OIE_MPI_DEFAULT_SCHEDULE).toMatch(/^\d+ \d+ \d+ \* \*$/);
    expect(oieMpiSource.mode).toBe('snapshot');
    expect(oieMpiSource.target).toMatchObject({ table: 'registry.industrial_index', key: ['industry_code', 'month'] });
    expect(hubSources().get('oie-mpi')).toBe(oieMpiSource);
  });
});
