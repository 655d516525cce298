import path from 'node:path';
import { z } from 'zod';

/**
 * Typed configuration: the only module that reads process.env.
 *
 * Every variable is declared once below with its schema, default and description; the README's
 * configuration table and the docker-compose test both read this list, so they cannot drift apart.
 */

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', __dirname.includes(`${path.sep}dist${path.sep}`) ? '..' : '');

// 0 asks the OS for a free port (tests use it).
const port = z.coerce.number().int().min(0).max(65535);
const optionalUrl = (protocols: string[]) =>
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
const cron = z.string().trim().regex(/^\S+(\s+\S+){4,5}$/, { message: 'expected a cron pattern such as "0 2 * * *"' });

interface VariableSpec {
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
  DIW_FEED_URL: {
    schema: optionalUrl(['http', 'https']),
    description: 'URL of the DIW factory CSV. Unset: the simulator (SIMULATOR_URL).',
  },
  DIW_SCHEDULE: { schema: cron, default: '0 2 * * *', description: 'Cron pattern (in SCHEDULE_TIMEZONE) of the DIW factory load.' },
  DBD_COMPANIES_FEED_URL: {
    schema: optionalUrl(['http', 'https']),
    description: 'URL of the DBD juristic-person listing (paged JSON; the hub adds `updatedSince`, `page`, `pageSize`). Unset: the simulator (SIMULATOR_URL).',
  },
  DBD_COMPANIES_SCHEDULE: { schema: cron, default: '0 3 * * *', description: 'Cron pattern (in SCHEDULE_TIMEZONE) of the incremental DBD juristic-person load.' },
  DBD_FINANCIALS_FEED_URL: {
    schema: optionalUrl(['http', 'https']),
    description: 'URL of the DBD financial-statement listing (paged JSON). Unset: the simulator (SIMULATOR_URL).',
  },
  DBD_FINANCIALS_SCHEDULE: { schema: cron, default: '30 3 * * *', description: 'Cron pattern (in SCHEDULE_TIMEZONE) of the incremental DBD financial-statement load.' },
  DBD_PAGE_SIZE: {
    schema: z.coerce.number().int().min(1).max(10_000),
    default: '1000',
    description: 'Items per page the DBD sources ask for (`pageSize`); each run holds at most two pages in memory.',
  },
  TISI_STANDARDS_FEED_URL: {
    schema: optionalUrl(['http', 'https']),
    description: 'URL of the TISI standards CSV. Unset: the simulator (SIMULATOR_URL).',
  },
  TISI_STANDARDS_SCHEDULE: { schema: cron, default: '30 2 * * *', description: 'Cron pattern (in SCHEDULE_TIMEZONE) of the TISI standards load.' },
  TISI_LICENCES_FEED_URL: {
    schema: optionalUrl(['http', 'https']),
    description: 'URL of the TISI licences CSV. Unset: the simulator (SIMULATOR_URL).',
  },
  TISI_LICENCES_SCHEDULE: { schema: cron, default: '45 2 * * *', description: 'Cron pattern (in SCHEDULE_TIMEZONE) of the TISI licences load.' },
  DIP_PARTICIPATIONS_FEED_URL: {
    schema: optionalUrl(['http', 'https']),
    description: 'CKAN `datastore_search` URL with the `resource_id` of the DIP participations resource (`limit=` sets the page size). Unset: the simulator.',
  },
  DIP_PARTICIPATIONS_SCHEDULE: { schema: cron, default: '0 4 * * *', description: 'Cron pattern (in SCHEDULE_TIMEZONE) of the DIP participations load.' },
  DIP_I40_ASSESSMENTS_FEED_URL: {
    schema: optionalUrl(['http', 'https']),
    description: 'CKAN `datastore_search` URL with the `resource_id` of the DIP Industry 4.0 assessments resource. Unset: the simulator.',
  },
  DIP_I40_ASSESSMENTS_SCHEDULE: { schema: cron, default: '15 4 * * *', description: 'Cron pattern (in SCHEDULE_TIMEZONE) of the DIP Industry 4.0 assessments load.' },
  OIE_MPI_FEED_URL: {
    schema: optionalUrl(['http', 'https']),
    description: 'URL of the OIE MPI and capacity-utilisation CSV. Unset: the simulator (SIMULATOR_URL).',
  },
  OIE_MPI_SCHEDULE: { schema: cron, default: '30 4 5 * *', description: 'Cron pattern (in SCHEDULE_TIMEZONE) of the monthly OIE MPI load.' },
  SMED_PRODUCTS_FEED_URL: {
    schema: optionalUrl(['http', 'https']),
    description: 'URL of SME D Bank\'s loan product catalogue (JSON, with each product\'s eligibility rules). Unset: the simulator (SIMULATOR_URL).',
  },
  SMED_PRODUCTS_SCHEDULE: { schema: cron, default: '0 5 * * *', description: 'Cron pattern (in SCHEDULE_TIMEZONE) of the SME D Bank product catalogue load.' },
  EXIM_PRODUCTS_FEED_URL: {
    schema: optionalUrl(['http', 'https']),
    description: 'URL of EXIM Bank\'s loan product catalogue (JSON, with each product\'s eligibility rules). Unset: the simulator (SIMULATOR_URL).',
  },
  EXIM_PRODUCTS_SCHEDULE: { schema: cron, default: '15 5 * * *', description: 'Cron pattern (in SCHEDULE_TIMEZONE) of the EXIM Bank product catalogue load.' },
  ELIGIBILITY_RECOMPUTE_SCHEDULE: {
    schema: cron,
    default: '30 0 * * *',
    description: 'Cron pattern (in SCHEDULE_TIMEZONE) of the daily recompute of eligibility for the firms whose date-dependent rules (years since registration) changed outcome since the last one.',
  },
  CONSENT_REGISTRY_FEED_URL: {
    schema: optionalUrl(['http', 'https']),
    description: 'URL of the ministry\'s consent registry (JSON: companies\' consents to the partner banks). Unset: the simulator (SIMULATOR_URL).',
  },
  CONSENT_REGISTRY_SCHEDULE: { schema: cron, default: '*/15 * * * *', description: 'Cron pattern (in SCHEDULE_TIMEZONE) of the consent registry load.' },
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
} satisfies Record<string, VariableSpec>;

