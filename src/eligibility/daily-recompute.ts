/**
 * The daily recompute of date-dependent eligibility. A rule such as `yearsSinceRegistration:
 * { atLeast: 2 }` changes its outcome with the passage of time alone, when no ingestion run touches
 * the firm; so once a day (src/eligibility/eligibility.queue.ts) the hub re-evaluates the firms whose
 * outcome can have changed since the day it last did so, through the same recompute and event path
 * as the ingestion runs (`recomputeForAffectedFirms`: the writers' advisory lock, dense positions in
 * commit order), so the banks' feed gets each change exactly once.
 *
 * Which firms: the only date-dependent quantity of the rule form is whole years since registration
 * (DATE_DEPENDENT_KINDS), which changes on a firm's registration anniversary. So when some published
 * product has a date-dependent rule, the firms whose whole years differ between the last day
 * evaluated and today, about 1/365 of them per day, not all firms. Every product is re-evaluated for
 * them (a product whose outcome did not change writes no event); the stored value of years changes
 * on every anniversary, so an eligible firm's result gets DETAILS_CHANGED then, and one crossing a
 * threshold BECAME_ELIGIBLE or NO_LONGER_ELIGIBLE.
 *
 * The last day evaluated is this job's cursor (`ingestion.source_state`, source `eligibility-daily`),
 * saved in the same transaction as the results, so a failed run moves nothing and the next run covers
 * the days it missed. A first run starts from the day the oldest stored result was computed. The
 * window is read after taking the writers' lock, so a concurrent ingestion run's results are
 * committed before it is read.
 */
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { EarlierAttemptRunningError, SourceBusyError } from '../ingestion/ingestion-errors';
import { IngestionRunRepository, ZERO_RUN_COUNTS, type IngestionRunRecord, type RunTrigger } from '../ingestion/ingestion-run.repository';
import { withRunLock } from '../ingestion/run-lock';
import { pgPool } from '../platform/database/data-source';
import type { Logger } from '../platform/logging/logger';
import { countEventsOfRun, createRecomputeRun, earliestResultDay, listFirmsWithYearsChanged, publishedRuleSets, recordWindowStart } from './daily-recompute.repository';
import { lockEventWriters } from './eligibility.repository';
import { bangkokDate } from '../shared/calendar';
import { recomputeForAffectedFirms } from './eligibility.service';
import { isDateDependent } from './rules/date-dependence';

/** The run records and cursor of the job are under this source name (`hub runs --source eligibility-daily`). */
export const DAILY_RECOMPUTE_SOURCE = 'eligibility-daily';
/** Session lock: one daily recompute at a time across processes (src/ingestion/run-lock.ts). */
const JOB_LOCK = `eligibility:${DAILY_RECOMPUTE_SOURCE}`;

export interface DailyRecomputeRequest {
  trigger: RunTrigger;
  jobId?: string | null;
  /** When the queue job was created (ms), to tell its runs from an older job's under the same ID. */
  jobCreatedAt?: number;
  attempt?: number;
}

export interface DailyRecomputeResult {
  /** `skipped`: another job's daily recompute held the lock. */
  status: 'succeeded' | 'skipped';
  runId: string | null;
  /** The window: the last day evaluated before, and the day evaluated now. */
  from: string | null;
  to: string;
  /** Products whose rules depend on the day. */
  dateDependentProducts: string[];
  /** Firms re-evaluated, results computed, of them written (changed), and events appended. */
  firms: number;
  results: number;
  written: number;
  events: number;
}

