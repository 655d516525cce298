import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { PROJECT_ROOT } from '../config/config';
import { sectionOfDivision } from './tsic';

/**
 * The reference data shipped with the hub as versioned CSV files in data/reference/ (see its
 * README.md for sources and assumptions): provinces, the TSIC 2009 hierarchy, the ten target
 * industries and their TSIC mapping. This module is the one reader of those files: the migration
 * that loads them into the `reference` schema and the tests use it, and it refuses a file that does
 * not follow the rules below (a bad edit fails the migration, not a later query).
 */

/** data/reference/, from the project root, so it is found from src/ (tests) and from dist/ alike. */
export const REFERENCE_DATA_DIR = path.join(PROJECT_ROOT, 'data', 'reference');

/** The datasets, as recorded in `reference.dataset_version`, and the files each is read from. */
export const REFERENCE_FILES = {
  province: ['provinces.csv'],
  tsic: ['tsic-2009-manufacturing.csv', 'tsic-2009-other-sections.csv'],
  target_industry: ['target-industries.csv'],
  target_industry_tsic: ['target-industry-tsic.csv'],
} as const;

export type ReferenceDatasetName = keyof typeof REFERENCE_FILES;

export interface ReferenceDataset<T> {
  dataset: ReferenceDatasetName;
  /** The files' version: their `version` column, or the latest `mapping_version` of the mapping. */
  version: string;
  /** Absolute paths of the files read. */
  files: string[];
  rows: T[];
}

/** The six-region scheme (National Geographical Committee, 1977). */
export const REGIONS = ['North', 'Central', 'Northeast', 'West', 'East', 'South'] as const;
export type Region = (typeof REGIONS)[number];

export interface Province {
  /** The Interior ministry's 2-digit code, also used by ISO 3166-2 (`10` Bangkok, `50` Chiang Mai). */
  code: string;
  /** `TH-` + code. */
  isoCode: string;
  nameTh: string;
  nameEn: string;
  region: Region;
  /** The DIP regional industrial promotion centre (1..11) covering the province (assumed: see README). */
  promotionCentre: number;
  /** In the Eastern Economic Corridor (Chachoengsao, Chon Buri, Rayong). */
  eec: boolean;
}

export const TSIC_LEVELS = ['section', 'division', 'group', 'class', 'subclass'] as const;
export type TsicLevel = (typeof TSIC_LEVELS)[number];

export interface TsicEntry {
  code: string;
  level: TsicLevel;
  /** The code one level up; null for a section. */
  parentCode: string | null;
  nameEn: string;
  nameTh: string | null;
}

export const TARGET_INDUSTRY_WAVES = ['first', 'new'] as const;
/** `first`: the First S-curve; `new`: the New S-curve. */
export type TargetIndustryWave = (typeof TARGET_INDUSTRY_WAVES)[number];

export interface TargetIndustry {
  /** Stable code, e.g. `NEXT_GEN_AUTOMOTIVE`. */
  code: string;
  wave: TargetIndustryWave;
  /** Order in which the ministry lists the industries (1..10). */
  displayOrder: number;
  nameEn: string;
  nameTh: string;
}

export interface TargetIndustryTsic {
  industryCode: string;
  /** A TSIC code prefix at division, group, class or subclass level (2-5 digits). */
  tsicPrefix: string;
  /** The mapping's version, e.g. `2024-01`; a file may hold several versions. */
  mappingVersion: string;
}

export interface ReferenceData {
  provinces: ReferenceDataset<Province>;
  tsic: ReferenceDataset<TsicEntry>;
  targetIndustries: ReferenceDataset<TargetIndustry>;
  targetIndustryTsic: ReferenceDataset<TargetIndustryTsic>;
}

