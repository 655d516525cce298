import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { Logger } from '../logging/logger';

/**
 * The hub's Prometheus metrics (prom-client): process and Node.js series, the API's GraphQL
 * requests, and series computed at scrape time from the database (registered by the composition
 * root, src/app/hub-metrics.ts), so every process reports the same ingestion figures and the
 * ingestion engine carries no metrics code.
 */
export class HubMetrics {
  readonly registry = new Registry();
  readonly graphqlRequests: Counter<'operation' | 'role' | 'code'>;
  readonly graphqlDuration: Histogram<'operation' | 'role'>;
  private readonly operations = new OperationLabels();

  constructor(private readonly logger: Logger) {
    collectDefaultMetrics({ register: this.registry });
    this.graphqlRequests = new Counter({
      name: 'hub_graphql_requests_total',
      help: 'GraphQL requests answered, by operation name (names sent by admin and ministry clients, at most 200; any other is "other"), caller role and outcome code (OK or the first error\'s extensions.code).',
      labelNames: ['operation', 'role', 'code'],
      registers: [this.registry],
    });
    this.graphqlDuration = new Histogram({
      name: 'hub_graphql_request_duration_seconds',
      help: 'Time from receiving a GraphQL request to the end of its answer, by operation name and caller role.',
      labelNames: ['operation', 'role'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
  }

  /** Records one answered GraphQL request. */
  observeGraphqlRequest(request: { operationName: unknown; role: string | undefined; code: string; seconds: number }): void {
    // Callers without a valid key get no say in the labels: their operation is "-".
    const operation = request.role === undefined ? '-' : this.operations.label(request.operationName, VETTING_ROLES.has(request.role));
    const role = request.role ?? 'anonymous';
    const code = /^[A-Z][A-Z0-9_]{0,47}$/.test(request.code) ? request.code : 'OTHER';
    this.graphqlRequests.inc({ operation, role, code });
    this.graphqlDuration.observe({ operation, role }, request.seconds);
  }

  /** The exposition text; a collector that fails is logged and its series left out, never the whole scrape. */
  async text(): Promise<string> {
    this.scrape += 1;
    return this.registry.metrics();
  }

  /**
   * A read that several series of one scrape share (one query, not one per series): run once per
   * scrape, never reused by the next one.
   */
  perScrape<T>(read: () => Promise<T>): () => Promise<T> {
    let cached: { scrape: number; value: Promise<T> } | undefined;
    return () => {
      if (cached?.scrape !== this.scrape) cached = { scrape: this.scrape, value: read() };
      return cached.value;
    };
  }

  private scrape = 0;

  get contentType(): string {
    return this.registry.contentType;
  }

  /** For scrape-time collectors: log a failure once per distinct message, then keep quiet. */
  collectFailed(series: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.reported.has(`${series}:${message}`)) return;
    this.reported.add(`${series}:${message}`);
    this.logger.warn({ series, err: message }, 'a metric could not be collected; it is left out of this scrape');
  }

  private readonly reported = new Set<string>();
}

/** Most distinct operation names the metrics keep as labels: client-chosen names must not grow the series without end. */
export const MAX_OPERATION_LABELS = 200;
/**
 * Roles whose operation names become labels: the ministry's applications and operators, whom the
 * hub's own operators answer for. A bank's or analyst's name is "other" however few there are: one
 * of them could otherwise fill the label space first (or write names into dashboards) and leave the
 * ministry's own operations as "other" (prom-client and Prometheus: label values from a bounded set
 * the server chooses, never from request input).
 */
export const VETTING_ROLES: ReadonlySet<string> = new Set(['admin', 'ministry']);
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

/**
 * Operation names come from clients, so they are hostile: a name that is not a plain GraphQL name
 * of at most 64 characters is "invalid", no name is "anonymous". A name becomes a label of its own
 * only when a vetting client (VETTING_ROLES) sends it, and at most MAX_OPERATION_LABELS of them;
 * others send it under that label once it is one, and "other" otherwise.
 */
export class OperationLabels {
  private readonly seen = new Set<string>();

  label(name: unknown, vetting = false): string {
    if (name === undefined || name === null || name === '') return 'anonymous';
    if (typeof name !== 'string' || !OPERATION_NAME.test(name)) return 'invalid';
    if (this.seen.has(name)) return name;
    if (!vetting || this.seen.size >= MAX_OPERATION_LABELS) return 'other';
    this.seen.add(name);
    return name;
  }
}
