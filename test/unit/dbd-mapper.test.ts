import type { ParsedRow } from '../../src/ingestion/feed';
import { mapCompanyItem, mapFinancialItem, thaiShareholdingPct } from '../../src/sources/dbd/dbd.mapper';
import type { CompanyRecord, FinancialStatementRecord } from '../../src/sources/dbd/dbd.record';
import { dbdCompanySource, dbdFinancialStatementSource } from '../../src/sources/dbd/dbd.source';

/** A clean item as the DBD listing serves it; each test overrides the fields it is about. */
const COMPANY: Record<string, unknown> = {
  juristicId: '0105536112014',
  type: 'บริษัทจำกัด',
  nameTh: 'บริษัท ศรีทองฟู้ดส์ จำกัด',
  nameEn: 'Srithong Foods Co., Ltd.',
  status: 'ยังดำเนินกิจการอยู่',
  registeredOn: '1993-04-12',
  registeredCapital: 5_000_000,
  paidUpCapital: 2_500_000,
  objective: 'ชำแหละและแปรรูปเนื้อไก่',
  tsicCode: '10111',
  address: '99/9 หมู่ที่ 3 ถนนสุขุมวิท ตำบลแพรกษา อำเภอเมืองสมุทรปราการ',
  province: 'สมุทรปราการ',
  directors: [
    { name: 'นายสมชาย ใจดี', position: 'กรรมการผู้จัดการ' },
    { name: 'Mr. Takeshi Yamamoto', position: 'กรรมการ' },
  ],
  shareholders: [
    { name: 'นายสมชาย ใจดี', nationality: 'ไทย', shares: 30_000, personalId: '1101700203451' },
    { name: 'Yamamoto Holdings Co., Ltd.', nationality: 'ญี่ปุ่น', shares: 20_000 },
  ],
  updatedAt: '2025-01-01T00:00:00.123Z',
};

const STATEMENT: Record<string, unknown> = {
  juristicId: '0105536112014',
  fiscalYear: 2023,
  unit: 'THB',
  revenue: 125_000_000,
  totalAssets: 90_000_000,
  fixedAssets: 40_000_000,
  liabilities: 50_000_000,
  equity: 40_000_000,
  netProfit: -3_500_000,
  employees: 120,
  updatedAt: '2025-01-02T00:00:00.456Z',
};

function company(overrides: Record<string, unknown> = {}): CompanyRecord {
  const row = mapCompanyItem({ ...COMPANY, ...overrides }, 7);
  if (row.kind !== 'record') throw new Error(`rejected: ${row.reason}`);
  return row.record;
}

function statement(overrides: Record<string, unknown> = {}): FinancialStatementRecord {
  const row = mapFinancialItem({ ...STATEMENT, ...overrides }, 3);
  if (row.kind !== 'record') throw new Error(`rejected: ${row.reason}`);
  return row.record;
}

function rejection<R>(row: ParsedRow<R>): { reason: string; raw: unknown; line: number } {
  if (row.kind !== 'rejected') throw new Error('expected a rejected row');
  return { reason: row.reason, raw: row.raw, line: row.line };
}

