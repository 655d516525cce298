import type { ApiDomain } from '../api-domain';
import { PromotionCentreResolver, ProvinceGroupResolver, ProvinceResolver, RegionResolver } from './geography.resolver';
import { CompanyGeographyResolver, FactoryGeographyResolver } from './company-geography.resolver';
import { geographyNodeTypes } from './geography.loaders';

/** The geography domain's part of the API (src/domains/api-domain.ts). */
export const geographyDomain: ApiDomain = {
  name: 'geography',
  resolvers: [ProvinceResolver, RegionResolver, PromotionCentreResolver, ProvinceGroupResolver, CompanyGeographyResolver, FactoryGeographyResolver],
  nodeTypes: geographyNodeTypes,
};
