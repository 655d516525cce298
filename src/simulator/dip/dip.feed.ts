/**
 * The simulated DIP datastore resources: programme participations and Industry 4.0
 * self-assessments of the world's firms, served the way a CKAN `datastore_search` pages them.
 *
 * Record i is a function of (seed, i) alone and only names firms below the smallest scale at which
 * it exists, so a smaller `scale` serves a prefix of the same records:
 * - participations come in pairs: pair g draws its firms from firms 10g..10g+9 (2 per 10 firms,
 *   about 0.2 x firms); the second of a pair is, a third of the time, the same firm in another
 *   programme or year, so keys (juristic ID, programme, year) never repeat;
 * - assessments come in pairs from firms 20g..20g+19 (about 0.1 x firms); the second is, 30 % of
 *   the time, a re-assessment of the same firm on a later date.
 * Every record names the firm (`company_name`, optional for the hub). At `quirkRate` a record comes
 * without the juristic ID (null, blank, `-` or all zeros) and with the name as a clerk typed it, so
 * the hub must link it by name (`dipIdWritten` says which).
 * Quirks at `quirkRate` and bad records at `badRowRate` are decided per record from the seed, so
 * the ground-truth functions predict exactly what a correct loader keeps and quarantines.
 */
import type { SimulatorOptions } from '../simulator-options';
import { type Random } from '../random';
import { agencyRandom, AGENCY_STREAMS, badRowFor, MISSING_ID_WRITINGS, missingIdFor, quirksFor, type AgencyStream } from '../world/agency-random';
import { BUDDHIST_ERA_OFFSET, buddhistDate, dashedId, excelQuoted, operatorNameVariant, thaiDigits, wrongCheckDigit } from '../world/feed-text';
import { firmAt, type Firm } from '../world/world';

/** CKAN resource ids of the two DIP datastore resources (the hub's default feed URLs use them). */
export const DIP_PARTICIPATIONS_RESOURCE_ID = '6c2e1f0a-4b7d-4e29-9c1a-3f5d8b2a7e01';
export const DIP_I40_ASSESSMENTS_RESOURCE_ID = 'b91d4a7e-2c3f-4a8b-8e6d-0f7c5a9b3d12';

export type DipResource = 'participations' | 'i40-assessments';

export const DIP_RESOURCES: Record<string, DipResource> = {
  [DIP_PARTICIPATIONS_RESOURCE_ID]: 'participations',
  [DIP_I40_ASSESSMENTS_RESOURCE_ID]: 'i40-assessments',
};

/** A record as CKAN's datastore returns it (records_format=objects). */
export type CkanRecord = Record<string, string | number | null>;

export interface CkanField {
  id: string;
  type: 'int' | 'text' | 'numeric';
}

export type DipColumnFault = 'missing-column' | 'renamed-column';

export interface DipGroundTruth {
  total: number;
  badRows: number;
  validRows: number;
  quirkyRows: number;
  /** Valid records without the juristic ID (linked by name). */
  withoutId: number;
}

const NO_ID_STREAM: Record<DipResource, AgencyStream> = {
  participations: AGENCY_STREAMS.dipParticipationNoId,
  'i40-assessments': AGENCY_STREAMS.dipAssessmentNoId,
};

/** Whether record i of the resource carries the juristic ID; if not, the hub can only link it by name. */
export function dipIdWritten(options: SimulatorOptions, resource: DipResource, index: number): boolean {
  return missingIdFor(options.seed, NO_ID_STREAM[resource], index, options.quirkRate) === null;
}

/** The ID left out (null, as CKAN gives an empty field, or as written) and the name as a clerk typed it. */
function withoutId(options: SimulatorOptions, resource: DipResource, index: number, record: CkanRecord, firm: Firm): void {
  const missing = missingIdFor(options.seed, NO_ID_STREAM[resource], index, options.quirkRate);
  if (!missing) return;
  record['juristic_id'] = missing.pick([null, ...MISSING_ID_WRITINGS]);
  record['company_name'] = operatorNameVariant(firm.nameTh, missing);
}

// ---------------------------------------------------------------------------------------------
// Participations

/** DIP support programmes (simulated codes; names modelled on DIP's programmes). */
export const DIP_PROGRAMMES = [
  { code: 'I40', name: 'โครงการยกระดับผู้ประกอบการสู่อุตสาหกรรม 4.0' },
  { code: 'NEC', name: 'โครงการสร้างผู้ประกอบการใหม่ (New Entrepreneurs Creation)' },
  { code: 'LEAN', name: 'โครงการเพิ่มผลิตภาพการผลิตด้วยระบบลีน' },
  { code: 'OTOP-UP', name: 'โครงการยกระดับผลิตภัณฑ์ชุมชน OTOP' },
  { code: 'DIGI-SME', name: 'โครงการส่งเสริมการใช้เทคโนโลยีดิจิทัลในวิสาหกิจขนาดกลางและขนาดย่อม' },
  { code: 'BCG', name: 'โครงการพัฒนาอุตสาหกรรมตามแนวทางเศรษฐกิจ BCG' },
  { code: 'DESIGN', name: 'โครงการพัฒนาผลิตภัณฑ์ด้วยการออกแบบเชิงสร้างสรรค์' },
  { code: 'SF-FUND', name: 'โครงการกองทุนพัฒนาเอสเอ็มอีตามแนวประชารัฐ' },
] as const;

