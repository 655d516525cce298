import { P } from '../../access/permissions';
import DataLoader from 'dataloader';
import { keyedLoader, requestLoader } from '../request-loaders';
import { nodeType, type DomainNodeType } from '../node/node-type';
import type { Province } from './province.type';
import { ALL_REGIONS, type Region } from './province.type';
import type { RegionCode } from './region-code';

/** Per-request loaders of provinces and regions, over the cached reference tables (see ReferenceRepository). */


export const provinceByCode = keyedLoader<Province>('provinceByCode', (p) => p.code, async (ctx, codes) => {
  const { byCode } = await ctx.services.geography.catalogue();
  return codes.flatMap((code) => byCode.get(code) ?? []);
});

export const provincesOfRegion = requestLoader('provincesOfRegion', (ctx) =>
  new DataLoader<RegionCode, Province[]>(async (regions) => {
    const { provinces } = await ctx.services.geography.catalogue();
    return regions.map((region) => provinces.filter((p) => p.regionCode === region));
  }),
);

const REGION_BY_CODE = new Map(ALL_REGIONS.map((r) => [r.code, r]));

/** Regions are fixed by the scheme (no table), so this needs no loader; it also checks node keys. */
export function regionOf(code: string): Region | undefined {
  return REGION_BY_CODE.get(code as RegionCode);
}

/** The types of this domain `node(id)` fetches. */
export const geographyNodeTypes: readonly DomainNodeType[] = [
  nodeType('Province', { permission: P.referenceRead, load: (ctx, key) => provinceByCode(ctx).load(key) }),
  nodeType('Region', { permission: P.referenceRead, load: (_ctx, key) => Promise.resolve(regionOf(key)) }),
  nodeType('PromotionCentre', {
    permission: P.referenceRead,
    load: async (ctx, key) => (/^\d{1,2}$/.test(key) ? (await ctx.services.geography.catalogue()).centreByNumber.get(Number(key)) : undefined),
  }),
  nodeType('ProvinceGroup', { permission: P.referenceRead, load: async (ctx, key) => (await ctx.services.geography.catalogue()).groupByCode.get(key) }),
];
