import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { loadHubConfig } from '../../src/app/config';
import { FeedFormatError, type ParsedRow } from '../../src/ingestion/feed';
import { hubSources } from '../../src/sources/registry';
import { isValidThaiId, thaiIdCheckDigit } from '../../src/shared/thai-id';
import { parseTisiLicences, parseTisiStandards, reparseTisiLicence, reparseTisiStandard, standardNumber } from '../../src/sources/tisi/tisi.parser';
import {
  TISI_LICENCE_OPTIONAL_COLUMNS,
  TISI_LICENCE_REQUIRED_COLUMNS,
  TISI_STANDARD_COLUMNS,
  type TisLicenceRecord,
  type TisStandardRecord,
} from '../../src/sources/tisi/tisi.record';
import { TISI_LICENCES_DEFAULT_SCHEDULE, TISI_STANDARDS_DEFAULT_SCHEDULE, tisiLicenceSource, tisiStandardSource } from '../../src/sources/tisi/tisi.source';

const TAX_ID = '0105536112014'; // valid check digit (the domain brief's example, 0-10-5-536-11201-4)
const FID = '20010300000017';

function csvField(value: string): string {
  if (/^="[^",]*"$/.test(value)) return value; // Excel formula-quoted IDs are written unquoted
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csv(columns: readonly string[], rows: Record<string, string>[]): string {
  return [columns.join(','), ...rows.map((row) => columns.map((column) => csvField(row[column] ?? '')).join(','))].join('\r\n') + '\r\n';
}

/** Streams the text in 7-byte chunks, so rows and multibyte characters straddle chunks. */
async function parse<R>(
  parser: (input: Readable, context: { warnings: string[] }) => AsyncGenerator<ParsedRow<R>>,
  input: string | Buffer,
): Promise<{ rows: ParsedRow<R>[]; warnings: string[] }> {
  const context = { warnings: [] as string[] };
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += 7) chunks.push(bytes.subarray(offset, offset + 7));
  const rows: ParsedRow<R>[] = [];
  for await (const row of parser(Readable.from(chunks), context)) rows.push(row);
  return { rows, warnings: context.warnings };
}

function records<R>(rows: ParsedRow<R>[]): R[] {
  return rows.map((row) => {
    if (row.kind !== 'record') throw new Error(`expected a record, got ${JSON.stringify(row)}`);
    return row.record;
  });
}

function reasons<R>(rows: ParsedRow<R>[]): (string | false)[] {
  return rows.map((row) => row.kind === 'rejected' && row.reason);
}

describe('Thai ID check digit', () => {
  it('computes (11 - sum(d[i] * (13 - i)) mod 11) mod 10', () => {
    expect(thaiIdCheckDigit('010553611201')).toBe(4);
    expect(isValidThaiId(TAX_ID)).toBe(true);
    expect(isValidThaiId('0105536112015')).toBe(false);
    expect(isValidThaiId('010553611201')).toBe(false);
  });
});

