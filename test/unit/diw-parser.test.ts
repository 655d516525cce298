import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { FeedFormatError, type ParsedRow } from '../../src/ingestion/feed';
import { parseDiwFactories } from '../../src/sources/diw/diw.parser';
import { DIW_OPTIONAL_COLUMNS, DIW_REQUIRED_COLUMNS, type FactoryRecord } from '../../src/sources/diw/diw.record';

const COLUMNS: string[] = [...DIW_REQUIRED_COLUMNS, ...DIW_OPTIONAL_COLUMNS];

/** A clean row; each test overrides the fields it is about. */
const BASE_ROW: Record<string, string> = {
  FACREG: '3-106-33/50ชบ',
  DISPFACREG: '3-106-33/50',
  FID: '20010300000017',
  FACTYPE: '106',
  FNAME: 'บริษัท ศรีทอง รีไซเคิล จำกัด',
  ONAME: 'บริษัท ศรีทอง รีไซเคิล จำกัด',
  OBJECT: 'คัดแยกวัสดุที่ไม่ใช้แล้ว',
  FADDR: '99/9',
  FMOO: '3',
  FSOI: '',
  FROAD: 'สุขุมวิท',
  FTUMNAME: 'ดอนหัวฬ่อ',
  FAMPNAME: 'เมืองชลบุรี',
  FPROVNAME: 'ชลบุรี',
  TOTAL_CAP: '12500000',
  TOTAL_WORKER: '45',
  HP: '850.5',
  LAT: '13.4201',
  LNG: '101.0134',
  ISIC_CODE: '38302',
  ESTATE: '03',
  ESTATE_NAME_TH: 'นิคมอุตสาหกรรมอมตะซิตี้ ชลบุรี',
  LAST_UPDATE: '2024-03-15',
  FFLAG: '1',
  TRADE: '0205556012341',
};

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csv(rows: Record<string, string>[], columns: string[] = COLUMNS): string {
  const lines = rows.map((row) => columns.map((column) => csvField(row[column] ?? '')).join(','));
  return [columns.join(','), ...lines].join('\n') + '\n';
}

function row(overrides: Record<string, string> = {}): Record<string, string> {
  return { ...BASE_ROW, ...overrides };
}

async function parseFeed(input: string | Buffer): Promise<{ rows: ParsedRow<FactoryRecord>[]; warnings: string[] }> {
  const context = { warnings: [] as string[] };
  const rows: ParsedRow<FactoryRecord>[] = [];
  // Small chunks so that records and multibyte characters straddle chunk boundaries.
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += 7) chunks.push(bytes.subarray(offset, offset + 7));
  for await (const parsed of parseDiwFactories(Readable.from(chunks), context)) rows.push(parsed);
  return { rows, warnings: context.warnings };
}

async function onlyRecord(input: string | Buffer): Promise<FactoryRecord> {
  const { rows } = await parseFeed(input);
  expect(rows).toHaveLength(1);
  const [parsed] = rows;
  if (parsed?.kind !== 'record') throw new Error(`expected a record, got ${JSON.stringify(parsed)}`);
  return parsed.record;
}

