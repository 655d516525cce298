import { toGlobalId } from '../../platform/graphql/global-id';
import type { LinkMethod } from '../factory/factory.type';
import type { Industry40Assessment, ProgrammeParticipation } from './programme.type';
import type { SqlReader } from '../../platform/database/sql-reader';

/** The columns every DIP record shares: who DIP named, and the company the linker found. */
interface LinkedRow {
  participant_key: string;
  juristic_id: string | null;
  company_name: string | null;
  company_juristic_id: string | null;
  link_method: LinkMethod | null;
  link_confidence: string | null;
}
const LINK_COLUMNS = 'participant_key, juristic_id, company_name, company_juristic_id, link_method, link_confidence::text';

const linkOf = (r: LinkedRow) => ({
  juristicId: r.juristic_id,
  companyName: r.company_name,
  companyJuristicId: r.company_juristic_id,
  linkMethod: r.link_method,
  linkConfidence: r.link_confidence === null ? null : Number(r.link_confidence),
});

interface ParticipationRow extends LinkedRow {
  programme_code: string;
  programme_name: string | null;
  year: number;
  province: string | null;
  withdrawn: boolean;
  source: string;
  source_run_id: string;
  fetched_at: Date;
}

const PARTICIPATION_COLUMNS = `${LINK_COLUMNS}, programme_code, programme_name, year, province, absent_since_run_id IS NOT NULL AS withdrawn,
  source, source_run_id::text, fetched_at`;

/**
 * Global ID key of a participation: `participantKey:year:programmeCode` (the code last, as it is free
 * text); the participant key is the juristic ID, or `name:` and the normalised name when DIP gave none.
 */
export const participationKey = (p: { participantKey: string; year: number; programmeCode: string }): string => `${p.participantKey}:${p.year}:${p.programmeCode}`;

/** Global ID key of an assessment: `participantKey:assessedOn`. */
export const assessmentKey = (a: { participantKey: string; assessedOn: string }): string => `${a.participantKey}:${a.assessedOn}`;

function toParticipation(r: ParticipationRow): ProgrammeParticipation {
  const participation = {
    participantKey: r.participant_key,
    ...linkOf(r),
    programmeCode: r.programme_code,
    programmeName: r.programme_name,
    year: r.year,
    province: r.province,
    withdrawnFromSource: r.withdrawn,
    provenance: { source: r.source, runId: r.source_run_id, fetchedAt: r.fetched_at, sourceUpdatedAt: null },
  };
  return { id: toGlobalId('ProgrammeParticipation', participationKey(participation)), ...participation };
}

interface AssessmentRow extends LinkedRow {
  assessed_on: string;
  overall_level: string;
  smart_operation: string | null;
  strategy_organisation: string | null;
  workforce: string | null;
  technology_innovation: string | null;
  market_customer_standard: string | null;
  it_data: string | null;
  withdrawn: boolean;
  source: string;
  source_run_id: string;
  fetched_at: Date;
}

const ASSESSMENT_COLUMNS = `${LINK_COLUMNS}, to_char(assessed_on, 'YYYY-MM-DD') AS assessed_on, overall_level::text, smart_operation::text,
  strategy_organisation::text, workforce::text, technology_innovation::text, market_customer_standard::text, it_data::text,
  absent_since_run_id IS NOT NULL AS withdrawn, source, source_run_id::text, fetched_at`;

const num = (value: string | null): number | null => (value === null ? null : Number(value));

function toAssessment(r: AssessmentRow): Industry40Assessment {
  return {
    id: toGlobalId('Industry40Assessment', assessmentKey({ participantKey: r.participant_key, assessedOn: r.assessed_on })),
    participantKey: r.participant_key,
    ...linkOf(r),
    assessedOn: r.assessed_on,
    overallLevel: Number(r.overall_level),
    smartOperation: num(r.smart_operation),
    strategyOrganisation: num(r.strategy_organisation),
    workforce: num(r.workforce),
    technologyInnovation: num(r.technology_innovation),
    marketCustomerStandard: num(r.market_customer_standard),
    itData: num(r.it_data),
    withdrawnFromSource: r.withdrawn,
    provenance: { source: r.source, runId: r.source_run_id, fetchedAt: r.fetched_at, sourceUpdatedAt: null },
  };
}

export class ProgrammeRepository {
  constructor(private readonly dataSource: SqlReader) {}

  /** Participations linked to these companies, newest year first, then by programme code. */
  async participationsOf(juristicIds: readonly string[]): Promise<ProgrammeParticipation[]> {
    const rows: ParticipationRow[] = await this.dataSource.query(
      `SELECT ${PARTICIPATION_COLUMNS} FROM registry.dip_participation WHERE company_juristic_id = ANY($1::text[])
       ORDER BY company_juristic_id, year DESC, programme_code, participant_key`,
      [juristicIds],
    );
    return rows.map(toParticipation);
  }

  async participationsByKey(keys: readonly { participantKey: string; year: number; programmeCode: string }[]): Promise<ProgrammeParticipation[]> {
    const rows: ParticipationRow[] = await this.dataSource.query(
      `SELECT ${PARTICIPATION_COLUMNS} FROM registry.dip_participation
       WHERE (participant_key, year, programme_code) IN (SELECT * FROM unnest($1::text[], $2::int[], $3::text[]))`,
      [keys.map((k) => k.participantKey), keys.map((k) => k.year), keys.map((k) => k.programmeCode)],
    );
    return rows.map(toParticipation);
  }

  /** Industry 4.0 assessments linked to these companies, newest first. */
  async assessmentsOf(juristicIds: readonly string[]): Promise<Industry40Assessment[]> {
    const rows: AssessmentRow[] = await this.dataSource.query(
      `SELECT ${ASSESSMENT_COLUMNS} FROM registry.dip_i40_assessment WHERE company_juristic_id = ANY($1::text[])
       ORDER BY company_juristic_id, assessed_on DESC, overall_level DESC, participant_key`,
      [juristicIds],
    );
    return rows.map(toAssessment);
  }

  async assessmentsByKey(keys: readonly { participantKey: string; assessedOn: string }[]): Promise<Industry40Assessment[]> {
    const rows: AssessmentRow[] = await this.dataSource.query(
      `SELECT ${ASSESSMENT_COLUMNS} FROM registry.dip_i40_assessment
       WHERE (participant_key, assessed_on) IN (SELECT * FROM unnest($1::text[], $2::date[]))`,
      [keys.map((k) => k.participantKey), keys.map((k) => k.assessedOn)],
    );
    return rows.map(toAssessment);
  }
}
