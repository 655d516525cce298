import { readAuditPlugin } from './read-audit-plugin';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import { GraphQLError, Lexer, Source, TokenKind, type GraphQLSchema } from 'graphql';
import type { ApiClient } from '../../access/api-client.repository';
import type { ClientRateLimits, Refusal, Slot } from '../../access/rate-limits';
import { sha256Hex } from '../../access/trusted-documents';
import type { HubServices } from '../services';
import type { HubLimits } from '../../config/config';
import { DATABASE_RETRY_AFTER_SECONDS, DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../../platform/database/database-unavailable';
import { QueryTimeoutError, RequestDeadline, withRequestDeadline } from '../../platform/database/request-deadline';
import { DEFAULT_POOL_SIZE } from '../../platform/database/data-source';
import { FairAdmission } from '../../platform/http/fair-admission';
import { RefusalHold } from '../../platform/http/refusal-hold';
import { Gauge } from 'prom-client';
import type { GraphQLContext } from '../../domains/api-context';
import { formatGraphQLError, isClientError, timeoutOf } from '../../platform/graphql/format-error';
import { checkDocumentText, checkVariablesText } from '../../platform/graphql/input-text';
import { asksForIntrospection, measureOperation } from '../../platform/graphql/query-analysis';
import { suggestionsPlugin } from '../../platform/graphql/suggestions';
import { errorBody, sendJsonError } from '../../platform/http/json-error';
import type { Logger } from '../../platform/logging/logger';
import { withSqlStatementTally, type SqlStatementTally } from '../../platform/database/sql-statement-count';
import { RequestLoaders } from '../../platform/graphql/loaders';
import { graphiqlRouter } from '../../platform/http/graphiql';
import { API_ROUTES, apiNodeTypes } from './schema';
import { DomainError } from '../../platform/errors/domain-error';
import { inputErrorsPlugin } from '../../platform/graphql/input-errors';
import { CompiledExecutor, compiledExecutionGateway } from '../../platform/graphql/compiled-executor';
import type { HubMetrics } from '../../platform/metrics/metrics';
import { graphqlMetricsMiddleware, graphqlMetricsPlugin, recordGraphqlRequest, REQUEST_RECORD, type GraphqlRequestRecord } from '../../platform/metrics/graphql-metrics';
import { METRICS_PATH, writeMetrics } from '../../platform/metrics/metrics-server';
import { requireAdmin } from '../../platform/http/admin-auth';
import { DASHBOARD_PATH, runDashboardRouter } from '../../platform/http/run-dashboard';
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


/**
 * Logs unexpected errors with the request ID; the formatter then masks them for the client. The
 * errors of one field on many parents (a failed batch fails every parent's field) are one log line
 * with their count and a few paths, not one line each: a list of 10,000 parents must not write
 * 10,000 copies of the same error and its SQL.
 */
function errorLoggingPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ contextValue, errors, operationName }) {
          const groups = new Map<string, { error: unknown; paths: string[]; occurrences: number }>();
          let timeouts = 0;
          for (const error of errors) {
            if (timeoutOf(error)) {
              timeouts += 1;
              continue;
            }
            if (isClientError(error)) continue;
            const original = error.originalError ?? error;
            const path = (error.path ?? []).join('.');
            const key = `${original.message}|${(error.path ?? []).map((part) => (typeof part === 'number' ? '*' : part)).join('.')}`;
            const group = groups.get(key) ?? groups.set(key, { error: original, paths: [], occurrences: 0 }).get(key)!;
            group.occurrences += 1;
            if (group.paths.length < 3) group.paths.push(path);
          }
          // The context is missing when the request failed before it was built.
          const logger = contextValue?.logger;
          if (!logger) return;
          for (const group of groups.values()) {
            logger.error({ err: group.error, path: group.paths[0], samplePaths: group.paths, occurrences: group.occurrences, operationName }, 'unexpected error in a GraphQL request');
          }
          if (timeouts > 0) logger.warn({ occurrences: timeouts, operationName }, 'request cancelled at its deadline (QUERY_TIMEOUT)');
        },
      };
    },
  };
}

/** What a refused client reads: which limit, and when to come back. */
function refusalMessage(refusal: Refusal): string {
  const what =
    refusal.measure === 'cost'
      ? `query cost at once (${refusal.inProgressCost} in progress, this operation ${refusal.cost})`
      : { requests: 'requests a minute', cost: 'query cost a minute', concurrency: 'requests at once', queue: 'requests waiting for their turn' }[refusal.limit];
  return `Rate limit reached: ${refusal.allowed} ${what} for this client. Retry after ${refusal.retryAfterSeconds} s.`;
}

