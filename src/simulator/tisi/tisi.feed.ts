/**
 * The simulated TISI feeds: the standards list and the licences to use a standard mark, as CSV.
 * Licensees are the world's firms and licensed plants its factories (licence i belongs to factory
 * floor(10i/3), about 0.3 licences per factory). At `quirkRate`, a licence comes without its
 * licensee's tax ID (blank, `-` or all zeros) and with the name as a clerk typed it, so the hub must
 * link it by name (`licenseeTaxIdWritten` says which). Quirks at `quirkRate` and bad rows at
 * `badRowRate` are decided per row from the seed, so `tisiStandardsGroundTruth` and
 * `tisiLicencesGroundTruth` predict exactly what a correct loader keeps and quarantines.
 *
 * Every row is a function of (seed, index) alone: a smaller `scale` serves a prefix of the same
 * rows, so a load at a smaller scale leaves the rest of an earlier load absent, unchanged.
 */
import type { SimulatorOptions } from '../simulator-options';
import { type Random } from '../random';
import { agencyRandom, AGENCY_STREAMS, badRowFor, MISSING_ID_WRITINGS, missingIdFor, quirksFor } from '../world/agency-random';
import {
  BUDDHIST_ERA_OFFSET,
  buddhistDate,
  csvChunks,
  dashedId,
  decomposedThai,
  excelQuoted,
  operatorNameVariant,
  permute,
  thaiDigits,
  wrongCheckDigit,
} from '../world/feed-text';
import { factoryAt, factoryCount } from '../world/world';

export const TISI_STANDARD_COLUMNS = ['TIS_NO', 'TIS_NAME_TH', 'TIS_TYPE', 'STATUS'] as const;
export const TISI_LICENCE_COLUMNS = [
  'LICENSE_NO',
  'LICENSE_TYPE',
  'ISSUE_DATE',
  'TIS_NO',
  'LICENSEE_NAME',
  'TAX_ID',
  'FID',
  'STATUS',
  'SUSPENDED_DATE',
  'CANCELLED_DATE',
] as const;

type StandardColumn = (typeof TISI_STANDARD_COLUMNS)[number];
type LicenceColumn = (typeof TISI_LICENCE_COLUMNS)[number];
type StandardRow = Record<StandardColumn, string>;
type LicenceRow = Record<LicenceColumn, string>;

export type TisiColumnFault = 'missing-column' | 'renamed-column';

export interface TisiFeedOptions extends SimulatorOptions {
  columnFault?: TisiColumnFault;
  truncate?: boolean;
}

export interface TisiGroundTruth {
  /** Data rows in the feed. */
  total: number;
  /** Rows the hub must quarantine. */
  badRows: number;
  /** Rows the hub must load (all keys distinct). */
  validRows: number;
  /** Rows carrying at least one quirk. */
  quirkyRows: number;
}

export interface TisiLicenceGroundTruth extends TisiGroundTruth {
  /** Valid rows without the licensee's tax ID (linked by name). */
  withoutTaxId: number;
}

// ---------------------------------------------------------------------------------------------
// Standards

