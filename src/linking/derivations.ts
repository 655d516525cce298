import { refreshCompanyAggregate } from './company-aggregate';
import { recomputeForAffectedFirms, recomputeForEveryFirm, type EligibilitySummary } from '../eligibility/eligibility.service';
import type { BulkCandidate } from '../ingestion/bulk-load';
import { IngestionRunRepository, type Queryable } from '../ingestion/ingestion-run.repository';
import type { SourceDefinition } from '../ingestion/source-definition';
import { recomputeProfiles } from './company-profile';
import { linkRecords, type LinkOutcome, type LinkScope } from './company-linker';
import type { LinkTarget } from './link-target';

export interface DerivationSummary {
  /** Links to companies, per linked table (factory, tis_licence, ...) the run relinked. */
  links?: Record<string, LinkOutcome>;
  profilesRecomputed: number;
  /** Groups in the rebuilt company statistics aggregate; absent when no profile changed. */
  statsGroups?: number;
  /** What the source's own after-load step did (e.g. `ruleSetVersions`, `consents`), under its name. */
  afterLoad?: Record<string, unknown>;
  /** Stored eligibility results rewritten and events appended. */
  eligibility?: EligibilitySummary;
  linkMs: number;
  profileMs: number;
  statsMs: number;
  /** The source's after-load step and eligibility (results and events). */
  eligibilityMs: number;
}

/** The sources a derivation looks across (every source's link target). */
export interface DerivationCatalogue {
  linkTargets(): LinkTarget[];
}

/** A run being derived from: its source's definition and ID. */
interface DerivedRun {
  source: Pick<SourceDefinition<unknown>, 'id' | 'target' | 'derive'>;
  runId: string;
}

interface LinkStep {
  target: LinkTarget;
  scope: LinkScope;
}

/**
 * Which linked tables a run relinks, and how: a linked source's run relinks the rows it changed; a
 * company register's run relinks, in every linked table, the rows whose link it may change; a run
 * loading the table another target takes its province from (DIW's factories, for licences) relinks
 * the rows whose province it may move.
 */
function linkPlan({ source, runId }: DerivedRun, catalogue: DerivationCatalogue): LinkStep[] {
  const targets = catalogue.linkTargets();
  if (source.derive?.companyRegister) return targets.map((target): LinkStep => ({ target, scope: { kind: 'company-run', runId } }));
  return [
    ...(source.derive?.links ? [{ target: source.derive.links, scope: { kind: 'source-run', runId } } satisfies LinkStep] : []),
    ...targets.filter((target) => target.provinceFrom?.table === source.target.table).map((target): LinkStep => ({ target, scope: { kind: 'province-run', runId } })),
  ];
}

/** Whether a run of the source can change companies' derived facts (their profiles and eligibility). */
function touchesFirms(run: DerivedRun, catalogue: DerivationCatalogue): boolean {
  return linkPlan(run, catalogue).some((step) => step.target.derived) || run.source.derive?.affectedCompanies !== undefined;
}

/**
 * The derived tables a run of `source` writes, with as many rows as it loaded (a bound: one per
 * firm), for a first load's bulk mode (src/ingestion/bulk-load.ts): the profiles and the
 * eligibility results of the firms it touches, or what the source's own eligibility step may write
 * (a bank product run evaluates every firm, however few products it loads).
 */
export async function derivedBulkCandidates(client: Queryable, source: DerivedRun['source'], catalogue: DerivationCatalogue, rows: number): Promise<BulkCandidate[]> {
  if (source.derive?.eligibility) return source.derive.eligibility.bulkCandidates(client);
  return touchesFirms({ source, runId: '0' }, catalogue)
    ? [
        { table: 'registry.company_profile', rows },
        { table: 'lending.eligibility_result', rows },
      ]
    : [];
}

/**
 * What a run changes downstream, in the run's own transaction so that links and derived facts are
 * never out of step with the data, and under the register writers' lock (src/ingestion/register-lock.ts)
 * so that they see every run before it: the run's links (linkPlan); then the profiles of every firm
 * concerned, and the company statistics aggregate rebuilt from them (so it is exactly as fresh as
 * the profiles); the source's own after-load step (rule set versions, consents); last, eligibility:
 * the source's own step (every firm for a product with a new rule set), or for every firm after a
 * whole register's first load (every firm's count in it becomes known, most of them none), or for
 * the firms concerned (after their profiles, which it reads). The steps come from the source's
 * declaration (`derive`): nothing here names a source.
 */
/**
 * `afterLinks` runs once every link is written and before the profiles are recomputed: a bulk first
 * load rebuilds its target's indexes there, so that linking rewrites its rows without maintaining
 * them (bulk-load.ts).
 */
export async function deriveAfterLoad(
  client: Queryable,
  source: DerivedRun['source'],
  runId: string,
  catalogue: DerivationCatalogue,
  afterLinks?: () => Promise<void>,
): Promise<DerivationSummary> {
  const run: DerivedRun = { source, runId };
  await client.query('DROP TABLE IF EXISTS pg_temp.profile_affected');
  await client.query('CREATE TEMP TABLE profile_affected (juristic_id text NOT NULL) ON COMMIT DROP');
  let links: DerivationSummary['links'];
  let linksDerived = false;
  const started = Date.now();
  for (const { target, scope } of linkPlan(run, catalogue)) {
    (links ??= {})[target.id] = await linkRecords(client, target, scope);
    if (!target.derived) continue;
    linksDerived = true;
    await client.query('INSERT INTO pg_temp.profile_affected SELECT juristic_id FROM pg_temp.link_affected_company');
  }
  const affected = source.derive?.affectedCompanies;
  if (affected) await client.query(`INSERT INTO pg_temp.profile_affected ${affected}`, [runId]);
  const linked = Date.now();
  await afterLinks?.();
  const profilesStarted = Date.now();
  const derives = linksDerived || affected !== undefined;
  const profilesRecomputed = derives ? await recomputeProfiles(client, runId) : 0;
  const profiled = Date.now();
  // Company rows change only in runs that also recompute their profiles, so this covers every change.
  const statsGroups = profilesRecomputed > 0 ? await refreshCompanyAggregate(client, runId) : undefined;
  const aggregated = Date.now();
  const afterLoad = source.derive?.afterLoad && { [source.derive.afterLoad.name]: await source.derive.afterLoad.run(client, runId) };
  const reading = { source: source.id, runId, table: source.target.table };
  const register = source.derive?.wholeRegister;
  const eligibility = source.derive?.eligibility
    ? await source.derive.eligibility.recompute(client, reading)
    : register && !(await IngestionRunRepository.hasLoaded(client, source.id))
      ? await recomputeForEveryFirm(client, reading, register)
      : derives
        ? await recomputeForAffectedFirms(client, reading)
        : undefined;
  return {
    ...(links ? { links } : {}),
    profilesRecomputed,
    ...(statsGroups !== undefined ? { statsGroups } : {}),
    ...(afterLoad ? { afterLoad } : {}),
    ...(eligibility ? { eligibility } : {}),
    linkMs: linked - started,
    profileMs: profiled - profilesStarted,
    statsMs: aggregated - profiled,
    eligibilityMs: Date.now() - aggregated,
  };
}
