import type { PromotionCentre, ProvinceGroup } from '../../reference/promotion-areas';
import type { Province, TargetIndustry, TargetIndustryTsic, TsicEntry } from '../../reference/reference-data';
import { latestMappingVersion } from '../../reference/target-industry';
import type { SqlReader } from '../../platform/database/sql-reader';

/** The reference tables as the API reads them. */
export interface ReferenceTables {
  /** Every TSIC entry, by code. */
  tsic: ReadonlyMap<string, TsicEntry>;
  provinces: readonly Province[];
  /** In the ministry's display order. */
  targetIndustries: readonly TargetIndustry[];
  /** The mapping rows of the latest mapping version only (the one company profiles use). */
  targetIndustryTsic: readonly TargetIndustryTsic[];
  /** The latest mapping version, e.g. `2024-01`; null when the mapping is empty. */
  mappingVersion: string | null;
  /** The 11 regional industrial promotion centres, by number. */
  promotionCentres: readonly PromotionCentre[];
  /** The 6 groups of provinces, in the order of the six-region scheme. */
  provinceGroups: readonly ProvinceGroup[];
}

/**
 * Reads the `reference` schema. The tables are small (a few hundred rows) and change only by
 * migration, which runs before the API serves, so they are read once per process and kept: after
 * that, reference relations cost no SQL at all. The per-request loaders still batch every lookup,
 * so dropping this cache would cost one statement per relation level, not one per row.
 */
export class ReferenceRepository {
  private tables: Promise<ReferenceTables> | undefined;

  constructor(private readonly dataSource: SqlReader) {}

  load(): Promise<ReferenceTables> {
    this.tables ??= this.read().catch((error: unknown) => {
      // A failed read (database down) is not cached: the next request tries again.
      this.tables = undefined;
      throw error;
    });
    return this.tables;
  }

  private async read(): Promise<ReferenceTables> {
    const [tsic, provinces, industries, mapping, centres, groups] = await Promise.all([
      this.dataSource.query<TsicEntry[]>(`SELECT code, level, parent_code AS "parentCode", name_en AS "nameEn", name_th AS "nameTh" FROM reference.tsic ORDER BY code`),
      this.dataSource.query<Province[]>(
        `SELECT code, iso_code AS "isoCode", name_th AS "nameTh", name_en AS "nameEn", region, promotion_centre::int AS "promotionCentre", eec
         FROM reference.province ORDER BY code`,
      ),
      this.dataSource.query<TargetIndustry[]>(
        `SELECT code, wave, display_order::int AS "displayOrder", name_en AS "nameEn", name_th AS "nameTh" FROM reference.target_industry ORDER BY display_order`,
      ),
      this.dataSource.query<TargetIndustryTsic[]>(
        `SELECT industry_code AS "industryCode", tsic_prefix AS "tsicPrefix", mapping_version AS "mappingVersion"
         FROM reference.target_industry_tsic ORDER BY industry_code, tsic_prefix`,
      ),
      this.dataSource.query<PromotionCentre[]>(
        `SELECT number::int AS number, name_th AS "nameTh", name_en AS "nameEn", seat_province_code AS "seatProvinceCode", seat_confirmed AS "seatConfirmed",
           itc_name_th AS "itcNameTh", itc_name_en AS "itcNameEn", version
         FROM reference.promotion_centre ORDER BY number`,
      ),
      this.dataSource.query<ProvinceGroup[]>(
        `SELECT code, name_th AS "nameTh", name_en AS "nameEn", region, focus_industries AS "focusIndustryCodes", version
         FROM reference.province_group
         ORDER BY array_position(ARRAY['North', 'Northeast', 'Central', 'East', 'West', 'South'], region), code`,
      ),
    ]);
    const mappingVersion = latestMappingVersion(mapping);
    return {
      tsic: new Map(tsic.map((entry) => [entry.code, entry])),
      provinces,
      targetIndustries: industries,
      targetIndustryTsic: mapping.filter((row) => row.mappingVersion === mappingVersion),
      mappingVersion,
      promotionCentres: centres,
      provinceGroups: groups,
    };
  }
}
