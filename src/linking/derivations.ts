import { refreshCompanyAggregate } from '../domains/statistics/company-aggregate';
import type { BulkCandidate } from '../ingestion/bulk-load';
import { IngestionRunRepository, type Queryable } from '../ingestion/ingestion-run.repository';
import { isWholeRegisterSource } from '../eligibility/company-attributes';
import { recomputeForAffectedFirms, recomputeForEveryFirm, recomputeForProductRun, type EligibilitySummary } from '../eligibility/eligibility.service';
import { BANK_PRODUCT_SOURCE_IDS } from '../sources/banks/bank-product.source';
import { recordRuleSetVersions } from '../sources/banks/rule-set-versions';
import { CONSENT_REGISTRY_SOURCE_ID } from '../sources/consent/consent-registry.source';
import { reconcileConsentRegistry, type ConsentMergeSummary } from '../sources/consent/registry-merge';
import { recomputeProfiles } from './company-profile';
import { LINK_TARGETS, linkRecords, linkTargetsOfSource, type LinkOutcome, type LinkScope, type LinkTarget } from './company-linker';

export interface DerivationSummary {
  /** Links to companies, per linked table (factory, tis_licence, ...) the run relinked. */
  links?: Partial<Record<LinkTarget['id'], LinkOutcome>>;
  profilesRecomputed: number;
  /** Loan products given a new rule set version by a bank product run. */
  ruleSetVersions?: number;
  /** Groups in the rebuilt company statistics aggregate; absent when no profile changed. */
  statsGroups?: number;
  /** Stored eligibility results rewritten and events appended. */
  eligibility?: EligibilitySummary;
  /** Consents a consent registry run added or changed. */
  consents?: ConsentMergeSummary;
  linkMs: number;
  profileMs: number;
  statsMs: number;
  /** Rule set versioning and eligibility (results and events). */
  eligibilityMs: number;
}

/**
 * For each source keyed by juristic ID, the juristic IDs whose derived facts a run of it can change:
 * the rows the run wrote (inserted or updated: `source_run_id`) or marked absent. Unchanged rows are
 * not rewritten by the engine, so they are not recomputed either. Sources whose records are linked
 * to companies (factories, licences, assessments) name their firms through the linker instead: the
 * firms their changed rows are linked to, before and after.
 */
const AFFECTED_COMPANIES: Record<string, string> = {
  'dbd-companies': `SELECT juristic_id FROM registry.company WHERE source_run_id = $1 OR absent_since_run_id = $1`,
  'dbd-financials': `SELECT juristic_id FROM registry.financial_statement WHERE source_run_id = $1 OR absent_since_run_id = $1`,
};

/**
 * Which linked tables a run relinks, and how: a linked source's run relinks the rows it changed; a
 * company run relinks, in every linked table, the rows whose link it may change; a run of the source
 * a table takes its province from (DIW, for licences) relinks the rows whose province it may move.
 */
function linkPlan(source: string, runId: string): LinkStep[] {
  if (source === 'dbd-companies') return LINK_TARGETS.map((target): LinkStep => ({ target, scope: { kind: 'company-run', runId } }));
  return [
    ...linkTargetsOfSource(source).map((target): LinkStep => ({ target, scope: { kind: 'source-run', runId } })),
    ...LINK_TARGETS.filter((target) => target.provinceFrom?.source === source).map((target): LinkStep => ({ target, scope: { kind: 'province-run', runId } })),
  ];
}

interface LinkStep {
  target: LinkTarget;
  scope: LinkScope;
}

/**
 * The derived tables a run of `source` writes, with as many rows as it loaded (a bound: one per
 * firm), for a first load's bulk mode (src/ingestion/bulk-load.ts): the profiles and the
 * eligibility results of the firms it touches. A bank product run computes eligibility for every
 * firm (a new product's first rule set), however few products it loads.
 */
