import type { ApiDomain } from '../api-domain';
import { RegistryChangesResolver } from './registry-changes.resolver';
import { exportsRoute, registryFeedRoute } from './registry-ndjson.http';

/** The registry change feed and bulk exports (issue 20): GraphQL `registryChanges`, `GET /feeds/registry`, `GET /exports/<name>.ndjson`. */
export const registryChangesDomain: ApiDomain = {
  name: 'registry-changes',
  resolvers: [RegistryChangesResolver],
  routes: [registryFeedRoute, exportsRoute],
};
