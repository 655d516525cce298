import type { DataSource } from 'typeorm';
import { toGlobalId } from '../../platform/graphql/node';
import type { Industry40Assessment, ProgrammeParticipation } from './programme.type';

interface ParticipationRow {
  juristic_id: string;
  programme_code: string;
  programme_name: string | null;
  year: number;
  province: string | null;
  withdrawn: boolean;
  source: string;
  source_run_id: string;
  fetched_at: Date;
}

const PARTICIPATION_COLUMNS = `juristic_id, programme_code, programme_name, year, province, absent_since_run_id IS NOT NULL AS withdrawn,
  source, source_run_id::text, fetched_at`;

/** Global ID key of a participation: `juristicId:year:programmeCode` (the code last, as it is free text). */
export const participationKey = (p: { juristicId: string; year: number; programmeCode: string }): string => `${p.juristicId}:${p.year}:${p.programmeCode}`;

function toParticipation(r: ParticipationRow): ProgrammeParticipation {
  const participation = {
    juristicId: r.juristic_id,
    programmeCode: r.programme_code,
    programmeName: r.programme_name,
    year: r.year,
    province: r.province,
    withdrawnFromSource: r.withdrawn,
    provenance: { source: r.source, runId: r.source_run_id, fetchedAt: r.fetched_at, sourceUpdatedAt: null },
  };
  return { id: toGlobalId('ProgrammeParticipation', participationKey(participation)), ...participation };
}

interface AssessmentRow {
  juristic_id: string;
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

const ASSESSMENT_COLUMNS = `juristic_id, to_char(assessed_on, 'YYYY-MM-DD') AS assessed_on, overall_level::text, smart_operation::text,
  strategy_organisation::text, workforce::text, technology_innovation::text, market_customer_standard::text, it_data::text,
  absent_since_run_id IS NOT NULL AS withdrawn, source, source_run_id::text, fetched_at`;

const num = (value: string | null): number | null => (value === null ? null : Number(value));

function toAssessment(r: AssessmentRow): Industry40Assessment {
  return {
    id: toGlobalId('Industry40Assessment', `${r.juristic_id}:${r.assessed_on}`),
    juristicId: r.juristic_id,
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
  constructor(private readonly dataSource: DataSource) {}

  /** Participations of these firms, newest year first, then by programme code (the primary key serves it). */
  async participationsOf(juristicIds: readonly string[]): Promise<ProgrammeParticipation[]> {
    const rows: ParticipationRow[] = await this.dataSource.query(
      `SELECT ${PARTICIPATION_COLUMNS} FROM registry.dip_participation WHERE juristic_id = ANY($1::text[]) ORDER BY juristic_id, year DESC, programme_code`,
      [juristicIds],
    );
    return rows.map(toParticipation);
  }

  async participationsByKey(keys: readonly { juristicId: string; year: number; programmeCode: string }[]): Promise<ProgrammeParticipation[]> {
    const rows: ParticipationRow[] = await this.dataSource.query(
      `SELECT ${PARTICIPATION_COLUMNS} FROM registry.dip_participation
       WHERE (juristic_id, year, programme_code) IN (SELECT * FROM unnest($1::text[], $2::int[], $3::text[]))`,
      [keys.map((k) => k.juristicId), keys.map((k) => k.year), keys.map((k) => k.programmeCode)],
    );
    return rows.map(toParticipation);
  }

  /** Industry 4.0 assessments of these firms, newest first. */
  async assessmentsOf(juristicIds: readonly string[]): Promise<Industry40Assessment[]> {
    const rows: AssessmentRow[] = await this.dataSource.query(
      `SELECT ${ASSESSMENT_COLUMNS} FROM registry.dip_i40_assessment WHERE juristic_id = ANY($1::text[]) ORDER BY juristic_id, assessed_on DESC`,
      [juristicIds],
    );
    return rows.map(toAssessment);
  }

  async assessmentsByKey(keys: readonly { juristicId: string; assessedOn: string }[]): Promise<Industry40Assessment[]> {
    const rows: AssessmentRow[] = await this.dataSource.query(
      `SELECT ${ASSESSMENT_COLUMNS} FROM registry.dip_i40_assessment
       WHERE (juristic_id, assessed_on) IN (SELECT * FROM unnest($1::text[], $2::date[]))`,
      [keys.map((k) => k.juristicId), keys.map((k) => k.assessedOn)],
    );
    return rows.map(toAssessment);
  }
}
