import { SME_LIMITS, isSme, sectorOfTsic, smeSize, type SmeSector, type SmeSize } from '../../src/reference/sme-size';

/**
 * The SME size table of the 2019 ministerial regulation (domain brief), every limit on both sides:
 * exactly at the limit (inclusive) and one baht / one employee above it, for both sectors, one
 * measure at a time (the other micro, so it never decides), then mixed measures and missing data.
 */

const M = 1_000_000;

describe('SME limits', () => {
  test('are the table of the regulation', () => {
    expect(SME_LIMITS).toEqual({
      MANUFACTURING: {
        MICRO: { revenueBaht: 1.8 * M, employees: 5 },
        SMALL: { revenueBaht: 100 * M, employees: 50 },
        MEDIUM: { revenueBaht: 500 * M, employees: 200 },
      },
      TRADE_AND_SERVICES: {
        MICRO: { revenueBaht: 1.8 * M, employees: 5 },
        SMALL: { revenueBaht: 50 * M, employees: 30 },
        MEDIUM: { revenueBaht: 300 * M, employees: 100 },
      },
    });
  });
});

type Case = [sector: SmeSector, value: number, expected: SmeSize];

const revenueBoundaries: Case[] = [
  ['MANUFACTURING', 0, 'MICRO'],
  ['MANUFACTURING', 1_800_000, 'MICRO'],
  ['MANUFACTURING', 1_800_001, 'SMALL'],
  ['MANUFACTURING', 100_000_000, 'SMALL'],
  ['MANUFACTURING', 100_000_001, 'MEDIUM'],
  ['MANUFACTURING', 500_000_000, 'MEDIUM'],
  ['MANUFACTURING', 500_000_001, 'LARGE'],
  ['TRADE_AND_SERVICES', 0, 'MICRO'],
  ['TRADE_AND_SERVICES', 1_800_000, 'MICRO'],
  ['TRADE_AND_SERVICES', 1_800_001, 'SMALL'],
  ['TRADE_AND_SERVICES', 50_000_000, 'SMALL'],
  ['TRADE_AND_SERVICES', 50_000_001, 'MEDIUM'],
  ['TRADE_AND_SERVICES', 300_000_000, 'MEDIUM'],
  ['TRADE_AND_SERVICES', 300_000_001, 'LARGE'],
  // The manufacturing limits are above trade's: the same revenue can size differently by sector.
  ['TRADE_AND_SERVICES', 100_000_000, 'MEDIUM'],
  ['TRADE_AND_SERVICES', 500_000_000, 'LARGE'],
];

const employeeBoundaries: Case[] = [
  ['MANUFACTURING', 0, 'MICRO'],
  ['MANUFACTURING', 5, 'MICRO'],
  ['MANUFACTURING', 6, 'SMALL'],
  ['MANUFACTURING', 50, 'SMALL'],
  ['MANUFACTURING', 51, 'MEDIUM'],
  ['MANUFACTURING', 200, 'MEDIUM'],
  ['MANUFACTURING', 201, 'LARGE'],
  ['TRADE_AND_SERVICES', 0, 'MICRO'],
  ['TRADE_AND_SERVICES', 5, 'MICRO'],
  ['TRADE_AND_SERVICES', 6, 'SMALL'],
  ['TRADE_AND_SERVICES', 30, 'SMALL'],
  ['TRADE_AND_SERVICES', 31, 'MEDIUM'],
  ['TRADE_AND_SERVICES', 100, 'MEDIUM'],
  ['TRADE_AND_SERVICES', 101, 'LARGE'],
  ['TRADE_AND_SERVICES', 50, 'MEDIUM'],
  ['TRADE_AND_SERVICES', 200, 'LARGE'],
];

describe('smeSize by revenue (employees micro, so revenue decides)', () => {
  test.each(revenueBoundaries)('%s, revenue %d baht → %s', (sector, revenueBaht, expected) => {
    const result = smeSize({ sector, revenueBaht, employees: 1 });
    expect(result.size).toBe(expected);
    expect(result.bySize).toEqual({ revenue: expected, employees: 'MICRO' });
  });

  test('a fraction of a baht above the micro limit is small', () => {
    expect(smeSize({ sector: 'MANUFACTURING', revenueBaht: 1_800_000.01, employees: 1 }).size).toBe('SMALL');
  });
});

describe('smeSize by employees (revenue micro, so employees decide)', () => {
  test.each(employeeBoundaries)('%s, %d employees → %s', (sector, employees, expected) => {
    const result = smeSize({ sector, revenueBaht: 1_000, employees });
    expect(result.size).toBe(expected);
    expect(result.bySize).toEqual({ revenue: 'MICRO', employees: expected });
  });
});

