/**
 * A regional centre and a province group of a row's province, by join, so a breakdown and a filter
 * (which names the provinces, src/domains/geography/geography.service.ts) read the same reference
 * rows. `province` and `region` are the row's province-code and region columns; the tables are tiny.
 */
export const centreJoin = (province: string): string => `LEFT JOIN reference.province area_p ON area_p.code = ${province}`;
export const groupJoin = (region: string): string => `LEFT JOIN reference.province_group area_g ON area_g.region = ${region}`;
export const CENTRE_KEY = 'area_p.promotion_centre::text';
export const GROUP_KEY = 'area_g.code';

/** The joins a breakdown by centre or group needs, over a row whose province code and region are these columns. */
export function areaJoins(groupBy: readonly string[], province: string, region: string): string {
  return [groupBy.includes('PROMOTION_CENTRE') ? centreJoin(province) : '', groupBy.includes('PROVINCE_GROUP') ? groupJoin(region) : ''].join(' ');
}
