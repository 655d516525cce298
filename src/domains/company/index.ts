import type { ApiDomain } from '../api-domain';
import { CompanyResolver, FinancialStatementCompanyResolver } from './company.resolver';
import { companyNodeTypes } from './company.loaders';

/** The company domain's part of the API (src/domains/api-domain.ts). */
export const companyDomain: ApiDomain = {
  name: 'company',
  resolvers: [CompanyResolver, FinancialStatementCompanyResolver],
  nodeTypes: companyNodeTypes,
};