export class DailyEligibilityRecompute {
  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    /** Today is read from here (tests set it). */
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(request: DailyRecomputeRequest): Promise<DailyRecomputeResult> {
    const to = bangkokDate(this.now());
    // The source runs' lock (src/ingestion/run-lock.ts): one daily recompute at a time across
    // processes, and one per queue job however often the queue hands the job out. A second delivery
    // while the first runs gets EarlierAttemptRunningError (its worker waits); one after the first
    // succeeded reports that run; another job's recompute running is a skip.
    const lock = { source: DAILY_RECOMPUTE_SOURCE, lockKey: JOB_LOCK, jobId: request.jobId ?? undefined, jobCreatedAt: request.jobCreatedAt };
    try {
      return await withRunLock(this.dataSource, lock, {
        alreadyDone: async (done, client) => {
          this.logger.info({ runId: done.id, source: DAILY_RECOMPUTE_SOURCE, jobId: request.jobId }, 'an earlier attempt of this job already recomputed eligibility; reporting its run');
          return this.reportOf(client, done);
        },
        run: async (client, state) => {
          const runId = await createRecomputeRun(client, DAILY_RECOMPUTE_SOURCE, request.trigger, request.jobId ?? null, request.attempt ?? 1);
          const log = this.logger.child({ runId, source: DAILY_RECOMPUTE_SOURCE, jobId: request.jobId });
          try {
            const result = await this.recompute(client, runId, to);
            log.info(result, 'daily eligibility recompute done');
            return result;
          } catch (error) {
            if (!state.connectionBroken) await client.query('ROLLBACK').catch(() => undefined);
            const message = error instanceof Error ? error.message : String(error);
            await IngestionRunRepository.finish(state.connectionBroken ? pgPool(this.dataSource) : client, runId, { status: 'failed', counts: ZERO_RUN_COUNTS, warnings: [], errorKind: 'transient', errorMessage: message });
            log.error({ err: error, to }, 'daily eligibility recompute failed; nothing it computed was kept');
            throw error;
          }
        },
      });
    } catch (error) {
      if (!(error instanceof SourceBusyError) || error instanceof EarlierAttemptRunningError) throw error;
      this.logger.info({ to }, 'daily eligibility recompute skipped: another one is running');
      return { status: 'skipped', runId: null, from: null, to, dateDependentProducts: [], firms: 0, results: 0, written: 0, events: 0 };
    }
  }

  /**
   * What a succeeded run did, from its record and its events: the job's result when an earlier
   * attempt ran it. `dateDependentProducts` is read now (the run record does not keep it).
   */
  private async reportOf(client: PoolClient, run: IngestionRunRecord): Promise<DailyRecomputeResult> {
    const dateDependentProducts = (await publishedRuleSets(client)).filter((p) => isDateDependent(p.ruleSet)).map((p) => `${p.bankCode}/${p.productCode}`);
    const events = await countEventsOfRun(client, run.id);
    return {
      status: 'succeeded',
      runId: run.id,
      from: run.cursorBefore,
      to: run.cursorAfter ?? bangkokDate(this.now()),
      dateDependentProducts,
      firms: run.rowsRead,
      results: run.rowsUpdated + run.rowsUnchanged,
      written: run.rowsUpdated,
      events,
    };
  }

  /** One transaction: window, firms, recompute with events, cursor and run record. */
  private async recompute(client: PoolClient, runId: string, to: string): Promise<DailyRecomputeResult> {
    await client.query('BEGIN');
    // Taken before the window is read (the recompute takes it again: it is re-entrant), so every
    // earlier writer's results are committed and this run's events follow theirs.
    await lockEventWriters(client);
    const from = (await IngestionRunRepository.cursorOf(client, DAILY_RECOMPUTE_SOURCE)) ?? (await earliestResultDay(client)) ?? to;
    await recordWindowStart(client, runId, from);
    const dateDependentProducts = (await publishedRuleSets(client)).filter((p) => isDateDependent(p.ruleSet)).map((p) => `${p.bankCode}/${p.productCode}`);
    let firms = 0;
    let summary = { results: 0, written: 0, events: 0 };
    if (dateDependentProducts.length > 0 && from !== to) {
      firms = await listFirmsWithYearsChanged(client, from, to);
      if (firms > 0) summary = await recomputeForAffectedFirms(client, { source: DAILY_RECOMPUTE_SOURCE, runId }, to);
    }
    await IngestionRunRepository.saveSuccess(client, DAILY_RECOMPUTE_SOURCE, runId, to);
    await IngestionRunRepository.finish(client, runId, { status: 'succeeded', counts: { ...ZERO_RUN_COUNTS, rowsRead: firms, rowsUpdated: summary.written, rowsUnchanged: summary.results - summary.written }, warnings: [], cursorAfter: to });
    await client.query('COMMIT');
    return { status: 'succeeded', runId, from, to, dateDependentProducts, firms, results: summary.results, written: summary.written, events: summary.events };
  }
}