/** The `extensions` of a refusal, `code: RATE_LIMITED` first. */
function refusalExtensions(refusal: Refusal): Record<string, unknown> {
  return {
    code: 'RATE_LIMITED',
    limit: refusal.limit,
    ...(refusal.measure ? { measure: refusal.measure } : {}),
    ...(refusal.cost !== undefined ? { cost: refusal.cost, inProgressCost: refusal.inProgressCost } : {}),
    allowed: refusal.allowed,
    retryAfterSeconds: refusal.retryAfterSeconds,
  };
}

/** The GraphQL error of a refused request: HTTP 429, Retry-After, RATE_LIMITED. */
function rateLimitedError(refusal: Refusal): GraphQLError {
  return new GraphQLError(refusalMessage(refusal), {
    extensions: { ...refusalExtensions(refusal), http: { status: 429, headers: new HeaderMap([['retry-after', String(refusal.retryAfterSeconds)]]) } },
  });
}

/** Refusals of a document before it runs, whose parsing and validation are charged to the client. */
const CHARGED_REFUSALS = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'QUERY_TOO_COMPLEX', 'BAD_USER_INPUT', 'FORBIDDEN', 'OPERATION_RESOLUTION_FAILURE']);

/** The lexical tokens of a document, as the parser counts them, at most `max` (the parser stops there too); at least 1. */
function documentTokens(query: string | undefined, max: number): number {
  if (!query) return 1;
  const lexer = new Lexer(new Source(query));
  let tokens = 0;
  try {
    while (tokens < max && lexer.advance().kind !== TokenKind.EOF) tokens += 1;
  } catch {
    // A lexical error ends the document where the parser stopped too.
  }
  return Math.max(1, tokens);
}

/**
 * Checks every operation before it runs, against the caller's role (docs/limits.md): introspection
 * allowed or not, text arguments (no NUL, valid Unicode, not too long), then depth, aliases,
 * directives and cost; over a budget the operation is refused unexecuted with QUERY_TOO_COMPLEX and
 * the measure, its value and the limit. Last, its cost is charged to the client's minute.
 */
function protectionPlugin(limits: HubLimits, rateLimits: ClientRateLimits, hold: RefusalHold): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      let executed = false;
      return {
        async executionDidStart() {
          executed = true;
        },
        /**
         * A document refused before it ran (parse or validation errors, QUERY_TOO_COMPLEX, refused
         * text or introspection) still took parsing and validation: its tokens are charged to the
         * client's query cost a minute, so a key sending only refused documents runs out of its
         * minute like any other (then RATE_LIMITED, and refused at admission from memory).
         */
        async willSendResponse({ contextValue, request, response }) {
          if (executed || response.body.kind !== 'single') return;
          const first = response.body.singleResult.errors?.[0]?.extensions;
          const code = first?.['code'];
          let retryAfterSeconds = code === 'RATE_LIMITED' ? Number(first?.['retryAfterSeconds']) : undefined;
          if (typeof code === 'string' && CHARGED_REFUSALS.has(code)) {
            const refusal = await rateLimits.chargeCost(contextValue.client, documentTokens(request.query, limits.queryMaxTokens));
            if (!refusal) return;
            response.body.singleResult = { errors: [{ message: refusalMessage(refusal), extensions: refusalExtensions(refusal) }] };
            response.http.status = 429;
            response.http.headers.set('retry-after', String(refusal.retryAfterSeconds));
            retryAfterSeconds = refusal.retryAfterSeconds;
          }
          // Refused (the query cost at once or a minute): held when the client did not wait for its
          // previous Retry-After, without its slot (docs/limits.md#a-client-that-does-not-wait).
          if (retryAfterSeconds === undefined || !(retryAfterSeconds >= 1)) return;
          const ms = hold.delayFor(contextValue.client.id, retryAfterSeconds);
          if (ms === 0) return;
          contextValue.admission?.release();
          // Nor its turn of API_CONCURRENCY: a held refusal runs nothing.
          contextValue.releaseTurn?.();
          await hold.hold(contextValue.client.id, ms, contextValue.hungUp?.());
        },
        async didResolveOperation({ contextValue, document, request, operationName, schema }) {
          const role = contextValue.client.role;
          if (!limits.introspectionRoles.includes(role) && asksForIntrospection(document)) {
            throw new GraphQLError(`Introspection is not open to the role "${role}" (INTROSPECTION_ROLES); the schema is published as schema/schema.graphql.`, {
              extensions: { code: 'FORBIDDEN', reason: 'INTROSPECTION_DISABLED', http: { status: 403 } },
            });
          }
          const textProblem = checkDocumentText(document, limits.maxStringLength) ?? checkVariablesText(request.variables, limits.maxStringLength);
          if (textProblem) {
            const { message, ...details } = textProblem;
            throw new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...details, http: { status: 400 } } });
          }
          const budget = {
            maxCost: limits.queryMaxCost[role],
            maxDepth: limits.queryMaxDepth[role],
            maxAliases: limits.queryMaxAliases[role],
            maxDirectives: limits.queryMaxDirectives[role],
          };
          const { measures, over } = measureOperation(schema, document, operationName ?? undefined, request.variables, budget);
          contextValue.cost = measures.cost;
          if (over) {
            throw new GraphQLError(`The operation is over the ${over.measure} limit of the role "${role}": ${over.value} > ${over.limit}. Ask for less (smaller pages, fewer nested lists) or split it.`, {
              extensions: { code: 'QUERY_TOO_COMPLEX', measure: over.measure, value: over.value, limit: over.limit, ...(over.measure === 'cost' ? { cost: over.value } : {}), http: { status: 400 } },
            });
          }
          // Cost at once before cost a minute: an operation refused for the first charges nothing.
          const busy = contextValue.admission?.holdCost(measures.cost);
          if (busy) throw rateLimitedError(busy);
          const refusal = await rateLimits.chargeCost(contextValue.client, measures.cost);
          if (refusal) throw rateLimitedError(refusal);
        },
      };
    },
  };
}

