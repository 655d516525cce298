import { DomainError } from '../../platform/errors/domain-error';
import type { CompanyService } from '../company/company.service';
import type { CompanyFilter } from '../company/company.type';
import type { FactoryService } from '../factory/factory.service';
import type { FactoryFilter } from '../factory/factory.type';
import { type RegionCode, regionCodeOf } from '../geography/region-code';
import type { ReferenceNames, StatisticsRepository, StatsRow } from './statistics.repository';
import {
  type CompanyStats,
  type CompanyStatsDimension,
  type FactoryStats,
  type FactoryStatsDimension,
  MAX_DIMENSIONS,
  MAX_GROUPS,
  type StatsMeasure,
  type StatsSource,
} from './statistics.type';

export interface Label {
  nameEn: string | null;
  nameTh: string | null;
}

/** Fixed labels, in their natural order (the order groups are sorted in). */
const REGION_LABELS: Readonly<Record<RegionCode, Label>> = {
  NORTH: { nameEn: 'North', nameTh: 'ภาคเหนือ' },
  NORTHEAST: { nameEn: 'Northeast', nameTh: 'ภาคตะวันออกเฉียงเหนือ' },
  CENTRAL: { nameEn: 'Central', nameTh: 'ภาคกลาง' },
  EAST: { nameEn: 'East', nameTh: 'ภาคตะวันออก' },
  WEST: { nameEn: 'West', nameTh: 'ภาคตะวันตก' },
  SOUTH: { nameEn: 'South', nameTh: 'ภาคใต้' },
};
export const SME_SIZE_LABELS: Readonly<Record<string, Label>> = {
  MICRO: { nameEn: 'Micro enterprise', nameTh: 'วิสาหกิจรายย่อย' },
  SMALL: { nameEn: 'Small enterprise', nameTh: 'วิสาหกิจขนาดย่อม' },
  MEDIUM: { nameEn: 'Medium enterprise', nameTh: 'วิสาหกิจขนาดกลาง' },
  LARGE: { nameEn: 'Large enterprise', nameTh: 'วิสาหกิจขนาดใหญ่' },
};
const COMPANY_STATUS_LABELS: Readonly<Record<string, Label>> = {
  ACTIVE: { nameEn: 'Active', nameTh: 'ยังดำเนินกิจการอยู่' },
  DISSOLVED: { nameEn: 'Dissolved', nameTh: 'เลิก' },
  ABANDONED: { nameEn: 'Abandoned', nameTh: 'ร้าง' },
  BANKRUPT: { nameEn: 'Bankrupt', nameTh: 'ล้มละลาย' },
  UNKNOWN: { nameEn: 'Unknown', nameTh: null },
};
const JURISTIC_TYPE_LABELS: Readonly<Record<string, Label>> = {
  COMPANY: { nameEn: 'Limited company', nameTh: 'บริษัทจำกัด' },
  PUBLIC_COMPANY: { nameEn: 'Public limited company', nameTh: 'บริษัทมหาชนจำกัด' },
  LIMITED_PARTNERSHIP: { nameEn: 'Limited partnership', nameTh: 'ห้างหุ้นส่วนจำกัด' },
  ORDINARY_PARTNERSHIP: { nameEn: 'Registered ordinary partnership', nameTh: 'ห้างหุ้นส่วนสามัญนิติบุคคล' },
  UNKNOWN: { nameEn: 'Unknown', nameTh: null },
};
const FACTORY_STATUS_LABELS: Readonly<Record<string, Label>> = {
  PERMITTED: { nameEn: 'Permitted', nameTh: 'ได้รับอนุญาต' },
  OPERATING: { nameEn: 'Operating', nameTh: 'ประกอบกิจการ' },
  CLOSED: { nameEn: 'Closed', nameTh: 'เลิกกิจการ' },
  TEMPORARILY_STOPPED: { nameEn: 'Temporarily stopped', nameTh: 'หยุดกิจการชั่วคราว' },
  UNKNOWN: { nameEn: 'Unknown', nameTh: null },
};
const BUDDHIST_ERA_OFFSET = 543;