type Programme = (typeof DIP_PROGRAMMES)[number];

/** Fiscal years of the participations, Buddhist Era. */
const FIRST_FISCAL_YEAR_BE = 2563;
const LAST_FISCAL_YEAR_BE = 2567;

export const PARTICIPATION_FIELDS: readonly CkanField[] = [
  { id: '_id', type: 'int' },
  { id: 'juristic_id', type: 'text' },
  { id: 'programme_code', type: 'text' },
  { id: 'programme_name', type: 'text' },
  { id: 'fiscal_year', type: 'text' },
  { id: 'province', type: 'text' },
  { id: 'company_name', type: 'text' },
];

export interface Participation {
  index: number;
  firm: Firm;
  programme: Programme;
  yearBe: number;
}

/** Participations in a world of `scale` firms: two per ten firms. */
export function participationCount(scale: number): number {
  return 2 * Math.floor(scale / 10);
}

export function participationAt(seed: number, index: number): Participation {
  const random = agencyRandom(seed, AGENCY_STREAMS.dipParticipation, index);
  const blockStart = 10 * Math.floor(index / 2);
  const first = index % 2 === 1 ? participationAt(seed, index - 1) : undefined;
  if (first && random.chance(1 / 3)) {
    // The same firm again, in another programme or another year.
    for (;;) {
      const programme = random.pick(DIP_PROGRAMMES);
      const yearBe = random.int(FIRST_FISCAL_YEAR_BE, LAST_FISCAL_YEAR_BE);
      if (programme.code !== first.programme.code || yearBe !== first.yearBe) return { index, firm: first.firm, programme, yearBe };
    }
  }
  const offset = first ? (first.firm.index - blockStart + 1 + random.int(0, 8)) % 10 : random.int(0, 9);
  return {
    index,
    firm: firmAt(seed, blockStart + offset),
    programme: random.pick(DIP_PROGRAMMES),
    yearBe: random.int(FIRST_FISCAL_YEAR_BE, LAST_FISCAL_YEAR_BE),
  };
}

const PARTICIPATION_QUIRKS = {
  dashedId: (record: CkanRecord, p: Participation) => {
    record['juristic_id'] = dashedId(p.firm.juristicId);
  },
  excelQuotedId: (record: CkanRecord, p: Participation) => {
    record['juristic_id'] = excelQuoted(p.firm.juristicId);
  },
  commonEraYear: (record: CkanRecord, p: Participation) => {
    record['fiscal_year'] = String(p.yearBe - BUDDHIST_ERA_OFFSET);
  },
  thaiDigitYear: (record: CkanRecord, p: Participation) => {
    record['fiscal_year'] = thaiDigits(String(p.yearBe));
  },
  yearAsNumber: (record: CkanRecord, p: Participation) => {
    record['fiscal_year'] = p.yearBe;
  },
  provincePrefix: (record: CkanRecord, p: Participation, random: Random) => {
    record['province'] = `${random.pick(['จังหวัด', 'จ.'])}${p.firm.province.nameTh}`;
  },
  lowerCaseCode: (record: CkanRecord, p: Participation) => {
    record['programme_code'] = ` ${p.programme.code.toLowerCase()} `;
  },
  dashForEmpty: (record: CkanRecord) => {
    record['programme_name'] = '-';
  },
} satisfies Record<string, (record: CkanRecord, p: Participation, random: Random) => void>;
const PARTICIPATION_QUIRK_NAMES = Object.keys(PARTICIPATION_QUIRKS) as (keyof typeof PARTICIPATION_QUIRKS)[];

function participationQuirks(options: SimulatorOptions, index: number): { quirks: (keyof typeof PARTICIPATION_QUIRKS)[]; random: Random } {
  const random = agencyRandom(options.seed, AGENCY_STREAMS.dipParticipationQuirk, index);
  return { quirks: quirksFor(random, options.quirkRate, PARTICIPATION_QUIRK_NAMES), random };
}

