import type { ApiDomain } from '../api-domain';
import { IndustryClassResolver } from './industry-class.resolver';
import { TargetIndustryResolver } from './target-industry.resolver';
import { CompanyIndustryResolver } from './company-industry.resolver';
import { referenceNodeTypes } from './reference.loaders';

/** The reference domain's part of the API (src/domains/api-domain.ts). */
export const referenceDomain: ApiDomain = {
  name: 'reference',
  resolvers: [IndustryClassResolver, TargetIndustryResolver, CompanyIndustryResolver],
  nodeTypes: referenceNodeTypes,
};