/** How one dimension's database value becomes the API's code, its names and its sort rank. */
export interface KeyShape {
  code(value: string): string;
  label(code: string): Label | undefined;
  /** Rank in the natural order; values without one sort after those with one, by code. */
  rank?(code: string): number | undefined;
}

export const fixed = (labels: Readonly<Record<string, Label>>): KeyShape => {
  const order = Object.keys(labels);
  return { code: (v) => v, label: (c) => labels[c], rank: (c) => (order.includes(c) ? order.indexOf(c) : undefined) };
};

export const REGION_SHAPE: KeyShape = {
  code: (v) => regionCodeOf(v) ?? v,
  label: (c) => REGION_LABELS[c as RegionCode],
  rank: (c) => {
    const index = Object.keys(REGION_LABELS).indexOf(c);
    return index < 0 ? undefined : index;
  },
};

/** Regional centres and province groups, named and ordered by the reference data. */
export const centreShape = (names: ReferenceNames): KeyShape => ({ code: (v) => v, label: (c) => names.centres.get(c), rank: (c) => names.centres.get(c)?.order });
export const groupShape = (names: ReferenceNames): KeyShape => ({ code: (v) => v, label: (c) => names.provinceGroups.get(c), rank: (c) => names.provinceGroups.get(c)?.order });

const INDUSTRY40_SHAPE: KeyShape = { code: (v) => v, label: (c) => ({ nameEn: `Industry ${c}`, nameTh: `อุตสาหกรรม ${c}` }) };
const REGISTRATION_YEAR_SHAPE: KeyShape = { code: (v) => v, label: (c) => ({ nameEn: c, nameTh: `พ.ศ. ${Number(c) + BUDDHIST_ERA_OFFSET}` }) };

function companyShapes(names: ReferenceNames): Readonly<Record<CompanyStatsDimension, KeyShape>> {
  return {
    REGION: REGION_SHAPE,
    PROVINCE: { code: (v) => v, label: (c) => names.provinces.get(c) },
    PROMOTION_CENTRE: centreShape(names),
    PROVINCE_GROUP: groupShape(names),
    TSIC_DIVISION: { code: (v) => v, label: (c) => names.tsicDivisions.get(c) },
    TARGET_INDUSTRY: { code: (v) => v, label: (c) => names.targetIndustries.get(c), rank: (c) => names.targetIndustries.get(c)?.order },
    SME_SIZE: fixed(SME_SIZE_LABELS),
    INDUSTRY40_LEVEL: INDUSTRY40_SHAPE,
    REGISTRATION_YEAR: REGISTRATION_YEAR_SHAPE,
    STATUS: fixed(COMPANY_STATUS_LABELS),
    JURISTIC_TYPE: fixed(JURISTIC_TYPE_LABELS),
  };
}

function factoryShapes(names: ReferenceNames): Readonly<Record<FactoryStatsDimension, KeyShape>> {
  return {
    REGION: REGION_SHAPE,
    PROVINCE: { code: (v) => v, label: (c) => names.provinces.get(c) },
    PROMOTION_CENTRE: centreShape(names),
    PROVINCE_GROUP: groupShape(names),
    ISIC_DIVISION: { code: (v) => v, label: (c) => names.tsicDivisions.get(c) },
    TARGET_INDUSTRY: { code: (v) => v, label: (c) => names.targetIndustries.get(c), rank: (c) => names.targetIndustries.get(c)?.order },
    STATUS: fixed(FACTORY_STATUS_LABELS),
    SME_SIZE: fixed(SME_SIZE_LABELS),
    INDUSTRY40_LEVEL: INDUSTRY40_SHAPE,
    REGISTRATION_YEAR: REGISTRATION_YEAR_SHAPE,
  };
}

/** Compares two codes of one dimension: ranked values first in rank order, then by code; null last. */
function compareCodes(shape: KeyShape, a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const ra = shape.rank?.(a);
  const rb = shape.rank?.(b);
  if (ra !== undefined && rb !== undefined) return ra - rb;
  if (ra !== undefined) return -1;
  if (rb !== undefined) return 1;
  // Codes of one dimension have the same width (2-digit codes, years, `n.0`), so text order is numeric order.
  return a < b ? -1 : 1;
}

