import { refreshCompanyAggregate } from '../domains/statistics/company-aggregate';
import type { Queryable } from '../ingestion/ingestion-run.repository';
import { recomputeForAffectedFirms, recomputeForProductRun, type EligibilitySummary } from '../eligibility/eligibility.service';
import { BANK_PRODUCT_SOURCE_IDS } from '../sources/banks/bank-product.source';
import { recordRuleSetVersions } from '../sources/banks/rule-set-versions';
import { recomputeProfiles } from './company-profile';
import { linkFactories, type LinkOutcome } from './factory-linker';

export interface DerivationSummary {
  links?: LinkOutcome;
  profilesRecomputed: number;
  /** Loan products given a new rule set version by a bank product run. */
  ruleSetVersions?: number;
  /** Groups in the rebuilt company statistics aggregate; absent when no profile changed. */
  statsGroups?: number;
  /** Stored eligibility results rewritten and events appended. */
  eligibility?: EligibilitySummary;
  linkMs: number;
  profileMs: number;
  statsMs: number;
}

/**
 * For each source, the juristic IDs whose derived facts a run of it can change: the rows the run
 * wrote (inserted or updated: `source_run_id`) or marked absent. Unchanged rows are not rewritten
 * by the engine, so they are not recomputed either.
 */
const AFFECTED_COMPANIES: Record<string, string> = {
  'dbd-companies': `SELECT juristic_id FROM registry.company WHERE source_run_id = $1 OR absent_since_run_id = $1`,
  'dbd-financials': `SELECT juristic_id FROM registry.financial_statement WHERE source_run_id = $1 OR absent_since_run_id = $1`,
  'tisi-licences': `SELECT licensee_tax_id FROM registry.tis_licence WHERE source_run_id = $1 OR absent_since_run_id = $1`,
  'dip-i40-assessments': `SELECT juristic_id FROM registry.dip_i40_assessment WHERE source_run_id = $1 OR absent_since_run_id = $1`,
};

/**
 * What a run changes downstream, in the run's own transaction so that links and derived facts are
 * never out of step with the data: factory runs relink the factories they changed; company runs
 * relink factories that may now match; then the profiles of every firm concerned are recomputed,
 * and the company statistics aggregate rebuilt from them (so it is exactly as fresh as the profiles).
 * Bank product runs version the rule sets they changed. Last, eligibility: for the firms concerned
 * (after their profiles, which it reads), or for every firm for a product with a new rule set.
 */
export async function deriveAfterLoad(client: Queryable, source: string, runId: string): Promise<DerivationSummary> {
  await client.query('DROP TABLE IF EXISTS pg_temp.profile_affected');
  await client.query('CREATE TEMP TABLE profile_affected (juristic_id text NOT NULL) ON COMMIT DROP');
  let links: LinkOutcome | undefined;
  const started = Date.now();
  if (source === 'diw' || source === 'dbd-companies') {
    links = await linkFactories(client, source === 'diw' ? { kind: 'factory-run', runId } : { kind: 'company-run', runId });
    await client.query('INSERT INTO pg_temp.profile_affected SELECT juristic_id FROM pg_temp.link_affected_company');
  }
  const affected = AFFECTED_COMPANIES[source];
  if (affected) await client.query(`INSERT INTO pg_temp.profile_affected ${affected}`, [runId]);
  const linked = Date.now();
  const profilesRecomputed = links || affected ? await recomputeProfiles(client, runId) : 0;
  const profiled = Date.now();
  // Company rows change only in runs that also recompute their profiles, so this covers every change.
  const statsGroups = profilesRecomputed > 0 ? await refreshCompanyAggregate(client, runId) : undefined;
  const isProductRun = BANK_PRODUCT_SOURCE_IDS.includes(source);
  const ruleSetVersions = isProductRun ? await recordRuleSetVersions(client, runId) : undefined;
  const eligibility = isProductRun ? await recomputeForProductRun(client, runId) : links || affected ? await recomputeForAffectedFirms(client, runId) : undefined;
  return {
    ...(links ? { links } : {}),
    profilesRecomputed,
    ...(statsGroups !== undefined ? { statsGroups } : {}),
    ...(ruleSetVersions === undefined ? {} : { ruleSetVersions }),
    ...(eligibility ? { eligibility } : {}),
    linkMs: linked - started,
    profileMs: profiled - linked,
    statsMs: Date.now() - profiled,
  };
}
