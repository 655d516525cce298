import { Client, type ClientConfig } from 'pg';
import type { DataSource } from 'typeorm';
import { pgPool } from '../platform/database/data-source';
import type { Logger } from '../platform/logging/logger';

/** The channel the `access.api_client` trigger notifies when a key is revoked or a client changes. */
export const API_CLIENT_CHANNEL = 'access_api_client_changed';

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

/**
 * Tells the API process, within milliseconds, that a client changed anywhere (the CLI, another API
 * process, plain SQL): it holds one connection that LISTENs on the trigger's channel. While that
 * connection is down, `live` is false and callers must not trust anything they cached; it
 * reconnects with backoff, and every (re)connection counts as a change.
 */
export class ApiClientChangeListener {
  private client: Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = RECONNECT_MIN_MS;
  private listening = false;
  private readonly subscribers: (() => void)[] = [];

  constructor(
    private readonly connection: ClientConfig,
    private readonly logger: Logger,
  ) {}

  /** A listener on the data source's server, with the same connection settings as its pool. */
  static forDataSource(dataSource: DataSource, logger: Logger): ApiClientChangeListener {
    const options = pgPool(dataSource).options as ClientConfig;
    return new ApiClientChangeListener({ ...options, application_name: `${options.application_name ?? 'i-industry-hub'}-listen` }, logger);
  }

  /** True while changes are being delivered: a cache may be trusted only then. */
  get live(): boolean {
    return this.listening;
  }

  /** Calls `fn` on every change, and whenever delivery stops or resumes. */
  onChange(fn: () => void): void {
    this.subscribers.push(fn);
  }

  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.setListening(false);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client(this.connection);
    this.client = client;
    client.on('notification', () => this.changed());
    // A broken connection must never crash the API: stop trusting caches and reconnect.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${API_CLIENT_CHANNEL}`);
      this.retryMs = RECONNECT_MIN_MS;
      this.setListening(true);
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: Client, error?: unknown): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.setListening(false);
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.logger.warn({ err: error, retryInMs: this.retryMs }, 'API key change listener lost its connection; keys are checked in the database until it is back');
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
  }

  private setListening(listening: boolean): void {
    if (this.listening === listening) return;
    this.listening = listening;
    this.changed();
  }

  private changed(): void {
    for (const fn of this.subscribers) fn();
  }
}
