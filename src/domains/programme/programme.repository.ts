import { toGlobalId } from '../../platform/graphql/global-id';
import type { LinkMethod } from '../factory/factory.type';
import type { Industry40Assessment, ProgrammeParticipation } from './programme.type';
import type { SqlReader } from '../../platform/database/sql-reader';
import { linkIsSureSql } from '../../shared/firm-identity';
import { assessmentKeySql, participationKeySql } from './dip-record-key';
import { fromJsonRows, jsonRowsSql } from '../../platform/database/json-rows';

/** The columns every DIP record shares: who DIP named, and the company the linker found. */
interface LinkedRow {
  record_key: string;
  juristic_id: string | null;
  company_name: string | null;
  company_juristic_id: string | null;
  link_method: LinkMethod | null;
  link_confidence: string | null;
}
const linkColumns = (keySql: string): string => `${keySql} AS record_key, juristic_id, company_name, company_juristic_id, link_method, link_confidence::text`;

const linkOf = (r: LinkedRow) => ({
  recordKey: r.record_key,
  juristicIdData: r.juristic_id,
  companyNameData: r.company_name,
  link: r.company_juristic_id === null || r.link_method === null ? null : { companyJuristicId: r.company_juristic_id, method: r.link_method, confidence: Number(r.link_confidence) },
});

/**
 * Under a company, only the records whose participant is shown (src/shared/firm-identity.ts): a
 * masked one listed there would say whom it resembles. `node(id)` still reaches it, masked.
 */
const SHOWN_UNDER_COMPANY = linkIsSureSql('d');

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

const PARTICIPATION_COLUMNS = `${linkColumns(participationKeySql('d'))}, programme_code, programme_name, year, province, absent_since_run_id IS NOT NULL AS withdrawn,
  source, source_run_id::text, fetched_at`;

function toParticipation(r: ParticipationRow): ProgrammeParticipation {
  return {
    id: toGlobalId('ProgrammeParticipation', r.record_key),
    ...linkOf(r),
    programmeCode: r.programme_code,
    programmeName: r.programme_name,
    year: r.year,
    province: r.province,
    withdrawnFromSource: r.withdrawn,
    provenance: { source: r.source, runId: r.source_run_id, fetchedAt: r.fetched_at, sourceUpdatedAt: null },
  };
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

const ASSESSMENT_COLUMNS = `${linkColumns(assessmentKeySql('d'))}, to_char(assessed_on, 'YYYY-MM-DD') AS assessed_on, overall_level::text, smart_operation::text,
  strategy_organisation::text, workforce::text, technology_innovation::text, market_customer_standard::text, it_data::text,
  absent_since_run_id IS NOT NULL AS withdrawn, source, source_run_id::text, fetched_at`;

const num = (value: string | null): number | null => (value === null ? null : Number(value));

function toAssessment(r: AssessmentRow): Industry40Assessment {
  return {
    id: toGlobalId('Industry40Assessment', r.record_key),
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

/**
 * For a read plan (company.read-plan.ts): the participations `participationsOf` lists under the
 * company whose juristic ID is the SQL expression `parent`, as one JSON value, in its order.
 */
export const participationsJsonSql = (parent: string): string =>
  jsonRowsSql(PARTICIPATION_COLUMNS, `registry.dip_participation d WHERE d.company_juristic_id = ${parent} AND ${SHOWN_UNDER_COMPANY}`, 'd.year DESC, d.programme_code, d.participant_key');

/** The same for `assessmentsOf`. */
export const assessmentsJsonSql = (parent: string): string =>
  jsonRowsSql(ASSESSMENT_COLUMNS, `registry.dip_i40_assessment d WHERE d.company_juristic_id = ${parent} AND ${SHOWN_UNDER_COMPANY}`, 'd.assessed_on DESC, d.overall_level DESC, d.participant_key');

/** Rows of participationsJsonSql as `participationsOf` answers them. */
export const participationsFromJson = (rows: Record<string, unknown>[]): ProgrammeParticipation[] => fromJsonRows<ParticipationRow>(rows).map(toParticipation);

/** Rows of assessmentsJsonSql as `assessmentsOf` answers them. */
export const assessmentsFromJson = (rows: Record<string, unknown>[]): Industry40Assessment[] => fromJsonRows<AssessmentRow>(rows).map(toAssessment);

export class ProgrammeRepository {
  constructor(private readonly dataSource: SqlReader) {}

  /** Participations linked to these companies and shown under them, newest year first, then by programme code. */
  async participationsOf(juristicIds: readonly string[]): Promise<ProgrammeParticipation[]> {
    const rows: ParticipationRow[] = await this.dataSource.query(
      `SELECT ${PARTICIPATION_COLUMNS} FROM registry.dip_participation d WHERE d.company_juristic_id = ANY($1::text[]) AND ${SHOWN_UNDER_COMPANY}
       ORDER BY d.company_juristic_id, d.year DESC, d.programme_code, d.participant_key`,
      [juristicIds],
    );
    return rows.map(toParticipation);
  }

  /** Participations by their keys (`dip-...`), by the unique index on the key. */
  async participationsByKey(keys: readonly string[]): Promise<ProgrammeParticipation[]> {
    const rows: ParticipationRow[] = await this.dataSource.query(
      `SELECT ${PARTICIPATION_COLUMNS} FROM registry.dip_participation d WHERE ${participationKeySql('d')} = ANY($1::text[])`,
      [keys],
    );
    return rows.map(toParticipation);
  }

  /** Industry 4.0 assessments linked to these companies and shown under them, newest first. */
  async assessmentsOf(juristicIds: readonly string[]): Promise<Industry40Assessment[]> {
    const rows: AssessmentRow[] = await this.dataSource.query(
      `SELECT ${ASSESSMENT_COLUMNS} FROM registry.dip_i40_assessment d WHERE d.company_juristic_id = ANY($1::text[]) AND ${SHOWN_UNDER_COMPANY}
       ORDER BY d.company_juristic_id, d.assessed_on DESC, d.overall_level DESC, d.participant_key`,
      [juristicIds],
    );
    return rows.map(toAssessment);
  }

  /** Assessments by their keys (`dip-...`), by the unique index on the key. */
  async assessmentsByKey(keys: readonly string[]): Promise<Industry40Assessment[]> {
    const rows: AssessmentRow[] = await this.dataSource.query(
      `SELECT ${ASSESSMENT_COLUMNS} FROM registry.dip_i40_assessment d WHERE ${assessmentKeySql('d')} = ANY($1::text[])`,
      [keys],
    );
    return rows.map(toAssessment);
  }
}
