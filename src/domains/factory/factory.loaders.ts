import { childConnections, keyedLoader } from '../../platform/graphql/loaders';
import { registerNodeType } from '../../platform/graphql/node';
import type { Factory } from './factory.type';

export const factoryByFid = keyedLoader<Factory>('factoryByFid', (f) => f.fid, (ctx, fids) => ctx.services.factories.repository.findByFids(fids));

/** `Company.factories`: each company's linked factories, ordered by FID. */
export const factoriesOfCompany = childConnections<Factory>({
  name: 'factoriesOfCompany',
  kind: 'factory',
  parentOf: (f) => f.companyJuristicId ?? '',
  cursorOf: (f) => f.fid,
  fetchPages: (ctx, parents, after, limit) => ctx.services.factories.repository.pagesByCompanies(parents, after, limit),
  countByParent: (ctx, parents) => ctx.services.factories.repository.countByCompanies(parents),
});

registerNodeType('Factory', { roles: ['admin', 'ministry', 'analyst', 'bank'], load: (ctx, key) => factoryByFid(ctx).load(key) });