describe('TISI standards parser', () => {
  const STANDARD = { TIS_NO: 'มอก. 2416-2552', TIS_NAME_TH: 'เหล็กเส้นเสริมคอนกรีต', TIS_TYPE: 'บ', STATUS: 'ใช้งาน' };
  const standards = (rows: Record<string, string>[], columns: readonly string[] = TISI_STANDARD_COLUMNS) => parse(parseTisiStandards, csv(columns, rows));

  it('maps a clean row, keyed by the number without มอก., with the Buddhist and Common Era years', async () => {
    const { rows, warnings } = await standards([STANDARD]);
    expect(records(rows)).toEqual<TisStandardRecord[]>([
      { tisNo: '2416-2552', number: 2416, yearBe: 2552, yearCe: 2009, nameTh: 'เหล็กเส้นเสริมคอนกรีต', mandatory: true, status: 'IN_FORCE', statusText: 'ใช้งาน' },
    ]);
    expect(warnings).toEqual([]);
  });

  it.each([
    ['no space after the prefix', 'มอก.2416-2552'],
    ['spaces around the dash', 'มอก. 2416 - 2552'],
    ['no prefix', '2416-2552'],
    ['Thai digits', 'มอก. ๒๔๑๖-๒๕๕๒'],
    ['the English prefix', 'TIS 2416-2552'],
    ['an Excel-quoted value', '="มอก. 2416-2552"'],
    ['a Common Era year', 'มอก. 2416-2009'],
  ])('normalises a standard number with %s', async (_quirk, written) => {
    const { rows } = await standards([{ ...STANDARD, TIS_NO: written }]);
    expect(records(rows).map((r) => r.tisNo)).toEqual(['2416-2552']);
  });

  it('reads the type written as บ/ท or in words', async () => {
    const { rows } = await standards([
      { ...STANDARD, TIS_TYPE: 'ท' },
      { ...STANDARD, TIS_TYPE: 'บังคับ' },
      { ...STANDARD, TIS_TYPE: 'ทั่วไป' },
    ]);
    expect(records(rows).map((r) => r.mandatory)).toEqual([false, true, false]);
  });

  it('folds the two-character sara am in names and maps unknown statuses to UNKNOWN', async () => {
    const { rows } = await standards([{ ...STANDARD, TIS_NAME_TH: 'น\u0E4D\u0E49\u0E32มันหล่อลื่น', STATUS: 'ทบทวน' }]);
    expect(records(rows)).toMatchObject([{ nameTh: 'น\u0E49\u0E33มันหล่อลื่น', status: 'UNKNOWN', statusText: 'ทบทวน' }]);
  });

  it('rejects a number without its year, and a type that is neither บ nor ท, with reasons', async () => {
    const { rows } = await standards([{ ...STANDARD, TIS_NO: 'มอก. 2416' }, { ...STANDARD, TIS_TYPE: '?' }, { ...STANDARD, TIS_NAME_TH: '-' }]);
    expect(reasons(rows)).toEqual([
      'TIS_NO is not a standard number (มอก. number-year): "มอก. 2416"',
      'TIS_TYPE must be บ (mandatory) or ท (voluntary), got "?"',
      'TIS_NAME_TH is empty',
    ]);
    expect(rows.map((row) => row.line)).toEqual([2, 3, 4]);
    expect(rows[0]).toMatchObject({ raw: { TIS_NO: 'มอก. 2416', TIS_TYPE: 'บ' } });
  });

  it('fails the feed naming a missing required column, and warns about unknown ones', async () => {
    await expect(standards([STANDARD], ['TIS_NO', 'TIS_TYPE', 'STATUS'])).rejects.toThrow(
      new FeedFormatError('TISI standards feed is missing required column(s): TIS_NAME_TH'),
    );
    const { rows, warnings } = await standards([{ ...STANDARD, REMARK: 'x' }], [...TISI_STANDARD_COLUMNS, 'REMARK']);
    expect(rows).toHaveLength(1);
    expect(warnings).toEqual(['unknown column(s) ignored: REMARK']);
  });

  it('fails on an HTML page and on an empty feed', async () => {
    await expect(parse(parseTisiStandards, '<!DOCTYPE html><html></html>')).rejects.toThrow(/HTML page/);
    await expect(parse(parseTisiStandards, '')).rejects.toThrow(/empty/);
  });

  it('decodes a TIS-620 file', async () => {
    const { rows, warnings } = await parse(parseTisiStandards, iconv.encode(csv(TISI_STANDARD_COLUMNS, [STANDARD]), 'win874'));
    expect(records(rows).map((r) => r.nameTh)).toEqual(['เหล็กเส้นเสริมคอนกรีต']);
    expect(warnings).toEqual(['feed is not UTF-8: decoded as Windows-874 (TIS-620)']);
  });

  it('re-parses a quarantined row with today’s rules', () => {
    expect(reparseTisiStandard({ ...STANDARD, TIS_NO: 'มอก. 2416 - 2552' })).toMatchObject({ kind: 'record', record: { tisNo: '2416-2552' } });
    expect(reparseTisiStandard({ ...STANDARD, TIS_NO: '2416' })).toMatchObject({ kind: 'rejected' });
    expect(standardNumber('มอก.๒๔๑๖-๒๕๕๒', 'TIS_NO')).toEqual({ tisNo: '2416-2552', number: 2416, yearBe: 2552 });
  });
});