describe('smeSize: where employees and revenue give different sizes, the larger applies', () => {
  test.each<[string, SmeSector, number, number, SmeSize, SmeSize, SmeSize]>([
    // micro needs both: at the micro revenue limit with one employee too many is small, and vice versa
    ['micro revenue, 6 employees', 'MANUFACTURING', 1_800_000, 6, 'MICRO', 'SMALL', 'SMALL'],
    ['revenue one baht over micro, 5 employees', 'TRADE_AND_SERVICES', 1_800_001, 5, 'SMALL', 'MICRO', 'SMALL'],
    ['both exactly at the micro limits', 'TRADE_AND_SERVICES', 1_800_000, 5, 'MICRO', 'MICRO', 'MICRO'],
    ['small revenue, medium headcount', 'MANUFACTURING', 20 * M, 120, 'SMALL', 'MEDIUM', 'MEDIUM'],
    ['large revenue, micro headcount', 'MANUFACTURING', 600 * M, 4, 'LARGE', 'MICRO', 'LARGE'],
    ['micro revenue, large headcount', 'TRADE_AND_SERVICES', 900_000, 150, 'MICRO', 'LARGE', 'LARGE'],
    ['medium revenue, small headcount', 'TRADE_AND_SERVICES', 200 * M, 25, 'MEDIUM', 'SMALL', 'MEDIUM'],
    ['both at the medium limits', 'MANUFACTURING', 500 * M, 200, 'MEDIUM', 'MEDIUM', 'MEDIUM'],
    ['medium revenue limit, one employee over', 'MANUFACTURING', 500 * M, 201, 'MEDIUM', 'LARGE', 'LARGE'],
  ])('%s (%s)', (_name, sector, revenueBaht, employees, byRevenue, byEmployees, size) => {
    const result = smeSize({ sector, revenueBaht, employees });
    expect(result).toMatchObject({ size, bySize: { revenue: byRevenue, employees: byEmployees } });
    expect(result.reason).toMatch(byRevenue === byEmployees ? /both measures agree/ : /larger size applies/);
  });

  test('the reason names each measure and the sector', () => {
    const { reason } = smeSize({ sector: 'MANUFACTURING', revenueBaht: 120_000_000, employees: 40 });
    expect(reason).toBe(
      'MEDIUM (manufacturing): revenue 120,000,000 baht ≤ 500,000,000 gives MEDIUM; employees 40 ≤ 50 gives SMALL; the measures differ and the larger size applies',
    );
  });
});

describe('smeSize with missing data', () => {
  test('revenue unknown: employees decide alone, and the reason says so', () => {
    const result = smeSize({ sector: 'MANUFACTURING', revenueBaht: null, employees: 51 });
    expect(result).toMatchObject({ size: 'MEDIUM', bySize: { revenue: null, employees: 'MEDIUM' } });
    expect(result.reason).toMatch(/^MEDIUM by employees only/);
    expect(result.reason).toMatch(/revenue unknown/);
  });

  test('employees unknown: revenue decides alone, and the reason says so', () => {
    const result = smeSize({ sector: 'TRADE_AND_SERVICES', revenueBaht: 1_800_000, employees: null });
    expect(result).toMatchObject({ size: 'MICRO', bySize: { revenue: 'MICRO', employees: null } });
    expect(result.reason).toMatch(/^MICRO by revenue only/);
    expect(result.reason).toMatch(/employees unknown/);
  });

  test('both unknown: no size', () => {
    const result = smeSize({ sector: 'MANUFACTURING', revenueBaht: null, employees: null });
    expect(result).toEqual({ size: null, bySize: { revenue: null, employees: null }, reason: expect.stringMatching(/both unknown/) });
  });

  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('an invalid value (%d) counts as unknown, and the reason names it', (bad) => {
    const result = smeSize({ sector: 'MANUFACTURING', revenueBaht: bad, employees: 10 });
    expect(result).toMatchObject({ size: 'SMALL', bySize: { revenue: null, employees: 'SMALL' } });
    expect(result.reason).toMatch(/not a valid value/);
    expect(smeSize({ sector: 'MANUFACTURING', revenueBaht: bad, employees: bad }).size).toBeNull();
  });
});

describe('isSme', () => {
  test('micro, small and medium are SMEs; large and unknown are not', () => {
    expect((['MICRO', 'SMALL', 'MEDIUM', 'LARGE', null] as const).map(isSme)).toEqual([true, true, true, false, false]);
  });
});

describe('sectorOfTsic', () => {
  test.each<[string | null, SmeSector | null]>([
    ['C', 'MANUFACTURING'],
    ['10', 'MANUFACTURING'],
    ['10111', 'MANUFACTURING'],
    ['2930', 'MANUFACTURING'],
    ['33', 'MANUFACTURING'],
    ['33200', 'MANUFACTURING'],
    ['C29101', 'MANUFACTURING'],
    [' 29101 ', 'MANUFACTURING'],
    ['๒๙๑๐๑', 'MANUFACTURING'],
    ['2910-1', 'MANUFACTURING'],
    ['09', 'TRADE_AND_SERVICES'], // mining support, just below manufacturing
    ['35', 'TRADE_AND_SERVICES'], // electricity, just above
    ['01111', 'TRADE_AND_SERVICES'],
    ['46', 'TRADE_AND_SERVICES'],
    ['47190', 'TRADE_AND_SERVICES'],
    ['62010', 'TRADE_AND_SERVICES'],
    ['G', 'TRADE_AND_SERVICES'],
    ['a', 'TRADE_AND_SERVICES'],
    [null, null],
    ['', null],
    ['-', null],
    ['1', null], // too short to be a division
    ['123456', null], // too long
    ['04', null], // ISIC Rev.4 has no division 04
    ['34111', null], // nor 34
    ['G10111', null], // letter and division disagree
    ['V', null],
    ['abc', null],
  ])('%p → %p', (tsic, expected) => {
    expect(sectorOfTsic(tsic)).toBe(expected);
  });
});
