/**
 * The simulated OIE feed: the monthly Manufacturing Production Index (MPI, base year 2021 = 100)
 * and capacity utilisation of 25 industry groups (all manufacturing `C` and the TSIC divisions
 * 10-33), as CSV, for the `months` months ending December 2024 (36 by default), oldest first.
 *
 * The series do not depend on `scale` (OIE publishes aggregates, not firms). Row (group, month)
 * is a function of (seed, group, month) alone, so fewer `months` serve the latest rows of the same
 * series. Quirks at `quirkRate` and bad rows at `badRowRate` are decided per row from the seed, so
 * `oieMpiGroundTruth` predicts exactly what a correct loader keeps and quarantines.
 */
import type { SimulatorOptions } from '../simulator-options';
import { type Random } from '../random';
import { agencyRandom, AGENCY_STREAMS, badRowFor, quirksFor } from '../world/agency-random';
import { BUDDHIST_ERA_OFFSET, csvChunks, decomposedThai, excelQuoted, thaiDigits } from '../world/feed-text';

export const OIE_MPI_COLUMNS = ['INDUSTRY_CODE', 'INDUSTRY_NAME', 'MONTH', 'MPI', 'CAP_U'] as const;
type OieColumn = (typeof OIE_MPI_COLUMNS)[number];
type OieRow = Record<OieColumn, string>;

/** All manufacturing and the 24 TSIC 2009 manufacturing divisions (real names; series simulated). */
export const OIE_INDUSTRY_GROUPS = [
  { code: 'C', nameTh: 'อุตสาหกรรมการผลิตรวม' },
  { code: '10', nameTh: 'การผลิตผลิตภัณฑ์อาหาร' },
  { code: '11', nameTh: 'การผลิตเครื่องดื่ม' },
  { code: '12', nameTh: 'การผลิตผลิตภัณฑ์ยาสูบ' },
  { code: '13', nameTh: 'การผลิตสิ่งทอ' },
  { code: '14', nameTh: 'การผลิตเครื่องแต่งกาย' },
  { code: '15', nameTh: 'การผลิตเครื่องหนังและผลิตภัณฑ์ที่เกี่ยวข้อง' },
  { code: '16', nameTh: 'การผลิตไม้และผลิตภัณฑ์จากไม้และไม้ก๊อก (ยกเว้นเฟอร์นิเจอร์)' },
  { code: '17', nameTh: 'การผลิตกระดาษและผลิตภัณฑ์กระดาษ' },
  { code: '18', nameTh: 'การพิมพ์และการผลิตซ้ำสื่อบันทึกข้อมูล' },
  { code: '19', nameTh: 'การผลิตถ่านโค้กและผลิตภัณฑ์ที่ได้จากการกลั่นปิโตรเลียม' },
  { code: '20', nameTh: 'การผลิตเคมีภัณฑ์และผลิตภัณฑ์เคมี' },
  { code: '21', nameTh: 'การผลิตเภสัชภัณฑ์ เคมีภัณฑ์ที่ใช้รักษาโรค และผลิตภัณฑ์จากพืชและสัตว์ที่ใช้รักษาโรค' },
  { code: '22', nameTh: 'การผลิตผลิตภัณฑ์ยางและพลาสติก' },
  { code: '23', nameTh: 'การผลิตผลิตภัณฑ์อื่น ๆ ที่ทำจากแร่อโลหะ' },
  { code: '24', nameTh: 'การผลิตโลหะขั้นมูลฐาน' },
  { code: '25', nameTh: 'การผลิตผลิตภัณฑ์โลหะประดิษฐ์ ยกเว้นเครื่องจักรและอุปกรณ์' },
  { code: '26', nameTh: 'การผลิตผลิตภัณฑ์คอมพิวเตอร์ อิเล็กทรอนิกส์ และอุปกรณ์ที่ใช้ในทางแสง' },
  { code: '27', nameTh: 'การผลิตอุปกรณ์ไฟฟ้า' },
  { code: '28', nameTh: 'การผลิตเครื่องจักรและเครื่องมือ ซึ่งมิได้จัดประเภทไว้ในที่อื่น' },
  { code: '29', nameTh: 'การผลิตยานยนต์ รถพ่วง และรถกึ่งรถพ่วง' },
  { code: '30', nameTh: 'การผลิตอุปกรณ์การขนส่งอื่น ๆ' },
  { code: '31', nameTh: 'การผลิตเฟอร์นิเจอร์' },
  { code: '32', nameTh: 'การผลิตอื่น ๆ' },
  { code: '33', nameTh: 'การซ่อมและการติดตั้งเครื่องจักรและอุปกรณ์' },
] as const;

