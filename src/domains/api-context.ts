import type { ApiClient } from '../access/api-client.repository';
import type { ReadRecord } from '../access/audit/read-record';
import type { Slot } from '../access/rate-limits';
import type { ApiServices } from './api-services';
import type { NodeRegistry } from './node/node-registry';
import type { Logger } from '../platform/logging/logger';
import type { SqlStatementTally } from '../platform/database/sql-statement-count';
import type { RequestLoaders } from '../platform/graphql/loaders';
import type { GraphqlRequestRecord } from '../platform/metrics/graphql-metrics';

/**
 * Per-request GraphQL context: who is calling, the request ID on every log line, the services the
 * resolvers call (the domains declare what they need, ApiServices; the composition root in
 * src/app builds them), this request's DataLoaders and its node types.
 */
export interface GraphQLContext {
  requestId: string;
  client: ApiClient;
  logger: Logger;
  services: ApiServices;
  /** This request's DataLoaders (see `requestLoader`). */
  loaders: RequestLoaders;
  /** The types `node(id)` fetches, from every domain. */
  nodes: NodeRegistry<GraphQLContext>;
  /** SQL statements this request has issued so far. */
  sql: SqlStatementTally;
  /** The operation's cost as the query analysis counted it (docs/limits.md). */
  cost: number;
  /** The request's concurrency slot, which holds the operation's cost once known (absent with LIMITS=off). */
  admission?: Slot | undefined;
  /**
   * Gives back the request's turn of the process's API_CONCURRENCY (fair admission) once it has
   * executed; absent with LIMITS=off. Idempotent: the turn is given back on close regardless.
   */
  releaseTurn?: (() => void) | undefined;
  /** A signal aborted when the client hangs up before its answer (made on first call). */
  hungUp?: (() => AbortSignal) | undefined;
  /** Where the request's operation, role and outcome are noted for its metrics (src/platform/metrics). */
  requestRecord?: GraphqlRequestRecord | undefined;
  /** Whether a list may be read by its planned statement (READ_PLANS; false: the resolvers' loaders only). */
  readPlans?: boolean;
  /** The firm-level data this request has served so far, for its read-audit entry (src/domains/firm-data.ts). */
  readRecord?: ReadRecord | undefined;
}