export async function derivedBulkCandidates(client: Queryable, source: string, rows: number): Promise<BulkCandidate[]> {
  if (BANK_PRODUCT_SOURCE_IDS.includes(source)) {
    const { rows: counted } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM (SELECT 1 FROM registry.company LIMIT 1000000) c');
    return [{ table: 'lending.eligibility_result', rows: counted[0]!.n }];
  }
  const touchesFirms = linkPlan(source, '0').some((step) => step.target.derived) || AFFECTED_COMPANIES[source] !== undefined;
  return touchesFirms
    ? [
        { table: 'registry.company_profile', rows },
        { table: 'lending.eligibility_result', rows },
      ]
    : [];
}

/**
 * What a run changes downstream, in the run's own transaction so that links and derived facts are
 * never out of step with the data: factory, licence and DIP runs relink the records they changed
 * (a factory run also the licences of its plants, whose province it gives); company runs relink the
 * records that may now match; then the profiles of every firm concerned are recomputed,
 * and the company statistics aggregate rebuilt from them (so it is exactly as fresh as the profiles).
 * Bank product runs version the rule sets they changed. Last, eligibility: for the firms concerned
 * (after their profiles, which it reads), or for every firm for a product with a new rule set, or
 * after a whole register's first load (every firm's count in it becomes known, most of them none).
 * Consent registry runs reconcile the entries they changed into the consents the API enforces.
 */
export async function deriveAfterLoad(client: Queryable, source: string, runId: string): Promise<DerivationSummary> {
  await client.query('DROP TABLE IF EXISTS pg_temp.profile_affected');
  await client.query('CREATE TEMP TABLE profile_affected (juristic_id text NOT NULL) ON COMMIT DROP');
  let links: DerivationSummary['links'];
  let linksDerived = false;
  const started = Date.now();
  for (const { target, scope } of linkPlan(source, runId)) {
    (links ??= {})[target.id] = await linkRecords(client, target, scope);
    if (!target.derived) continue;
    linksDerived = true;
    await client.query('INSERT INTO pg_temp.profile_affected SELECT juristic_id FROM pg_temp.link_affected_company');
  }
  const affected = AFFECTED_COMPANIES[source];
  if (affected) await client.query(`INSERT INTO pg_temp.profile_affected ${affected}`, [runId]);
  const linked = Date.now();
  const derives = linksDerived || affected !== undefined;
  const profilesRecomputed = derives ? await recomputeProfiles(client, runId) : 0;
  const profiled = Date.now();
  // Company rows change only in runs that also recompute their profiles, so this covers every change.
  const statsGroups = profilesRecomputed > 0 ? await refreshCompanyAggregate(client, runId) : undefined;
  const aggregated = Date.now();
  const isProductRun = BANK_PRODUCT_SOURCE_IDS.includes(source);
  const ruleSetVersions = isProductRun ? await recordRuleSetVersions(client, runId) : undefined;
  const run = { source, runId };
  const eligibility = isProductRun
    ? await recomputeForProductRun(client, run)
    : isWholeRegisterSource(source) && !(await IngestionRunRepository.hasLoaded(client, source))
      ? await recomputeForEveryFirm(client, run, source)
      : derives
        ? await recomputeForAffectedFirms(client, run)
        : undefined;
  const consents = source === CONSENT_REGISTRY_SOURCE_ID ? await reconcileConsentRegistry(client, runId) : undefined;
  return {
    ...(links ? { links } : {}),
    profilesRecomputed,
    ...(statsGroups !== undefined ? { statsGroups } : {}),
    ...(ruleSetVersions === undefined ? {} : { ruleSetVersions }),
    ...(eligibility ? { eligibility } : {}),
    ...(consents ? { consents } : {}),
    linkMs: linked - started,
    profileMs: profiled - linked,
    statsMs: aggregated - profiled,
    eligibilityMs: Date.now() - aggregated,
  };
}

