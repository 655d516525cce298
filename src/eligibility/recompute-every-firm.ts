/**
 * An operator's full eligibility recompute (`npm run hub -- eligibility:recompute`): every firm whose
 * attributes differ from those its stored results were last evaluated on is evaluated again, for
 * every product, through the same path and events as the ingestion runs; the others are skipped. It
 * repairs results an earlier version of the hub left stale: before 2026-11-22 a whole register's
 * first load (DIW, TISI licences) after the products had loaded left every firm's operating
 * factories (or licences) unknown until the firm next changed. One transaction, recorded as a run of
 * source `eligibility-recompute` (`hub runs --source eligibility-recompute`): a failure keeps nothing.
 */
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { IngestionRunRepository, ZERO_RUN_COUNTS, type IngestionRunRecord } from '../ingestion/ingestion-run.repository';
import type { Logger } from '../platform/logging/logger';
import { createRecomputeRun } from './daily-recompute.repository';
import { recomputeForEveryFirm, type EligibilitySummary } from './eligibility.service';

export const FULL_RECOMPUTE_SOURCE = 'eligibility-recompute';

export async function recomputeEveryFirm(dataSource: DataSource, logger: Logger): Promise<{ run: IngestionRunRecord; summary: EligibilitySummary | null }> {
  const queryRunner = dataSource.createQueryRunner('master');
  const client = (await queryRunner.connect()) as PoolClient;
  try {
    await IngestionRunRepository.markAbandoned(client, FULL_RECOMPUTE_SOURCE);
    const runId = await createRecomputeRun(client, FULL_RECOMPUTE_SOURCE, 'cli', null, 1);
    const log = logger.child({ runId, source: FULL_RECOMPUTE_SOURCE });
    let summary: EligibilitySummary | null = null;
    try {
      await client.query('BEGIN');
      summary = await recomputeForEveryFirm(client, { source: FULL_RECOMPUTE_SOURCE, runId });
      const firms = summary.firmsUnchanged + (await evaluatedFirms(client, runId));
      await IngestionRunRepository.saveSuccess(client, FULL_RECOMPUTE_SOURCE, runId, null);
      await IngestionRunRepository.finish(client, runId, {
        status: 'succeeded',
        counts: { ...ZERO_RUN_COUNTS, rowsRead: firms, rowsUpdated: summary.written, rowsUnchanged: summary.results - summary.written },
        warnings: [],
        cursorAfter: null,
      });
      await client.query('COMMIT');
      log.info(summary, 'eligibility recomputed for every firm whose attributes changed');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      await IngestionRunRepository.finish(client, runId, { status: 'failed', counts: ZERO_RUN_COUNTS, warnings: [], errorKind: 'transient', errorMessage: message }).catch(() => undefined);
      log.error({ err: error }, 'eligibility recompute failed; nothing it computed was kept');
    }
    const run = await new IngestionRunRepository(dataSource).findById(runId);
    return { run: run!, summary };
  } finally {
    await queryRunner.release();
  }
}

/** Firms whose attribute digest this run saved (the ones it evaluated). */
async function evaluatedFirms(client: PoolClient, runId: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM lending.eligibility_input WHERE run_id = $1', [runId]);
  return rows[0]!.n;
}