describe('parseDiwFactories', () => {
  it('maps a clean row to a FactoryRecord', async () => {
    await expect(onlyRecord(csv([row()]))).resolves.toEqual<FactoryRecord>({
      fid: '20010300000017',
      legacyRegNo: '3-106-33/50ชบ',
      displayRegNo: '3-106-33/50',
      factoryType: '106',
      name: 'บริษัท ศรีทอง รีไซเคิล จำกัด',
      operatorName: 'บริษัท ศรีทอง รีไซเคิล จำกัด',
      objective: 'คัดแยกวัสดุที่ไม่ใช้แล้ว',
      address: '99/9',
      moo: '3',
      soi: null,
      road: 'สุขุมวิท',
      subdistrict: 'ดอนหัวฬ่อ',
      district: 'เมืองชลบุรี',
      province: 'ชลบุรี',
      capitalBaht: 12_500_000,
      workers: 45,
      horsepower: 850.5,
      lat: 13.4201,
      lng: 101.0134,
      isicCode: '38302',
      estateCode: '03',
      estateName: 'นิคมอุตสาหกรรมอมตะซิตี้ ชลบุรี',
      sourceUpdatedAt: '2024-03-15',
      statusCode: '1',
      operatorTaxId: '0205556012341',
    });
  });

  it('unwraps Excel-quoted IDs and keeps their leading zeros', async () => {
    const header = COLUMNS.join(',');
    const line = COLUMNS.map((column) => (column === 'FID' ? '="  02010300000017"' : csvField(BASE_ROW[column]!))).join(',');
    const record = await onlyRecord(`${header}\n${line}\n`);
    expect(record.fid).toBe('02010300000017');
  });

  it('removes spaces inside display numbers', async () => {
    const record = await onlyRecord(csv([row({ DISPFACREG: '1 - 10 - 1 / 2560' })]));
    expect(record.displayRegNo).toBe('1-10-1/2560');
  });

  it('reads "-" as empty', async () => {
    const record = await onlyRecord(csv([row({ FSOI: '-', FROAD: ' - ', ESTATE: '-', ESTATE_NAME_TH: '--', TRADE: '-' })]));
    expect([record.soi, record.road, record.estateCode, record.estateName, record.operatorTaxId]).toEqual([null, null, null, null, null]);
  });

  it('reads blank fields as empty', async () => {
    const record = await onlyRecord(csv([row({ ONAME: '   ', TOTAL_CAP: '', HP: '', LAST_UPDATE: '', FFLAG: '' })]));
    expect([record.operatorName, record.capitalBaht, record.horsepower, record.sourceUpdatedAt, record.statusCode]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('drops coordinates that are 0, 1 or outside Thailand, and fixes swapped ones', async () => {
    const { rows } = await parseFeed(
      csv([
        row({ LAT: '0', LNG: '0' }),
        row({ LAT: '1', LNG: '1' }),
        row({ LAT: '13.75', LNG: '0' }),
        row({ LAT: '35.68', LNG: '139.69' }),
        row({ LAT: '101.0134', LNG: '13.4201' }),
      ]),
    );
    const coordinates = rows.map((parsed) => (parsed.kind === 'record' ? [parsed.record.lat, parsed.record.lng] : parsed.reason));
    expect(coordinates).toEqual([
      [null, null],
      [null, null],
      [null, null],
      [null, null],
      [13.4201, 101.0134],
    ]);
  });

  it('accepts thousands separators in amounts', async () => {
    const record = await onlyRecord(csv([row({ TOTAL_CAP: '1,250,000.50', TOTAL_WORKER: '1,200' })]));
    expect([record.capitalBaht, record.workers]).toEqual([1_250_000.5, 1200]);
  });

  it('skips a UTF-8 byte order mark', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv([row()]), 'utf8')]);
    const { rows, warnings } = await parseFeed(bytes);
    expect(rows.map((parsed) => parsed.kind)).toEqual(['record']);
    expect(warnings).toEqual([]);
  });

  it('writes the province as the reference table names it, whatever prefix or short form the clerk used', async () => {
    const written = ['จังหวัดชลบุรี', 'จ.ชลบุรี', 'ชลบุรี', 'กรุงเทพฯ', 'กทม.', 'ราชบุรี'];
    const { rows } = await parseFeed(Buffer.from(csv(written.map((province, i) => row({ FID: `1020000000000${i}`, FPROVNAME: province }))), 'utf8'));
    expect(rows.map((parsed) => parsed.kind === 'record' && parsed.record.province)).toEqual(['ชลบุรี', 'ชลบุรี', 'ชลบุรี', 'กรุงเทพมหานคร', 'กรุงเทพมหานคร', 'ราชบุรี']);
  });

  it('decodes a TIS-620 (Windows-874) file and says so', async () => {
    const bytes = iconv.encode(csv([row()]), 'win874');
    expect(bytes.includes(Buffer.from('ศรีทอง', 'utf8'))).toBe(false);
    const { rows, warnings } = await parseFeed(bytes);
    expect(rows).toHaveLength(1);
    const [parsed] = rows;
    expect(parsed?.kind === 'record' && [parsed.record.name, parsed.record.province]).toEqual(['บริษัท ศรีทอง รีไซเคิล จำกัด', 'ชลบุรี']);
    expect(warnings).toEqual(['feed is not UTF-8: decoded as Windows-874 (TIS-620)']);
  });

  it('normalises to NFC and folds the two-character sara am', async () => {
    const decomposedAm = 'บริษัท ศรีทอง รีไซเคิล จ\u0E4D\u0E32กัด';
    const tonesOutOfOrder = 'แปรรูปก\u0E49\u0E38งแช่เยือกแข็ง'; // tone mark typed before the vowel below
    const record = await onlyRecord(csv([row({ ONAME: decomposedAm, OBJECT: tonesOutOfOrder, FNAME: 'น\u0E4D\u0E49\u0E32ตาล  ไทย' })]));
    expect(record.operatorName).toBe('บริษัท ศรีทอง รีไซเคิล จ\u0E33กัด');
    expect(record.objective).toBe('แปรรูปก\u0E38\u0E49งแช่เยือกแข็ง');
    expect(record.name).toBe('น\u0E49\u0E33ตาล ไทย');
  });

  it('reads Thai digits and Buddhist Era dates', async () => {
    const { rows } = await parseFeed(
      csv([
        row({ LAST_UPDATE: '๑๕/๐๓/๒๕๖๗', TOTAL_WORKER: '๔๕', FID: '๒๐๐๑๐๓๐๐๐๐๐๐๑๗' }),
        row({ LAST_UPDATE: '01/02/2567' }),
        row({ LAST_UPDATE: '01/02/2024' }),
      ]),
    );
    const records = rows.map((parsed) => (parsed.kind === 'record' ? parsed.record : parsed.reason));
    expect(records).toMatchObject([
      { sourceUpdatedAt: '2024-03-15', workers: 45, fid: '20010300000017' },
      { sourceUpdatedAt: '2024-02-01' },
      { sourceUpdatedAt: '2024-02-01' },
    ]);
  });

  it('rejects a row with an invalid date', async () => {
    const { rows } = await parseFeed(csv([row({ LAST_UPDATE: '31/02/2567' }), row({ LAST_UPDATE: 'yesterday' })]));
    expect(rows.map((parsed) => parsed.kind === 'rejected' && parsed.reason)).toEqual([
      'LAST_UPDATE is not a valid date: "31/02/2567"',
      'LAST_UPDATE is not a date: "yesterday"',
    ]);
  });

  it('reads an operator tax ID (TRADE) with dashes or Excel quotes; a malformed one or a wrong check digit is ignored, the factory kept, with one warning', async () => {
    const { rows, warnings } = await parseFeed(
      csv([row({ TRADE: '0-2055-56012-34-1' }), row({ TRADE: '="0205556012341"' }), row({ TRADE: '0205556012345' }), row({ TRADE: '020555601234' })]),
    );
    expect(rows.map((parsed) => (parsed.kind === 'record' ? parsed.record.operatorTaxId : parsed.reason))).toEqual(['0205556012341', '0205556012341', null, null]);
    expect(warnings).toEqual(['TRADE: 2 operator tax ID(s) ignored, the factories loaded without them (first at line 4: TRADE has an invalid check digit: "0205556012345")']);
  });

  it('rejects a row with a bad FID and loads the others', async () => {
    const { rows } = await parseFeed(csv([row(), row({ FID: '200103000000' }), row({ FID: '2001030000001O' })]));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ kind: 'record', line: 2 });
    expect(rows[1]).toEqual({
      kind: 'rejected',
      line: 3,
      raw: row({ FID: '200103000000' }),
      reason: 'FID must be 14 digits, got "200103000000"',
    });
    expect(rows[2]).toMatchObject({ kind: 'rejected', line: 4, reason: 'FID must be 14 digits, got "2001030000001O"' });
  });

  it('rejects empty names, non-numeric and negative amounts', async () => {
    const { rows } = await parseFeed(
      csv([row({ FNAME: '-' }), row({ TOTAL_CAP: 'ห้าล้าน' }), row({ HP: '-20' }), row({ TOTAL_WORKER: '12.5' }), row({ TOTAL_CAP: '1,25,000' })]),
    );
    expect(rows.map((parsed) => parsed.kind === 'rejected' && parsed.reason)).toEqual([
      'FNAME is empty',
      'TOTAL_CAP is not a number: "ห้าล้าน"',
      'HP must not be negative, got -20',
      'TOTAL_WORKER must be a whole number, got 12.5',
      'TOTAL_CAP is not a number: "1,25,000"',
    ]);
  });

  it('rejects a row with the wrong number of fields and loads the others', async () => {
    const good = csv([row(), row({ FID: '20010300000025' })]).split('\n');
    const short = 'only,three,fields';
    const input = [good[0], good[1], short, good[2], ''].join('\n');
    const { rows } = await parseFeed(input);
    expect(rows).toEqual([
      expect.objectContaining({ kind: 'record', line: 2 }),
      { kind: 'rejected', line: 3, raw: short, reason: `expected ${COLUMNS.length} fields, got 3` },
      expect.objectContaining({ kind: 'record', line: 4, record: expect.objectContaining({ fid: '20010300000025' }) }),
    ]);
  });

  it('rejects a row CSV cannot read (quote never closed) with its raw text', async () => {
    const input = `${csv([row()])}20010300000025,"unclosed\n`;
    const { rows } = await parseFeed(input);
    expect(rows).toEqual([
      expect.objectContaining({ kind: 'record', line: 2 }),
      {
        kind: 'rejected',
        line: 3,
        raw: '20010300000025,"unclosed',
        reason: expect.stringMatching(/^unreadable CSV row: Quote Not Closed/),
      },
    ]);
  });

  it('counts physical lines when a quoted field spans lines', async () => {
    const { rows } = await parseFeed(csv([row({ FADDR: '99/9\nอาคาร A' }), row()]));
    expect(rows.map((parsed) => parsed.line)).toEqual([2, 4]);
    expect(rows[0]?.kind === 'record' && rows[0].record.address).toBe('99/9 อาคาร A');
  });

  it('fails the feed when a required column is missing, naming it', async () => {
    const columns = COLUMNS.filter((column) => column !== 'FNAME' && column !== 'FPROVNAME');
    const promise = parseFeed(csv([row()], [...columns, 'REMARK']));
    await expect(promise).rejects.toThrow(FeedFormatError);
    await expect(promise).rejects.toThrow('DIW feed is missing required column(s): FNAME, FPROVNAME');
  });

  it('reads a column under a name other DIW feeds use, and says so', async () => {
    const columns = COLUMNS.map((column) => (column === 'FPROVNAME' ? 'PROVINCE' : column));
    const { rows, warnings } = await parseFeed(csv([{ ...row(), PROVINCE: BASE_ROW.FPROVNAME! }], columns));
    expect(rows[0]?.kind === 'record' && rows[0].record.province).toBe(BASE_ROW.FPROVNAME);
    expect(warnings).toEqual(['column(s) read under another name: PROVINCE as FPROVNAME']);
  });

  it('fails the feed when it gets an HTML page', async () => {
    const page = '\n  <!DOCTYPE html>\n<html><head><title>ปิดปรับปรุงระบบ</title></head><body>ขออภัย ระบบปิดปรับปรุง</body></html>\n';
    const promise = parseFeed(page);
    await expect(promise).rejects.toThrow(FeedFormatError);
    await expect(promise).rejects.toThrow(/HTML/);
  });

  it('fails the feed when it is empty', async () => {
    await expect(parseFeed('')).rejects.toThrow(new FeedFormatError('DIW feed is empty: no header line'));
  });

  it('warns about unknown extra columns and matches header names loosely', async () => {
    const columns = [...COLUMNS.map((column) => (column === 'FNAME' ? ' fname ' : column)), 'REMARK', 'X_EXTRA'];
    const { rows, warnings } = await parseFeed(csv([{ ...row(), ' fname ': BASE_ROW.FNAME!, REMARK: 'ok', X_EXTRA: '1' }], columns));
    expect(rows.map((parsed) => parsed.kind)).toEqual(['record']);
    expect(warnings).toEqual(['unknown column(s) ignored: REMARK, X_EXTRA']);
  });

  it('accepts the open-data header without FFLAG and TRADE', async () => {
    const record = await onlyRecord(csv([row()], [...DIW_REQUIRED_COLUMNS]));
    expect([record.statusCode, record.operatorTaxId]).toEqual([null, null]);
  });

  it('parses a CRLF sample file in the real open-data layout', async () => {
    const sample = readFileSync(path.join(__dirname, '../fixtures/diw/factory-data-sample.csv'));
    const { rows, warnings } = await parseFeed(sample);
    expect(warnings).toEqual([]);
    expect(rows.map((parsed) => [parsed.kind, parsed.line])).toEqual([
      ['record', 2],
      ['record', 3],
      ['rejected', 4],
    ]);
    expect(rows[0]).toMatchObject({
      record: {
        fid: '20010300000017',
        displayRegNo: '3-106-33/50',
        soi: null,
        operatorName: 'บริษัท ศรีทอง รีไซเคิล จำกัด',
        capitalBaht: 12_500_000,
        sourceUpdatedAt: '2024-03-15',
      },
    });
    expect(rows[1]).toMatchObject({ record: { lat: null, lng: null, estateCode: null } });
  });
});
