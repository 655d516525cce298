import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { hubConfigVariables } from '../../src/app/config';
import type { ConfigEnv } from '../../src/config/config';
import { until } from './until';

/** The built hub (npm test builds it first). */
export const HUB_ENTRY = path.resolve(__dirname, '../../dist/src/main.js');

/** Every schedule far away (1 January, midnight), so nothing fires during a test unless it sets one. */
export const NO_SCHEDULES = Object.fromEntries(
  Object.keys(hubConfigVariables())
    .filter((name) => name.endsWith('_SCHEDULE'))
    .map((name) => [name, '0 0 1 1 *']),
) as ConfigEnv;

/**
 * A hub process (`node dist/src/main.js --role=<role>`), as production runs it: tests restart the
 * servers under it, or run several side by side. Its output is kept to explain a failure.
 */
export class HubProcess {
  output = '';
  private readonly exited: Promise<unknown>;

  private constructor(
    readonly child: ChildProcess,
    readonly role: string,
    /** The API's base URL (roles all and api). */
    readonly url: string | undefined,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = once(child, 'exit');
  }

  /** Starts it and, for an API, waits until /readyz answers 200. */
  static async start(role: 'all' | 'api' | 'worker', env: ConfigEnv, options: { port?: number; waitReady?: boolean } = {}): Promise<HubProcess> {
    if (!fs.existsSync(HUB_ENTRY)) throw new Error(`${HUB_ENTRY} is missing: build first (npm run build; npm test does)`);
    const port = options.port;
    const child = spawn(process.execPath, [HUB_ENTRY, `--role=${role}`], {
      env: { ...process.env, LOG_FORMAT: 'json', ...env, ...(port !== undefined ? { PORT: String(port), HOST: '127.0.0.1' } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const hub = new HubProcess(child, role, port !== undefined ? `http://127.0.0.1:${port}` : undefined);
    if (role === 'worker') {
      // Its start-up line (info level) says the schedules are set: it takes jobs from then on.
      await until(`the ${role} to start`, async () => {
        if (!hub.alive) throw new Error(`the ${role} exited: ${hub.output}`);
        return hub.output.includes('schedules set') ? true : undefined;
      }, 60_000, 100);
    } else if (options.waitReady !== false) {
      await hub.ready(60_000);
    }
    return hub;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until /readyz answers 200. */
  async ready(timeoutMs = 30_000): Promise<void> {
    await until(`the ${this.role} process to be ready`, async () => {
      if (!this.alive) throw new Error(`the ${this.role} process exited: ${this.output}`);
      const response = await fetch(`${this.url}/readyz`).catch(() => undefined);
      return response?.status === 200 ? true : undefined;
    }, timeoutMs, 100);
  }

  /** SIGTERM (graceful) or SIGKILL, then waits for the exit. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    if (this.alive) this.child.kill(signal);
    await this.exited;
  }
}