/** A GraphQL answer with an error because the database was unreachable is HTTP 503 with Retry-After. */
function databaseUnavailablePlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          if (!response.body.singleResult.errors?.some((error) => error.extensions?.['code'] === 'SERVICE_UNAVAILABLE')) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
        },
      };
    },
  };
}

/** What the steps of one request leave for the next (Express's `res.locals` on its routes). */
type Locals = Record<string, unknown>;
type StepRequest = http.IncomingMessage & { body?: unknown };
type Next = (error?: unknown) => void;
/**
 * One step of the GraphQL endpoint, on Node's own request and response, so the same steps serve
 * the endpoint through Express and without it (`serveGraphqlPost`): as in Express, a step calls
 * `next()` to go on, `next(error)` to have the error answered, or answers itself.
 */
type Step = (req: StepRequest, res: http.ServerResponse, locals: Locals, next: Next) => void | Promise<void>;

/** A step as an Express handler, its state in `res.locals`. */
function viaExpress(step: Step): express.RequestHandler {
  return (req, res, next) => void step(req, res, res.locals, next);
}

/** Runs the steps in order, as Express would; `done` gets the error a step passed on, or nothing when the last called `next()`. */
function runSteps(steps: readonly Step[], req: StepRequest, res: http.ServerResponse, locals: Locals, done: Next): void {
  let index = 0;
  const next: Next = (error) => {
    if (error !== undefined) return done(error);
    const step = steps[index++];
    if (!step) return done(undefined);
    try {
      const returned = step(req, res, locals, next);
      if (returned) returned.catch(done);
    } catch (thrown) {
      done(thrown);
    }
  };
  next();
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** The caller's `x-request-id` when it is a plain token, else a new UUID; sent back on the answer. */
function assignRequestId(req: http.IncomingMessage, res: http.ServerResponse, locals: Locals): void {
  const given = req.headers['x-request-id'];
  const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  locals['requestId'] = requestId;
  res.setHeader('x-request-id', requestId);
}

const PAYLOAD_LIMIT = '1mb';
const PAYLOAD_LIMIT_BYTES = 1024 * 1024;
/** `application/json`, as body-parser reads it without a charset question; other types go through Express. */
const PLAIN_JSON = /^application\/json[ \t]*(?:;[ \t]*charset[ \t]*=[ \t]*"?utf-8"?[ \t]*)?$/i;

/**
 * The request the hub serves without Express: a POST of plain JSON (no Content-Encoding) to
 * exactly /graphql. Everything else (GET, other methods, compressed bodies, other content types or
 * charsets, /graphql/ and other spellings of the path) takes Express's path, which answers it as
 * before; both paths run the same steps.
 */
function isPlainGraphqlPost(req: http.IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  if (!(url === GRAPHQL_PATH || url.startsWith(`${GRAPHQL_PATH}?`))) return false;
  const type = req.headers['content-type'];
  if (type === undefined || !PLAIN_JSON.test(type)) return false;
  const encoding = req.headers['content-encoding'];
  return encoding === undefined || encoding.toLowerCase() === 'identity';
}

/** An error shaped as body-parser's, so the same mapping (`bodyError`) answers both paths. */
function bodyParserError(type: 'entity.too.large' | 'entity.parse.failed' | 'request.aborted', status: number, message: string): Error {
  return Object.assign(new Error(message), { type, status, expose: true });
}

/**
 * Reads a JSON body as `express.json({ limit: '1mb' })` does on the same requests: over the limit
 * (by Content-Length, or as it arrives) the rest is read and dropped, then 413; an empty body is
 * `{}`; a body whose first character is not `{` or `[` (body-parser's strict mode) or that does not
 * parse is 400; a leading byte-order mark is dropped. A client that leaves mid-body gets nothing.
 */
const readJsonBody: Step = (req, _res, _locals, next) => {
  const declared = Number(req.headers['content-length']);
  let tooLarge = declared > PAYLOAD_LIMIT_BYTES;
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (error?: unknown): void => {
    if (settled) return;
    settled = true;
    req.off('data', onData);
    next(error);
  };
  const onData = (chunk: Buffer): void => {
    if (tooLarge) return;
    size += chunk.length;
    if (size > PAYLOAD_LIMIT_BYTES) {
      tooLarge = true;
      chunks.length = 0;
    } else {
      chunks.push(chunk);
    }
  };
  req.on('data', onData);
  req.once('error', () => {
    // The connection broke mid-body: there is no one to answer.
    settled = true;
    req.off('data', onData);
  });
  req.once('end', () => {
    if (tooLarge) return settle(bodyParserError('entity.too.large', 413, 'request entity too large'));
    let text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const first = /[^ \t\n\r]/.exec(text)?.[0];
    if (first === undefined) {
      req.body = {};
      return settle();
    }
    if (first !== '{' && first !== '[') return settle(bodyParserError('entity.parse.failed', 400, 'not a JSON object or array'));
    try {
      req.body = JSON.parse(text) as unknown;
    } catch {
      return settle(bodyParserError('entity.parse.failed', 400, 'malformed JSON'));
    }
    settle();
  });
};

/** What body-parser's errors mean for a client (its `type`); anything else is ours. */
function bodyError(error: unknown): { status: number; code: string; message: string } | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  const status = (error as { status?: unknown } | null)?.status;
  if (type === 'entity.too.large') return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `The request body is larger than ${PAYLOAD_LIMIT}.` };
  if (type === 'entity.parse.failed') return { status: 400, code: 'BAD_REQUEST', message: 'The request body is not a JSON object.' };
  if (typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500) return { status, code: 'BAD_REQUEST', message: `The request body could not be read (${type}).` };
  // A body whose Content-Encoding it is not (garbage "gzip", "br", "deflate"): body-parser gives
  // zlib's error a 4xx status but no type.
  const expose = (error as { expose?: unknown } | null)?.expose;
  if (typeof status === 'number' && status >= 400 && status < 500 && expose === true) return { status, code: 'BAD_REQUEST', message: 'The request body could not be read as its headers describe it.' };
  return undefined;
}

