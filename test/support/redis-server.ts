import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';
import { until } from './until';

/** The machine's redis-server, if any (REDIS_SERVER overrides the path). */
export function redisServerBinary(): string | undefined {
  const candidates = [process.env['REDIS_SERVER'], '/usr/bin/redis-server', '/usr/local/bin/redis-server'].filter((p): p is string => !!p);
  return candidates.find((p) => fs.existsSync(p));
}

/** `describe` when redis-server exists; else skipped with a notice (a failure under REQUIRE_POSTGRES_SERVER_TESTS=1, as CI installs both). */
export function describeWithRedisServer(name: string, body: () => void): void {
  if (redisServerBinary()) {
    describe(name, body);
    return;
  }
  if (process.env['REQUIRE_POSTGRES_SERVER_TESTS'] === '1') {
    describe(name, () => {
      test('needs redis-server', () => {
        throw new Error('REQUIRE_POSTGRES_SERVER_TESTS=1 but no redis-server was found (install Debian\'s redis-server package, or set REDIS_SERVER)');
      });
    });
    return;
  }
  process.stdout.write(`[test] no redis-server: "${name}" is skipped\n`);
  describe.skip(name, body);
}

/**
 * A Redis server of a test's own on a free loopback port, persisting to an append-only file in a
 * temporary folder (as docker-compose.yml runs it), so a test can restart it as production would.
 */
export class RedisServer {
  private process: ChildProcess | undefined;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await fs.promises.mkdtemp(path.join(os.tmpdir(), 'iih-redis-')), await freePort());
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    const binary = redisServerBinary();
    if (!binary) throw new Error('no redis-server');
    const child = spawn(
      binary,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction', '--logfile', path.join(this.dir, 'redis.log')],
      { stdio: 'ignore' },
    );
    this.process = child;
    await until('redis-server to accept connections', () => this.ping(), 10_000, 50);
  }

  /** SIGTERM: Redis writes its append-only file and exits, as on a restart. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async destroy(): Promise<void> {
    if (this.process && this.process.exitCode === null) this.process.kill('SIGKILL');
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }

  private ping(): Promise<true | undefined> {
    return new Promise((resolve) => {
      const socket = net.connect(this.port, '127.0.0.1');
      socket.once('error', () => resolve(undefined));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG') ? true : undefined);
      });
    });
  }
}
