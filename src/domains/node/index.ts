import type { ApiDomain } from '../api-domain';
import { NodeResolver } from './node.resolver';

/** The node domain's part of the API (src/domains/api-domain.ts). */
export const nodeDomain: ApiDomain = {
  name: 'node',
  resolvers: [NodeResolver],
};
