import { verifyAuditChain } from './access/audit/audit-verify';
import { verifyAdminActions } from './access/audit/admin-actions';
import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { IngestionEngine } from './ingestion/ingestion.engine';
import { createIngestionWorker, INGESTION_QUEUE, IngestionQueue, type IngestJobData } from './ingestion/ingestion.queue';
import { IngestionRunRepository, type IngestionRunRecord } from './ingestion/ingestion-run.repository';
import { maskQuarantinedRaw } from './access/quarantined-raw';
import { auditSigningKey, createServices } from './app/services';
import { pgPool } from './platform/database/data-source';
import type { ApiClient } from './access/api-client.repository';
import { TrustedDocuments } from './access/trusted-documents';
import { buildHubSchema } from './app/api/schema';
import { ConfigError, type HubConfig } from './config/config';
import { loadHubConfig } from './app/config';
import { DomainError } from './platform/errors/domain-error';
import { openDatabase, type Database } from './platform/database/database';
import { createRootLogger, type Logger } from './platform/logging/logger';
import { createQueueBackend } from './platform/queue/queue-backend';
import { hubSources } from './sources/registry';
import { recomputeEveryFirm } from './eligibility/recompute-every-firm';
import { relink, RelinkError } from './linking/relink';
import { followJob, ProgressDisplay } from './cli/ingest-progress';
import { runsTable, runSummary, sourcesTable } from './cli/reports';
import { checkAgainstRunningHubs, SettingsMismatchError } from './cli/preflight';

const USAGE = `Usage: npm run hub -- <command> [options]

Commands:
  migrate                                        apply pending database migrations
  client:create --name N --role R [--bank B] [--province CODE] [--centre N] [--juristic-id ID]
                [--purpose TEXT] [--lawful-basis B] [--rate-limit N] [--trusted-documents-only]
                                                 create an API client; prints its key once
                                                 roles: admin, ministry, analyst, bank (banks: --bank SMED|EXIM),
                                                 province (--province 10 for Bangkok), centre (--centre 1..11),
                                                 firm (--juristic-id: a firm's own portal key);
                                                 --purpose, --lawful-basis: what it reads for (read audit;
                                                 a bank's purpose must match a firm's consent);
                                                 --rate-limit: its requests a minute (default: its role's);
                                                 --trusted-documents-only: it may run only registered documents
  client:update <id-or-name> [--purpose TEXT|none] [--lawful-basis B|default]
                [--rate-limit N|default] [--trusted-documents-only true|false]
                                                 change a client's declared purpose and basis, or its
                                                 limits (running hubs follow at once); each change is
                                                 an admin action in the audit (audit:verify checks it)
  client:revoke <id-or-name>                     revoke a client's key
  client:list                                    list clients (never their keys)
  documents:add <file.graphql>...                register operations as trusted documents, by SHA-256
  documents:list                                 list the trusted documents and their hashes
  audit:verify [--since DATE]                    recompute the read audit's hash chain (from the last
                                                 checkpoint before DATE); exit 1 naming the first
                                                 edited, deleted or reordered entry
  ingest <source|agency> [--full] [--wait] [--timeout SECONDS]
                                                 queue a run of a source now, or of each source of an
                                                 agency (dbd, tisi, dip) in turn (--full: ignore the
                                                 saved cursor); --wait shows progress, then each
                                                 run's summary
  runs [--source S] [--limit N]                  recent ingestion runs, as a table
  sources [--verbose]                            the agency sources: schedule, last load, stale or not
                                                 (--verbose: feed URLs and cursors too)
  quarantine [--source S] [--limit N]            rows rejected by runs and not yet resolved, with reasons
  quarantine:retry <source>                      re-parse a source's quarantined rows with today's rules
                                                 and load those that now pass
  relink [--source S]                            rebuild links to companies, profiles, statistics and
                                                 eligibility from the stored registers (one recorded run;
                                                 feed events only for real changes); repairs a hub an
                                                 older version left with records unlinked
  eligibility:recompute                          re-evaluate every firm whose attributes changed since its
                                                 eligibility was stored (repairs results an older hub
                                                 left stale; unchanged firms are skipped)

Every command: --new-database  when a hub runs with other HUB_DATA_DIR / EMBEDDED_PG_PORT settings,
                               create this command's own embedded database anyway (it stops otherwise)
`;

