import type { ApiClient } from '../../access/api-client.repository';
import type { Logger } from '../logging/logger';
import type { HubServices } from '../../app/services';
import type { SqlStatementTally } from '../database/sql-statement-count';
import type { RequestLoaders } from './loaders';
import type { GraphqlRequestRecord } from '../metrics/graphql-metrics';

/** Per-request GraphQL context: who is calling, the request ID on every log line, the services. */
export interface GraphQLContext {
  requestId: string;
  client: ApiClient;
  logger: Logger;
  services: HubServices;
  /** This request's DataLoaders (see `requestLoader`). */
  loaders: RequestLoaders;
  /** SQL statements this request has issued so far. */
  sql: SqlStatementTally;
  /** The operation's cost as the query analysis counted it (docs/limits.md). */
  cost: number;
  /** Where the request's operation, role and outcome are noted for its metrics (src/platform/metrics). */
  requestRecord?: GraphqlRequestRecord | undefined;
}