export function participationRecord(options: SimulatorOptions, index: number): CkanRecord {
  const p = participationAt(options.seed, index);
  const record: CkanRecord = {
    _id: index + 1,
    juristic_id: p.firm.juristicId,
    programme_code: p.programme.code,
    programme_name: p.programme.name,
    fiscal_year: String(p.yearBe),
    province: p.firm.province.nameTh,
    company_name: p.firm.nameTh,
  };
  const { quirks, random } = participationQuirks(options, index);
  for (const quirk of quirks) PARTICIPATION_QUIRKS[quirk](record, p, random);
  withoutId(options, 'participations', index, record, p.firm);
  // A participant ID with a wrong check digit.
  if (badRowFor(options.seed, AGENCY_STREAMS.dipParticipationBadRow, index, options.badRowRate)) {
    record['juristic_id'] = wrongCheckDigit(p.firm.juristicId);
  }
  return record;
}

export function participationsGroundTruth(options: SimulatorOptions): DipGroundTruth {
  return groundTruth(options, 'participations', participationCount(options.scale), AGENCY_STREAMS.dipParticipationBadRow, (i) => participationQuirks(options, i).quirks.length > 0);
}

function groundTruth(options: SimulatorOptions, resource: DipResource, total: number, badStream: AgencyStream, quirky: (index: number) => boolean): DipGroundTruth {
  let badRows = 0;
  let quirkyRows = 0;
  let withoutIdRows = 0;
  for (let i = 0; i < total; i++) {
    const bad = badRowFor(options.seed, badStream, i, options.badRowRate) !== null;
    const written = dipIdWritten(options, resource, i);
    if (bad) badRows++;
    if (!bad && !written) withoutIdRows++;
    if (quirky(i) || !written) quirkyRows++;
  }
  return { total, badRows, validRows: total - badRows, quirkyRows, withoutId: withoutIdRows };
}

// ---------------------------------------------------------------------------------------------
// Industry 4.0 self-assessments

export const I40_DIMENSIONS = [
  'smart_operation',
  'strategy_organization',
  'workforce',
  'technology_innovation',
  'market_customer_standard',
  'it_data',
] as const;
type Dimension = (typeof I40_DIMENSIONS)[number];

export const ASSESSMENT_FIELDS: readonly CkanField[] = [
  { id: '_id', type: 'int' },
  { id: 'juristic_id', type: 'text' },
  { id: 'assessed_on', type: 'text' },
  { id: 'overall_level', type: 'numeric' },
  ...I40_DIMENSIONS.map((id): CkanField => ({ id, type: 'numeric' })),
  { id: 'company_name', type: 'text' },
];

export interface Assessment {
  index: number;
  firm: Firm;
  /** ISO date. */
  assessedOn: string;
  overallLevel: number;
  scores: Record<Dimension, number>;
}

/** Assessments in a world of `scale` firms: two per twenty firms. */
export function assessmentCount(scale: number): number {
  return 2 * Math.floor(scale / 20);
}

const DAY_MS = 86_400_000;
const FIRST_ASSESSMENT = Date.UTC(2019, 0, 1);
const LAST_ASSESSMENT = Date.UTC(2024, 5, 30);

const round2 = (value: number): number => Math.round(value * 100) / 100;

export function assessmentAt(seed: number, index: number): Assessment {
  const random = agencyRandom(seed, AGENCY_STREAMS.dipAssessment, index);
  const blockStart = 20 * Math.floor(index / 2);
  const first = index % 2 === 1 ? assessmentAt(seed, index - 1) : undefined;
  let firm: Firm;
  let day: number;
  if (first && random.chance(0.3)) {
    // A re-assessment of the same firm, 200 to 500 days later.
    firm = first.firm;
    day = Date.parse(first.assessedOn) + random.int(200, 500) * DAY_MS;
  } else {
    const offset = first ? (first.firm.index - blockStart + 1 + random.int(0, 18)) % 20 : random.int(0, 19);
    firm = firmAt(seed, blockStart + offset);
    day = FIRST_ASSESSMENT + random.int(0, (LAST_ASSESSMENT - FIRST_ASSESSMENT) / DAY_MS) * DAY_MS;
  }
  // A firm's level, and its dimensions scattered around it, each within 1.0-4.0.
  const base = 1 + random.next() * 2.2;
  const scores = {} as Record<Dimension, number>;
  for (const dimension of I40_DIMENSIONS) scores[dimension] = round2(Math.min(4, Math.max(1, base + random.next() * 1.6 - 0.6)));
  const overallLevel = round2(I40_DIMENSIONS.reduce((sum, d) => sum + scores[d], 0) / I40_DIMENSIONS.length);
  return { index, firm, assessedOn: new Date(day).toISOString().slice(0, 10), overallLevel, scores };
}