class UsageError extends Error {}

/** A client's request rate (its own or its role's) and whether it is held to trusted documents. */
function describeLimits(client: ApiClient, config: HubConfig): string {
  const rate = client.rateLimitPerMinute === null ? `${config.limits.requestsPerMinute[client.role]} requests a minute (role default)` : `${client.rateLimitPerMinute} requests a minute`;
  return client.trustedDocumentsOnly ? `${rate}, trusted documents only` : rate;
}

interface Env {
  config: HubConfig;
  logger: Logger;
  database: Database;
}

/** Prints one run in full, times in the schedules' zone. */
function printRun(run: IngestionRunRecord, config: HubConfig): void {
  process.stdout.write(runSummary(run, config.scheduleTimezone));
}

async function ingest(env: Env, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { wait: { type: 'boolean' }, full: { type: 'boolean' }, timeout: { type: 'string', default: '600' } },
  });
  const name = positionals[0];
  const sources = hubSources();
  if (!name) throw new UsageError(`ingest needs a source or an agency: ${sources.ids().join(', ')}`);
  const chosen = sources.resolve(name);
  if (chosen.length === 0) throw new UsageError(`unknown source "${name}" (known: ${sources.ids().join(', ')}; or an agency such as dbd)`);
  const timeoutMs = Number(values.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout takes a number of seconds');

  const backend = createQueueBackend({ redisUrl: env.config.redisUrl, databaseUrl: env.database.url, prefix: env.config.queuePrefix, logger: env.logger });
  const queue = backend.createQueue<IngestJobData>(INGESTION_QUEUE);
  const ingestionQueue = new IngestionQueue(queue, sources, env.config, env.logger);
  const closers: (() => Promise<void>)[] = [() => queue.close(), () => backend.close()];
  const enqueue = async (source: string) => {
    const job = await ingestionQueue.enqueue(source, 'cli', { full: values.full === true });
    process.stdout.write(`queued ${source}${values.full ? ' (full refresh)' : ''} as job ${job.id}\n`);
    return job;
  };
  try {
    if (!values.wait) {
      for (const source of chosen) await enqueue(source);
      return 0;
    }
    if (env.database.embedded?.owned) {
      // The hub is not running (this command started the embedded database), so nobody would take
      // the job: run a worker here until it is done.
      process.stdout.write('the hub is not running: running the job in this process\n');
      const engine = new IngestionEngine(env.database.dataSource, sources, env.config, env.logger);
      const worker = createIngestionWorker(backend, engine, env.logger, { lockMs: env.config.workerLockMs });
      closers.unshift(() => worker.close());
    }
    const events = backend.createQueueEvents(INGESTION_QUEUE);
    closers.unshift(() => events.close());
    await events.waitUntilReady();
    // One after another: a later source of an agency may read what the earlier one loaded.
    const display = new ProgressDisplay(process.stderr);
    for (const source of chosen) {
      const job = await enqueue(source);
      let failure: string | undefined;
      const finished = IngestionQueue.waitFor(job, events, timeoutMs).catch((error: unknown) => {
        failure = error instanceof Error ? error.message : String(error);
      });
      await followJob(source, () => queue.getJob(String(job.id)), finished, display);
      const runs = await new IngestionRunRepository(env.database.dataSource).findByJobId(String(job.id));
      for (const run of runs) printRun(run, env.config);
      if (failure !== undefined) {
        process.stdout.write(runs.length === 0 ? `job did not run: ${failure} (is the worker running?)\n` : `job failed: ${failure}\n`);
        return 1;
      }
    }
    return 0;
  } finally {
    for (const close of closers) await close().catch(() => undefined);
  }
}

