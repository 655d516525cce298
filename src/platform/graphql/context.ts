import type { ApiClient } from '../../access/api-client.repository';
import type { Logger } from '../logging/logger';
import type { HubServices } from '../../app/services';

/** Per-request GraphQL context: who is calling, the request ID on every log line, the services. */
export interface GraphQLContext {
  requestId: string;
  client: ApiClient;
  logger: Logger;
  services: HubServices;
}
