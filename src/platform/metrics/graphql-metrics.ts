import type { ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import { Kind } from 'graphql';
import type { HubMetrics } from './metrics';

/** What the GraphQL layer tells the HTTP layer about one request, for its metrics. */
export interface GraphqlRequestRecord {
  operationName?: string | undefined;
  role?: string | undefined;
  code?: string | undefined;
}

export const REQUEST_RECORD = 'graphqlRequestRecord';

/**
 * Times every request to the GraphQL endpoint and records it when its answer has been sent,
 * including those that never reach GraphQL execution (no key: 401; malformed JSON: 400). The
 * operation name counts only for authenticated callers: anonymous ones cannot mint series.
 */
export function graphqlMetricsMiddleware(metrics: HubMetrics): RequestHandler {
  return (_req, res, next) => {
    res.locals[REQUEST_RECORD] = recordGraphqlRequest(metrics, res);
    next();
  };
}

/** The same for a request served outside Express (the API's own POST /graphql path): its record, observed when the answer is sent. */
export function recordGraphqlRequest(metrics: HubMetrics, res: ServerResponse): GraphqlRequestRecord {
  const started = performance.now();
  const record: GraphqlRequestRecord = {};
  res.once('finish', () => {
    metrics.observeGraphqlRequest({
      operationName: record.operationName,
      role: record.role,
      code: record.code ?? codeOfStatus(res.statusCode),
      seconds: (performance.now() - started) / 1000,
    });
  });
  return record;
}

/** Fills the request's record: who called, which operation, and the outcome code clients see. */
export function graphqlMetricsPlugin<Context extends { client: { role: string }; requestRecord?: GraphqlRequestRecord }>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      return {
        async willSendResponse({ response, operationName, request, document }) {
          const record = contextValue.requestRecord;
          if (!record) return;
          record.role = contextValue.client.role;
          // A request that failed validation has no resolved operation, but its document names one.
          const named = document?.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION)?.name?.value;
          record.operationName = operationName ?? request.operationName ?? named ?? undefined;
          const firstError = response.body.kind === 'single' ? response.body.singleResult.errors?.[0] : undefined;
          const code = firstError?.extensions?.['code'];
          record.code = firstError ? (typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR') : 'OK';
        },
      };
    },
  };
}

function codeOfStatus(status: number): string {
  if (status < 400) return 'OK';
  const known: Record<number, string> = { 400: 'BAD_REQUEST', 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 429: 'RATE_LIMITED' };
  return known[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : `HTTP_${status}`);
}