/** Products of the simulated standards (real TISI subjects; numbers and years are simulated). */
const PRODUCTS = [
  'เหล็กเส้นเสริมคอนกรีต: เหล็กข้ออ้อย',
  'ปูนซีเมนต์ปอร์ตแลนด์',
  'หมวกนิรภัยสำหรับผู้ขับขี่และผู้โดยสารรถจักรยานยนต์',
  'ยางล้อแบบสูบลมสำหรับรถยนต์นั่ง',
  'เต้าเสียบและเต้ารับสำหรับใช้ในที่อยู่อาศัย',
  'เครื่องปรับอากาศสำหรับห้อง',
  'ตู้เย็นสำหรับใช้ในที่อยู่อาศัย',
  'หลอดฟลูออเรสเซนต์',
  'สายไฟฟ้าหุ้มด้วยพอลิไวนิลคลอไรด์',
  'ถุงมือยางสำหรับการตรวจโรค',
  'ท่อพอลิไวนิลคลอไรด์แข็งสำหรับใช้เป็นท่อน้ำดื่ม',
  'กระเบื้องเซรามิก',
  'ผงซักฟอก',
  'ของเล่น',
  'ถังก๊าซปิโตรเลียมเหลว',
  'แบตเตอรี่ตะกั่วกรดสำหรับรถยนต์',
  'กระจกนิรภัยสำหรับรถยนต์',
  'เครื่องทำน้ำอุ่นไฟฟ้า',
  'เตารีดไฟฟ้า',
  'พัดลมไฟฟ้า',
  'หม้อหุงข้าวไฟฟ้า',
  'อิฐบล็อกประสานคอนกรีต',
  'เหล็กแผ่นรีดร้อน',
  'ท่อเหล็กกล้าอาบสังกะสี',
  'สีอะคริลิกสำหรับทาภายนอก',
  'กระดาษชำระ',
  'ผ้าอ้อมเด็กสำเร็จรูป',
  'ภาชนะพลาสติกสำหรับบรรจุอาหาร',
  'เครื่องตัดไฟรั่ว',
  'ชุดสายพ่วง',
  'เครื่องซักผ้าไฟฟ้า',
  'เครื่องรับโทรทัศน์',
  'น้ำมันหล่อลื่นเครื่องยนต์',
  'ไม้อัด',
  'ปุ๋ยอินทรีย์',
  'ถุงพลาสติกหูหิ้ว',
  'เฟอร์นิเจอร์เหล็ก',
  'ผ้าปูที่นอน',
  'เข็มขัดนิรภัยสำหรับรถยนต์',
  'ล้อแม็กอะลูมิเนียมอัลลอยสำหรับรถยนต์',
] as const;

const MIN_STANDARDS = 40;
const MAX_STANDARDS = 400;
const STANDARD_NUMBER_SPACE = 3000;
const STANDARD_NUMBER_MULTIPLIER = 1_597; // prime, coprime with 3,000
const SHARE_MANDATORY = 0.3;
const SHARE_CANCELLED_STANDARDS = 0.1;

/** Standards in the list for a world of `scale` firms: one per eight firms, 40 to 400. */
export function standardCount(scale: number): number {
  return Math.min(MAX_STANDARDS, Math.max(MIN_STANDARDS, Math.ceil(scale / 8)));
}

export interface Standard {
  index: number;
  number: number;
  yearBe: number;
  nameTh: string;
  mandatory: boolean;
  inForce: boolean;
}

export function standardAt(seed: number, index: number): Standard {
  const random = agencyRandom(seed, AGENCY_STREAMS.tisiStandard, index);
  const product = PRODUCTS[index % PRODUCTS.length]!;
  const part = Math.floor(index / PRODUCTS.length);
  return {
    index,
    number: 1 + permute(index, STANDARD_NUMBER_SPACE, STANDARD_NUMBER_MULTIPLIER, seed % STANDARD_NUMBER_SPACE),
    yearBe: random.int(2520, 2567),
    nameTh: part === 0 ? product : `${product} ส่วนที่ ${part + 1}`,
    mandatory: random.chance(SHARE_MANDATORY),
    inForce: !random.chance(SHARE_CANCELLED_STANDARDS),
  };
}

const tisNo = (standard: Standard): string => `มอก. ${standard.number}-${standard.yearBe}`;

