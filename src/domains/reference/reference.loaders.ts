import { P } from '../../access/permissions';
import DataLoader from 'dataloader';
import { keyedLoader, requestLoader } from '../request-loaders';
import { nodeType, type DomainNodeType } from '../node/node-type';
import type { IndustryClass } from './industry-class.type';
import { ReferenceService } from './reference.service';
import type { TargetIndustry } from './target-industry.type';

/**
 * Per-request loaders of the TSIC tree and the target industries. They read the reference tables
 * through ReferenceRepository's in-process cache (see there), so a relation level costs at most
 * one read of the tables, and none once the process has them.
 */


export const industryClassByCode = keyedLoader<IndustryClass>('industryClassByCode', (c) => c.code, async (ctx, codes) => {
  const { classByCode } = await ctx.services.reference.catalogue();
  return codes.flatMap((code) => classByCode.get(code) ?? []);
});

export const industryClassChildren = requestLoader('industryClassChildren', (ctx) =>
  new DataLoader<string, readonly IndustryClass[]>(async (codes) => {
    const { childrenByCode } = await ctx.services.reference.catalogue();
    return codes.map((code) => childrenByCode.get(code) ?? []);
  }),
);

/** `Company.industryClass`: keyed by the company's TSIC code, answered by its most specific known class. */
export const industryClassOfTsic = requestLoader('industryClassOfTsic', (ctx) =>
  new DataLoader<string, IndustryClass | undefined>(async (tsicCodes) => {
    const catalogue = await ctx.services.reference.catalogue();
    return tsicCodes.map((code) => ReferenceService.mostSpecificClass(catalogue, code));
  }),
);

export const targetIndustryByCode = keyedLoader<TargetIndustry>('targetIndustryByCode', (t) => t.code, async (ctx, codes) => {
  const { targetIndustryByCode: byCode } = await ctx.services.reference.catalogue();
  return codes.flatMap((code) => byCode.get(code) ?? []);
});

/** The types of this domain `node(id)` fetches. */
export const referenceNodeTypes: readonly DomainNodeType[] = [
  nodeType('IndustryClass', { permission: P.referenceRead, load: (ctx, key) => industryClassByCode(ctx).load(key) }),
  nodeType('TargetIndustry', { permission: P.referenceRead, load: (ctx, key) => targetIndustryByCode(ctx).load(key) }),
];