/** A reference file that breaks its rules; the message lists every problem found (file:line). */
export class ReferenceDataError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid reference data:\n  ${problems.slice(0, 50).join('\n  ')}${problems.length > 50 ? `\n  ... and ${problems.length - 50} more` : ''}`);
    this.name = 'ReferenceDataError';
  }
}

/** Every dataset, each validated on its own and against the others (mapping → industries and TSIC). */
export function loadReferenceData(dir: string = REFERENCE_DATA_DIR): ReferenceData {
  const data: ReferenceData = {
    provinces: loadProvinces(dir),
    tsic: loadTsic(dir),
    targetIndustries: loadTargetIndustries(dir),
    targetIndustryTsic: loadTargetIndustryTsic(dir),
  };
  const problems: string[] = [];
  const industries = new Set(data.targetIndustries.rows.map((row) => row.code));
  const digitCodes = data.tsic.rows.map((row) => row.code).filter((code) => /^[0-9]/.test(code));
  const file = REFERENCE_FILES.target_industry_tsic[0];
  for (const row of data.targetIndustryTsic.rows) {
    const where = `${file} (${row.mappingVersion} ${row.industryCode} ${row.tsicPrefix})`;
    if (!industries.has(row.industryCode)) problems.push(`${where}: no target industry ${row.industryCode} in ${REFERENCE_FILES.target_industry[0]}`);
    if (!isKnownTsicPrefix(row.tsicPrefix, digitCodes)) problems.push(`${where}: TSIC prefix ${row.tsicPrefix} matches no code in the TSIC files`);
  }
  if (problems.length > 0) throw new ReferenceDataError(problems);
  return data;
}

/**
 * Whether a mapping prefix names known TSIC codes: it is the start of at least one code in the files,
 * or it is a subclass (5 digits) of a class in the files (the files do not list subclasses).
 */
export function isKnownTsicPrefix(prefix: string, codes: readonly string[]): boolean {
  return codes.some((code) => code.startsWith(prefix)) || (prefix.length === 5 && codes.includes(prefix.slice(0, 4)));
}

export function loadProvinces(dir: string = REFERENCE_DATA_DIR): ReferenceDataset<Province> {
  const columns = ['code', 'iso_code', 'name_th', 'name_en', 'region', 'promotion_centre', 'eec', 'version'] as const;
  return loadDataset(dir, 'province', columns, (row, problem) => {
    const code = row.code;
    if (!/^[0-9]{2}$/.test(code)) problem(`code ${quote(code)} is not 2 digits`);
    if (row.iso_code !== `TH-${code}`) problem(`iso_code ${quote(row.iso_code)} is not TH-${code}`);
    const region = REGIONS.find((candidate) => candidate === row.region);
    if (region === undefined) problem(`region ${quote(row.region)} is not one of ${REGIONS.join(', ')}`);
    const promotionCentre = integer(row.promotion_centre);
    if (promotionCentre === null || promotionCentre < 1 || promotionCentre > 11) problem(`promotion_centre ${quote(row.promotion_centre)} is not 1..11`);
    const eec = boolean(row.eec);
    if (eec === null) problem(`eec ${quote(row.eec)} is not true or false`);
    return {
      code,
      isoCode: row.iso_code,
      nameTh: thai(row.name_th, 'name_th', problem, true),
      nameEn: required(row.name_en, 'name_en', problem),
      region: region ?? 'Central',
      promotionCentre: promotionCentre ?? 0,
      eec: eec ?? false,
    };
  }, { unique: ['code', 'isoCode', 'nameTh', 'nameEn'] });
}

export function loadTsic(dir: string = REFERENCE_DATA_DIR): ReferenceDataset<TsicEntry> {
  const columns = ['code', 'level', 'parent_code', 'name_en', 'name_th', 'version'] as const;
  const dataset = loadDataset(dir, 'tsic', columns, (row, problem) => {
    const level = TSIC_LEVELS.find((candidate) => candidate === row.level);
    if (level === undefined) problem(`level ${quote(row.level)} is not one of ${TSIC_LEVELS.join(', ')}`);
    const code = row.code;
    const parentCode = row.parent_code === '' ? null : row.parent_code;
    const shape = level === undefined ? undefined : TSIC_SHAPES[level];
    if (shape !== undefined) {
      if (!shape.code.test(code)) problem(`code ${quote(code)} is not a ${level} code`);
      else if (parentCode !== shape.parent(code)) {
        problem(`parent_code ${quote(row.parent_code)} of ${level} ${code} should be ${quote(shape.parent(code) ?? '')}`);
      }
    }
    return {
      code,
      level: level ?? 'section',
      parentCode,
      nameEn: required(row.name_en, 'name_en', problem),
      nameTh: row.name_th === '' ? null : thai(row.name_th, 'name_th', problem, false),
    };
  }, { unique: ['code'] });
  const codes = new Set(dataset.rows.map((row) => row.code));
  const problems = dataset.rows
    .filter((row) => row.parentCode !== null && !codes.has(row.parentCode))
    .map((row) => `${REFERENCE_FILES.tsic.join(' + ')}: parent ${row.parentCode} of ${row.code} is not in the files`);
  if (problems.length > 0) throw new ReferenceDataError(problems);
  return dataset;
}

export function loadTargetIndustries(dir: string = REFERENCE_DATA_DIR): ReferenceDataset<TargetIndustry> {
  const columns = ['code', 'wave', 'display_order', 'name_en', 'name_th', 'version'] as const;
  return loadDataset(dir, 'target_industry', columns, (row, problem) => {
    if (!/^[A-Z][A-Z0-9_]*$/.test(row.code)) problem(`code ${quote(row.code)} is not UPPER_SNAKE_CASE`);
    const wave = TARGET_INDUSTRY_WAVES.find((candidate) => candidate === row.wave);
    if (wave === undefined) problem(`wave ${quote(row.wave)} is not first or new`);
    const displayOrder = integer(row.display_order);
    if (displayOrder === null || displayOrder < 1) problem(`display_order ${quote(row.display_order)} is not a positive integer`);
    return {
      code: row.code,
      wave: wave ?? 'first',
      displayOrder: displayOrder ?? 0,
      nameEn: required(row.name_en, 'name_en', problem),
      nameTh: thai(row.name_th, 'name_th', problem, true),
    };
  }, { unique: ['code', 'displayOrder'] });
}

export function loadTargetIndustryTsic(dir: string = REFERENCE_DATA_DIR): ReferenceDataset<TargetIndustryTsic> {
  const columns = ['industry_code', 'tsic_prefix', 'mapping_version'] as const;
  return loadDataset(dir, 'target_industry_tsic', columns, (row, problem) => {
    if (!/^[0-9]{2,5}$/.test(row.tsic_prefix)) problem(`tsic_prefix ${quote(row.tsic_prefix)} is not 2 to 5 digits`);
    if (!/^[0-9]{4}-[0-9]{2}$/.test(row.mapping_version)) problem(`mapping_version ${quote(row.mapping_version)} is not YYYY-MM`);
    return { industryCode: row.industry_code, tsicPrefix: row.tsic_prefix, mappingVersion: row.mapping_version };
  }, { unique: [['mappingVersion', 'industryCode', 'tsicPrefix']], versionColumn: 'mapping_version', versionPerRow: true });
}

// ---------------------------------------------------------------------------------------------

/** What a code of each level looks like, and its parent (a division's is its ISIC Rev.4 section). */
const TSIC_SHAPES: Record<TsicLevel, { code: RegExp; parent: (code: string) => string | null }> = {
  section: { code: /^[A-U]$/, parent: () => null },
  division: { code: /^[0-9]{2}$/, parent: (code) => sectionOfDivision(code) },
  group: { code: /^[0-9]{3}$/, parent: (code) => code.slice(0, 2) },
  class: { code: /^[0-9]{4}$/, parent: (code) => code.slice(0, 3) },
  subclass: { code: /^[0-9]{5}$/, parent: (code) => code.slice(0, 4) },
};

type Row<C extends string> = Record<C, string>;

interface DatasetOptions<T> {
  /** Fields (or field tuples) that must be unique across the dataset's files. */
  unique: (keyof T | (keyof T)[])[];
  /** Column holding the version (default `version`). */
  versionColumn?: string;
  /** Rows may carry different versions (the mapping keeps its history); the dataset's is the latest. */
  versionPerRow?: boolean;
}

function loadDataset<C extends string, T>(
  dir: string,
  dataset: ReferenceDatasetName,
  columns: readonly C[],
  toRecord: (row: Row<C>, problem: (message: string) => void) => T,
  options: DatasetOptions<T>,
): ReferenceDataset<T> {
  const versionColumn = options.versionColumn ?? 'version';
  const files = REFERENCE_FILES[dataset].map((file) => path.join(dir, file));
  const problems: string[] = [];
  const rows: T[] = [];
  const versions = new Set<string>();
  const seen = options.unique.map(() => new Map<string, string>());

  for (const file of files) {
    const name = path.basename(file);
    for (const { line, row } of readCsv(file, columns)) {
      const where = `${name}:${line}`;
      const problem = (message: string) => problems.push(`${where}: ${message}`);
      const record = toRecord(row, problem);
      const version = (row as Record<string, string>)[versionColumn] ?? '';
      if (version === '') problem(`${versionColumn} is empty`);
      else versions.add(version);
      options.unique.forEach((fields, i) => {
        const key = (Array.isArray(fields) ? fields : [fields]).map((field) => String(record[field])).join(' ');
        const first = seen[i]!.get(key);
        if (first !== undefined) problem(`duplicate ${String(fields)} ${quote(key)} (first at ${first})`);
        else seen[i]!.set(key, where);
      });
      rows.push(record);
    }
  }
  if (!options.versionPerRow && versions.size > 1) problems.push(`${files.map((f) => path.basename(f)).join(' + ')}: several versions (${[...versions].join(', ')}); one version per dataset`);
  if (rows.length === 0) problems.push(`${files.map((f) => path.basename(f)).join(' + ')}: no rows`);
  if (problems.length > 0) throw new ReferenceDataError(problems);
  return { dataset, version: [...versions].sort().at(-1)!, files, rows };
}

/** Reads a UTF-8 CSV whose header is exactly `columns`; returns each row with its line number. */
function readCsv<C extends string>(file: string, columns: readonly C[]): { line: number; row: Row<C> }[] {
  const name = path.basename(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ReferenceDataError([`${name}: cannot read ${file}: ${(error as Error).message}`]);
  }
  if (text.charCodeAt(0) === 0xfeff) throw new ReferenceDataError([`${name}: starts with a byte-order mark; save it as UTF-8 without BOM`]);
  if (text.includes('\uFFFD')) throw new ReferenceDataError([`${name}: is not valid UTF-8`]);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info`, csv-parse returns { record, info } per row (its typings only know string[][]).
    records = parse(text, { info: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    throw new ReferenceDataError([`${name}: ${(error as Error).message}`]);
  }
  const [header, ...body] = records;
  if (header === undefined || header.record.join(',') !== columns.join(',')) {
    throw new ReferenceDataError([`${name}: header is ${quote(header?.record.join(',') ?? '')}; expected ${quote(columns.join(','))}`]);
  }
  return body.map(({ record, info }) => ({
    line: info.lines,
    row: Object.fromEntries(columns.map((column, i) => [column, record[i] ?? ''])) as Row<C>,
  }));
}

function required(value: string, column: string, problem: (message: string) => void): string {
  if (value === '') problem(`${column} is empty`);
  return value;
}

/** Thai text must be NFC with the precomposed sara am (ำ), as the hub normalises Thai everywhere. */
function thai(value: string, column: string, problem: (message: string) => void, mandatory: boolean): string {
  if (mandatory) required(value, column, problem);
  if (value.normalize('NFC') !== value || value.includes('\u0e4d\u0e32')) problem(`${column} ${quote(value)} is not NFC Thai (sara am must be ำ)`);
  return value;
}

function integer(value: string): number | null {
  return /^[0-9]+$/.test(value) ? Number(value) : null;
}

function boolean(value: string): boolean | null {
  return value === 'true' ? true : value === 'false' ? false : null;
}

function quote(value: string): string {
  return JSON.stringify(value);
}
