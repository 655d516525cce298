import type { ApiDomain } from '../api-domain';
import { FactoryResolver } from './factory.resolver';
import { FactoryCompanyResolver, CompanyFactoriesResolver } from './factory-relations.resolver';
import { factoryNodeTypes } from './factory.loaders';

/** The factory domain's part of the API (src/domains/api-domain.ts). */
export const factoryDomain: ApiDomain = {
  name: 'factory',
  resolvers: [FactoryResolver, FactoryCompanyResolver, CompanyFactoriesResolver],
  nodeTypes: factoryNodeTypes,
};
