import path from 'node:path';
import { z } from 'zod';
import { ROLES, type Role } from '../shared/roles';

/**
 * Typed configuration: the only module that reads process.env.
 *
 * Every variable is declared once, with its schema, default and description: the hub's own below,
 * and each agency source's feed variables (`<PREFIX>_FEED_URL`, `<PREFIX>_SCHEDULE` and any setting
 * of its own) by the source itself (FeedDeclaration), passed in by the composition root
 * (src/app/config.ts). The configuration table in the docs is generated from the same list
 * (`npm run docs:config`), and the docker-compose test reads it, so they cannot drift apart.
 */

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', __dirname.includes(`${path.sep}dist${path.sep}`) ? '..' : '');

// 0 asks the OS for a free port (tests use it).
const port = z.coerce.number().int().min(0).max(65535);
export const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .refine((value) => value === undefined || protocols.some((p) => value.startsWith(`${p}://`)), {
      message: `expected a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
// Five-field cron (minute hour day month weekday); BullMQ's cron-parser validates the details.
export const cron = z.string().trim().regex(/^\S+(\s+\S+){4,5}$/, { message: 'expected a cron pattern such as "0 2 * * *"' });

// Per-role limits: one number for every role (`5000`), or `role=value` pairs over the defaults
// (`bank=5000,analyst=20000`); a role left out keeps its default.
const LIMIT_ROLES = ROLES;
type LimitRole = Role;
export type PerRole = Record<LimitRole, number>;
const perRole = (defaults: PerRole, min = 1) =>
  z
    .string()
    .trim()
    .transform((text, ctx): PerRole => {
      const result = { ...defaults };
      if (/^\d+$/.test(text)) {
        const value = Number(text);
        for (const role of LIMIT_ROLES) result[role] = value;
      } else {
        for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
          const match = /^([a-z]+)\s*=\s*(\d+)$/.exec(part);
          if (match && !(LIMIT_ROLES as readonly string[]).includes(match[1]!)) {
            ctx.addIssue({ code: 'custom', message: `unknown role "${match[1]}" (roles: ${LIMIT_ROLES.join(', ')})` });
            return z.NEVER;
          }
          if (!match) {
            ctx.addIssue({ code: 'custom', message: `expected a number or role=number pairs (roles: ${LIMIT_ROLES.join(', ')}), got "${part}"` });
            return z.NEVER;
          }
          result[match[1] as LimitRole] = Number(match[2]);
        }
      }
      if (LIMIT_ROLES.some((role) => result[role] < min)) {
        ctx.addIssue({ code: 'custom', message: `every value must be at least ${min}` });
        return z.NEVER;
      }
      return result;
    });
const roleList = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const roles = text.split(',').map((r) => r.trim()).filter(Boolean);
    const unknown = roles.filter((r) => !(LIMIT_ROLES as readonly string[]).includes(r) && r !== 'none');
    if (unknown.length > 0) {
      ctx.addIssue({ code: 'custom', message: `unknown roles ${unknown.join(', ')} (roles: ${LIMIT_ROLES.join(', ')}, or none)` });
      return z.NEVER;
    }
    return roles.filter((r): r is LimitRole => r !== 'none');
  });
const printRoles = (values: PerRole): string => LIMIT_ROLES.map((role) => `${role}=${values[role]}`).join(',');

/** Defaults of the per-role limits (docs/limits.md explains each). */
export const LIMIT_DEFAULTS = {
  queryMaxCost: { admin: 100_000, ministry: 50_000, analyst: 50_000, bank: 20_000, province: 50_000, centre: 50_000, firm: 5_000 },
  queryMaxDepth: { admin: 20, ministry: 20, analyst: 20, bank: 20, province: 20, centre: 20, firm: 20 },
  queryMaxAliases: { admin: 30, ministry: 30, analyst: 30, bank: 20, province: 30, centre: 30, firm: 20 },
  queryMaxDirectives: { admin: 50, ministry: 50, analyst: 50, bank: 50, province: 50, centre: 50, firm: 50 },
  requestsPerMinute: { admin: 1200, ministry: 1200, analyst: 600, bank: 600, province: 600, centre: 600, firm: 120 },
  costPerMinute: { admin: 2_000_000, ministry: 1_000_000, analyst: 1_000_000, bank: 400_000, province: 1_000_000, centre: 1_000_000, firm: 100_000 },
  concurrentRequests: { admin: 8, ministry: 8, analyst: 4, bank: 2, province: 4, centre: 4, firm: 2 },
  concurrentCost: { admin: 16_000, ministry: 8_000, analyst: 4_000, bank: 1_500, province: 4_000, centre: 4_000, firm: 1_000 },
  statementTimeoutMs: { admin: 30_000, ministry: 15_000, analyst: 15_000, bank: 5_000, province: 15_000, centre: 15_000, firm: 5_000 },
  requestTimeoutMs: { admin: 60_000, ministry: 30_000, analyst: 30_000, bank: 10_000, province: 30_000, centre: 30_000, firm: 10_000 },
} satisfies Record<string, PerRole>;

export interface VariableSpec {
  schema: z.ZodType;
  /** Default as the user would write it; undefined means "unset" is meaningful. */
  default?: string;
  description: string;
}

export const CONFIG_VARIABLES = {
  PORT: { schema: port, default: '4000', description: 'HTTP port of the API (GraphQL, GraphiQL, health).' },
  HOST: { schema: z.string().min(1), default: '127.0.0.1', description: 'Interface the API listens on (0.0.0.0 in containers).' },
  DATABASE_URL: {
    schema: optionalUrl(['postgres', 'postgresql']),
    description: 'PostgreSQL connection string. Unset: the hub starts its embedded PostgreSQL in HUB_DATA_DIR.',
  },
  DATABASE_READ_URL: {
    schema: optionalUrl(['postgres', 'postgresql']),
    description: 'A streaming standby of DATABASE_URL: the API reads registry data there (docs/scale-out.md says what stays on the primary and why). Unset: every read goes to DATABASE_URL.',
  },
  DATABASE_READ_MAX_LAG_MS: {
    schema: z.coerce.number().int().min(0),
    default: '5000',
    description: 'Replica lag (ms) above which the API reads registry data from the primary instead, until the standby catches up (metric hub_read_replica_lag_seconds).',
  },
  REDIS_URL: {
    schema: optionalUrl(['redis', 'rediss']),
    description: 'Redis connection string for BullMQ. Unset: BullMQ runs on its PostgreSQL backend in the hub database.',
  },
  QUEUE_PREFIX: {
    schema: z.string().regex(/^[a-z][a-z0-9_]*$/, { message: 'expected lower-case letters, digits and _' }),
    default: 'iih',
    description: 'BullMQ key prefix on Redis, and schema name prefix on the PostgreSQL backend (`<prefix>_queue`).',
  },
  HUB_DATA_DIR: {
    schema: z.string().min(1),
    default: '.data',
    description: 'Folder for the embedded PostgreSQL data (relative paths are from the project root). Kept across restarts.',
  },
  EMBEDDED_PG_PORT: { schema: port, default: '54329', description: 'Port of the embedded PostgreSQL (only when DATABASE_URL is unset).' },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    description: 'Log level of the hub\'s logs (standard output; the CLI\'s go to standard error).',
  },
  LOG_FORMAT: {
    schema: z.enum(['auto', 'json', 'pretty']),
    default: 'auto',
    description: 'Log lines as `json` (one object a line), `pretty` (human-readable) or `auto`: pretty on a terminal, JSON otherwise.',
  },
  METRICS_PORT: {
    schema: port.optional(),
    description: 'Also serve `GET /metrics` without an API key on this port (on METRICS_HOST). Unset: only on the API port, for admin keys.',
  },
  METRICS_HOST: { schema: z.string().min(1), default: '127.0.0.1', description: 'Interface of the METRICS_PORT listener; keep it private (loopback or the scrapers\' network).' },
  ALERT_WEBHOOK_URL: {
    schema: optionalUrl(['http', 'https']),
    description: 'Where alerts (a source stale, a run failed for good, a quarantine grown past its threshold) and their recoveries are POSTed as JSON. Unset: alerts are WARN log lines only.',
  },
  AUDIT: {
    schema: z.enum(['on', 'off'], { message: 'expected on or off' }),
    default: 'on',
    description: 'off writes no read-audit entries, for measuring what the audit costs (`npm run bench:api` compares both); never off in service: reads go unrecorded.',
  },
  AUDIT_CHECKPOINT_EVERY: {
    schema: z.coerce.number().int().min(1).max(10_000_000),
    default: '1000',
    description: 'The read audit records a checkpoint of its hash chain every this many entries (docs/access-and-audit.md).',
  },
  AUDIT_CHECKPOINT_MINUTES: {
    schema: z.coerce.number().int().min(1).max(1440),
    default: '10',
    description: 'And at least this often while reads are audited (minutes).',
  },
  AUDIT_SIGNING_KEY_FILE: {
    schema: z.string().trim().min(1).optional(),
    description: 'PEM file of an Ed25519 private key that signs the read audit\'s checkpoints and each admin action\'s (`openssl genpkey -algorithm ed25519`); give it to the hub and to the `client:*` commands. `audit:verify` checks the signatures with its public half. Unset: checkpoints are unsigned.',
  },
  ALERT_CHECK_SECONDS: {
    schema: z.coerce.number().int().min(1).max(86_400),
    default: '60',
    description: 'How often the worker checks the alert conditions (seconds).',
  },
  ALERT_QUARANTINE_THRESHOLD: {
    schema: z.coerce.number().int().min(1),
    default: '1000',
    description: 'Open quarantined rows of one source above which an alert fires (it clears at or below).',
  },
  SIMULATOR_PORT: { schema: port, default: '4100', description: 'Port of the agency simulator.' },
  SIMULATOR_HOST: { schema: z.string().min(1), default: '127.0.0.1', description: 'Interface the agency simulator listens on.' },
  SIMULATOR_URL: {
    schema: optionalUrl(['http', 'https']),
    description: 'Where the hub reaches the agency simulator: the base of every *_FEED_URL left unset. Unset: http://SIMULATOR_HOST:SIMULATOR_PORT.',
  },
  SIMULATOR_IN_PROCESS: {
    schema: bool,
    default: 'true',
    description: 'Run the agency simulator inside the hub process when it runs API and worker together (`npm start`).',
  },
  SIMULATOR_SEED: { schema: z.coerce.number().int().min(0), default: '20191', description: 'Seed of the simulator: the same seed serves the same data.' },
  SIMULATOR_SCALE: {
    schema: z.coerce.number().int().min(1).max(5_000_000),
    default: '5000',
    description: 'Number of firms (juristic persons) in the simulated world; DIW licenses one factory per five firms.',
  },
  SIMULATOR_QUIRK_RATE: {
    schema: z.coerce.number().min(0).max(1),
    default: '0.02',
    description: 'Share of rows (0-1) that carry a real-feed quirk (Excel-quoted IDs, `-` for empty, bad coordinates, ...).',
  },
  SIMULATOR_BAD_ROW_RATE: {
    schema: z.coerce.number().min(0).max(1),
    default: '0.002',
    description: 'Share of rows (0-1) the simulator makes malformed (invalid factory ID), which the hub must quarantine.',
  },
  ELIGIBILITY_RECOMPUTE_SCHEDULE: {
    schema: cron,
    default: '30 0 * * *',
    description: 'Cron pattern (in SCHEDULE_TIMEZONE) of the daily recompute of eligibility for the firms whose date-dependent rules (years since registration) changed outcome since the last one.',
  },
  SCHEDULE_TIMEZONE: { schema: z.string().min(1), default: 'Asia/Bangkok', description: 'Time zone of every cron schedule.' },
  INGEST_ON_START: {
    schema: bool,
    default: 'true',
    description: 'On start-up, queue a run of every source that has never loaded successfully.',
  },
  FEED_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(1000),
    default: '120000',
    description: 'Abort a feed download that has received nothing for this long (ms).',
  },
  INGEST_ATTEMPTS: {
    schema: z.coerce.number().int().min(1).max(20),
    default: '3',
    description: 'Attempts per ingestion job for transient failures (HTTP 5xx, timeouts), with exponential backoff.',
  },
  INGEST_BACKOFF_MS: {
    schema: z.coerce.number().int().min(0),
    default: '30000',
    description: 'First backoff delay (ms) between ingestion attempts; doubles each time.',
  },
  WORKER_LOCK_MS: {
    schema: z.coerce.number().int().min(1000),
    default: '60000',
    description: 'How long a worker holds a job without renewing its lock; a job of a worker that died is retried after about this long.',
  },
  ELIGIBILITY_FEED_BATCH_SIZE: {
    schema: z.coerce.number().int().min(1).max(10_000),
    default: '1000',
    description: 'Events the NDJSON eligibility feed (`GET /feeds/eligibility`) reads per database statement; a stream holds at most one batch in memory.',
  },
  GRAPHQL_EXECUTOR: {
    schema: z.enum(['compiled', 'graphql-js'], { message: 'expected compiled or graphql-js' }),
    default: 'compiled',
    description: 'compiled: each validated document is compiled once by graphql-jit and run compiled (docs/performance.md); graphql-js interprets every operation (the reference, for comparison).',
  },
  READ_PLANS: {
    schema: z.enum(['on', 'off'], { message: 'expected on or off' }),
    default: 'on',
    description: 'on: the hot company lists (`companies` with plain fields and their `factories`) are planned into one SQL statement that builds only the asked-for JSON, and a company profile (`company(juristicId)`) is read with the relations asked for in one statement (docs/performance.md); off: every list and relation is read by the resolvers and their loaders (the reference the fast path is tested against).',
  },
  QUERY_MAX_COST: {
    schema: perRole(LIMIT_DEFAULTS.queryMaxCost),
    default: printRoles(LIMIT_DEFAULTS.queryMaxCost),
    description: 'Largest cost of one GraphQL operation, per role (objects it may read: list sizes multiply down the tree); over it: QUERY_TOO_COMPLEX, unexecuted. See docs/limits.md.',
  },
  QUERY_MAX_DEPTH: {
    schema: perRole(LIMIT_DEFAULTS.queryMaxDepth),
    default: printRoles(LIMIT_DEFAULTS.queryMaxDepth),
    description: 'Deepest selection nesting of one operation, per role (fragments expanded); over it: QUERY_TOO_COMPLEX.',
  },
  QUERY_MAX_ALIASES: {
    schema: perRole(LIMIT_DEFAULTS.queryMaxAliases),
    default: printRoles(LIMIT_DEFAULTS.queryMaxAliases),
    description: 'Most aliases in one operation, per role (fragments expanded); over it: QUERY_TOO_COMPLEX.',
  },
  QUERY_MAX_DIRECTIVES: {
    schema: perRole(LIMIT_DEFAULTS.queryMaxDirectives),
    default: printRoles(LIMIT_DEFAULTS.queryMaxDirectives),
    description: 'Most directives in one operation, per role (fragments expanded); over it: QUERY_TOO_COMPLEX.',
  },
  QUERY_MAX_TOKENS: {
    schema: z.coerce.number().int().min(100).max(1_000_000),
    default: '3000',
    description: 'Most lexical tokens in one GraphQL document, for every role: the parser stops at the next one (QUERY_TOO_COMPLEX), so a huge document costs no parse or validation.',
  },
  QUERY_MAX_STRING_LENGTH: {
    schema: z.coerce.number().int().min(100).max(1_000_000),
    default: '2000',
    description: 'Longest text in any argument or variable, in characters (cursors, filters, IDs); longer, or holding a NUL byte or invalid Unicode: BAD_USER_INPUT.',
  },
  RATE_LIMIT_REQUESTS_PER_MINUTE: {
    schema: perRole(LIMIT_DEFAULTS.requestsPerMinute),
    default: printRoles(LIMIT_DEFAULTS.requestsPerMinute),
    description: 'GraphQL and feed requests a client may make per minute, per role (a client\'s own `--rate-limit` overrides it); over it: HTTP 429, RATE_LIMITED, Retry-After.',
  },
  RATE_LIMIT_COST_PER_MINUTE: {
    schema: perRole(LIMIT_DEFAULTS.costPerMinute),
    default: printRoles(LIMIT_DEFAULTS.costPerMinute),
    description: 'Query cost (as QUERY_MAX_COST counts it) a client may spend per minute, per role; over it: HTTP 429, RATE_LIMITED, Retry-After.',
  },
  RATE_LIMIT_CONCURRENT: {
    schema: perRole(LIMIT_DEFAULTS.concurrentRequests),
    default: printRoles(LIMIT_DEFAULTS.concurrentRequests),
    description: 'Requests of one client in progress at once in one API process, per role (it guards that process\'s event loop and database pool); one more: HTTP 429, RATE_LIMITED.',
  },
  RATE_LIMIT_CONCURRENT_COST: {
    schema: perRole(LIMIT_DEFAULTS.concurrentCost),
    default: printRoles(LIMIT_DEFAULTS.concurrentCost),
    description: 'Query cost of one client\'s operations in progress at once in one API process, per role: a client with work in progress whose next operation would take it over this is refused (HTTP 429, RATE_LIMITED, `limit: "concurrency"`, `measure: "cost"`), so a client of heavy queries holds fewer at once than one of light ones. One operation alone is always admitted (QUERY_MAX_COST bounds it).',
  },
  API_CONCURRENCY: {
    schema: z.coerce.number().int().min(1).max(10_000).optional(),
    description:
      'Requests executing at once in one API process (GraphQL); more wait in one queue per client, served in turn, the client with the fewest running first (docs/limits.md#fair-admission). Unset: the process\'s database pool size (10).',
  },
  HTTP_REQUEST_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(1000).max(600_000),
    default: '30000',
    description:
      'Time a client has to send its whole request, headers and body (ms); after it: HTTP 408, REQUEST_TIMEOUT, and the connection closes. A body is read while its request holds its turn (API_CONCURRENCY), so this bounds a client that trickles one (docs/limits.md#every-limit). Node\'s own default is five minutes.',
  },
  API_QUEUE_PER_CLIENT: {
    schema: z.coerce.number().int().min(0).max(10_000),
    default: '50',
    description:
      'Requests one client may have waiting for a slot in one API process (memory); one more: HTTP 429, RATE_LIMITED, `limit: "queue"`, Retry-After: 1. A waiting request gives up at its REQUEST_TIMEOUT_MS: HTTP 503, QUERY_TIMEOUT, `which: "queue"`.',
  },
  RATE_LIMIT_HOLD_MS: {
    schema: z.coerce.number().int().min(0).max(10_000),
    default: '1000',
    description:
      'A client refused (HTTP 429, RATE_LIMITED) that sends again before its Retry-After is over and is refused again gets that refusal when the wait it was given is over, at most this long (ms) after it asked, not at once (docs/limits.md#a-client-that-does-not-wait); 0 answers every refusal at once.',
  },
  STATEMENT_TIMEOUT_MS: {
    schema: perRole(LIMIT_DEFAULTS.statementTimeoutMs, 10),
    default: printRoles(LIMIT_DEFAULTS.statementTimeoutMs),
    description: 'Longest one SQL statement of an API request may run, per role (ms); the statement is cancelled, its connection freed, the field answers QUERY_TIMEOUT.',
  },
  REQUEST_TIMEOUT_MS: {
    schema: perRole(LIMIT_DEFAULTS.requestTimeoutMs, 10),
    default: printRoles(LIMIT_DEFAULTS.requestTimeoutMs),
    description: 'Overall deadline of one API request, per role (ms): its running statements are cancelled and what is left answers QUERY_TIMEOUT.',
  },
  LIMITS: {
    schema: z.enum(['on', 'off'], { message: 'expected on or off' }),
    default: 'on',
    description: 'off skips the query analysis, rate limits and deadlines, for measuring what they cost (`npm run bench:api` compares both); never off in service.',
  },
  INTROSPECTION_ROLES: {
    schema: roleList,
    default: 'admin,ministry,analyst',
    description: 'Roles that may introspect the schema (`__schema`, `__type`; GraphiQL needs it); others get FORBIDDEN. `none` closes it to every role.',
  },
} satisfies Record<string, VariableSpec>;

export type ConfigVariableName = keyof typeof CONFIG_VARIABLES;
/** The variables a source's feed declares (see FeedDeclaration). */
export type FeedVariableName = `${string}_FEED_URL` | `${string}_SCHEDULE`;
/** Values for loadConfig, as the environment would give them. */
export type ConfigEnv = Partial<Record<ConfigVariableName | FeedVariableName, string>> & Record<string, string | undefined>;

/**
 * How an agency source's feed is configured, declared by the source (src/sources/<agency>/): its
 * URL and schedule variables, where the agency simulator serves it when no URL is given, and any
 * setting of its own. The configuration module knows no source; the composition root passes every
 * source's declaration to loadConfig.
 */
export interface FeedDeclaration {
  /** The source the settings are for: HubConfig.feeds is keyed by it. */
  sourceId: string;
  /** Prefix of its variables: `<prefix>_FEED_URL` and `<prefix>_SCHEDULE`. */
  variablePrefix: string;
  /** What the URL points at, for the configuration table ("URL of ..." is implied: e.g. "the DIW factory CSV"). */
  urlDescription: string;
  /** The feed's path on the agency simulator (after SIMULATOR_URL), used when the URL is unset. */
  simulatorPath: string;
  /** Default cron pattern (in SCHEDULE_TIMEZONE), a named constant beside the source. */
  defaultSchedule: string;
  /** What the schedule runs, for the configuration table (e.g. "the DIW factory load"). */
  scheduleDescription: string;
  /** Variables of the source's own (e.g. a page size), shared by name between sources of one agency. */
  settings?: Record<string, VariableSpec>;
}

/** A source's feed as configured. */
export interface FeedConfig {
  url: string;
  schedule: string;
  /** The values of the source's own settings (FeedDeclaration.settings), by variable name. */
  settings: Readonly<Record<string, unknown>>;
}

/** Every variable: the hub's own, then each feed's URL, schedule and settings, in the sources' order. */
export function configVariables(feeds: readonly FeedDeclaration[]): Record<string, VariableSpec> {
  const variables: Record<string, VariableSpec> = { ...CONFIG_VARIABLES };
  const add = (name: string, spec: VariableSpec): void => {
    const existing = variables[name];
    if (existing && existing !== spec) throw new Error(`configuration variable ${name} is declared twice`);
    variables[name] = spec;
  };
  for (const feed of feeds) {
    add(`${feed.variablePrefix}_FEED_URL`, {
      schema: optionalUrl(['http', 'https']),
      description: `URL of ${feed.urlDescription}. Unset: the simulator (SIMULATOR_URL).`,
    });
    add(`${feed.variablePrefix}_SCHEDULE`, {
      schema: cron,
      default: feed.defaultSchedule,
      description: `Cron pattern (in SCHEDULE_TIMEZONE) of ${feed.scheduleDescription}.`,
    });
    for (const [name, spec] of Object.entries(feed.settings ?? {})) add(name, spec);
  }
  return variables;
}

type Raw = { [K in ConfigVariableName]: z.output<(typeof CONFIG_VARIABLES)[K]['schema']> };

export interface HubConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  /** A streaming standby for registry reads, and the lag above which reads go to the primary. */
  readReplica: { url: string; maxLagMs: number } | undefined;
  redisUrl: string | undefined;
  queuePrefix: string;
  dataDir: string;
  embeddedPgPort: number;
  logLevel: Raw['LOG_LEVEL'];
  logFormat: Raw['LOG_FORMAT'];
  metrics: { port: number | undefined; host: string };
  alerts: { webhookUrl: string | undefined; checkSeconds: number; quarantineThreshold: number };
  simulator: { port: number; host: string; inProcess: boolean; seed: number; scale: number; quirkRate: number; badRowRate: number };
  /** Each source's feed, by source ID (FeedDeclaration). */
  feeds: Record<string, FeedConfig>;
  eligibilityRecomputeSchedule: string;
  scheduleTimezone: string;
  ingestOnStart: boolean;
  feedTimeoutMs: number;
  ingestAttempts: number;
  ingestBackoffMs: number;
  workerLockMs: number;
  eligibilityFeedBatchSize: number;
  /** How GraphQL operations are executed (src/platform/graphql/compiled-executor.ts). */
  graphqlExecutor: 'compiled' | 'graphql-js';
  /** Whether planned reads (one statement per list, src/domains/company/company.read-plan.ts) are on. */
  readPlans: boolean;
  /** Query analysis, rate limits and deadlines (docs/limits.md). */
  limits: HubLimits;
  /** The read audit's checkpoints (docs/access-and-audit.md). */
  audit: { enabled: boolean; checkpointEvery: number; checkpointMinutes: number; signingKeyFile: string | undefined };
}

export interface HubLimits {
  queryMaxCost: PerRole;
  queryMaxDepth: PerRole;
  queryMaxAliases: PerRole;
  queryMaxDirectives: PerRole;
  queryMaxTokens: number;
  maxStringLength: number;
  requestsPerMinute: PerRole;
  costPerMinute: PerRole;
  concurrentRequests: PerRole;
  concurrentCost: PerRole;
  /** Requests executing at once in one API process; undefined: the pool size. */
  apiConcurrency: number | undefined;
  /** HTTP_REQUEST_TIMEOUT_MS. */
  httpRequestTimeoutMs: number;
  /** Requests one client may have waiting for a slot. */
  queuePerClient: number;
  /** How long a refusal of a client that did not wait for its Retry-After is held, at most (ms); 0: never. */
  refusalHoldMs: number;
  statementTimeoutMs: PerRole;
  requestTimeoutMs: PerRole;
  introspectionRoles: readonly LimitRole[];
  /** False only in the benchmark that measures what the limits cost. */
  enforced: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the configuration, the hub's own variables and those of the feeds given;
 * throws ConfigError naming every bad variable. (src/app/config.ts passes every source's feeds.)
 */
export function loadConfig(env: ConfigEnv, feeds: readonly FeedDeclaration[]): HubConfig {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(configVariables(feeds))) {
    const given = env[name];
    const value = given === undefined || given === '' ? spec.default : given;
    const result = spec.schema.safeParse(value);
    if (result.success) raw[name] = result.data;
    else problems.push(`${name}=${JSON.stringify(given)}: ${result.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const r = raw as Raw;
  const simulatorBase = (r.SIMULATOR_URL ?? `http://${r.SIMULATOR_HOST === '0.0.0.0' ? '127.0.0.1' : r.SIMULATOR_HOST}:${r.SIMULATOR_PORT}`).replace(/\/+$/, '');
  const feedConfigs: Record<string, FeedConfig> = {};
  for (const feed of feeds) {
    feedConfigs[feed.sourceId] = {
      url: (raw[`${feed.variablePrefix}_FEED_URL`] as string | undefined) ?? `${simulatorBase}${feed.simulatorPath}`,
      schedule: raw[`${feed.variablePrefix}_SCHEDULE`] as string,
      settings: Object.fromEntries(Object.keys(feed.settings ?? {}).map((name) => [name, raw[name]])),
    };
  }
  return {
    port: r.PORT,
    host: r.HOST,
    databaseUrl: r.DATABASE_URL,
    readReplica: r.DATABASE_READ_URL ? { url: r.DATABASE_READ_URL, maxLagMs: r.DATABASE_READ_MAX_LAG_MS } : undefined,
    redisUrl: r.REDIS_URL,
    queuePrefix: r.QUEUE_PREFIX,
    dataDir: path.resolve(PROJECT_ROOT, r.HUB_DATA_DIR),
    embeddedPgPort: r.EMBEDDED_PG_PORT,
    logLevel: r.LOG_LEVEL,
    logFormat: r.LOG_FORMAT,
    metrics: { port: r.METRICS_PORT, host: r.METRICS_HOST },
    alerts: { webhookUrl: r.ALERT_WEBHOOK_URL, checkSeconds: r.ALERT_CHECK_SECONDS, quarantineThreshold: r.ALERT_QUARANTINE_THRESHOLD },
    simulator: {
      port: r.SIMULATOR_PORT,
      host: r.SIMULATOR_HOST,
      inProcess: r.SIMULATOR_IN_PROCESS,
      seed: r.SIMULATOR_SEED,
      scale: r.SIMULATOR_SCALE,
      quirkRate: r.SIMULATOR_QUIRK_RATE,
      badRowRate: r.SIMULATOR_BAD_ROW_RATE,
    },
    feeds: feedConfigs,
    eligibilityRecomputeSchedule: r.ELIGIBILITY_RECOMPUTE_SCHEDULE,
    scheduleTimezone: r.SCHEDULE_TIMEZONE,
    ingestOnStart: r.INGEST_ON_START,
    feedTimeoutMs: r.FEED_TIMEOUT_MS,
    ingestAttempts: r.INGEST_ATTEMPTS,
    ingestBackoffMs: r.INGEST_BACKOFF_MS,
    workerLockMs: r.WORKER_LOCK_MS,
    eligibilityFeedBatchSize: r.ELIGIBILITY_FEED_BATCH_SIZE,
    graphqlExecutor: r.GRAPHQL_EXECUTOR,
    readPlans: r.READ_PLANS === 'on',
    limits: {
      queryMaxCost: r.QUERY_MAX_COST,
      queryMaxDepth: r.QUERY_MAX_DEPTH,
      queryMaxAliases: r.QUERY_MAX_ALIASES,
      queryMaxDirectives: r.QUERY_MAX_DIRECTIVES,
      queryMaxTokens: r.QUERY_MAX_TOKENS,
      maxStringLength: r.QUERY_MAX_STRING_LENGTH,
      requestsPerMinute: r.RATE_LIMIT_REQUESTS_PER_MINUTE,
      costPerMinute: r.RATE_LIMIT_COST_PER_MINUTE,
      concurrentRequests: r.RATE_LIMIT_CONCURRENT,
      concurrentCost: r.RATE_LIMIT_CONCURRENT_COST,
      apiConcurrency: r.API_CONCURRENCY,
      httpRequestTimeoutMs: r.HTTP_REQUEST_TIMEOUT_MS,
      queuePerClient: r.API_QUEUE_PER_CLIENT,
      refusalHoldMs: r.RATE_LIMIT_HOLD_MS,
      statementTimeoutMs: r.STATEMENT_TIMEOUT_MS,
      requestTimeoutMs: r.REQUEST_TIMEOUT_MS,
      introspectionRoles: r.INTROSPECTION_ROLES,
      enforced: r.LIMITS === 'on',
    },
    audit: { enabled: r.AUDIT === 'on', checkpointEvery: r.AUDIT_CHECKPOINT_EVERY, checkpointMinutes: r.AUDIT_CHECKPOINT_MINUTES, signingKeyFile: r.AUDIT_SIGNING_KEY_FILE },
  };
}

/** A source's feed settings; throws naming the source when the configuration has none for it. */
export function feedOf(config: HubConfig, sourceId: string): FeedConfig {
  const feed = config.feeds[sourceId];
  if (!feed) throw new Error(`no feed is configured for source "${sourceId}"`);
  return feed;
}