/** OIE publishes no capacity utilisation for repair and installation (simulated choice). */
const WITHOUT_CAPACITY_UTILISATION = new Set<string>(['33']);

/** The last month of the series (December 2024) and how many months are served by default. */
const LAST_YEAR = 2024;
const LAST_MONTH = 12;
export const OIE_DEFAULT_MONTHS = 36;
export const OIE_MAX_MONTHS = 120;

export type OieColumnFault = 'missing-column' | 'renamed-column';

export interface OieFeedOptions extends SimulatorOptions {
  /** Months served, ending December 2024. */
  months: number;
  columnFault?: OieColumnFault;
  truncate?: boolean;
}

export interface OieGroundTruth {
  total: number;
  badRows: number;
  validRows: number;
  quirkyRows: number;
}

export interface IndexPoint {
  code: string;
  nameTh: string;
  /** `YYYY-MM` (Common Era). */
  month: string;
  year: number;
  monthOfYear: number;
  mpi: number;
  capacityUtilisation: number | null;
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

/** Group g's value for the month `monthsBack` months before December 2024. */
export function indexPointAt(seed: number, group: number, monthsBack: number): IndexPoint {
  const { code, nameTh } = OIE_INDUSTRY_GROUPS[group]!;
  const series = agencyRandom(seed, AGENCY_STREAMS.oieSeries, group);
  const trend = -0.04 + series.next() * 0.1; // per year
  const amplitude = 0.01 + series.next() * 0.07;
  const phase = series.int(0, 11);
  const capacityBase = 45 + series.next() * 40;

  const serial = LAST_YEAR * 12 + (LAST_MONTH - 1) - monthsBack;
  const year = Math.floor(serial / 12);
  const monthOfYear = (serial % 12) + 1;
  const noise = agencyRandom(seed, AGENCY_STREAMS.oieMonth, rowKey(group, monthsBack));
  const yearsSinceBase = year + (monthOfYear - 0.5) / 12 - 2021.5;
  const mpi = round2(
    100 * (1 + trend * yearsSinceBase) * (1 + amplitude * Math.sin((2 * Math.PI * (monthOfYear + phase)) / 12)) * (1 + (noise.next() - 0.5) * 0.06),
  );
  const capacity = Math.min(99, Math.max(5, capacityBase + (mpi - 100) * 0.3 + (noise.next() - 0.5) * 6));
  return {
    code,
    nameTh,
    month: `${year}-${String(monthOfYear).padStart(2, '0')}`,
    year,
    monthOfYear,
    mpi,
    capacityUtilisation: WITHOUT_CAPACITY_UTILISATION.has(code) ? null : round2(capacity),
  };
}

/** The row's identity for its random draws: independent of how many months are served. */
function rowKey(group: number, monthsBack: number): number {
  return monthsBack * OIE_INDUSTRY_GROUPS.length + group;
}

const OIE_QUIRKS = {
  buddhistEraMonth: (row: OieRow, point: IndexPoint) => {
    row.MONTH = `${point.year + BUDDHIST_ERA_OFFSET}-${String(point.monthOfYear).padStart(2, '0')}`;
  },
  thaiDigitMonth: (row: OieRow, point: IndexPoint) => {
    row.MONTH = thaiDigits(`${point.year + BUDDHIST_ERA_OFFSET}-${String(point.monthOfYear).padStart(2, '0')}`);
  },
  monthFirst: (row: OieRow, point: IndexPoint) => {
    row.MONTH = `${String(point.monthOfYear).padStart(2, '0')}/${point.year + BUDDHIST_ERA_OFFSET}`;
  },
  excelQuotedCode: (row: OieRow) => {
    row.INDUSTRY_CODE = excelQuoted(row.INDUSTRY_CODE);
  },
  dashForEmpty: (row: OieRow) => {
    for (const column of OIE_MPI_COLUMNS) if (row[column] === '') row[column] = '-';
  },
  paddedNumbers: (row: OieRow) => {
    row.MPI = ` ${row.MPI} `;
    if (row.CAP_U) row.CAP_U = ` ${row.CAP_U}`;
  },
  decomposedThai: (row: OieRow) => {
    row.INDUSTRY_NAME = decomposedThai(row.INDUSTRY_NAME);
  },
} satisfies Record<string, (row: OieRow, point: IndexPoint, random: Random) => void>;
const OIE_QUIRK_NAMES = Object.keys(OIE_QUIRKS) as (keyof typeof OIE_QUIRKS)[];

function oieQuirks(options: SimulatorOptions, key: number): { quirks: (keyof typeof OIE_QUIRKS)[]; random: Random } {
  const random = agencyRandom(options.seed, AGENCY_STREAMS.oieQuirk, key);
  return { quirks: quirksFor(random, options.quirkRate, OIE_QUIRK_NAMES), random };
}

/** Row i of the feed: months oldest first, the groups in their order within a month. */
export function oieRow(options: OieFeedOptions, index: number): OieRow {
  const group = index % OIE_INDUSTRY_GROUPS.length;
  const monthsBack = options.months - 1 - Math.floor(index / OIE_INDUSTRY_GROUPS.length);
  const point = indexPointAt(options.seed, group, monthsBack);
  const row: OieRow = {
    INDUSTRY_CODE: point.code,
    INDUSTRY_NAME: point.nameTh,
    MONTH: point.month,
    MPI: point.mpi.toFixed(2),
    CAP_U: point.capacityUtilisation === null ? '' : point.capacityUtilisation.toFixed(2),
  };
  const key = rowKey(group, monthsBack);
  const { quirks, random } = oieQuirks(options, key);
  for (const quirk of quirks) {
    const apply: (row: OieRow, point: IndexPoint, random: Random) => void = OIE_QUIRKS[quirk];
    apply(row, point, random);
  }
  const bad = badRowFor(options.seed, AGENCY_STREAMS.oieBadRow, key, options.badRowRate);
  // Capacity utilisation over 100 %, a negative index, or month 13.
  if (bad) {
    const draw = bad.next();
    if (draw < 0.4 && point.capacityUtilisation !== null) row.CAP_U = (100 + bad.int(1, 3000) / 100).toFixed(2);
    else if (draw < 0.7) row.MPI = (-point.mpi).toFixed(2);
    else row.MONTH = `${point.year}-13`;
  }
  return row;
}

export function oieRowCount(months: number): number {
  return months * OIE_INDUSTRY_GROUPS.length;
}

export function* oieMpiChunks(options: OieFeedOptions): Generator<string> {
  const columns = options.columnFault === 'missing-column' ? OIE_MPI_COLUMNS.filter((c) => c !== 'MPI') : OIE_MPI_COLUMNS;
  yield* csvChunks({
    columns,
    header: columns.map((c) => (options.columnFault === 'renamed-column' && c === 'MONTH' ? 'PERIOD' : c)),
    count: oieRowCount(options.months),
    rowAt: (i) => oieRow(options, i),
    truncate: options.truncate,
  });
}

export function oieMpiGroundTruth(options: SimulatorOptions & { months?: number }): OieGroundTruth {
  const months = options.months ?? OIE_DEFAULT_MONTHS;
  const total = oieRowCount(months);
  let badRows = 0;
  let quirkyRows = 0;
  for (let monthsBack = 0; monthsBack < months; monthsBack++) {
    for (let group = 0; group < OIE_INDUSTRY_GROUPS.length; group++) {
      const key = rowKey(group, monthsBack);
      if (badRowFor(options.seed, AGENCY_STREAMS.oieBadRow, key, options.badRowRate)) badRows++;
      if (oieQuirks(options, key).quirks.length > 0) quirkyRows++;
    }
  }
  return { total, badRows, validRows: total - badRows, quirkyRows };
}
