import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import type { ApiDomain } from '../../domains/api-domain';
import { certificationDomain } from '../../domains/certification';
import { companyDomain } from '../../domains/company';
import { consentDomain } from '../../domains/consent';
import { dataSourceDomain } from '../../domains/data-source';
import { eligibilityDomain } from '../../domains/eligibility';
import { factoryDomain } from '../../domains/factory';
import { geographyDomain } from '../../domains/geography';
import { industrialIndexDomain } from '../../domains/industrial-index';
import { ingestionRunDomain } from '../../domains/ingestion-run';
import { loanOutcomeDomain } from '../../domains/loan-outcome';
import { nodeDomain } from '../../domains/node';
import type { GraphQLContext } from '../../domains/api-context';
import { NodeRegistry } from '../../domains/node/node-registry';
import { programmeDomain } from '../../domains/programme';
import { referenceDomain } from '../../domains/reference';
import { registryChangesDomain } from '../../domains/registry-changes';
import { statisticsDomain } from '../../domains/statistics';
import { permissionAuthChecker } from './auth-checker';
import { buildLeanSchema } from '../../platform/graphql/lean-resolvers';
import { guardFirmData } from '../../domains/firm-data';
import { PREFETCHED_FIELDS } from '../../domains/company/company.read-plan';
import { servePrefetched } from '../../platform/graphql/read-plan';

/** Every GraphQL domain of the API, one line each (each exports its resolvers, node types and routes). */
export const API_DOMAINS: readonly ApiDomain[] = [
  nodeDomain,
  companyDomain,
  dataSourceDomain,
  factoryDomain,
  ingestionRunDomain,
  referenceDomain,
  geographyDomain,
  industrialIndexDomain,
  certificationDomain,
  programmeDomain,
  statisticsDomain,
  eligibilityDomain,
  loanOutcomeDomain,
  consentDomain,
  registryChangesDomain,
];

/** Every resolver of the API. A test fails when a root field declares no permission. */
export const RESOLVERS = API_DOMAINS.flatMap((domain) => domain.resolvers);

/** The types `node(id)` fetches, from every domain. */
export function apiNodeTypes(): NodeRegistry<GraphQLContext> {
  return new NodeRegistry(API_DOMAINS.flatMap((domain) => domain.nodeTypes ?? []));
}

/** The domains' HTTP routes beside GraphQL. */
export const API_ROUTES = API_DOMAINS.flatMap((domain) => domain.routes ?? []);

export async function buildHubSchema(): Promise<GraphQLSchema> {
  // Plain fields lose type-graphql's wrapper (lean-resolvers.ts); then every field returning
  // firm-level records is scoped to the caller and noted for the read audit.
  // Fields a read plan may have prefetched answer that value first (src/domains/company/company.read-plan.ts).
  return guardFirmData(
    servePrefetched(await buildLeanSchema(() =>
      buildSchema({
        resolvers: [nodeDomain.resolvers[0], ...RESOLVERS],
        authChecker: permissionAuthChecker,
        authMode: 'error',
        validate: false,
      }),
    ), PREFETCHED_FIELDS),
  );
}
