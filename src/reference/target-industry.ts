import type { TargetIndustryTsic } from './reference-data';
import { normaliseTsicCode } from './tsic';

/**
 * Which of the ten target industries a TSIC code belongs to, by the ministry's mapping (data, not
 * code: data/reference/target-industry-tsic.csv, loaded into reference.target_industry_tsic).
 * A code belongs to an industry when one of the industry's prefixes starts it; a code may belong to
 * several industries (e.g. measuring and control equipment is both smart electronics and robotics).
 */

export interface TargetIndustryMatch {
  industryCode: string;
  /** The longest of the industry's prefixes that matched. */
  tsicPrefix: string;
  mappingVersion: string;
}

/** The latest mapping version in the rows (versions are `YYYY-MM`, so they sort as text), or null. */
export function latestMappingVersion(mapping: readonly TargetIndustryTsic[]): string | null {
  return mapping.reduce<string | null>((latest, row) => (latest === null || row.mappingVersion > latest ? row.mappingVersion : latest), null);
}

/**
 * The target industries of a TSIC code (any form normaliseTsicCode accepts), under one mapping
 * version (default: the latest in `mapping`), one entry per industry, in the mapping's row order.
 * An unknown or malformed code, or a bare section letter, belongs to none.
 */
export function targetIndustriesOfTsic(
  tsic: string | null,
  mapping: readonly TargetIndustryTsic[],
  options: { mappingVersion?: string } = {},
): TargetIndustryMatch[] {
  const code = normaliseTsicCode(tsic);
  const version = options.mappingVersion ?? latestMappingVersion(mapping);
  if (code === null || !/^[0-9]+$/.test(code) || version === null) return [];
  const byIndustry = new Map<string, TargetIndustryMatch>();
  for (const row of mapping) {
    if (row.mappingVersion !== version || !code.startsWith(row.tsicPrefix)) continue;
    const previous = byIndustry.get(row.industryCode);
    if (previous === undefined || row.tsicPrefix.length > previous.tsicPrefix.length) {
      byIndustry.set(row.industryCode, { industryCode: row.industryCode, tsicPrefix: row.tsicPrefix, mappingVersion: version });
    }
  }
  return [...byIndustry.values()];
}
