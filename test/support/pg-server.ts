import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './free-port';
import { until } from './until';

const exec = promisify(execFile);

/**
 * PostgreSQL servers of a test's own, started from the server binaries on the machine (Debian's
 * `postgresql` package: /usr/lib/postgresql/<version>/bin, or PG_BIN) on a free loopback port in a
 * temporary folder: tests that stop, restart or replicate a server never touch the suite's shared
 * one. Where no binaries exist the tests are skipped with a notice, unless
 * REQUIRE_POSTGRES_SERVER_TESTS=1 (.ci/run sets it), where they fail instead.
 */
export function postgresBinaries(): string | undefined {
  const given = process.env['PG_BIN'];
  if (given) return fs.existsSync(path.join(given, 'initdb')) ? given : undefined;
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => path.join(base, v, 'bin')).find((dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_basebackup')));
  return found;
}

/** `describe` when the server binaries exist; else a skipped `describe` and a notice (or a failure when they are required). */
export function describeWithPostgresServer(name: string, body: () => void): void {
  const bin = postgresBinaries();
  if (bin) {
    describe(name, body);
    return;
  }
  if (process.env['REQUIRE_POSTGRES_SERVER_TESTS'] === '1') {
    describe(name, () => {
      test('needs the PostgreSQL server binaries', () => {
        throw new Error('REQUIRE_POSTGRES_SERVER_TESTS=1 but no PostgreSQL server binaries were found (install Debian\'s postgresql package, or set PG_BIN)');
      });
    });
    return;
  }
  process.stdout.write(`[test] no PostgreSQL server binaries (postgresql package or PG_BIN): "${name}" is skipped\n`);
  describe.skip(name, body);
}

/** PostgreSQL refuses to run as root: as root the server runs as the `postgres` system user. */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const id = async (flag: string) => Number((await exec('id', [flag, 'postgres'])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}

async function runAs(owner: { uid: number; gid: number } | undefined, file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(owner ?? {}), env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${path.basename(file)} ${args.join(' ')} exited ${code}: ${output}`))));
  });
}

export class PgServer {
  private constructor(
    readonly bin: string,
    /** The temporary folder: data in `data/`, the log in `server.log`. */
    readonly dir: string,
    readonly port: number,
    private readonly owner: { uid: number; gid: number } | undefined,
  ) {}

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  /** A connection string to one of its databases (user postgres, trust authentication). */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** A new primary: initdb, replication allowed from loopback, then started. */
  static async primary(): Promise<PgServer> {
    const server = await PgServer.prepare();
    await runAs(server.owner, path.join(server.bin, 'initdb'), ['-D', server.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']);
    await fs.promises.appendFile(path.join(server.dataDir, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 trust\n');
    await server.start();
    return server;
  }

  /** A streaming standby of `primary`: pg_basebackup -R (standby.signal, primary_conninfo), then started. */
  static async standbyOf(primary: PgServer): Promise<PgServer> {
    const server = await PgServer.prepare();
    await runAs(server.owner, path.join(server.bin, 'pg_basebackup'), ['-D', server.dataDir, '-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-R', '-X', 'stream', '-c', 'fast']);
    await server.start();
    return server;
  }

  private static async prepare(): Promise<PgServer> {
    const bin = postgresBinaries();
    if (!bin) throw new Error('no PostgreSQL server binaries');
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'iih-pg-server-'));
    const owner = await serverUser();
    if (owner) await fs.promises.chown(dir, owner.uid, owner.gid);
    await fs.promises.chmod(dir, 0o700);
    return new PgServer(bin, dir, await freePort(), owner);
  }

  /** Starts the server and waits until it accepts connections. */
  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${this.dir}`,
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c shared_buffers=32MB',
      '-c max_connections=100',
      '-c wal_level=replica',
      '-c max_wal_senders=5',
      // The standby reports what it has replayed often, so lag is measured closely.
      '-c wal_receiver_status_interval=1s',
    ].join(' ');
    await runAs(this.owner, path.join(this.bin, 'pg_ctl'), ['start', '-w', '-t', '60', '-D', this.dataDir, '-l', path.join(this.dir, 'server.log'), '-o', options]);
    await until('the server to accept connections', async () => {
      const client = new Client({ connectionString: this.url() });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } catch {
        return undefined;
      } finally {
        await client.end().catch(() => undefined);
      }
    }, 30_000, 100);
  }

  /** Stops the server (`fast`: every session is ended, as on a restart). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await runAs(this.owner, path.join(this.bin, 'pg_ctl'), ['stop', '-w', '-t', '60', '-D', this.dataDir, '-m', mode]).catch((error: unknown) => {
      if (!/not running|No such file|does not exist/i.test(String(error))) throw error;
    });
  }

  async restart(): Promise<void> {
    await this.stop('fast');
    await this.start();
  }

  /** Stops the server and deletes its folder. */
  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }

  async query<T = Record<string, unknown>>(text: string, params: unknown[] = [], database = 'postgres'): Promise<T[]> {
    const client = new Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** The server log (to explain a failure). */
  log(): string {
    try {
      return fs.readFileSync(path.join(this.dir, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  }
}
