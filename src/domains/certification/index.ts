import type { ApiDomain } from '../api-domain';
import { TisStandardResolver, TisLicenseResolver } from './certification.resolver';
import { CompanyCertificationsResolver, FactoryLicencesResolver } from './certification-relations.resolver';
import { certificationNodeTypes } from './certification.loaders';

/** The certification domain's part of the API (src/domains/api-domain.ts). */
export const certificationDomain: ApiDomain = {
  name: 'certification',
  resolvers: [TisStandardResolver, TisLicenseResolver, CompanyCertificationsResolver, FactoryLicencesResolver],
  nodeTypes: certificationNodeTypes,
};
