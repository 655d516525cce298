/**
 * Reading the materialised company aggregate `stats.company_aggregate` (what it holds and how it is
 * rebuilt: src/linking/company-aggregate.ts, on the write side): which filters it answers exactly,
 * and their conditions over it.
 */
import type { SqlParams } from '../../platform/database/sql-params';
import type { CompanyCriteria } from '../company/company-criteria';
import { REGION_IN_DATABASE } from '../geography/region-code';

/**
 * The filters the aggregate answers exactly. Anything else in a filter (including filters added to
 * CompanyFilter later) sends the request to the live query, so a new filter can never be ignored.
 */
const AGGREGATE_FILTERS = new Set<string>(['provinceCode', 'centreArea', 'groupArea', 'region', 'targetIndustry', 'smeSize', 'status', 'juristicType', 'industry40LevelAtLeast', 'hasOperatingFactory']);

const used = (value: unknown): boolean => value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);

/** True when the aggregate answers every filter given exactly (groupings have their own check). */
export function aggregateAnswersFilter(criteria: CompanyCriteria | undefined): boolean {
  return Object.entries(criteria ?? {}).every(([name, value]) => !used(value) || AGGREGATE_FILTERS.has(name));
}

/** The conditions of `companyConditions`, over the aggregate's columns (`a`); only AGGREGATE_FILTERS. */
export function aggregateConditions(criteria: CompanyCriteria | undefined, params: SqlParams): string[] {
  const where: string[] = [];
  if (!criteria) return where;
  if (criteria.provinceCode) where.push(`a.province_code = ${params.add(criteria.provinceCode)}`);
  if (criteria.region) where.push(`a.region = ${params.add(REGION_IN_DATABASE[criteria.region])}`);
  if (criteria.centreArea) where.push(`a.province_code = ANY(${params.add(criteria.centreArea.provinceCodes)}::text[])`);
  if (criteria.groupArea) where.push(`a.province_code = ANY(${params.add(criteria.groupArea.provinceCodes)}::text[])`);
  if (criteria.targetIndustry) where.push(`a.target_industries @> ARRAY[${params.add(criteria.targetIndustry)}::text]`);
  if (criteria.smeSize?.length) where.push(`a.sme_size = ANY(${params.add(criteria.smeSize)}::text[])`);
  if (criteria.status?.length) where.push(`a.status = ANY(${params.add(criteria.status)}::text[])`);
  if (criteria.juristicType?.length) where.push(`a.juristic_type = ANY(${params.add(criteria.juristicType)}::text[])`);
  if (criteria.industry40LevelAtLeast !== undefined && criteria.industry40LevelAtLeast !== null) {
    where.push(`a.i40_level >= ${params.add(criteria.industry40LevelAtLeast)}`);
  }
  if (criteria.hasOperatingFactory === true) where.push('a.has_operating_factory');
  if (criteria.hasOperatingFactory === false) where.push('NOT a.has_operating_factory');
  return where;
}