describe('TISI licences parser', () => {
  const COLUMNS = [...TISI_LICENCE_REQUIRED_COLUMNS, ...TISI_LICENCE_OPTIONAL_COLUMNS];
  const LICENCE: Record<string, string> = {
    LICENSE_NO: 'ท0001-65/2416',
    LICENSE_TYPE: 'ทำ',
    ISSUE_DATE: '15/03/2565',
    TIS_NO: 'มอก. 2416-2552',
    LICENSEE_NAME: 'บริษัท ศรีทอง สตีล จำกัด',
    TAX_ID: TAX_ID,
    FID: FID,
    STATUS: 'ปกติ',
    SUSPENDED_DATE: '',
    CANCELLED_DATE: '',
  };
  const licences = (rows: Record<string, string>[], columns: readonly string[] = COLUMNS) => parse(parseTisiLicences, csv(columns, rows));

  it('maps a clean row', async () => {
    const { rows } = await licences([LICENCE]);
    expect(records(rows)).toEqual<TisLicenceRecord[]>([
      {
        licenceNo: 'ท0001-65/2416',
        licenceType: 'ทำ',
        issuedOn: '2022-03-15',
        tisNo: '2416-2552',
        licenseeName: 'บริษัท ศรีทอง สตีล จำกัด',
        licenseeTaxId: TAX_ID,
        fid: FID,
        status: 'VALID',
        statusText: 'ปกติ',
        suspendedOn: null,
        cancelledOn: null,
      },
    ]);
  });

  it('unwraps Excel-quoted tax and factory IDs', async () => {
    const { rows } = await licences([{ ...LICENCE, TAX_ID: `="  ${TAX_ID}"`, FID: `="${FID}"` }]);
    expect(records(rows)).toMatchObject([{ licenseeTaxId: TAX_ID, fid: FID }]);
  });

  it('reads a tax ID written with dashes', async () => {
    const { rows } = await licences([{ ...LICENCE, TAX_ID: '0-10-5-536-11201-4' }]);
    expect(records(rows)).toMatchObject([{ licenseeTaxId: TAX_ID }]);
  });

  it('reads Buddhist Era dates in Thai digits, and ISO dates', async () => {
    const { rows } = await licences([
      { ...LICENCE, ISSUE_DATE: '๑๕/๐๓/๒๕๖๕', STATUS: 'พักใช้', SUSPENDED_DATE: '๐๑/๐๒/๒๕๖๗' },
      { ...LICENCE, ISSUE_DATE: '2022-03-15', STATUS: 'เพิกถอน', CANCELLED_DATE: '2023-01-31' },
    ]);
    expect(records(rows)).toMatchObject([
      { issuedOn: '2022-03-15', status: 'SUSPENDED', suspendedOn: '2024-02-01' },
      { issuedOn: '2022-03-15', status: 'CANCELLED', cancelledOn: '2023-01-31' },
    ]);
  });

  it('reads "-" as empty (no factory ID, no dates)', async () => {
    const { rows } = await licences([{ ...LICENCE, FID: '-', SUSPENDED_DATE: '-', CANCELLED_DATE: ' - ' }]);
    expect(records(rows)).toMatchObject([{ fid: null, suspendedOn: null, cancelledOn: null }]);
  });

  it('removes spaces in licence and standard numbers', async () => {
    const { rows } = await licences([{ ...LICENCE, LICENSE_NO: 'ท 0001 - 65 / 2416', TIS_NO: 'มอก. 2416 - 2552' }]);
    expect(records(rows)).toMatchObject([{ licenceNo: 'ท0001-65/2416', tisNo: '2416-2552' }]);
  });

  it.each([
    ['blank', ''],
    ['a dash', '-'],
    ['the all-zero placeholder', '0000000000000'],
    ['the all-zero placeholder, Excel-quoted in Thai digits', '="๐๐๐๐๐๐๐๐๐๐๐๐๐"'],
  ])('loads a licence whose tax ID is %s when the licensee is named (linked by name later)', async (_written, taxId) => {
    const { rows } = await licences([{ ...LICENCE, TAX_ID: taxId, LICENSEE_NAME: 'บจก. ศรีทอง สตีล' }]);
    expect(records(rows)).toMatchObject([{ licenseeTaxId: null, licenseeName: 'บจก. ศรีทอง สตีล' }]);
  });

  it('quarantines a licence with neither tax ID nor licensee name', async () => {
    const { rows } = await licences([{ ...LICENCE, TAX_ID: '-', LICENSEE_NAME: '' }]);
    expect(reasons(rows)).toEqual(['TAX_ID is missing and LICENSEE_NAME is empty: the licensee cannot be identified']);
  });

  it('quarantines a tax ID with an invalid check digit (never guessing), and other malformed rows, with reasons', async () => {
    const { rows } = await licences([
      { ...LICENCE, TAX_ID: '0105536112015' },
      { ...LICENCE, TAX_ID: '010553611201' },
      { ...LICENCE, FID: '2001030000001' },
      { ...LICENCE, ISSUE_DATE: '31/02/2565' },
      { ...LICENCE, ISSUE_DATE: '' },
      { ...LICENCE, LICENSE_NO: '-' },
    ]);
    expect(reasons(rows)).toEqual([
      'TAX_ID has an invalid check digit: "0105536112015"',
      'TAX_ID must be 13 digits, got "010553611201"',
      'FID must be 14 digits, got "2001030000001"',
      'ISSUE_DATE is not a valid date: "31/02/2565"',
      'ISSUE_DATE is missing',
      'LICENSE_NO is empty',
    ]);
    expect(rows[0]).toMatchObject({ kind: 'rejected', line: 2, raw: { LICENSE_NO: 'ท0001-65/2416', TAX_ID: '0105536112015' } });
  });

  it('rejects a row with the wrong number of fields, keeping its text', async () => {
    const text = `${csv(COLUMNS, [LICENCE])}ท0002-65/2416,ทำ,15/03/2565\r\n`;
    const { rows } = await parse(parseTisiLicences, text);
    expect(rows[1]).toEqual({ kind: 'rejected', line: 3, raw: 'ท0002-65/2416,ทำ,15/03/2565', reason: `expected ${COLUMNS.length} fields, got 3` });
  });

  it('fails the feed naming a missing required column; optional columns may be absent', async () => {
    await expect(licences([LICENCE], COLUMNS.filter((c) => c !== 'TAX_ID'))).rejects.toThrow('TISI licences feed is missing required column(s): TAX_ID');
    const { rows, warnings } = await licences([LICENCE], TISI_LICENCE_REQUIRED_COLUMNS);
    expect(records(rows)).toMatchObject([{ licenseeName: null, suspendedOn: null }]);
    expect(warnings).toEqual([]);
  });

  it('re-parses a quarantined row once its value is corrected', () => {
    expect(reparseTisiLicence({ ...LICENCE, TAX_ID: '0105536112015' })).toMatchObject({ kind: 'rejected', reason: /check digit/ });
    expect(reparseTisiLicence({ ...LICENCE, TAX_ID: '0105536112014' })).toMatchObject({ kind: 'record', record: { licenseeTaxId: TAX_ID } });
    expect(reparseTisiLicence('ท0002,ทำ')).toMatchObject({ kind: 'rejected' });
    expect(reparseTisiLicence({ ...LICENCE, TAX_ID: '' })).toMatchObject({ kind: 'record', record: { licenseeTaxId: null } });
  });
});

describe('TISI source definitions', () => {
  it('are snapshot sources with their default schedules, feed URLs on the simulator, and keys among their columns', () => {
    const config = loadHubConfig({});
    expect(config.feeds['tisi-standards']).toEqual({ url: 'http://127.0.0.1:4100/tisi/standards.csv', schedule: TISI_STANDARDS_DEFAULT_SCHEDULE, settings: {} });
    expect(config.feeds['tisi-licences']).toEqual({ url: 'http://127.0.0.1:4100/tisi/licences.csv', schedule: TISI_LICENCES_DEFAULT_SCHEDULE, settings: {} });
    expect(loadHubConfig({ TISI_LICENCES_FEED_URL: 'https://data.tisi.go.th/licences.csv' }).feeds['tisi-licences']!.url).toBe('https://data.tisi.go.th/licences.csv');
    for (const source of [tisiStandardSource, tisiLicenceSource]) {
      expect(source.mode).toBe('snapshot');
      expect(source.staleAfterHours).toBe(48);
      expect(hubSources().get(source.id)).toBe(source);
      const columns = source.target.columns.map((c) => c.name);
      for (const key of source.target.key) expect(columns).toContain(key);
    }
  });
});