describe('DBD juristic-person item', () => {
  test('a clean item maps to a typed record, with the linking key and derived Thai shareholding', () => {
    expect(company()).toEqual({
      juristicId: '0105536112014',
      juristicType: 'บริษัทจำกัด',
      juristicTypeCode: 'COMPANY',
      nameTh: 'บริษัท ศรีทองฟู้ดส์ จำกัด',
      nameThNormalised: 'ศรีทองฟู้ดส์',
      nameEn: 'Srithong Foods Co., Ltd.',
      statusRaw: 'ยังดำเนินกิจการอยู่',
      status: 'ACTIVE',
      registeredOn: '1993-04-12',
      registeredCapitalBaht: 5_000_000,
      paidUpCapitalBaht: 2_500_000,
      objective: 'ชำแหละและแปรรูปเนื้อไก่',
      tsicCode: '10111',
      address: '99/9 หมู่ที่ 3 ถนนสุขุมวิท ตำบลแพรกษา อำเภอเมืองสมุทรปราการ',
      province: 'สมุทรปราการ',
      directors: COMPANY['directors'],
      shareholders: COMPANY['shareholders'],
      thaiShareholdingPct: 60,
      sourceUpdatedAt: '2025-01-01T00:00:00.123Z',
    });
  });

  test.each([
    ['dashes', '0-10-5-536-11201-4'],
    ['Excel quotes', '="0105536112014"'],
    ['Excel quotes around dashes and spaces', '=" 0-10-5-536-11201-4 "'],
    ['spaces', ' 0 10 5 536 11201 4'],
    ['Thai digits', '๐๑๐๕๕๓๖๑๑๒๐๑๔'],
  ])('a juristic ID written with %s is normalised', (_quirk, written) => {
    expect(company({ juristicId: written }).juristicId).toBe('0105536112014');
  });

  test('an invalid check digit is rejected with a reason, the item kept as the raw', () => {
    const item = { ...COMPANY, juristicId: '0-10-5-536-11201-5' };
    expect(rejection(mapCompanyItem(item, 12))).toEqual({
      line: 12,
      reason: 'juristicId has an invalid check digit: "0-10-5-536-11201-5" ends in 5, expected 4',
      raw: item,
    });
  });

  test.each([
    ['15/03/2536', '1993-03-15'],
    ['๑๕/๐๓/๒๕๓๖', '1993-03-15'],
    ['15/03/1993', '1993-03-15'],
    ['1993-03-15T00:00:00+07:00', '1993-03-15'],
    ['-', null],
  ])('registeredOn %j -> %j (Buddhist Era, Thai digits)', (written, iso) => {
    expect(company({ registeredOn: written }).registeredOn).toBe(iso);
  });

  test('an impossible date is rejected, not guessed', () => {
    expect(rejection(mapCompanyItem({ ...COMPANY, registeredOn: '31/02/2567' }, 1)).reason).toBe('registeredOn is not a valid date: "31/02/2567"');
  });

  test.each([
    ['ยังดำเนินกิจการอยู่', 'ACTIVE'],
    ['ยังดําเนินกิจการอยู่', 'ACTIVE'], // two-character sara am
    ['คืนสู่ทะเบียน', 'ACTIVE'],
    ['เลิก', 'DISSOLVED'],
    ['เสร็จการชำระบัญชี', 'DISSOLVED'],
    ['ร้าง', 'ABANDONED'],
    ['ล้มละลาย', 'BANKRUPT'],
    ['พิทักษ์ทรัพย์เด็ดขาด', 'BANKRUPT'],
    ['Active', 'ACTIVE'],
    ['ระงับชั่วคราว', 'UNKNOWN'],
    [null, 'UNKNOWN'],
  ])('status %j decodes to %s, the wording kept', (written, status) => {
    const record = company({ status: written });
    expect(record.status).toBe(status);
    expect(record.statusRaw).toBe(written === null ? null : written.replace('ํา', 'ำ'));
  });

  test('name variants: cleaned for display, one linking key', () => {
    const variants = ['บจก. ศรีทองฟู้ดส์', 'บริษัท ศรีทองฟู้ดส์ จํากัด', ' บริษัท  ศรีทองฟู้ดส์\u200B จำกัด '.normalize('NFD')];
    expect(variants.map((nameTh) => company({ nameTh }).nameThNormalised)).toEqual(['ศรีทองฟู้ดส์', 'ศรีทองฟู้ดส์', 'ศรีทองฟู้ดส์']);
    expect(company({ nameTh: variants[1] }).nameTh).toBe('บริษัท ศรีทองฟู้ดส์ จำกัด');
    expect(company({ nameTh: variants[2] }).nameTh).toBe('บริษัท ศรีทองฟู้ดส์ จำกัด');
    expect(rejection(mapCompanyItem({ ...COMPANY, nameTh: ' - ' }, 1)).reason).toBe('nameTh is empty');
  });

  test('amounts as text with thousands separators, provinces with the จังหวัด prefix or Bangkok short forms', () => {
    const record = company({ registeredCapital: '5,000,000.00', paidUpCapital: '๒,๕๐๐,๐๐๐', province: 'จังหวัดสมุทรปราการ' });
    expect(record).toMatchObject({ registeredCapitalBaht: 5_000_000, paidUpCapitalBaht: 2_500_000, province: 'สมุทรปราการ' });
    expect(company({ province: 'กรุงเทพฯ' }).province).toBe('กรุงเทพมหานคร');
    expect(company({ province: 'กทม.' }).province).toBe('กรุงเทพมหานคร');
    expect(rejection(mapCompanyItem({ ...COMPANY, registeredCapital: '5,00,000' }, 1)).reason).toBe('registeredCapital is not a number: "5,00,000"');
    expect(rejection(mapCompanyItem({ ...COMPANY, paidUpCapital: -1 }, 1)).reason).toBe('paidUpCapital must not be negative, got -1');
  });

  test('juristic type wordings decode; an unknown one is kept as written', () => {
    expect(company({ type: 'ห้างหุ้นส่วนจำกัด' }).juristicTypeCode).toBe('LIMITED_PARTNERSHIP');
    expect(company({ type: 'บริษัทมหาชนจำกัด' }).juristicTypeCode).toBe('PUBLIC_COMPANY');
    expect(company({ type: 'บริษัท จำกัด' }).juristicTypeCode).toBe('COMPANY');
    expect(company({ type: 'มูลนิธิ' })).toMatchObject({ juristicType: 'มูลนิธิ', juristicTypeCode: 'UNKNOWN' });
  });

  test('Thai shareholding: Thai nationals and Thai juristic persons; null without shareholders', () => {
    expect(company({ shareholders: [] }).thaiShareholdingPct).toBeNull();
    expect(company({ shareholders: undefined }).thaiShareholdingPct).toBeNull();
    const holders = [
      { name: 'นางสาวมาลี ศรีสุข', nationality: 'ไทย', shares: 1, personalId: '3100500123456' },
      { name: 'บริษัท ทองคำ โฮลดิ้ง จำกัด', nationality: null, shares: 1, juristicId: '0-10-5-536-11201-4' },
      { name: 'Mr. Wei Wang', nationality: 'จีน', shares: 1 },
    ];
    const record = company({ shareholders: holders });
    expect(record.thaiShareholdingPct).toBe(66.67);
    // Personal IDs stay as given (masking is the API's job); a juristic shareholder's ID is normalised.
    expect(record.shareholders[0]).toEqual({ name: 'นางสาวมาลี ศรีสุข', nationality: 'ไทย', shares: 1, personalId: '3100500123456' });
    expect(record.shareholders[1]!.juristicId).toBe('0105536112014');
    expect(thaiShareholdingPct([{ name: 'x', nationality: 'Thai', shares: 5 }, { name: 'y', nationality: 'TH', shares: 5 }])).toBe(100);
    expect(thaiShareholdingPct([{ name: 'x', nationality: 'ญี่ปุ่น', shares: 0 }])).toBeNull();
    expect(rejection(mapCompanyItem({ ...COMPANY, shareholders: [{ name: 'x', nationality: 'ไทย', shares: 'many' }] }, 1)).reason).toBe(
      'shareholders[0].shares is not a number: "many"',
    );
  });

  test('a TSIC code must be digits; updatedAt must be a date-time (no zone: Bangkok)', () => {
    expect(company({ tsicCode: '๑๐๑๑๑' }).tsicCode).toBe('10111');
    expect(rejection(mapCompanyItem({ ...COMPANY, tsicCode: 'C10' }, 1)).reason).toBe('tsicCode must be a 5-digit TSIC code, got "C10"');
    expect(company({ updatedAt: '2025-01-01 07:00:00' }).sourceUpdatedAt).toBe('2025-01-01T00:00:00.000Z');
    expect(company({ updatedAt: '2025-01-01T12:00:00.123456+07:00' }).sourceUpdatedAt).toBe('2025-01-01T05:00:00.123Z');
    expect(rejection(mapCompanyItem({ ...COMPANY, updatedAt: undefined }, 1)).reason).toBe('updatedAt is missing');
    expect(rejection(mapCompanyItem({ ...COMPANY, updatedAt: 'yesterday' }, 1)).reason).toBe('updatedAt is not an ISO date-time: "yesterday"');
  });

  test('an item that is not an object is rejected, kept as it came for quarantine', () => {
    expect(rejection(mapCompanyItem('0105536112014', 4))).toEqual({ line: 4, raw: '0105536112014', reason: 'juristic person item must be a JSON object, got string "0105536112014"' });
  });

  test('reparse maps a stored raw item again (line 0: the engine puts the quarantine id there)', () => {
    const item = { ...COMPANY, juristicId: '0105536112015' };
    const stored = JSON.parse(JSON.stringify(rejection(mapCompanyItem(item, 9)).raw)) as Record<string, string>;
    expect(dbdCompanySource.reparse!(stored)).toMatchObject({ kind: 'rejected', line: 0 });
    stored['juristicId'] = '0105536112014'; // corrected at the source
    expect(dbdCompanySource.reparse!(stored)).toMatchObject({ kind: 'record', record: { juristicId: '0105536112014' } });
  });

  test('the target columns write jsonb for directors and shareholders', () => {
    const record = company();
    const columns = Object.fromEntries(dbdCompanySource.target.columns.map((c) => [c.name, c.value(record)]));
    expect(JSON.parse(columns['directors'] as string)).toEqual(COMPANY['directors']);
    expect(columns).toMatchObject({ juristic_id: '0105536112014', status: 'ACTIVE', thai_shareholding_pct: 60, name_th_normalised: 'ศรีทองฟู้ดส์' });
  });
});