const STANDARD_QUIRKS = {
  compactNumber: (row: StandardRow, standard: Standard) => {
    row.TIS_NO = `มอก.${standard.number}-${standard.yearBe}`;
  },
  spacedNumber: (row: StandardRow, standard: Standard) => {
    row.TIS_NO = `มอก. ${standard.number} - ${standard.yearBe}`;
  },
  noPrefix: (row: StandardRow, standard: Standard) => {
    row.TIS_NO = `${standard.number}-${standard.yearBe}`;
  },
  thaiDigits: (row: StandardRow, standard: Standard) => {
    row.TIS_NO = thaiDigits(tisNo(standard));
  },
  typeInWords: (row: StandardRow, standard: Standard) => {
    row.TIS_TYPE = standard.mandatory ? 'บังคับ' : 'ทั่วไป';
  },
  decomposedThai: (row: StandardRow) => {
    row.TIS_NAME_TH = decomposedThai(row.TIS_NAME_TH);
  },
} satisfies Record<string, (row: StandardRow, standard: Standard, random: Random) => void>;
const STANDARD_QUIRK_NAMES = Object.keys(STANDARD_QUIRKS) as (keyof typeof STANDARD_QUIRKS)[];

function standardQuirks(options: SimulatorOptions, index: number): { quirks: (keyof typeof STANDARD_QUIRKS)[]; random: Random } {
  const random = agencyRandom(options.seed, AGENCY_STREAMS.tisiStandardQuirk, index);
  return { quirks: quirksFor(random, options.quirkRate, STANDARD_QUIRK_NAMES), random };
}

export function tisiStandardRow(options: SimulatorOptions, index: number): StandardRow {
  const standard = standardAt(options.seed, index);
  const row: StandardRow = {
    TIS_NO: tisNo(standard),
    TIS_NAME_TH: standard.nameTh,
    TIS_TYPE: standard.mandatory ? 'บ' : 'ท',
    STATUS: standard.inForce ? 'ใช้งาน' : 'ยกเลิก',
  };
  const { quirks, random } = standardQuirks(options, index);
  for (const quirk of quirks) {
    const apply: (row: StandardRow, standard: Standard, random: Random) => void = STANDARD_QUIRKS[quirk];
    apply(row, standard, random);
  }
  const bad = badRowFor(options.seed, AGENCY_STREAMS.tisiStandardBadRow, index, options.badRowRate);
  // A number without its year, or a type that is neither บ nor ท.
  if (bad) {
    if (bad.chance(0.6)) row.TIS_NO = `มอก. ${standard.number}`;
    else row.TIS_TYPE = bad.pick(['?', 'x', 'บท']);
  }
  return row;
}

export function* tisiStandardsChunks(options: TisiFeedOptions): Generator<string> {
  const columns = options.columnFault === 'missing-column' ? TISI_STANDARD_COLUMNS.filter((c) => c !== 'TIS_NAME_TH') : TISI_STANDARD_COLUMNS;
  yield* csvChunks({
    columns,
    header: columns.map((c) => (options.columnFault === 'renamed-column' && c === 'TIS_NO' ? 'STANDARD_NO' : c)),
    count: standardCount(options.scale),
    rowAt: (i) => tisiStandardRow(options, i),
    truncate: options.truncate,
  });
}

export function tisiStandardsGroundTruth(options: SimulatorOptions): TisiGroundTruth {
  const total = standardCount(options.scale);
  let badRows = 0;
  let quirkyRows = 0;
  for (let i = 0; i < total; i++) {
    if (badRowFor(options.seed, AGENCY_STREAMS.tisiStandardBadRow, i, options.badRowRate)) badRows++;
    if (standardQuirks(options, i).quirks.length > 0) quirkyRows++;
  }
  return { total, badRows, validRows: total - badRows, quirkyRows };
}

// ---------------------------------------------------------------------------------------------
// Licences

/** Licences for a world of `scale` firms: ceil(0.3 x factories), in integers. */
export function licenceCount(scale: number): number {
  return Math.floor((3 * factoryCount(scale) + 9) / 10);
}

/** The factory of licence i: floor(10i/3), below factoryCount whenever i is below licenceCount. */
export function licenceFactoryIndex(index: number): number {
  return Math.floor((10 * index) / 3);
}

export type LicenceStatus = 'valid' | 'suspended' | 'cancelled';

export interface Licence {
  index: number;
  licenceNo: string;
  /** `ทำ` (make in Thailand) or `นำเข้า` (import). */
  licenceType: 'ทำ' | 'นำเข้า';
  /** ISO date. */
  issuedOn: string;
  standard: Standard;
  licenseeName: string;
  licenseeTaxId: string;
  fid: string | null;
  status: LicenceStatus;
  suspendedOn: string | null;
  cancelledOn: string | null;
}

