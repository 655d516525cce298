import type { ApiDomain } from '../api-domain';
import { DataSourceResolver } from './data-source.resolver';
import { DataSourceRunsResolver } from './data-source-runs.resolver';

/** The data source domain's part of the API (src/domains/api-domain.ts). */
export const dataSourceDomain: ApiDomain = {
  name: 'data-source',
  resolvers: [DataSourceResolver, DataSourceRunsResolver],
};