describe('DBD financial-statement item', () => {
  test('a clean statement in baht', () => {
    expect(statement()).toEqual({
      juristicId: '0105536112014',
      fiscalYear: 2023,
      reportedUnit: 'THB',
      revenueBaht: 125_000_000,
      totalAssetsBaht: 90_000_000,
      fixedAssetsBaht: 40_000_000,
      liabilitiesBaht: 50_000_000,
      equityBaht: 40_000_000,
      netProfitBaht: -3_500_000,
      employees: 120,
      sourceUpdatedAt: '2025-01-02T00:00:00.456Z',
    });
  });

  test('THB_MILLION amounts are converted to baht exactly', () => {
    const record = statement({ unit: 'THB_MILLION', revenue: 125.123457, totalAssets: '1,234.5', fixedAssets: 0.000001, liabilities: 0.1, equity: -0.35, netProfit: '-3.5' });
    expect(record).toMatchObject({
      reportedUnit: 'THB_MILLION',
      revenueBaht: 125_123_457,
      totalAssetsBaht: 1_234_500_000,
      fixedAssetsBaht: 1,
      liabilitiesBaht: 100_000,
      equityBaht: -350_000,
      netProfitBaht: -3_500_000,
    });
    expect(statement({ unit: 'ล้านบาท', revenue: 2 }).revenueBaht).toBe(2_000_000);
  });

  test('a missing or unknown unit is rejected: a factor of a million is not guessed', () => {
    expect(rejection(mapFinancialItem({ ...STATEMENT, unit: undefined }, 1)).reason).toBe('unit is missing: amounts could be baht or million baht (THB or THB_MILLION)');
    expect(rejection(mapFinancialItem({ ...STATEMENT, unit: 'USD' }, 1)).reason).toBe('unit must be THB or THB_MILLION, got "USD"');
  });

  test.each([
    [2023, 2023],
    [2566, 2023],
    ['2566', 2023],
    ['๒๕๖๖', 2023],
  ])('fiscal year %j -> %j (Buddhist Era normalised to Common Era)', (written, year) => {
    expect(statement({ fiscalYear: written }).fiscalYear).toBe(year);
  });

  test('invalid statements are quarantined with a reason', () => {
    expect(rejection(mapFinancialItem({ ...STATEMENT, juristicId: '="0105536112010"' }, 5))).toMatchObject({
      line: 5,
      reason: 'juristicId has an invalid check digit: "="0105536112010"" ends in 0, expected 4',
    });
    expect(rejection(mapFinancialItem({ ...STATEMENT, fiscalYear: 23 }, 1)).reason).toBe('fiscalYear must be a 4-digit year, got "23"');
    expect(rejection(mapFinancialItem({ ...STATEMENT, fiscalYear: 1800 }, 1)).reason).toBe('fiscalYear 1800 is out of range (1950-2100 CE)');
    expect(rejection(mapFinancialItem({ ...STATEMENT, revenue: -1 }, 1)).reason).toBe('revenue must not be negative, got -1');
    expect(rejection(mapFinancialItem({ ...STATEMENT, employees: 1.5 }, 1)).reason).toBe('employees must be a whole number, not negative, got 1.5');
  });

  test('is keyed by juristic ID and fiscal year', () => {
    expect(dbdFinancialStatementSource.target.key).toEqual(['juristic_id', 'fiscal_year']);
    const names = dbdFinancialStatementSource.target.columns.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['juristic_id', 'fiscal_year', 'revenue_baht', 'reported_unit']));
  });
});

describe('text cleaning', () => {
  test('NFC whenever it changes something, and Thai left alone when it cannot', () => {
    expect('อย\u0E48\u0E39'.normalize('NFC')).toBe('อย\u0E39\u0E48'); // a tone mark typed before the vowel below
    const samples = ['ยังดำเนินกิจการอยู่', 'อย\u0E48\u0E39', 'ก\u0E38\u0E3A', 'ก\u0E3A\u0E38', 'Café', 'Cafe\u0301', 'ศรีทอง ฟู้ดส์', 'x\u00A0y'];
    for (const sample of samples) {
      expect(mapCompanyItem({ ...COMPANY, nameTh: sample }, 1)).toMatchObject({ record: { nameTh: sample.normalize('NFC').replace(/\s+/g, ' ') } });
    }
  });
});