const SHARE_IMPORT = 0.2;
const SHARE_MADE_WITHOUT_FID = 0.1;

export function licenceAt(seed: number, index: number): Licence {
  const random = agencyRandom(seed, AGENCY_STREAMS.tisiLicence, index);
  const factoryIndex = licenceFactoryIndex(index);
  const factory = factoryAt(seed, factoryIndex);
  // Only standards that exist at every scale where this licence does (5k+1 firms: factory k's first).
  const standard = standardAt(seed, random.int(0, standardCount(5 * factoryIndex + 1) - 1));
  const licenceType = random.chance(SHARE_IMPORT) ? 'นำเข้า' : 'ทำ';
  const issued = Date.UTC(2008, 0, 1) + Math.floor(random.next() * (Date.UTC(2024, 11, 31) - Date.UTC(2008, 0, 1)));
  const issuedOn = new Date(issued).toISOString().slice(0, 10);
  const later = (): string => new Date(issued + random.int(30, 1500) * 86_400_000).toISOString().slice(0, 10);
  const draw = random.next();
  const status: LicenceStatus = draw < 0.85 ? 'valid' : draw < 0.9 ? 'suspended' : 'cancelled';
  const yearBe = Number(issuedOn.slice(0, 4)) + BUDDHIST_ERA_OFFSET;
  return {
    index,
    licenceNo: `ท${String(index + 1).padStart(4, '0')}-${yearBe % 100}/${standard.number}`,
    licenceType,
    issuedOn,
    standard,
    licenseeName: factory.firm.nameTh,
    licenseeTaxId: factory.firm.juristicId,
    fid: licenceType === 'ทำ' && !random.chance(SHARE_MADE_WITHOUT_FID) ? factory.fid : null,
    status,
    suspendedOn: status === 'suspended' ? later() : null,
    cancelledOn: status === 'cancelled' ? later() : null,
  };
}

const STATUS_WORDS: Record<LicenceStatus, string> = { valid: 'ปกติ', suspended: 'พักใช้', cancelled: 'เพิกถอน' };

const LICENCE_QUIRKS = {
  excelQuotedIds: (row: LicenceRow) => {
    row.TAX_ID = excelQuoted(row.TAX_ID);
    if (row.FID) row.FID = excelQuoted(row.FID);
  },
  dashedTaxId: (row: LicenceRow, licence: Licence) => {
    row.TAX_ID = dashedId(licence.licenseeTaxId);
  },
  thaiDigitDates: (row: LicenceRow) => {
    for (const column of ['ISSUE_DATE', 'SUSPENDED_DATE', 'CANCELLED_DATE'] as const) row[column] = thaiDigits(row[column]);
  },
  isoDates: (row: LicenceRow, licence: Licence) => {
    row.ISSUE_DATE = licence.issuedOn;
    if (licence.suspendedOn) row.SUSPENDED_DATE = licence.suspendedOn;
    if (licence.cancelledOn) row.CANCELLED_DATE = licence.cancelledOn;
  },
  dashForEmpty: (row: LicenceRow) => {
    for (const column of TISI_LICENCE_COLUMNS) if (row[column] === '') row[column] = '-';
  },
  spacedNumbers: (row: LicenceRow, licence: Licence) => {
    row.TIS_NO = `มอก. ${licence.standard.number} - ${licence.standard.yearBe}`;
    row.LICENSE_NO = row.LICENSE_NO.replace(/([-/])/g, ' $1 ').replace(/^ท/, 'ท ');
  },
  decomposedThai: (row: LicenceRow) => {
    row.LICENSEE_NAME = decomposedThai(row.LICENSEE_NAME);
  },
} satisfies Record<string, (row: LicenceRow, licence: Licence, random: Random) => void>;
const LICENCE_QUIRK_NAMES = Object.keys(LICENCE_QUIRKS) as (keyof typeof LICENCE_QUIRKS)[];