export type ConfigVariableName = keyof typeof CONFIG_VARIABLES;

type Raw = { [K in ConfigVariableName]: z.output<(typeof CONFIG_VARIABLES)[K]['schema']> };

export interface HubConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  queuePrefix: string;
  dataDir: string;
  embeddedPgPort: number;
  logLevel: Raw['LOG_LEVEL'];
  logFormat: Raw['LOG_FORMAT'];
  metrics: { port: number | undefined; host: string };
  alerts: { webhookUrl: string | undefined; checkSeconds: number; quarantineThreshold: number };
  simulator: { port: number; host: string; inProcess: boolean; seed: number; scale: number; quirkRate: number; badRowRate: number };
  sources: {
    diw: { feedUrl: string; schedule: string };
    dbdCompanies: { feedUrl: string; schedule: string; pageSize: number };
    dbdFinancials: { feedUrl: string; schedule: string; pageSize: number };
    tisiStandards: { feedUrl: string; schedule: string };
    tisiLicences: { feedUrl: string; schedule: string };
    dipParticipations: { feedUrl: string; schedule: string };
    dipI40Assessments: { feedUrl: string; schedule: string };
    oieMpi: { feedUrl: string; schedule: string };
    smedProducts: { feedUrl: string; schedule: string };
    eximProducts: { feedUrl: string; schedule: string };
    consentRegistry: { feedUrl: string; schedule: string };
  };
  eligibilityRecomputeSchedule: string;
  scheduleTimezone: string;
  ingestOnStart: boolean;
  feedTimeoutMs: number;
  ingestAttempts: number;
  ingestBackoffMs: number;
  workerLockMs: number;
  eligibilityFeedBatchSize: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(CONFIG_VARIABLES) as [ConfigVariableName, VariableSpec][]) {
    const given = env[name];
    const value = given === undefined || given === '' ? spec.default : given;
    const result = spec.schema.safeParse(value);
    if (result.success) raw[name] = result.data;
    else problems.push(`${name}=${JSON.stringify(given)}: ${result.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const r = raw as Raw;
  const simulatorBase = (r.SIMULATOR_URL ?? `http://${r.SIMULATOR_HOST === '0.0.0.0' ? '127.0.0.1' : r.SIMULATOR_HOST}:${r.SIMULATOR_PORT}`).replace(/\/+$/, '');
  return {
    port: r.PORT,
    host: r.HOST,
    databaseUrl: r.DATABASE_URL,
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
    sources: {
      diw: { feedUrl: r.DIW_FEED_URL ?? `${simulatorBase}/diw/factories.csv`, schedule: r.DIW_SCHEDULE },
      dbdCompanies: {
        feedUrl: r.DBD_COMPANIES_FEED_URL ?? `${simulatorBase}/dbd/juristic-persons`,
        schedule: r.DBD_COMPANIES_SCHEDULE,
        pageSize: r.DBD_PAGE_SIZE,
      },
      dbdFinancials: {
        feedUrl: r.DBD_FINANCIALS_FEED_URL ?? `${simulatorBase}/dbd/financial-statements`,
        schedule: r.DBD_FINANCIALS_SCHEDULE,
        pageSize: r.DBD_PAGE_SIZE,
      },
      tisiStandards: { feedUrl: r.TISI_STANDARDS_FEED_URL ?? `${simulatorBase}/tisi/standards.csv`, schedule: r.TISI_STANDARDS_SCHEDULE },
      tisiLicences: { feedUrl: r.TISI_LICENCES_FEED_URL ?? `${simulatorBase}/tisi/licences.csv`, schedule: r.TISI_LICENCES_SCHEDULE },
      dipParticipations: {
        feedUrl: r.DIP_PARTICIPATIONS_FEED_URL ?? `${simulatorBase}/dip/api/3/action/datastore_search?resource_id=6c2e1f0a-4b7d-4e29-9c1a-3f5d8b2a7e01`,
        schedule: r.DIP_PARTICIPATIONS_SCHEDULE,
      },
      dipI40Assessments: {
        feedUrl: r.DIP_I40_ASSESSMENTS_FEED_URL ?? `${simulatorBase}/dip/api/3/action/datastore_search?resource_id=b91d4a7e-2c3f-4a8b-8e6d-0f7c5a9b3d12`,
        schedule: r.DIP_I40_ASSESSMENTS_SCHEDULE,
      },
      oieMpi: { feedUrl: r.OIE_MPI_FEED_URL ?? `${simulatorBase}/oie/mpi.csv`, schedule: r.OIE_MPI_SCHEDULE },
      smedProducts: { feedUrl: r.SMED_PRODUCTS_FEED_URL ?? `${simulatorBase}/banks/smed/products.json`, schedule: r.SMED_PRODUCTS_SCHEDULE },
      eximProducts: { feedUrl: r.EXIM_PRODUCTS_FEED_URL ?? `${simulatorBase}/banks/exim/products.json`, schedule: r.EXIM_PRODUCTS_SCHEDULE },
      consentRegistry: { feedUrl: r.CONSENT_REGISTRY_FEED_URL ?? `${simulatorBase}/moi/consent-registry.json`, schedule: r.CONSENT_REGISTRY_SCHEDULE },
    },
    eligibilityRecomputeSchedule: r.ELIGIBILITY_RECOMPUTE_SCHEDULE,
    scheduleTimezone: r.SCHEDULE_TIMEZONE,
    ingestOnStart: r.INGEST_ON_START,
    feedTimeoutMs: r.FEED_TIMEOUT_MS,
    ingestAttempts: r.INGEST_ATTEMPTS,
    ingestBackoffMs: r.INGEST_BACKOFF_MS,
    workerLockMs: r.WORKER_LOCK_MS,
    eligibilityFeedBatchSize: r.ELIGIBILITY_FEED_BATCH_SIZE,
  };
}
