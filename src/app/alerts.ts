import type { DataSource } from 'typeorm';
import type { HubConfig } from '../config/config';
import { IngestionRunRepository } from '../ingestion/ingestion-run.repository';
import { SourceStatusService } from '../ingestion/source-status.service';
import type { Logger } from '../platform/logging/logger';
import type { SourceRegistry } from '../ingestion/source-registry';
import { AlertsRepository } from './alerts.repository';

export type AlertKind = 'source_stale' | 'run_failed' | 'quarantine_growing';

/** The JSON POSTed to ALERT_WEBHOOK_URL, once when a condition starts and once when it ends. */
export interface AlertEvent {
  /** Stable for one change of state: a receiver that gets it twice (a retried POST) can drop the second. */
  id: string;
  alert: AlertKind;
  state: 'firing' | 'resolved';
  source: string;
  summary: string;
  details: Record<string, unknown>;
  /** When the monitor saw the change (ISO 8601). */
  at: string;
  hub: 'i-industry-hub';
}

/** A condition as one check sees it: firing, clear, or (a run retrying) no news either way. */
interface Condition {
  alert: AlertKind;
  source: string;
  firing: boolean | undefined;
  summary: string;
  details: Record<string, unknown>;
}

const WEBHOOK_TIMEOUT_MS = 10_000;
const WEBHOOK_ATTEMPTS = 3;

/**
 * Watches what an operator must hear about without reading logs, from the database:
 * - source_stale: a source that has loaded before is now older than it may be (staleAfterHours).
 *   A source that never loaded is not "turning" stale: its failing runs are what alert.
 * - run_failed: a source's newest finished run failed for good (its last attempt, or a permanent
 *   failure that is not retried); it clears when a later run succeeds.
 * - quarantine_growing: a source's open quarantined rows went above ALERT_QUARANTINE_THRESHOLD.
 * Each change of state is one WARN (firing) or INFO (resolved) log line and, with
 * ALERT_WEBHOOK_URL, one JSON POST. The state is kept in ingestion.alert_state, so a condition
 * that stays as it is alerts once, across checks, restarts and several worker processes.
 */
export class AlertMonitor {
  private readonly repository: AlertsRepository;
  private readonly status: SourceStatusService;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<AlertEvent[]> | undefined;

  constructor(
    dataSource: DataSource,
    sources: SourceRegistry,
    private readonly config: HubConfig,
    private readonly logger: Logger,
  ) {
    this.repository = new AlertsRepository(dataSource);
    this.status = new SourceStatusService(new IngestionRunRepository(dataSource), sources, config);
  }

  /** Checks now, then every ALERT_CHECK_SECONDS; a check still running when the next is due is not doubled. */
  start(): void {
    const tick = (): void => {
      this.check().catch((error: unknown) => this.logger.error({ err: error }, 'alert check failed'));
    };
    tick();
    this.timer = setInterval(tick, this.config.alerts.checkSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking?.catch(() => undefined);
  }

  /** One check: records every condition and announces those that changed; returns what was announced. */
  check(now: Date = new Date()): Promise<AlertEvent[]> {
    this.checking ??= this.checkOnce(now).finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkOnce(now: Date): Promise<AlertEvent[]> {
    const announced: AlertEvent[] = [];
    for (const condition of await this.conditions(now)) {
      if (condition.firing === undefined) continue;
      const key = `${condition.alert}:${condition.source}`;
      const change = await this.repository.transition(key, condition.firing, condition.details);
      if (!change) continue;
      const event: AlertEvent = {
        id: `${key}:${change}:${now.toISOString()}`,
        alert: condition.alert,
        state: change === 'fired' ? 'firing' : 'resolved',
        source: condition.source,
        summary: condition.summary,
        details: condition.details,
        at: now.toISOString(),
        hub: 'i-industry-hub',
      };
      const line = { alert: event.alert, state: event.state, source: event.source, ...event.details };
      if (event.state === 'firing') this.logger.warn(line, `ALERT ${event.summary}`);
      else this.logger.info(line, `RESOLVED ${event.summary}`);
      await this.post(event);
      announced.push(event);
    }
    return announced;
  }

  private async conditions(now: Date): Promise<Condition[]> {
    const conditions: Condition[] = [];
    const threshold = this.config.alerts.quarantineThreshold;
    for (const s of await this.status.list(now)) {
      if (s.lastSuccessAt) {
        const ageHours = Math.round(((now.getTime() - s.lastSuccessAt.getTime()) / 3_600_000) * 10) / 10;
        conditions.push({
          alert: 'source_stale',
          source: s.id,
          firing: s.stale,
          summary: s.stale ? `source ${s.id} is stale: last loaded ${ageHours} h ago, it may age ${s.staleAfterHours} h` : `source ${s.id} is fresh again (loaded ${ageHours} h ago)`,
          details: { lastSuccessAt: s.lastSuccessAt.toISOString(), staleAfterHours: s.staleAfterHours, ageHours },
        });
      }
      const growing = s.openQuarantinedRows > threshold;
      conditions.push({
        alert: 'quarantine_growing',
        source: s.id,
        firing: growing,
        summary: growing
          ? `source ${s.id} has ${s.openQuarantinedRows} open quarantined rows, more than ${threshold} (npm run hub -- quarantine --source ${s.id})`
          : `source ${s.id} quarantine is back to ${s.openQuarantinedRows} open rows (threshold ${threshold})`,
        details: { openQuarantinedRows: s.openQuarantinedRows, threshold },
      });
    }
    for (const run of await this.repository.latestFinishedRuns()) {
      const final = run.status === 'failed' && (run.errorKind === 'permanent' || run.attempt >= this.config.ingestAttempts);
      conditions.push({
        alert: 'run_failed',
        source: run.source,
        // A failed attempt that will be retried is no news either way.
        firing: run.status === 'succeeded' ? false : final ? true : undefined,
        summary:
          run.status === 'succeeded'
            ? `source ${run.source} loads again (run ${run.id} succeeded)`
            : `source ${run.source} run ${run.id} failed for good (attempt ${run.attempt}, ${run.errorKind ?? 'unknown'}): ${run.errorMessage ?? ''}`.trim(),
        details: { runId: run.id, status: run.status, attempt: run.attempt, errorKind: run.errorKind, errorMessage: run.errorMessage, finishedAt: new Date(run.finishedAt).toISOString() },
      });
    }
    return conditions;
  }

  /** POSTs the event, retrying a failed delivery twice; a webhook that stays down is logged, never thrown. */
  private async post(event: AlertEvent): Promise<void> {
    const url = this.config.alerts.webhookUrl;
    if (!url) return;
    let failure = '';
    for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt += 1) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'i-industry-hub-alerts' },
          body: JSON.stringify(event),
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        });
        await response.body?.cancel().catch(() => undefined);
        if (response.ok) return;
        failure = `HTTP ${response.status}`;
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
      }
      if (attempt < WEBHOOK_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
    this.logger.error({ alert: event.alert, source: event.source, state: event.state, failure }, 'the alert webhook did not take the alert; it is in this log only');
  }
}