function measure(m: { sum: number | null; known: number }): StatsMeasure {
  return { sum: m.known > 0 ? m.sum : null, average: m.known > 0 && m.sum !== null ? m.sum / m.known : null, known: m.known };
}

/** Groups with their keys named and ordered: by the first dimension, then the second, and so on. */
export function shapeGroups<D extends string, R extends Pick<StatsRow, 'keys'>>(rows: R[], groupBy: readonly D[], shapes: Readonly<Record<D, KeyShape>>) {
  const keyed = rows.map((row) => ({
    row,
    codes: row.keys.map((value, i) => (value === null ? null : shapes[groupBy[i]!].code(value))),
  }));
  keyed.sort((x, y) => {
    for (let i = 0; i < groupBy.length; i += 1) {
      const order = compareCodes(shapes[groupBy[i]!], x.codes[i]!, y.codes[i]!);
      if (order !== 0) return order;
    }
    return 0;
  });
  return keyed.map(({ row, codes }) => ({
    row,
    keys: codes.map((code, i) => {
      const label = code === null ? undefined : shapes[groupBy[i]!].label(code);
      return { dimension: groupBy[i]!, code, nameEn: label?.nameEn ?? null, nameTh: label?.nameTh ?? null };
    }),
  }));
}

export function checkGroupBy(groupBy: readonly string[]): void {
  if (groupBy.length === 0) throw new DomainError('BAD_USER_INPUT', 'groupBy needs at least one dimension', { argument: 'groupBy' });
  if (groupBy.length > MAX_DIMENSIONS) {
    throw new DomainError('BAD_USER_INPUT', `groupBy takes at most ${MAX_DIMENSIONS} dimensions, got ${groupBy.length}`, { argument: 'groupBy' });
  }
  if (new Set(groupBy).size !== groupBy.length) throw new DomainError('BAD_USER_INPUT', 'groupBy names a dimension twice', { argument: 'groupBy' });
}

export function checkGroupCount(count: number): void {
  if (count > MAX_GROUPS) {
    throw new DomainError('BAD_USER_INPUT', `more than ${MAX_GROUPS} groups: narrow the filter or group by fewer dimensions`, { argument: 'groupBy' });
  }
}

export class StatisticsService {
  constructor(
    private readonly repository: StatisticsRepository,
    private readonly companies: CompanyService,
    private readonly factories: FactoryService,
  ) {}

  /** Companies per group, with the filter semantics of `companies`; `source: LIVE` skips the aggregate (benchmarks, checks). */
  async companyStats(filter: CompanyFilter | null | undefined, groupBy: readonly CompanyStatsDimension[], source?: StatsSource): Promise<CompanyStats> {
    checkGroupBy(groupBy);
    const criteria = await this.companies.criteria(filter);
    const [result, names] = await Promise.all([this.repository.companyStats(criteria, groupBy, source), this.repository.referenceNames()]);
    checkGroupCount(result.rows.length);
    return {
      groupBy: [...groupBy],
      groups: shapeGroups(result.rows, groupBy, companyShapes(names)).map(({ row, keys }) => ({
        keys,
        count: row.count,
        registeredCapital: measure(row.measures['capital']!),
        revenue: measure(row.measures['revenue']!),
        employees: measure(row.measures['employees']!),
      })),
      source: result.source,
      aggregateRefreshedAt: result.refreshedAt,
      suppressedGroups: 0,
    };
  }

  async factoryStats(filter: FactoryFilter | null | undefined, groupBy: readonly FactoryStatsDimension[]): Promise<FactoryStats> {
    checkGroupBy(groupBy);
    const criteria = await this.factories.criteria(filter);
    const [rows, names] = await Promise.all([this.repository.factoryStats(criteria, groupBy), this.repository.referenceNames()]);
    checkGroupCount(rows.length);
    return {
      groupBy: [...groupBy],
      groups: shapeGroups(rows, groupBy, factoryShapes(names)).map(({ row, keys }) => ({
        keys,
        count: row.count,
        capital: measure(row.measures['capital']!),
        workers: measure(row.measures['workers']!),
      })),
      suppressedGroups: 0,
    };
  }
}