function licenceQuirks(options: SimulatorOptions, index: number): { quirks: (keyof typeof LICENCE_QUIRKS)[]; random: Random } {
  const random = agencyRandom(options.seed, AGENCY_STREAMS.tisiLicenceQuirk, index);
  return { quirks: quirksFor(random, options.quirkRate, LICENCE_QUIRK_NAMES, 3), random };
}

export function tisiLicenceRow(options: SimulatorOptions, index: number): LicenceRow {
  const licence = licenceAt(options.seed, index);
  const row: LicenceRow = {
    LICENSE_NO: licence.licenceNo,
    LICENSE_TYPE: licence.licenceType,
    ISSUE_DATE: buddhistDate(licence.issuedOn),
    TIS_NO: tisNo(licence.standard),
    LICENSEE_NAME: licence.licenseeName,
    TAX_ID: licence.licenseeTaxId,
    FID: licence.fid ?? '',
    STATUS: STATUS_WORDS[licence.status],
    SUSPENDED_DATE: licence.suspendedOn ? buddhistDate(licence.suspendedOn) : '',
    CANCELLED_DATE: licence.cancelledOn ? buddhistDate(licence.cancelledOn) : '',
  };
  const { quirks, random } = licenceQuirks(options, index);
  for (const quirk of quirks) {
    const apply: (row: LicenceRow, licence: Licence, random: Random) => void = LICENCE_QUIRKS[quirk];
    apply(row, licence, random);
  }
  const missing = missingIdFor(options.seed, AGENCY_STREAMS.tisiLicenceNoTaxId, index, options.quirkRate);
  if (missing) {
    row.TAX_ID = missing.pick(MISSING_ID_WRITINGS);
    row.LICENSEE_NAME = operatorNameVariant(licence.licenseeName, missing);
  }
  const bad = badRowFor(options.seed, AGENCY_STREAMS.tisiLicenceBadRow, index, options.badRowRate);
  // A tax ID whose check digit is wrong (most), or a factory ID one digit short.
  if (bad) {
    if (licence.fid && bad.chance(0.25)) row.FID = licence.fid.slice(0, 13);
    else row.TAX_ID = wrongCheckDigit(licence.licenseeTaxId);
  }
  return row;
}

export function* tisiLicencesChunks(options: TisiFeedOptions): Generator<string> {
  const columns = options.columnFault === 'missing-column' ? TISI_LICENCE_COLUMNS.filter((c) => c !== 'TAX_ID') : TISI_LICENCE_COLUMNS;
  yield* csvChunks({
    columns,
    header: columns.map((c) => (options.columnFault === 'renamed-column' && c === 'TAX_ID' ? 'TAXNO' : c)),
    count: licenceCount(options.scale),
    rowAt: (i) => tisiLicenceRow(options, i),
    truncate: options.truncate,
  });
}

/** Whether licence i carries its licensee's tax ID; if not, the hub can only link it by name. */
export function licenseeTaxIdWritten(options: SimulatorOptions, index: number): boolean {
  return missingIdFor(options.seed, AGENCY_STREAMS.tisiLicenceNoTaxId, index, options.quirkRate) === null;
}

export function tisiLicencesGroundTruth(options: SimulatorOptions): TisiLicenceGroundTruth {
  const total = licenceCount(options.scale);
  let badRows = 0;
  let quirkyRows = 0;
  let withoutTaxId = 0;
  for (let i = 0; i < total; i++) {
    const bad = badRowFor(options.seed, AGENCY_STREAMS.tisiLicenceBadRow, i, options.badRowRate) !== null;
    const written = licenseeTaxIdWritten(options, i);
    if (bad) badRows++;
    if (!written && !bad) withoutTaxId++;
    if (licenceQuirks(options, i).quirks.length > 0 || !written) quirkyRows++;
  }
  return { total, badRows, validRows: total - badRows, quirkyRows, withoutTaxId };
}
