import type { ApiDomain } from '../api-domain';
import { IndustrialIndexResolver, IndustrialIndexMonthResolver } from './industrial-index.resolver';
import { industrialIndexNodeTypes } from './industrial-index.loaders';

/** The industrial index domain's part of the API (src/domains/api-domain.ts). */
export const industrialIndexDomain: ApiDomain = {
  name: 'industrial-index',
  resolvers: [IndustrialIndexResolver, IndustrialIndexMonthResolver],
  nodeTypes: industrialIndexNodeTypes,
};