/** Writes a JSON answer straight to the socket, for errors Node's HTTP parser raises before Express. */
function clientErrorResponse(status: number, code: string, message: string): string {
  const body = JSON.stringify(errorBody(code, message));
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
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
  /** Query analysis, deadlines and per-client limits (docs/limits.md). */
  limits: HubLimits;
  /** `compiled` (default): graphql-jit, each document compiled once; `graphql-js`: interpret every operation. */
  graphqlExecutor?: 'compiled' | 'graphql-js';
  /** Planned reads of the hot lists (default on; docs/performance.md). */
  readPlans?: boolean;
  rateLimits: ClientRateLimits;
  /** Served at GET /metrics to admin keys, and fed by the GraphQL endpoint. */
  metrics?: HubMetrics;
  /** The queues the admins' run dashboard shows (DASHBOARD_PATH). */
  dashboardQueues?: readonly Queue[];
  /** More Apollo plugins (the read replica's routing: src/app/read-routing.ts). */
  plugins?: ApolloServerPlugin<GraphQLContext>[];
}): Promise<ApiServer> {
  const log = options.logger.child({ component: 'api' });
  const nodes = apiNodeTypes();
  const app = express();
  app.disable('x-powered-by');
  // An ETag costs a hash of every GraphQL answer, and no client revalidates POSTed queries with it.
  app.set('etag', false);
  // Set once the routes are (below): POST /graphql without Express, the rest through it.
  let serveApi: http.RequestListener = app;
  // A request's body is read while it holds its turn (below): a client trickling one would keep it
  // for Node's default five minutes. Node checks its timeouts every connectionsCheckingInterval.
  const requestTimeout = options.limits.httpRequestTimeoutMs;
  const httpServer = http.createServer(
    { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(5_000, Math.ceil(requestTimeout / 4)) },
    (req, res) => serveApi(req, res),
  );
  // Errors Node's HTTP parser raises before Express sees the request (headers over 16 KB, a
  // malformed request line or header) answer JSON too, as every other error does.
  httpServer.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(
      error.code === 'HPE_HEADER_OVERFLOW'
        ? clientErrorResponse(431, 'REQUEST_HEADER_FIELDS_TOO_LARGE', 'The request line and headers are larger than 16 KB (a GET query that long belongs in a POST body).')
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? clientErrorResponse(408, 'REQUEST_TIMEOUT', `The request was not received whole within ${requestTimeout} ms.`)
          : clientErrorResponse(400, 'BAD_REQUEST', 'The request is not valid HTTP.'),
    );
  });

  // Refusals of clients that do not wait for their Retry-After are held (docs/limits.md#a-client-that-does-not-wait).
  const hold = new RefusalHold({ maxMs: options.limits.refusalHoldMs });
  const compiled = options.graphqlExecutor === 'graphql-js' ? undefined : new CompiledExecutor();
  const apollo = new ApolloServer<GraphQLContext>({
    ...(compiled ? { gateway: compiledExecutionGateway(options.schema, compiled) } : { schema: options.schema }),
    formatError: formatGraphQLError,
    includeStacktraceInErrorResponses: false,
    // The parser stops at the limit: a huge document costs no full parse and no validation.
    parseOptions: options.limits.enforced ? { maxTokens: options.limits.queryMaxTokens } : {},
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
      // Input scalars' refusals name their argument (src/domains/scalars.ts).
      inputErrorsPlugin((error) => error instanceof DomainError),
      ...(options.limits.enforced ? [protectionPlugin(options.limits, options.rateLimits, hold)] : []),
      // "Did you mean …?" only for the roles that may introspect (docs/limits.md#introspection).
      suggestionsPlugin<GraphQLContext>((context) => options.limits.introspectionRoles.includes(context.client.role)),
      sqlStatementsPlugin(),
      graphqlMetricsPlugin(),
      databaseUnavailablePlugin(),
      ...(options.plugins ?? []),
      // Last: no firm data leaves before its read is in the audit (docs/access-and-audit.md).
      readAuditPlugin(),
    ],
  });
  await apollo.start();

  app.use((req, res, next) => {
    assignRequestId(req, res, res.locals);
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
        // The client gets a status only: a driver's message names hosts, ports and users. The log has it.
        checks[readiness.name] = 'failing';
        log.warn({ check: readiness.name, err: error instanceof Error ? { message: error.message, code: (error as NodeJS.ErrnoException).code } : String(error) }, 'readiness check failing');
      }
    }
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  const adminOnly = requireAdmin((header) => options.services.clients.authenticate(header), 'i-Industry Hub admin');
  const metrics = options.metrics;
  // Requests executing at once, and one queue per client beyond (docs/limits.md#fair-admission).
  const fair = new FairAdmission(options.limits.apiConcurrency ?? DEFAULT_POOL_SIZE, options.limits.queuePerClient);
  if (metrics) {
    new Gauge({ name: 'hub_api_requests_running', help: 'GraphQL requests executing in this API process (at most API_CONCURRENCY).', registers: [metrics.registry], collect() { this.set(fair.running); } });
    new Gauge({ name: 'hub_api_requests_queued', help: 'GraphQL requests waiting for their turn in this API process, all clients together.', registers: [metrics.registry], collect() { this.set(fair.queued); } });
    new Gauge({ name: 'hub_api_refusals_held', help: 'Refusals (429) held in this API process because their clients sent again before their Retry-After was over.', registers: [metrics.registry], collect() { this.set(hold.held); } });
  }
  if (metrics) app.get(METRICS_PATH, adminOnly, (_req, res) => void writeMetrics(metrics, res));
  if (options.dashboardQueues) app.use(DASHBOARD_PATH, adminOnly, runDashboardRouter(options.dashboardQueues));
  app.use(GRAPHIQL_PATH, graphiqlRouter({ graphqlPath: GRAPHQL_PATH }));
  /**
   * Who is calling (no key: left to the route, which answers 401), and whether they may now: the
   * client's concurrency and request rate (429 RATE_LIMITED with Retry-After). The slot is given
   * back when the response ends, however it ends.
   */
  const admit: Step = async (req, res, locals, next) => {
    try {
      const client = await options.services.clients.authenticate(req.headers.authorization);
      if (!client) return next();
      locals['client'] = client;
      if (!options.limits.enforced) return next();
      const admitted = await options.rateLimits.admit(client);
      if ('refused' in admitted) return refuse(res, locals, admitted.refused, client.id);
      locals['admission'] = admitted.slot;
      res.on('close', () => admitted.slot.release());
      next();
    } catch (error) {
      next(error);
    }
  };
  /**
   * A refusal at admission, before the body is read: 429 and Retry-After (sendJsonError writes it
   * without Express's send). Held first when the client sent again before
   * its previous refusal's Retry-After was over (a client that hangs up meanwhile is dropped).
   */
  const refuse = (res: http.ServerResponse, locals: Locals, refusal: Refusal, clientId: string): void => {
    const ms = hold.delayFor(clientId, refusal.retryAfterSeconds);
    if (ms === 0) return sendRefusal(res, refusal);
    // A refusal for a full queue was admitted by the rate limits: it holds no slot while it waits.
    (locals['admission'] as Slot | undefined)?.release();
    const hungUp = new AbortController();
    const onClose = (): void => hungUp.abort();
    res.once('close', onClose);
    void hold.hold(clientId, ms, hungUp.signal).then(() => {
      res.off('close', onClose);
      if (!res.closed) sendRefusal(res, refusal);
    });
  };
  const sendRefusal = (res: http.ServerResponse, refusal: Refusal): void => {
    const { code: _code, ...extensions } = refusalExtensions(refusal);
    if (!res.headersSent) res.setHeader('retry-after', String(refusal.retryAfterSeconds));
    sendJsonError(res, 429, 'RATE_LIMITED', refusalMessage(refusal), extensions);
  };
  /**
   * Waits for the request's turn (docs/limits.md#fair-admission): a slot of the process's
   * API_CONCURRENCY, given to the waiting client with the fewest running. Its client's queue full:
   * 429 RATE_LIMITED `limit: "queue"`; its deadline passed while it waited: 503 QUERY_TIMEOUT
   * `which: "queue"`; both with Retry-After: 1. The time waited counts toward its deadline.
   */
  const takeTurn: Step = (_req, res, locals, next) => {
    const client = locals['client'] as ApiClient | undefined;
    if (!client || !options.limits.enforced) return next();
    // Gone already (while it was authenticated): nothing to wait for.
    if (res.closed) return;
    const hungUp = new AbortController();
    const onClose = (): void => hungUp.abort();
    res.once('close', onClose);
    const waitMs = options.limits.requestTimeoutMs[client.role];
    void fair.enter(client.id, { waitMs, signal: hungUp.signal }).then((entry) => {
      res.off('close', onClose);
      if (entry.admitted) {
        if (res.closed) return entry.release();
        res.once('close', entry.release);
        // Also given back as soon as the response is ready (the audit plugin), before its audit
        // entry's commit: a request waiting on the audit's WAL flush holds no connection and
        // executes nothing, so its turn belongs to the next request (release is idempotent).
        locals['releaseTurn'] = entry.release;
        locals['queuedMs'] = entry.waitedMs;
        return next();
      }
      if (entry.reason === 'gone') return;
      if (entry.reason === 'queue-full') return refuse(res, locals, { limit: 'queue', allowed: fair.queuePerClient, retryAfterSeconds: 1 }, client.id);
      res.setHeader('retry-after', '1');
      const timeout = new QueryTimeoutError('queue', waitMs);
      sendJsonError(res, 503, 'QUERY_TIMEOUT', timeout.message, { which: timeout.which, limitMs: timeout.limitMs, retryAfterSeconds: 1 });
    });
  };
  /** Statements of the request run under the role's statement timeout, and the whole under its deadline. */
  const deadline = (options_: { wholeRequest: boolean }): Step => (_req, res, locals, next) => {
    const client = locals['client'] as ApiClient | undefined;
    if (!client || !options.limits.enforced) return next();
    const limits = options.limits;
    const queuedMs = (locals['queuedMs'] as number | undefined) ?? 0;
    const requestDeadline = new RequestDeadline(limits.statementTimeoutMs[client.role], options_.wholeRequest ? limits.requestTimeoutMs[client.role] : undefined, queuedMs);
    // A close before the answer was written is the client leaving: stop its work.
    res.on('close', () => (res.writableFinished ? requestDeadline.finish() : requestDeadline.abandon()));
    withRequestDeadline(requestDeadline, next);
  };

  // The feed counts against the same request rate and concurrency (a sync job polling it is a
  // client like any other). Its statements have the statement timeout; a long feed is not cut by
  // the request deadline, and it charges no query cost: it reads by keyset in bounded batches.
  // The domains' own routes (the NDJSON eligibility feed), behind the same admission and deadlines.
  for (const route of API_ROUTES) {
    app.use(route.path, viaExpress(admit), viaExpress(deadline({ wholeRequest: false })), route.router({ services: options.services, logger: log, feedBatchSize: options.eligibilityFeedBatchSize }));
  }

  /** GraphQL over HTTP is GET and POST; anything else has no body or query to read. */
  const getOrPost: Step = (req, res, _locals, next) => {
    if (req.method === 'GET' || req.method === 'POST') return next();
    res.setHeader('allow', 'GET, POST');
    sendJsonError(res, 405, 'METHOD_NOT_ALLOWED', `${String(req.method).slice(0, 20)} is not a method of the GraphQL endpoint: use GET or POST.`);
  };
  /** A request without a valid key is refused before its body is read: an anonymous megabyte costs no parsing. */
  const requireClient: Step = (req, res, locals, next) => {
    if (locals['client']) return next();
    sendJsonError(
      res,
      401,
      'UNAUTHENTICATED',
      req.headers.authorization
        ? 'The API key is not valid or has been revoked.'
        : 'An API key is required: send "Authorization: Bearer <key>". Create one with `npm run hub -- client:create`.',
    );
  };
  /** One operation per request: a JSON array (batching) would multiply every limit by its length. */
  const oneOperation: Step = (req, res, _locals, next) => {
    if (req.method === 'POST' && (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body))) {
      return sendJsonError(res, 400, 'BAD_REQUEST', Array.isArray(req.body) ? 'Batched operations (a JSON array) are not supported: send one operation per request.' : 'The request body must be a JSON object.');
    }
    next();
  };
  const trusted: Step = async (req, res, locals, next) => {
    try {
      const refusal = await trustedDocument(req, locals['client'] as ApiClient);
      if (refusal) return sendJsonError(res, 400, 'PERSISTED_QUERY_NOT_FOUND', refusal);
      next();
    } catch (error) {
      next(error);
    }
  };
  /** After body parsing, so the whole GraphQL execution runs inside the request's statement tally. */
  const statementTally: Step = (_req, _res, locals, next) => {
    const tally: SqlStatementTally = { statements: 0 };
    locals['sql'] = tally;
    withSqlStatementTally(tally, next);
  };
  /**
   * Apollo Server's HTTP handler, called directly (what `@as-integrations/express5` does, without
   * Express's `send`): the answer is written with its length, in one piece.
   */
  const execute: Step = async (req, res, locals, next) => {
    try {
      const headers = new HeaderMap();
      for (const key in req.headers) {
        const value = req.headers[key];
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const url = req.url ?? '';
      const query = url.indexOf('?');
      const answer = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: query < 0 ? '' : url.slice(query), body: req.body },
        context: async () => contextOf(res, locals),
      });
      if (res.headersSent || res.destroyed) return;
      for (const [key, value] of answer.headers) res.setHeader(key, value);
      res.statusCode = answer.status ?? 200;
      if (answer.body.kind === 'complete') {
        const body = Buffer.from(answer.body.string);
        res.setHeader('content-length', body.length);
        res.end(body);
        return;
      }
      for await (const chunk of answer.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (error) {
      next(error);
    }
  };
  const contextOf = (res: http.ServerResponse, locals: Locals): GraphQLContext => {
    const requestId = String(locals['requestId']);
    const client = locals['client'] as ApiClient;
    return {
      requestId,
      client,
      services: options.services,
      loaders: new RequestLoaders(),
      nodes,
      sql: locals['sql'] as SqlStatementTally,
      requestRecord: locals[REQUEST_RECORD] as GraphqlRequestRecord | undefined,
      logger: log.child({ requestId, clientId: client.id, role: client.role }),
      cost: 0,
      readPlans: options.readPlans !== false,
      admission: locals['admission'] as Slot | undefined,
      releaseTurn: locals['releaseTurn'] as (() => void) | undefined,
      hungUp: () => {
        const gone = new AbortController();
        if (res.closed) gone.abort();
        else res.once('close', () => gone.abort());
        return gone.signal;
      },
    };
  };
  // Admission (a known key over its limits is refused before its body is read: a flood costs no
  // parsing), the key, and its turn (a waiting request holds no parsed body); then, with the body:
  // one operation, its trusted document, its deadline and statement tally, and Apollo.
  const beforeBody: Step[] = [admit, requireClient, takeTurn];
  const withBody: Step[] = [oneOperation, trusted, deadline({ wholeRequest: true }), statementTally, execute];

  // The common request, a POST of JSON, is served by `serveGraphqlPost` below without Express;
  // Express serves the rest of the endpoint (GET, other methods, other content types and encodings).
  if (metrics) app.use(GRAPHQL_PATH, graphqlMetricsMiddleware(metrics));
  app.use(GRAPHQL_PATH, ...[getOrPost, ...beforeBody].map(viaExpress), express.json({ limit: PAYLOAD_LIMIT }), ...withBody.map(viaExpress));
  const postSteps: Step[] = [...beforeBody, readJsonBody, ...withBody];
  const serveGraphqlPost = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const locals: Locals = {};
    assignRequestId(req, res, locals);
    if (metrics) locals[REQUEST_RECORD] = recordGraphqlRequest(metrics, res);
    runSteps(postSteps, req, res, locals, (error) => answerError(res, locals, error));
  };
  serveApi = (req, res) => (isPlainGraphqlPost(req) ? serveGraphqlPost(req, res) : app(req, res));

  /**
   * Trusted documents: a registered document named by its hash (`documentId: "sha256:<hash>"` or
   * Apollo's `extensions.persistedQuery.sha256Hash`) is put in place of the query for any client;
   * a client restricted to trusted documents may send nothing else (not even a registered text's
   * unregistered variant). Returns why a request is refused, or undefined.
   */
  async function trustedDocument(req: StepRequest, client: ApiClient): Promise<string | undefined> {
    const isGet = req.method === 'GET';
    const source = (isGet ? (req as Partial<express.Request>).query : req.body) as Record<string, unknown>;
    let extensions = source['extensions'];
    if (typeof extensions === 'string') {
      try {
        extensions = JSON.parse(extensions) as unknown;
      } catch {
        extensions = undefined;
      }
    }
    const persisted = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
    const documentId = typeof source['documentId'] === 'string' ? source['documentId'].replace(/^sha256:/, '').toLowerCase() : undefined;
    const query = typeof source['query'] === 'string' ? source['query'] : undefined;
    const named = documentId ?? (typeof persisted === 'string' ? persisted.toLowerCase() : undefined);
    if (client.trustedDocumentsOnly && query !== undefined) {
      // Whatever else the request names, the text that would run must itself be registered.
      const textHash = sha256Hex(query);
      if (!(await options.services.trustedDocuments.find(textHash))) return 'This client may run only registered documents, and this text is not one (see npm run hub -- documents:list).';
      return named === undefined || named === textHash ? undefined : 'The query text and the document named beside it differ.';
    }
    if (named === undefined) return client.trustedDocumentsOnly ? 'This client may run only registered documents: send documentId "sha256:<hash>" (see npm run hub -- documents:list).' : undefined;
    const found = await options.services.trustedDocuments.find(named);
    if (!found) {
      // Apollo's automatic persisted queries keep working for other clients: it answers the hash.
      if (!client.trustedDocumentsOnly && documentId === undefined) return undefined;
      return `No registered document has the hash ${named.slice(0, 64)}.`;
    }
    // Express parses a GET's query string anew on every read: a document named there cannot be
    // put in its place, so GET runs registered documents by their text only.
    if (isGet) return client.trustedDocumentsOnly || documentId !== undefined ? 'A registered document named by its hash is run by POST (or by GET with its text).' : undefined;
    const body = req.body as Record<string, unknown>;
    body['query'] = found.document;
    delete body['documentId'];
    if (extensions && typeof extensions === 'object') {
      const { persistedQuery: _persisted, ...rest } = extensions as Record<string, unknown>;
      body['extensions'] = rest;
    }
    return undefined;
  }

  /** The answer to an error a step passed on (body-parser's, the database's, or a bug: masked). */
  const answerError = (res: http.ServerResponse, locals: Locals, error: unknown): void => {
    if (error === undefined) return sendJsonError(res, 404, 'NOT_FOUND', 'No such path. The API is at /graphql, GraphiQL at /graphiql.');
    const known = bodyError(error);
    if (known) return sendJsonError(res, known.status, known.code, known.message);
    // Authentication or admission could not reach the database: 503, not an internal error.
    if (isDatabaseUnavailable(error)) {
      log.warn({ err: error, requestId: locals['requestId'] }, 'database unavailable');
      if (!res.headersSent) res.setHeader('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return sendJsonError(res, 503, 'SERVICE_UNAVAILABLE', DATABASE_UNAVAILABLE_MESSAGE, { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS });
    }
    log.error({ err: error, requestId: locals['requestId'] }, 'unexpected error in an HTTP request');
    sendJsonError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal error. Quote the x-request-id response header when reporting it.');
  };
  // Anything else: JSON, never Express's HTML page (which carries a stack unless NODE_ENV=production).
  app.use((_req, res) => sendJsonError(res, 404, 'NOT_FOUND', 'No such path. The API is at /graphql, GraphiQL at /graphiql.'));
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => answerError(res, res.locals, error));

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
      hold.close();
      await apollo.stop();
      httpServer.closeAllConnections();
    },
  };
}
