import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  REFERENCE_DATA_DIR,
  REFERENCE_FILES,
  REGIONS,
  ReferenceDataError,
  loadProvinces,
  loadReferenceData,
  type ReferenceData,
} from '../../src/reference/reference-data';
import { ProvinceIndex } from '../../src/reference/province';
import { PROVINCES } from '../../src/simulator/world/thai-geography';
import { latestMappingVersion, targetIndustriesOfTsic } from '../../src/reference/target-industry';
import { TSIC_SECTION_DIVISIONS, normaliseTsicCode, sectionOfDivision } from '../../src/reference/tsic';

/** The reference files in data/reference/ and the one module that reads them. */

let data: ReferenceData;
beforeAll(() => {
  data = loadReferenceData();
});

describe('the reference files', () => {
  test('are in data/reference/ under the project root, each UTF-8 without BOM, with a README', () => {
    expect(REFERENCE_DATA_DIR).toBe(path.resolve(__dirname, '..', '..', 'data', 'reference'));
    for (const file of Object.values(REFERENCE_FILES).flat()) {
      const bytes = fs.readFileSync(path.join(REFERENCE_DATA_DIR, file));
      expect([file, bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))]).toEqual([file, false]);
      expect(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toContain('\n');
    }
    expect(fs.existsSync(path.join(REFERENCE_DATA_DIR, 'README.md'))).toBe(true);
  });

  test('parse, each dataset with its version', () => {
    expect(data.provinces.version).toBe('2026-12');
    expect(data.tsic.version).toBe('2009-r1');
    expect(data.targetIndustries.version).toBe('2024-01');
    expect(data.targetIndustryTsic.version).toBe('2024-01');
  });
});