async function run(command: string, args: string[], options: { newDatabase: boolean }): Promise<number> {
  const config = loadHubConfig();
  // Before anything is created: a hub running with other embedded settings means another database.
  const note = checkAgainstRunningHubs(config, options);
  if (note) process.stderr.write(`${note}\n`);
  // Results go to stdout; logs to stderr, quiet unless asked for, so a script can read stdout alone.
  const logger = createRootLogger(process.env['LOG_LEVEL'] ? config.logLevel : 'warn', { format: config.logFormat, fd: 2 }).child({ component: 'cli' });
  const database = await openDatabase(config, logger, { migrate: true, owner: 'cli', applicationName: 'i-industry-hub-cli' });
  const env: Env = { config, logger, database };
  try {
    // The hub's one wiring (src/app/services.ts), without a queue: these commands queue nothing.
    const services = createServices(database.dataSource, hubSources(), config);
    const clients = services.clients;
    switch (command) {
      case 'migrate': {
        process.stdout.write('database schema is up to date\n');
        return 0;
      }
      case 'client:create': {
        const { values } = parseArgs({
          args,
          options: {
            name: { type: 'string' },
            role: { type: 'string' },
            bank: { type: 'string' },
            province: { type: 'string' },
            centre: { type: 'string' },
            'juristic-id': { type: 'string' },
            purpose: { type: 'string' },
            'lawful-basis': { type: 'string' },
            'rate-limit': { type: 'string' },
            'trusted-documents-only': { type: 'boolean' },
          },
        });
        if (!values.name || !values.role) throw new UsageError('client:create needs --name and --role');
        const rateLimit = values['rate-limit'] === undefined ? undefined : Number(values['rate-limit']);
        const { client, key } = await clients.create({
          name: values.name,
          role: values.role,
          bankCode: values.bank,
          rateLimitPerMinute: rateLimit,
          trustedDocumentsOnly: values['trusted-documents-only'] === true,
          provinceCode: values.province,
          centre: values.centre === undefined ? undefined : Number(values.centre),
          juristicId: values['juristic-id'],
          purpose: values.purpose,
          lawfulBasis: values['lawful-basis'],
        });
        const scope = client.bankCode
          ? `, bank ${client.bankCode}`
          : client.juristicId
            ? `, firm ${client.juristicId}`
            : client.areaProvinceCodes.length > 0
              ? `, provinces ${client.areaProvinceCodes.join(' ')}`
              : '';
        process.stdout.write(
          `created client ${client.id} (${client.name}, role ${client.role}${scope}; ${describeLimits(client, config)})\n` +
            `API key (shown only now; send it as "Authorization: Bearer <key>"):\n${key}\n`,
        );
        return 0;
      }
      case 'client:update': {
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: { 'rate-limit': { type: 'string' }, 'trusted-documents-only': { type: 'string' }, purpose: { type: 'string' }, 'lawful-basis': { type: 'string' } },
        });
        const target = positionals[0];
        if (!target) throw new UsageError('client:update needs a client id or name');
        const rateText = values['rate-limit'];
        const trustedText = values['trusted-documents-only'];
        const purposeText = values.purpose;
        const basisText = values['lawful-basis'];
        if ([rateText, trustedText, purposeText, basisText].every((v) => v === undefined)) {
          throw new UsageError('client:update needs --purpose, --lawful-basis, --rate-limit or --trusted-documents-only');
        }
        if (trustedText !== undefined && trustedText !== 'true' && trustedText !== 'false') throw new UsageError('--trusted-documents-only takes true or false');
        const changed = await clients.update(target, {
          ...(rateText === undefined ? {} : { rateLimitPerMinute: rateText === 'default' ? null : Number(rateText) }),
          ...(trustedText === undefined ? {} : { trustedDocumentsOnly: trustedText === 'true' }),
          ...(purposeText === undefined ? {} : { purpose: purposeText === 'none' ? null : purposeText }),
          ...(basisText === undefined ? {} : { lawfulBasis: basisText === 'default' ? null : basisText }),
        });
        if (changed.length === 0) {
          process.stdout.write(`no active client with id or name "${target}"\n`);
          return 1;
        }
        for (const { client, changes } of changed) {
          const what = changes.map(([field, before, after]) => `${field} ${JSON.stringify(before)} -> ${JSON.stringify(after)}`).join(', ');
          process.stdout.write(`${changes.length ? 'updated' : 'unchanged'} ${client.id} (${client.name})${what ? `: ${what}` : ''}; ${describeLimits(client, config)}\n`);
        }
        return 0;
      }
      case 'documents:add': {
        if (args.length === 0) throw new UsageError('documents:add needs one or more .graphql files');
        const documents = new TrustedDocuments(database.dataSource);
        const schema = await buildHubSchema();
        for (const file of args) {
          const { document, added } = await documents.add(await readFile(file, 'utf8'), path.basename(file), schema);
          process.stdout.write(`${added ? 'added' : 'already registered'}  sha256:${document.sha256}  ${document.operationNames.join(', ')}  (${file})\n`);
        }
        return 0;
      }
      case 'documents:list': {
        const list = await new TrustedDocuments(database.dataSource).list();
        if (list.length === 0) process.stdout.write('no trusted documents (add some with documents:add <file.graphql>)\n');
        for (const d of list) process.stdout.write(`sha256:${d.sha256}  ${d.operationNames.join(', ')}  ${d.sourceFile ?? ''}  added ${d.addedAt.toISOString()}\n`);
        return 0;
      }
      case 'client:revoke': {
        const target = args[0];
        if (!target) throw new UsageError('client:revoke needs a client id or name');
        const revoked = await clients.revoke(target);
        if (revoked.length === 0) {
          process.stdout.write(`no active client with id or name "${target}"\n`);
          return 1;
        }
        for (const client of revoked) process.stdout.write(`revoked ${client.id} (${client.name})\n`);
        return 0;
      }
      case 'audit:verify': {
        const { values } = parseArgs({ args, options: { since: { type: 'string' } } });
        const since = values.since === undefined ? undefined : new Date(values.since);
        if (since !== undefined && Number.isNaN(since.getTime())) throw new UsageError(`--since takes a date or time (2026-12-01, 2026-12-01T08:00:00+07:00), got "${values.since}"`);
        const startedAt = performance.now();
        const { publicKey } = auditSigningKey(config);
        const result = await verifyAuditChain(pgPool(database.dataSource), { ...(since ? { since } : {}), ...(publicKey ? { publicKey } : {}) });
        // The admin actions are few: always checked whole, against their checkpoints (and the key).
        const admin = await verifyAdminActions((text, params) => database.dataSource.query(text, params), { publicKey });
        const seconds = ((performance.now() - startedAt) / 1000).toFixed(2);
        if (result.problem) {
          process.stdout.write(`audit chain broken at entry ${result.problem.seq} (${result.problem.kind}): ${result.problem.message}\n${result.verified} entries verified before it (from entry ${result.fromSeq})\n`);
        }
        if (admin.problem) {
          process.stdout.write(`admin actions broken at action ${admin.problem.seq} (${admin.problem.kind}): ${admin.problem.message}\n${admin.verified} admin actions verified before it\n`);
        }
        if (result.problem || admin.problem) return 1;
        process.stdout.write(
          `verified ${result.verified} entries (from entry ${result.fromSeq}; ${result.checkpoints} checkpoints${publicKey ? ', signatures checked' : ''}) and ${admin.verified} admin actions (${admin.checkpoints} checkpoints) in ${seconds} s\n`,
        );
        return 0;
      }
      case 'client:list': {
        for (const c of await clients.list()) {
          process.stdout.write(
            `${c.id}  ${c.name}  ${c.role}${c.bankCode ? `/${c.bankCode}` : ''}  key ${c.keyPrefix}…  ${c.revokedAt ? `revoked ${c.revokedAt.toISOString()}` : 'active'}  ${describeLimits(c, config)}` +
              `${c.purpose ? `  purpose "${c.purpose}"` : ''}${c.lawfulBasis ? `  basis ${c.lawfulBasis}` : ''}\n`,
          );
        }
        return 0;
      }
      case 'ingest':
        return await ingest(env, args);
      case 'runs': {
        const { values } = parseArgs({ args, options: { source: { type: 'string' }, limit: { type: 'string', default: '10' } } });
        const runs = await services.ingestionRuns.recentRuns({ source: values.source, limit: Number(values.limit) || 10 });
        process.stdout.write(runsTable(runs, config.scheduleTimezone));
        return 0;
      }
      case 'sources': {
        const { values } = parseArgs({ args, options: { verbose: { type: 'boolean', short: 'v' } } });
        const sources = await services.dataSources.list(null);
        process.stdout.write(sourcesTable(sources, config.scheduleTimezone, { verbose: values.verbose === true }));
        return 0;
      }
      case 'quarantine': {
        const { values } = parseArgs({ args, options: { source: { type: 'string' }, limit: { type: 'string', default: '20' } } });
        const rows = await services.ingestionRuns.openQuarantinedRecords({ source: values.source, limit: Number(values.limit) || 20 });
        if (rows.length === 0) process.stdout.write('no open quarantined rows\n');
        for (const row of rows) {
          // Masked as the API masks it: an operator fixing a feed sees the shape, not the person.
          process.stdout.write(`#${row.id}  ${row.source}  run ${row.runId}  line ${row.lineNo}: ${row.reason}\n  ${JSON.stringify(maskQuarantinedRaw(row.raw))}\n`);
        }
        return 0;
      }
      case 'quarantine:retry': {
        const source = args[0];
        if (!source) throw new UsageError('quarantine:retry needs a source');
        const engine = new IngestionEngine(database.dataSource, hubSources(), config, logger);
        const retried = await engine.retryQuarantined(source);
        printRun(retried, config);
        return retried.status === 'succeeded' ? 0 : 1;
      }
      case 'relink': {
        const { values } = parseArgs({ args, options: { source: { type: 'string' } } });
        let result;
        try {
          result = await relink(database.dataSource, hubSources(), logger, values.source === undefined ? {} : { source: values.source });
        } catch (error) {
          if (error instanceof RelinkError) throw new UsageError(error.message);
          throw error;
        }
        printRun(result.run, config);
        if (result.summary) {
          const { links, profiles, statsGroups, eligibility } = result.summary;
          for (const [table, outcome] of Object.entries(links)) {
            const methods = Object.entries(outcome.byMethod).map(([method, n]) => `${method} ${n}`).join(', ');
            process.stdout.write(`  ${table}: ${outcome.scoped} records, ${outcome.changed} links changed; ${methods}, unlinked ${outcome.unlinked}
`);
          }
          process.stdout.write(
            `  ${profiles} profiles recomputed, ${statsGroups} statistics groups; eligibility: ${eligibility.firmsUnchanged} firms unchanged, ` +
              `${eligibility.results} results evaluated, ${eligibility.written} changed, ${eligibility.events} feed events\n`,
          );
        }
        return result.run.status === 'succeeded' ? 0 : 1;
      }
      case 'eligibility:recompute': {
        const { run: recompute, summary } = await recomputeEveryFirm(database.dataSource, logger);
        printRun(recompute, config);
        if (summary) {
          process.stdout.write(
            `  ${summary.firmsUnchanged} firms unchanged (skipped), ${summary.results} results evaluated, ${summary.written} changed, ${summary.events} feed events\n`,
          );
        }
        return recompute.status === 'succeeded' ? 0 : 1;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await database.close();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const newDatabase = argv.includes('--new-database');
  const [command, ...args] = argv.filter((arg) => arg !== '--new-database');
  if (!command || command === 'help' || command === '--help' || args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    process.exit(command ? 0 : 2);
  }
  try {
    process.exitCode = await run(command, args, { newDatabase });
  } catch (error) {
    // node:util parseArgs rejects unknown or malformed options with these codes: a usage error too.
    const code = (error as { code?: unknown } | null)?.code;
    const badOption = error instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
    if (error instanceof UsageError || badOption) {
      process.stderr.write(`${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof ConfigError || error instanceof DomainError || error instanceof SettingsMismatchError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    }
  }
}

void main();
