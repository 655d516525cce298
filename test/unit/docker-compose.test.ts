import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { hubConfigVariables, loadHubConfig } from '../../src/app/config';

/**
 * Docker cannot run on every machine (nor in CI), so docker-compose.yml and the Dockerfile are checked
 * by reading them: service names, shared image, environment variables that the hub really reads with
 * values it accepts, and the ports and host names that tie the services together.
 */

const ROOT = path.resolve(__dirname, '..', '..');

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target?: number | string; published?: number | string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  deploy?: { replicas?: number };
  expose?: (string | number)[];
  configs?: { source: string; target: string }[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  configs?: Record<string, { content?: string; file?: string }>;
}

const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

const HUB_SERVICES = ['api', 'worker', 'simulator'] as const;

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

function envOf(name: string): Record<string, string> {
  const environment = service(name).environment ?? {};
  const entries: [string, string][] = Array.isArray(environment)
    ? environment.map((line) => {
        const at = line.indexOf('=');
        return at < 0 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(environment).map(([key, value]) => [key, value === null ? '' : String(value)]);
  return Object.fromEntries(entries);
}

function commandOf(name: string): string[] {
  const command = service(name).command;
  if (command === undefined) throw new Error(`service "${name}" has no command`);
  return Array.isArray(command) ? command : command.trim().split(/\s+/);
}

/** Container ports published by a service (short "host:container[/proto]" syntax or long syntax). */
function containerPorts(name: string): number[] {
  return (service(name).ports ?? []).map((entry) => {
    if (typeof entry === 'object') return Number(entry.target);
    const withoutProtocol = String(entry).split('/')[0]!;
    return Number(withoutProtocol.split(':').at(-1));
  });
}

function dependsOn(name: string): Record<string, string | undefined> {
  const deps = service(name).depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((dep) => [dep, undefined]));
  return Object.fromEntries(Object.entries(deps).map(([dep, spec]) => [dep, spec?.condition]));
}

/** Instructions of the Dockerfile's last stage, continuation lines joined, comments dropped. */
function finalStageInstructions(): { keyword: string; args: string }[] {
  const joined = dockerfile
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const instructions = joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^(\w+)\s+(.*)$/.exec(line);
      if (!match) throw new Error(`cannot read Dockerfile line: ${line}`);
      return { keyword: match[1]!.toUpperCase(), args: match[2]!.trim() };
    });
  const lastFrom = instructions.map((i) => i.keyword).lastIndexOf('FROM');
  expect(lastFrom).toBeGreaterThanOrEqual(0);
  return instructions.slice(lastFrom);
}

/** dist/src/x/y.js -> src/x/y.ts */
function sourceOfEntry(entry: string): string {
  const match = /^dist\/(src\/.+)\.js$/.exec(entry);
  if (!match) throw new Error(`${entry} is not a compiled entry under dist/src/`);
  return path.join(ROOT, `${match[1]}.ts`);
}