const ASSESSMENT_QUIRKS = {
  dashedId: (record: CkanRecord, a: Assessment) => {
    record['juristic_id'] = dashedId(a.firm.juristicId);
  },
  excelQuotedId: (record: CkanRecord, a: Assessment) => {
    record['juristic_id'] = excelQuoted(a.firm.juristicId);
  },
  buddhistDate: (record: CkanRecord, a: Assessment) => {
    record['assessed_on'] = buddhistDate(a.assessedOn);
  },
  thaiDigitDate: (record: CkanRecord, a: Assessment) => {
    record['assessed_on'] = thaiDigits(buddhistDate(a.assessedOn));
  },
  scoresAsText: (record: CkanRecord) => {
    for (const field of ['overall_level', ...I40_DIMENSIONS]) {
      const value = record[field];
      if (typeof value === 'number') record[field] = value.toFixed(2);
    }
  },
  dashForEmpty: (record: CkanRecord, _a: Assessment, random: Random) => {
    record[random.pick(I40_DIMENSIONS)] = '-';
  },
} satisfies Record<string, (record: CkanRecord, a: Assessment, random: Random) => void>;
const ASSESSMENT_QUIRK_NAMES = Object.keys(ASSESSMENT_QUIRKS) as (keyof typeof ASSESSMENT_QUIRKS)[];

function assessmentQuirks(options: SimulatorOptions, index: number): { quirks: (keyof typeof ASSESSMENT_QUIRKS)[]; random: Random } {
  const random = agencyRandom(options.seed, AGENCY_STREAMS.dipAssessmentQuirk, index);
  return { quirks: quirksFor(random, options.quirkRate, ASSESSMENT_QUIRK_NAMES), random };
}

export function assessmentRecord(options: SimulatorOptions, index: number): CkanRecord {
  const a = assessmentAt(options.seed, index);
  const record: CkanRecord = {
    _id: index + 1,
    juristic_id: a.firm.juristicId,
    assessed_on: a.assessedOn,
    overall_level: a.overallLevel,
    ...a.scores,
    company_name: a.firm.nameTh,
  };
  const { quirks, random } = assessmentQuirks(options, index);
  for (const quirk of quirks) ASSESSMENT_QUIRKS[quirk](record, a, random);
  withoutId(options, 'i40-assessments', index, record, a.firm);
  const bad = badRowFor(options.seed, AGENCY_STREAMS.dipAssessmentBadRow, index, options.badRowRate);
  // A level outside 1.0-4.0 (overall or one dimension), or an ID with a wrong check digit.
  if (bad) {
    const draw = bad.next();
    if (draw < 0.4) record['overall_level'] = bad.pick([4.5, 0.5, 5, 0]);
    else if (draw < 0.7) record[bad.pick(I40_DIMENSIONS)] = bad.pick([4.75, 0, 6, -1]);
    else record['juristic_id'] = wrongCheckDigit(a.firm.juristicId);
  }
  return record;
}

export function assessmentsGroundTruth(options: SimulatorOptions): DipGroundTruth {
  return groundTruth(options, 'i40-assessments', assessmentCount(options.scale), AGENCY_STREAMS.dipAssessmentBadRow, (i) => assessmentQuirks(options, i).quirks.length > 0);
}

// ---------------------------------------------------------------------------------------------
// Pages

export interface DipPage {
  fields: CkanField[];
  records: CkanRecord[];
  total: number;
}

/** Records [offset, offset + limit) of a resource, with its fields (after a column fault). */
export function dipPage(options: SimulatorOptions & { resource: DipResource; offset: number; limit: number; columnFault?: DipColumnFault }): DipPage {
  const participations = options.resource === 'participations';
  const total = participations ? participationCount(options.scale) : assessmentCount(options.scale);
  const end = Math.min(total, options.offset + options.limit);
  const records: CkanRecord[] = [];
  for (let i = options.offset; i < end; i++) records.push(participations ? participationRecord(options, i) : assessmentRecord(options, i));
  let fields = [...(participations ? PARTICIPATION_FIELDS : ASSESSMENT_FIELDS)];
  // missing-column drops a required field; renamed-column calls juristic_id by another name.
  const dropped = participations ? 'programme_code' : 'overall_level';
  if (options.columnFault === 'missing-column') {
    fields = fields.filter((field) => field.id !== dropped);
    for (const record of records) delete record[dropped];
  } else if (options.columnFault === 'renamed-column') {
    fields = fields.map((field) => (field.id === 'juristic_id' ? { ...field, id: 'company_id' } : field));
    for (const record of records) {
      record['company_id'] = record['juristic_id'] ?? null;
      delete record['juristic_id'];
    }
  }
  return { fields, records, total };
}

export function dipGroundTruth(options: SimulatorOptions & { resource: DipResource }): DipGroundTruth {
  return options.resource === 'participations' ? participationsGroundTruth(options) : assessmentsGroundTruth(options);
}
