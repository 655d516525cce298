import type { Router } from 'express';
import type { NonEmptyArray } from 'type-graphql';
import type { Logger } from '../platform/logging/logger';
import type { ApiServices } from './api-services';
import type { DomainNodeType } from './node/node-type';

/** What a domain's HTTP route (beside GraphQL) is given: the services, the API's logger, its settings. */
export interface DomainRouteDeps {
  services: ApiServices;
  logger: Logger;
  /** Events per statement of streamed feeds (ELIGIBILITY_FEED_BATCH_SIZE). */
  feedBatchSize: number | undefined;
}

/** An HTTP route of a domain: served under `path`, behind the API's authentication, limits and deadlines. */
export interface DomainRoute {
  path: string;
  router(deps: DomainRouteDeps): Router;
}

/**
 * What a GraphQL domain contributes to the API, exported from its folder's index.ts: its resolver
 * classes, the types `node(id)` fetches, and any HTTP route of its own. The composition root
 * (src/app/api) assembles the API from these; nothing registers itself on import.
 */
export interface ApiDomain {
  name: string;
  // type-graphql takes resolver classes as functions.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers: NonEmptyArray<Function>;
  nodeTypes?: readonly DomainNodeType[];
  routes?: readonly DomainRoute[];
}