describe('docker-compose.yml', () => {
  it('has the postgres, redis, simulator, api, gateway and worker services', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'redis', 'simulator', 'api', 'gateway', 'worker']));
  });

  it('runs api, worker and simulator from one hub image built from this repository', () => {
    const api = service('api');
    expect(api.image).toEqual(expect.any(String));
    expect(api.build).toBeDefined();
    for (const name of ['worker', 'simulator']) {
      expect({ name, image: service(name).image, build: service(name).build }).toEqual({ name, image: api.image, build: api.build });
    }
    const build = typeof api.build === 'string' ? { context: api.build } : api.build!;
    expect(path.resolve(ROOT, build.context ?? '.')).toBe(ROOT);
    expect(fs.existsSync(path.join(ROOT, build.dockerfile ?? 'Dockerfile'))).toBe(true);
  });

  it('starts each hub service with its own entry point, which exists in src/', () => {
    expect(commandOf('api')).toEqual(['node', 'dist/src/main.js', '--role=api']);
    expect(commandOf('worker')).toEqual(['node', 'dist/src/main.js', '--role=worker']);
    expect(commandOf('simulator')).toEqual(['node', 'dist/src/simulator/main.js']);
    for (const name of HUB_SERVICES) {
      const source = sourceOfEntry(commandOf(name)[1]!);
      expect({ name, source, exists: fs.existsSync(source) }).toEqual({ name, source, exists: true });
    }
  });

  it.each(HUB_SERVICES)('sets only environment variables the hub reads (%s)', (name) => {
    const env = envOf(name);
    expect(Object.keys(env).length).toBeGreaterThan(0);
    const unknown = Object.keys(env).filter((key) => !Object.hasOwn(hubConfigVariables(), key));
    expect(unknown).toEqual([]);
  });

  it.each(HUB_SERVICES)('sets values the configuration accepts (%s)', (name) => {
    expect(() => loadHubConfig(envOf(name))).not.toThrow();
  });

  it('runs two API replicas and two workers', () => {
    expect(service('api').deploy?.replicas).toBe(2);
    expect(service('worker').deploy?.replicas).toBe(2);
  });

  it('publishes the API replicas on one port, through the gateway, and makes them listen on all interfaces', () => {
    const env = envOf('api');
    const config = loadHubConfig(env);
    expect(env.PORT).toBeDefined();
    expect(config.host).toBe('0.0.0.0');
    // Replicas cannot share a host port: only the gateway publishes one.
    expect(service('api').ports ?? []).toEqual([]);
    expect((service('api').expose ?? []).map(Number)).toEqual([config.port]);
    expect(containerPorts('gateway')).toEqual([config.port]);
    expect(dependsOn('gateway')).toEqual({ api: 'service_healthy' });
  });

  it('has the gateway proxy every path to the api service\'s PORT, resolving its replicas again and again, without buffering the feed', () => {
    const mounted = service('gateway').configs ?? [];
    expect(mounted).toHaveLength(1);
    // `$$` is how a compose file writes a literal `$`.
    const conf = (compose.configs?.[mounted[0]!.source]?.content ?? '').replace(/\$\$/g, '$');
    expect(mounted[0]!.target).toMatch(/^\/etc\/nginx\/conf\.d\/.+\.conf$/);
    const port = loadHubConfig(envOf('api')).port;
    expect(conf).toMatch(new RegExp(`listen ${containerPorts('gateway')[0]};`));
    // A variable makes nginx resolve the name through Docker's DNS at run time (all replicas, as they change).
    expect(conf).toMatch(/resolver 127\.0\.0\.11 valid=\d+s/);
    const target = /set \$(\w+) http:\/\/([\w-]+):(\d+);/.exec(conf);
    expect(target?.slice(2)).toEqual(['api', String(port)]);
    expect(conf).toContain(`proxy_pass $${target![1]};`);
    expect(conf).toMatch(/location \/ \{/);
    expect(conf).toContain('proxy_buffering off;');
  });

  it('points DATABASE_URL of api and worker at the postgres service and its credentials', () => {
    const postgres = envOf('postgres');
    for (const name of ['api', 'worker']) {
      const databaseUrl = loadHubConfig(envOf(name)).databaseUrl;
      expect(databaseUrl).toBeDefined();
      const url = new URL(databaseUrl!);
      expect({ name, protocol: url.protocol, host: url.hostname, port: url.port || '5432' }).toEqual({
        name,
        protocol: 'postgres:',
        host: 'postgres',
        port: '5432',
      });
      expect({ user: url.username, password: url.password, database: url.pathname.slice(1) }).toEqual({
        user: postgres.POSTGRES_USER,
        password: postgres.POSTGRES_PASSWORD,
        database: postgres.POSTGRES_DB,
      });
    }
  });

  it('points REDIS_URL of api and worker at the redis service', () => {
    for (const name of ['api', 'worker']) {
      const redisUrl = loadHubConfig(envOf(name)).redisUrl;
      expect(redisUrl).toBeDefined();
      const url = new URL(redisUrl!);
      expect({ name, protocol: url.protocol, host: url.hostname, port: url.port || '6379' }).toEqual({
        name,
        protocol: 'redis:',
        host: 'redis',
        port: '6379',
      });
    }
  });

  it('points every agency feed of api and worker at the simulator service, its SIMULATOR_PORT and its feed paths', () => {
    const simulatorEnv = envOf('simulator');
    const simulator = loadHubConfig(simulatorEnv);
    expect(simulator.simulator.host).toBe('0.0.0.0');
    const sources = Object.entries(simulator.feeds);
    expect(sources.length).toBeGreaterThan(1);
    for (const name of ['api', 'worker']) {
      const hub = loadHubConfig(envOf(name));
      for (const [source, { url: feedUrl }] of sources) {
        // The path the simulator serves each feed on is the one the hub uses by default.
        const url = new URL(hub.feeds[source]!.url);
        const defaultUrl = new URL(feedUrl);
        expect({ name, source, protocol: url.protocol, host: url.hostname, port: Number(url.port || 80), path: url.pathname }).toEqual({
          name,
          source,
          protocol: 'http:',
          host: 'simulator',
          port: simulator.simulator.port,
          path: defaultUrl.pathname,
        });
      }
    }
  });

  it('gives api and worker the same database, queue and feed settings', () => {
    const api = envOf('api');
    const worker = envOf('worker');
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'QUEUE_PREFIX', 'SIMULATOR_URL']) {
      expect({ key, worker: worker[key] }).toEqual({ key, worker: api[key] });
    }
  });

  it('starts api and worker only once PostgreSQL and Redis are healthy', () => {
    for (const name of ['api', 'worker']) {
      expect(dependsOn(name)).toMatchObject({ postgres: 'service_healthy', redis: 'service_healthy' });
    }
  });

  it('gives every service that others wait for as healthy a health check', () => {
    for (const name of Object.keys(compose.services)) {
      for (const [dep, condition] of Object.entries(dependsOn(name))) {
        if (condition !== 'service_healthy') continue;
        const healthcheck = service(dep).healthcheck;
        const hubImage = service(dep).image !== undefined && service(dep).image === service('api').image;
        // A hub service without its own check inherits the Dockerfile's HEALTHCHECK.
        const hasCheck = healthcheck ? healthcheck.disable !== true && healthcheck.test !== undefined : hubImage;
        expect({ service: name, dependsOn: dep, hasCheck }).toEqual({ service: name, dependsOn: dep, hasCheck: true });
      }
    }
  });
});