describe('provinces', () => {
  test('are the 77 provinces (76 + Bangkok) with unique 2-digit codes and matching TH-xx ISO codes', () => {
    const rows = data.provinces.rows;
    expect(rows).toHaveLength(77);
    expect(new Set(rows.map((p) => p.code)).size).toBe(77);
    for (const p of rows) {
      expect(p.code).toMatch(/^[0-9]{2}$/);
      expect(p.isoCode).toBe(`TH-${p.code}`);
    }
    expect(new Set(rows.map((p) => p.nameTh)).size).toBe(77);
    expect(new Set(rows.map((p) => p.nameEn)).size).toBe(77);
  });

  test('use exactly the six regions, with the six-region scheme counts', () => {
    const counts = Object.fromEntries(REGIONS.map((region) => [region, data.provinces.rows.filter((p) => p.region === region).length]));
    expect(counts).toEqual({ North: 9, Central: 22, Northeast: 20, West: 5, East: 7, South: 14 });
  });

  test('Bangkok is 10, Chiang Mai 50, Chon Buri 20 (East), Songkhla 90 (South)', () => {
    const byCode = new Map(data.provinces.rows.map((p) => [p.code, p]));
    expect(byCode.get('10')).toMatchObject({ nameTh: 'กรุงเทพมหานคร', nameEn: 'Bangkok', region: 'Central' });
    expect(byCode.get('50')).toMatchObject({ nameTh: 'เชียงใหม่', nameEn: 'Chiang Mai', region: 'North' });
    expect(byCode.get('20')).toMatchObject({ nameTh: 'ชลบุรี', region: 'East' });
    expect(byCode.get('90')).toMatchObject({ nameTh: 'สงขลา', region: 'South' });
    expect(byCode.get('38')).toMatchObject({ nameTh: 'บึงกาฬ', nameEn: 'Bueng Kan', region: 'Northeast' });
  });

  test('the EEC is exactly Chachoengsao, Chon Buri and Rayong', () => {
    expect(data.provinces.rows.filter((p) => p.eec).map((p) => p.code).sort()).toEqual(['20', '21', '24']);
  });

  test('every one of the 11 promotion centres covers at least one province', () => {
    const centres = new Set(data.provinces.rows.map((p) => p.promotionCentre));
    expect([...centres].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  test('centre 7 serves Buri Ram, Surin, Si Sa Ket and two more provinces, as its own pages say', () => {
    const served = data.provinces.rows.filter((p) => p.promotionCentre === 7).map((p) => p.nameEn);
    expect(served).toEqual(expect.arrayContaining(['Buri Ram', 'Surin', 'Si Sa Ket']));
    expect(served).toHaveLength(5);
  });

  test('agree with the simulator on the codes and Thai names they share', () => {
    const byCode = new Map(data.provinces.rows.map((p) => [p.code, p]));
    for (const p of PROVINCES) expect([p.code, byCode.get(p.code)?.nameTh]).toEqual([p.code, p.nameTh]);
  });
});

describe('TSIC 2009', () => {
  const codes = () => new Map(data.tsic.rows.map((t) => [t.code, t]));

  test('section C has every division 10..33, each with its groups', () => {
    const byCode = codes();
    expect(byCode.get('C')).toMatchObject({ level: 'section', parentCode: null, nameEn: 'Manufacturing' });
    for (let d = 10; d <= 33; d++) {
      const division = byCode.get(String(d));
      expect(division).toMatchObject({ level: 'division', parentCode: 'C' });
      expect(data.tsic.rows.some((t) => t.level === 'group' && t.parentCode === String(d))).toBe(true);
    }
    const manufacturingGroups = data.tsic.rows.filter((t) => t.level === 'group' && sectionOfDivision(t.code.slice(0, 2)) === 'C');
    expect(manufacturingGroups).toHaveLength(71); // ISIC Rev.4 section C has 71 groups
  });

  test('every group has an existing division as parent, every class an existing group', () => {
    const byCode = codes();
    for (const t of data.tsic.rows) {
      if (t.level === 'group') expect([t.code, byCode.get(t.parentCode!)?.level]).toEqual([t.code, 'division']);
      if (t.level === 'class') expect([t.code, byCode.get(t.parentCode!)?.level]).toEqual([t.code, 'group']);
      if (t.level !== 'section') expect(t.code.startsWith(t.parentCode!) || t.level === 'division').toBe(true);
    }
  });

  test('has all 21 sections and 88 divisions, matching the section table of src/reference/tsic.ts', () => {
    const sections = data.tsic.rows.filter((t) => t.level === 'section').map((t) => t.code);
    expect(sections.sort()).toEqual(Object.keys(TSIC_SECTION_DIVISIONS).sort());
    const divisions = data.tsic.rows.filter((t) => t.level === 'division');
    expect(divisions).toHaveLength(88);
    for (const d of divisions) expect([d.code, sectionOfDivision(d.code)]).toEqual([d.code, d.parentCode]);
    for (let n = 1; n <= 99; n++) {
      const code = String(n).padStart(2, '0');
      expect([code, sectionOfDivision(code) !== null]).toEqual([code, divisions.some((d) => d.code === code)]);
    }
  });

  test('every English name is present; Thai names are NFC', () => {
    for (const t of data.tsic.rows) {
      expect(t.nameEn).not.toBe('');
      if (t.nameTh !== null) expect(t.nameTh.normalize('NFC')).toBe(t.nameTh);
    }
  });
});

describe('target industries and their TSIC mapping', () => {
  test('are the ten industries, five per wave', () => {
    const rows = data.targetIndustries.rows;
    expect(rows.map((t) => t.code)).toEqual([
      'NEXT_GEN_AUTOMOTIVE',
      'SMART_ELECTRONICS',
      'AFFLUENT_MEDICAL_WELLNESS_TOURISM',
      'AGRICULTURE_BIOTECHNOLOGY',
      'FOOD_FOR_THE_FUTURE',
      'ROBOTICS',
      'AVIATION_LOGISTICS',
      'BIOFUELS_BIOCHEMICALS',
      'DIGITAL',
      'MEDICAL_HUB',
    ]);
    expect(rows.filter((t) => t.wave === 'first')).toHaveLength(5);
    expect(rows.filter((t) => t.wave === 'new')).toHaveLength(5);
    for (const t of rows) expect(t.nameTh).not.toBe('');
  });

  test('every mapping row names an existing industry and a prefix of at least one TSIC code; every industry is mapped', () => {
    const industries = new Set(data.targetIndustries.rows.map((t) => t.code));
    const tsicCodes = data.tsic.rows.map((t) => t.code);
    for (const row of data.targetIndustryTsic.rows) {
      expect(industries.has(row.industryCode)).toBe(true);
      expect([row.tsicPrefix, tsicCodes.some((code) => code.startsWith(row.tsicPrefix))]).toEqual([row.tsicPrefix, true]);
      expect(row.mappingVersion).toMatch(/^[0-9]{4}-[0-9]{2}$/);
    }
    for (const code of industries) expect([code, data.targetIndustryTsic.rows.some((row) => row.industryCode === code)]).toEqual([code, true]);
  });

  test('targetIndustriesOfTsic matches by prefix under the latest mapping version', () => {
    const mapping = data.targetIndustryTsic.rows;
    expect(latestMappingVersion(mapping)).toBe('2024-01');
    const of = (tsic: string | null) => targetIndustriesOfTsic(tsic, mapping).map((m) => m.industryCode);
    expect(of('29101')).toEqual(['NEXT_GEN_AUTOMOTIVE']);
    expect(of('10111')).toEqual(['FOOD_FOR_THE_FUTURE']);
    expect(of('26510').sort()).toEqual(['ROBOTICS', 'SMART_ELECTRONICS']);
    expect(of('C2720')).toEqual(['NEXT_GEN_AUTOMOTIVE']);
    expect(of('62010')).toEqual(['DIGITAL']);
    expect(of('31001')).toEqual([]); // furniture is no target industry
    expect(of('26')).toEqual(['SMART_ELECTRONICS']); // a division code is not known to be robotics (2651)
    expect(of(null)).toEqual([]);
    expect(of('C')).toEqual([]);
    expect(targetIndustriesOfTsic('26510', mapping).find((m) => m.industryCode === 'ROBOTICS')).toEqual({
      industryCode: 'ROBOTICS',
      tsicPrefix: '2651',
      mappingVersion: '2024-01',
    });
  });

  test('targetIndustriesOfTsic keeps mapping versions apart', () => {
    const mapping = [
      { industryCode: 'DIGITAL', tsicPrefix: '62', mappingVersion: '2024-01' },
      { industryCode: 'ROBOTICS', tsicPrefix: '62', mappingVersion: '2025-01' },
    ];
    expect(targetIndustriesOfTsic('62010', mapping).map((m) => m.industryCode)).toEqual(['ROBOTICS']);
    expect(targetIndustriesOfTsic('62010', mapping, { mappingVersion: '2024-01' }).map((m) => m.industryCode)).toEqual(['DIGITAL']);
    expect(targetIndustriesOfTsic('62010', [])).toEqual([]);
  });
});

describe('normaliseTsicCode', () => {
  test.each<[string | null, string | null]>([
    ['10111', '10111'],
    [' c10111 ', '10111'],
    ['๑๐๑๑๑', '10111'],
    ['1011.1', '10111'],
    ['c', 'C'],
    ['-', null],
    ['04', null],
    ['A10111', null],
    [null, null],
  ])('%p → %p', (raw, expected) => {
    expect(normaliseTsicCode(raw)).toBe(expected);
  });
});

describe('ProvinceIndex', () => {
  test('finds a province by the names feeds write', () => {
    const index = new ProvinceIndex(data.provinces.rows);
    const code = (name: string | null) => index.find(name)?.code ?? null;
    expect(code('ชลบุรี')).toBe('20');
    expect(code('จ.ชลบุรี')).toBe('20');
    expect(code('จังหวัด ชลบุรี')).toBe('20');
    expect(code('Chonburi')).toBe('20');
    expect(code('CHON BURI')).toBe('20');
    expect(code('TH-20')).toBe('20');
    expect(code('20')).toBe('20');
    expect(code('กรุงเทพฯ')).toBe('10');
    expect(code('กทม.')).toBe('10');
    expect(code('Krung Thep Maha Nakhon')).toBe('10');
    expect(code('อำนาจเจริญ'.replace('ำ', '\u0e4d\u0e32'))).toBe('37'); // decomposed sara am
    expect(code('Atlantis')).toBeNull();
    expect(code('')).toBeNull();
    expect(code(null)).toBeNull();
  });
});

describe('the loader refuses a broken file, naming file and line', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iih-reference-'));
    for (const file of Object.values(REFERENCE_FILES).flat()) fs.copyFileSync(path.join(REFERENCE_DATA_DIR, file), path.join(dir, file));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const edit = (file: string, change: (text: string) => string) => {
    const target = path.join(dir, file);
    fs.writeFileSync(target, change(fs.readFileSync(target, 'utf8')));
  };

  test('the copy loads as is', () => {
    expect(loadReferenceData(dir).provinces.rows).toHaveLength(77);
  });

  test.each<[string, string, (text: string) => string, RegExp]>([
    ['duplicate province code', 'provinces.csv', (t) => t.replace('11,TH-11', '10,TH-11'), /provinces\.csv:3: .*duplicate code "10"/s],
    ['ISO code not matching', 'provinces.csv', (t) => t.replace('50,TH-50', '50,TH-51'), /provinces\.csv:\d+: iso_code "TH-51" is not TH-50/],
    ['unknown region', 'provinces.csv', (t) => t.replace(',North,1,', ',Northern,1,'), /region "Northern"/],
    ['promotion centre out of range', 'provinces.csv', (t) => t.replace(',South,11,', ',South,12,'), /promotion_centre "12"/],
    ['a BOM', 'provinces.csv', (t) => `\ufeff${t}`, /byte-order mark/],
    ['a renamed column', 'provinces.csv', (t) => t.replace('name_en', 'name_english'), /header is/],
    ['two versions in one file', 'provinces.csv', (t) => t.replace('96,TH-96,นราธิวาส,Narathiwat,South,11,false,2026-12', '96,TH-96,นราธิวาส,Narathiwat,South,11,false,2026-11'), /several versions/],
    ['a group under the wrong division', 'tsic-2009-manufacturing.csv', (t) => t.replace('101,group,10,', '101,group,11,'), /parent_code "11" of group 101 should be "10"/],
    ['a division under the wrong section', 'tsic-2009-manufacturing.csv', (t) => t.replace('29,division,C,', '29,division,G,'), /parent_code "G" of division 29 should be "C"/],
    ['a class whose group is missing', 'tsic-2009-manufacturing.csv', (t) => t.replace(/^101,group.*\n/m, ''), /parent 101 of 1010 is not in the files/],
    ['a mapping to an unknown industry', 'target-industry-tsic.csv', (t) => t.replace('DIGITAL,62,', 'DIGITALS,62,'), /no target industry DIGITALS/],
    ['a mapping to an unknown TSIC prefix', 'target-industry-tsic.csv', (t) => t.replace('ROBOTICS,2829,', 'ROBOTICS,2899,'), /TSIC prefix 2899 matches no code/],
    ['an unknown wave', 'target-industries.csv', (t) => t.replace('DIGITAL,new,', 'DIGITAL,newer,'), /wave "newer"/],
  ])('%s', (_name, file, change, message) => {
    edit(file, change);
    expect(() => loadReferenceData(dir)).toThrow(ReferenceDataError);
    expect(() => loadReferenceData(dir)).toThrow(message);
  });

  test('a missing file', () => {
    fs.rmSync(path.join(dir, 'provinces.csv'));
    expect(() => loadProvinces(dir)).toThrow(/provinces\.csv: cannot read/);
  });
});
