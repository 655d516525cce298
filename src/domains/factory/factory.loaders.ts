import { P } from '../../access/permissions';
import DataLoader from 'dataloader';
import type { GraphQLContext } from '../api-context';
import { firmScopeSql } from '../firm-scope';
import { childConnections, distinctInChunks, keyedLoader, requestLoader } from '../request-loaders';
import { nodeType, type DomainNodeType } from '../node/node-type';
import type { FactoryCriteria, FactoryPageRequest } from './factory.repository';
import { FACTORY_CURSOR, type FactoryListArgs, type FactoryScope } from './factory.service';
import type { Factory, FactoryConnection } from './factory.type';

export const factoryByFid = keyedLoader<Factory>('factoryByFid', (f) => f.fid, (ctx, fids) => ctx.services.factories.findByFids(fids));

/** `Company.factories`: each company's linked factories, ordered by FID. */
export const factoriesOfCompany = childConnections<Factory>({
  name: 'factoriesOfCompany',
  kind: FACTORY_CURSOR,
  parentOf: (f) => f.companyJuristicId ?? '',
  cursorOf: (f) => f.fid,
  fetchPages: (ctx, parents, after, limit) => ctx.services.factories.pagesByCompanies(parents, after, limit),
  countByParent: (ctx, parents) => ctx.services.factories.countByCompanies(parents),
  fetchPagesCounted: async (ctx, parents, after, limit) => {
    const { factories, counts } = await ctx.services.factories.pagesByCompaniesCounted(parents, after, limit);
    return { rows: factories, counts };
  },
});

const factoryPages = requestLoader('factoryPages', (ctx) =>
  new DataLoader<FactoryPageRequest, { factory: Factory; sortKey: string }[]>((requests) => distinctInChunks(requests, (chunk) => ctx.services.factories.findPages(chunk)), { cache: false }),
);
const factoryCounts = requestLoader('factoryCounts', (ctx) =>
  new DataLoader<FactoryCriteria | undefined, number>((criteria) => distinctInChunks(criteria, (chunk) => ctx.services.factories.counts(chunk)), { cache: false }),
);

/**
 * A factory list inside a request: the lists of every parent on a page (each province's
 * factories) are read in one statement, and their counts in another.
 */
export async function factoryList(ctx: GraphQLContext, args: FactoryListArgs, scope?: FactoryScope): Promise<FactoryConnection> {
  const within = await firmScopeSql(ctx);
  return ctx.services.factories.list(args, within ? { ...scope, within } : scope, {
    findPage: (request) => factoryPages(ctx).load(request),
    count: (criteria) => factoryCounts(ctx).load(criteria),
  });
}

/** The types of this domain `node(id)` fetches. */
export const factoryNodeTypes: readonly DomainNodeType[] = [
  nodeType('Factory', { permission: P.firmsRead, load: (ctx, key) => factoryByFid(ctx).load(key) }),
];