describe('Dockerfile', () => {
  it('ships the reference data files the migrations load at start-up', () => {
    const copies = finalStageInstructions()
      .filter((i) => i.keyword === 'COPY')
      .map((i) => i.args);
    expect(copies).toContain('data/ ./data/');
    expect(fs.existsSync(path.join(ROOT, 'data', 'reference', 'provinces.csv'))).toBe(true);
  });

  it('exposes the port the api service listens on', () => {
    const exposed = finalStageInstructions()
      .filter((i) => i.keyword === 'EXPOSE')
      .flatMap((i) => i.args.split(/\s+/))
      .map((port) => Number(port.split('/')[0]));
    expect(exposed).toEqual([loadHubConfig(envOf('api')).port]);
  });

  it('runs as the unprivileged node user in production mode, checking /healthz', () => {
    const stage = finalStageInstructions();
    expect(stage.filter((i) => i.keyword === 'USER').map((i) => i.args)).toEqual(['node']);
    const env = stage
      .filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/(^|\s)NODE_ENV=production(\s|$)/);
    const healthcheck = stage.filter((i) => i.keyword === 'HEALTHCHECK');
    expect(healthcheck).toHaveLength(1);
    expect(healthcheck[0]!.args).toContain('/healthz');
  });

  it('sets only configuration variables the hub reads (besides NODE_ENV), with accepted values', () => {
    const env: Record<string, string> = {};
    for (const instruction of finalStageInstructions().filter((i) => i.keyword === 'ENV')) {
      for (const match of instruction.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[match[1]!] = match[2]!.replace(/^"|"$/g, '');
    }
    const { NODE_ENV, ...hubEnv } = env;
    expect(NODE_ENV).toBe('production');
    expect(Object.keys(hubEnv).filter((key) => !Object.hasOwn(hubConfigVariables(), key))).toEqual([]);
    expect(() => loadHubConfig(hubEnv)).not.toThrow();
  });

  it('starts the API by default', () => {
    const cmd = finalStageInstructions().filter((i) => i.keyword === 'CMD');
    expect(cmd.map((i) => JSON.parse(i.args) as unknown)).toEqual([['node', '--max-semi-space-size=32', '--heap-growing-percent=30', 'dist/src/main.js', '--role=api']]);
  });
});

describe('.dockerignore', () => {
  it('keeps local dependencies, build output and data out of the build context', () => {
    const ignored = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data', '.git', 'coverage']));
  });
});
