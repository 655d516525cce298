import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { HubServices } from '../../app/services';
import type { GraphQLContext } from '../graphql/context';
import { formatGraphQLError, isClientError } from '../graphql/format-error';
import type { Logger } from '../logging/logger';
import { withSqlStatementTally, type SqlStatementTally } from '../database/sql-statement-count';
import { RequestLoaders } from '../graphql/loaders';
import { graphiqlRouter } from './graphiql';
import { ELIGIBILITY_FEED_PATH, eligibilityFeedRouter } from '../../domains/eligibility/eligibility-feed.http';
import type { HubMetrics } from '../metrics/metrics';
import { graphqlMetricsMiddleware, graphqlMetricsPlugin, REQUEST_RECORD, type GraphqlRequestRecord } from '../metrics/graphql-metrics';
import { METRICS_PATH, writeMetrics } from '../metrics/metrics-server';
import { requireAdmin } from './admin-auth';
import { DASHBOARD_PATH, runDashboardRouter } from './run-dashboard';
import type { Queue } from 'bullmq';

export const GRAPHQL_PATH = '/graphql';
export const GRAPHIQL_PATH = '/graphiql';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** Logs unexpected errors with the request ID; the formatter then masks them for the client. */
function errorLoggingPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ contextValue, errors, operationName }) {
          for (const error of errors) {
            if (isClientError(error)) continue;
            contextValue.logger.error({ err: error.originalError ?? error, path: error.path, operationName }, 'unexpected error in a GraphQL request');
          }
        },
      };
    },
  };
}

/**
 * Reports the SQL statements each request issued: on its log line (debug) and, for admins, as
 * `extensions.sqlStatements` in the response, so an N+1 pattern is visible from GraphiQL.
 */
function sqlStatementsPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ contextValue }) {
      const startedAt = performance.now();
      return {
        async willSendResponse({ response, operationName }) {
          const sqlStatements = contextValue.sql.statements;
          contextValue.logger.debug({ operationName, sqlStatements, durationMs: Math.round(performance.now() - startedAt) }, 'graphql request done');
          if (contextValue.client.role === 'admin' && response.body.kind === 'single') {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, sqlStatements };
          }
        },
      };
    },
  };
}

async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startApiServer(options: {
  schema: GraphQLSchema;
  services: HubServices;
  logger: Logger;
  host: string;
  port: number;
  readiness: ReadinessCheck[];
  /** Events per statement of the NDJSON eligibility feed (default 1000). */
  eligibilityFeedBatchSize?: number;
  /** Served at GET /metrics to admin keys, and fed by the GraphQL endpoint. */
  metrics?: HubMetrics;
  /** The queues the admins' run dashboard shows (DASHBOARD_PATH). */
  dashboardQueues?: readonly Queue[];
}): Promise<ApiServer> {
  const log = options.logger.child({ component: 'api' });
  const app = express();
  app.disable('x-powered-by');
  // An ETag costs a hash of every GraphQL answer, and no client revalidates POSTed queries with it.
  app.set('etag', false);
  const httpServer = http.createServer(app);

  const apollo = new ApolloServer<GraphQLContext>({
    schema: options.schema,
    formatError: formatGraphQLError,
    includeStacktraceInErrorResponses: false,
    // CSRF prevention guards cookie-authenticated APIs; this one only accepts an Authorization header,
    // which a browser never sends cross-site on its own, and GET queries must work with plain clients.
    csrfPrevention: false,
    // The process's own SIGINT/SIGTERM handler stops the API, the worker and the database in order.
    // Apollo's handler would stop it a second time and re-send the signal when done, which the
    // hub read as an impatient second Ctrl+C.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // The schema declares no cache hints, and the cache-control plugin's per-field hook made Apollo
      // wrap every field resolver: about a tenth of the API's CPU on list-heavy answers.
      ApolloServerPluginCacheControlDisabled(),
      errorLoggingPlugin(),
      sqlStatementsPlugin(),
      graphqlMetricsPlugin(),
    ],
  });
  await apollo.start();

  app.use((req, res, next) => {
    const given = req.header('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals['requestId'] = requestId;
    res.setHeader('x-request-id', requestId);
    next();
  });

  app.get('/', (_req, res) => res.redirect(GRAPHIQL_PATH));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });
  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, string> = {};
    let ready = true;
    for (const readiness of options.readiness) {
      try {
        await withTimeout(readiness.check(), 3000);
        checks[readiness.name] = 'ok';
      } catch (error) {
        ready = false;
        checks[readiness.name] = `failing: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  const adminOnly = requireAdmin((header) => options.services.clients.authenticate(header), 'i-Industry Hub admin');
  const metrics = options.metrics;
  if (metrics) app.get(METRICS_PATH, adminOnly, (_req, res) => void writeMetrics(metrics, res));
  if (options.dashboardQueues) app.use(DASHBOARD_PATH, adminOnly, runDashboardRouter(options.dashboardQueues));
  app.use(GRAPHIQL_PATH, graphiqlRouter({ graphqlPath: GRAPHQL_PATH }));
  app.use(ELIGIBILITY_FEED_PATH, eligibilityFeedRouter(options.services, log, { batchSize: options.eligibilityFeedBatchSize }));

  if (metrics) app.use(GRAPHQL_PATH, graphqlMetricsMiddleware(metrics));
  app.use(
    GRAPHQL_PATH,
    express.json({ limit: '1mb' }),
    // After body parsing, so the whole GraphQL execution runs inside the request's statement tally.
    (_req, res, next) => {
      const tally: SqlStatementTally = { statements: 0 };
      res.locals['sql'] = tally;
      withSqlStatementTally(tally, next);
    },
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GraphQLContext> => {
        const requestId = String(res.locals['requestId']);
        const authorization = req.header('authorization');
        const client = await options.services.clients.authenticate(authorization);
        if (!client) {
          throw new GraphQLError(
            authorization
              ? 'The API key is not valid or has been revoked.'
              : 'An API key is required: send "Authorization: Bearer <key>". Create one with `npm run hub -- client:create`.',
            { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } },
          );
        }
        return {
          requestId,
          client,
          services: options.services,
          loaders: new RequestLoaders(),
          sql: res.locals['sql'] as SqlStatementTally,
          requestRecord: res.locals[REQUEST_RECORD] as GraphqlRequestRecord | undefined,
          logger: log.child({ requestId, clientId: client.id, role: client.role }),
        };
      },
    }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = `http://${host}:${address.port}`;
  return {
    url,
    close: async () => {
      await apollo.stop();
      httpServer.closeAllConnections();
    },
  };
}
