/**
 * An operator's relink (`npm run hub -- relink [--source S]`): rebuilds, from the stored registers,
 * the links of other agencies' records to companies, the company profiles, the statistics aggregate
 * and eligibility, in one transaction recorded as a run of source `relink`. It repairs a hub that an
 * older version left inconsistent: before 2026-12, runs overlapping on a busy machine could leave
 * every TISI licence unlinked, DIP records linked by fuzzy name only, and eligibility judged on
 * those. A link, profile or result is rewritten only when it changes, and the banks' feed gets an
 * event only for a real change of eligibility, so a second relink changes nothing.
 *
 * Without `--source`: every linked table, every firm's profile, eligibility for every firm whose
 * rule inputs changed. With `--source S`: the table S loads (or, for the company register, every
 * linked table), the profiles and eligibility of the firms whose links moved.
 */
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { refreshCompanyAggregate } from '../domains/statistics/company-aggregate';
import { createRecomputeRun } from '../eligibility/daily-recompute.repository';
import { recomputeForAffectedFirms, recomputeForEveryFirm, type EligibilitySummary } from '../eligibility/eligibility.service';
import { shareWritersLock } from '../ingestion/bulk-load';
import { IngestionRunRepository, ZERO_RUN_COUNTS, type IngestionRunRecord } from '../ingestion/ingestion-run.repository';
import { lockRegisterWriters } from '../ingestion/register-lock';
import type { SourceDefinition } from '../ingestion/source-definition';
import type { Logger } from '../platform/logging/logger';
import { linkRecords, type LinkOutcome } from './company-linker';
import { recomputeProfiles } from './company-profile';
import type { DerivationCatalogue } from './derivations';
import type { LinkTarget } from './link-target';

export const RELINK_SOURCE = 'relink';

export interface RelinkSummary {
  links: Record<string, LinkOutcome>;
  /** Firms whose profile was recomputed (every firm, or those whose links moved). */
  profiles: number;
  statsGroups: number;
  eligibility: EligibilitySummary;
}

export interface RelinkCatalogue extends DerivationCatalogue {
  get(id: string): Pick<SourceDefinition<unknown>, 'id' | 'derive'> | undefined;
}

export class RelinkError extends Error {
  override readonly name = 'RelinkError';
}

/** The linked tables a relink of `source` (or of everything) rebuilds. */
function targetsOf(catalogue: RelinkCatalogue, source: string | undefined): LinkTarget[] {
  if (source === undefined) return catalogue.linkTargets();
  const definition = catalogue.get(source);
  if (!definition) throw new RelinkError(`unknown source "${source}"`);
  if (definition.derive?.companyRegister) return catalogue.linkTargets();
  if (!definition.derive?.links) throw new RelinkError(`source ${source} loads no records linked to companies; nothing to relink`);
  return [definition.derive.links];
}

export async function relink(
  dataSource: DataSource,
  catalogue: RelinkCatalogue,
  logger: Logger,
  options: { source?: string } = {},
): Promise<{ run: IngestionRunRecord; summary: RelinkSummary | null }> {
  const targets = targetsOf(catalogue, options.source);
  const queryRunner = dataSource.createQueryRunner('master');
  const client = (await queryRunner.connect()) as PoolClient;
  try {
    await IngestionRunRepository.markAbandoned(client, RELINK_SOURCE);
    const runId = await createRecomputeRun(client, RELINK_SOURCE, 'cli', null, 1);
    const log = logger.child({ runId, source: RELINK_SOURCE });
    let summary: RelinkSummary | null = null;
    try {
      await client.query('BEGIN');
      await shareWritersLock(client);
      // Waits for a run in progress to commit, and keeps any other from writing meanwhile.
      await lockRegisterWriters(client);
      await client.query('DROP TABLE IF EXISTS pg_temp.profile_affected');
      await client.query('CREATE TEMP TABLE profile_affected (juristic_id text NOT NULL) ON COMMIT DROP');
      const links: Record<string, LinkOutcome> = {};
      for (const target of targets) {
        links[target.id] = await linkRecords(client, target, { kind: 'all' });
        if (target.derived && options.source !== undefined) {
          await client.query('INSERT INTO pg_temp.profile_affected SELECT juristic_id FROM pg_temp.link_affected_company');
        }
      }
      // A full repair recomputes every firm's profile, whatever an older version left in it.
      if (options.source === undefined) await client.query('INSERT INTO pg_temp.profile_affected SELECT juristic_id FROM registry.company');
      const profiles = await recomputeProfiles(client, runId);
      const statsGroups = await refreshCompanyAggregate(client, runId);
      const reading = { source: RELINK_SOURCE, runId };
      const eligibility = options.source === undefined ? await recomputeForEveryFirm(client, reading) : await recomputeForAffectedFirms(client, reading);
      summary = { links, profiles, statsGroups, eligibility };
      const examined = Object.values(links).reduce((n, l) => n + l.scoped, 0);
      const changed = Object.values(links).reduce((n, l) => n + l.changed, 0);
      await IngestionRunRepository.saveSuccess(client, RELINK_SOURCE, runId, null);
      await IngestionRunRepository.finish(client, runId, {
        status: 'succeeded',
        counts: { ...ZERO_RUN_COUNTS, rowsRead: examined, rowsUpdated: changed, rowsUnchanged: examined - changed },
        warnings: [],
        cursorAfter: null,
      });
      await client.query('COMMIT');
      log.info({ links, profiles, statsGroups, eligibility }, 'links, profiles, statistics and eligibility rebuilt from the stored registers');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      await IngestionRunRepository.finish(client, runId, { status: 'failed', counts: ZERO_RUN_COUNTS, warnings: [], errorKind: 'transient', errorMessage: message }).catch(() => undefined);
      log.error({ err: error }, 'relink failed; nothing it computed was kept');
    }
    const run = await new IngestionRunRepository(dataSource).findById(runId);
    return { run: run!, summary };
  } finally {
    await queryRunner.release();
  }
}
