import type { SourceDefinition } from '../../ingestion/source-definition';
import { normaliseCompanyName } from '../dbd/company-name';
import { readCkanDatastore } from './ckan-datastore';
import { DIP_I40_SPEC, DIP_PARTICIPATION_SPEC, participantKey, reparseDipI40Assessment, reparseDipParticipation } from './dip.parser';
import type { DipI40AssessmentRecord, DipParticipationRecord } from './dip.record';

/** Default schedule of the DIP participations load: daily at 04:00 Bangkok time (after the DBD loads). */
export const DIP_PARTICIPATIONS_DEFAULT_SCHEDULE = '0 4 * * *';
/** Default schedule of the DIP Industry 4.0 assessments load: daily at 04:15 Bangkok time. */
export const DIP_I40_ASSESSMENTS_DEFAULT_SCHEDULE = '15 4 * * *';

export const dipParticipationSource: SourceDefinition<DipParticipationRecord> = {
  id: 'dip-participations',
  title: 'DIP support programme participations',
  agency: 'Department of Industrial Promotion',
  // The resource holds every participation: one missing from it is marked absent.
  mode: 'snapshot',
  feedUrl: (config) => config.sources.dipParticipations.feedUrl,
  schedule: (config) => config.sources.dipParticipations.schedule,
  staleAfterHours: 48,
  read: (context) => readCkanDatastore(context.config.sources.dipParticipations.feedUrl, context, DIP_PARTICIPATION_SPEC),
  reparse: reparseDipParticipation,
  target: {
    table: 'registry.dip_participation',
    // The participant is the juristic ID, or the name when DIP left the ID out (see participantKey).
    key: ['participant_key', 'programme_code', 'year'],
    columns: [
      { name: 'participant_key', type: 'text', value: participantKey },
      { name: 'juristic_id', type: 'text', value: (r) => r.juristicId },
      { name: 'company_name', type: 'text', value: (r) => r.companyName },
      { name: 'company_name_normalised', type: 'text', value: (r) => normaliseCompanyName(r.companyName ?? '') },
      { name: 'programme_code', type: 'text', value: (r) => r.programmeCode },
      { name: 'year', type: 'integer', value: (r) => r.year },
      { name: 'programme_name', type: 'text', value: (r) => r.programmeName },
      { name: 'province', type: 'text', value: (r) => r.province },
    ],
  },
};

export const dipI40AssessmentSource: SourceDefinition<DipI40AssessmentRecord> = {
  id: 'dip-i40-assessments',
  title: 'DIP Industry 4.0 self-assessments',
  agency: 'Department of Industrial Promotion',
  mode: 'snapshot',
  feedUrl: (config) => config.sources.dipI40Assessments.feedUrl,
  schedule: (config) => config.sources.dipI40Assessments.schedule,
  staleAfterHours: 48,
  read: (context) => readCkanDatastore(context.config.sources.dipI40Assessments.feedUrl, context, DIP_I40_SPEC),
  reparse: reparseDipI40Assessment,
  target: {
    table: 'registry.dip_i40_assessment',
    key: ['participant_key', 'assessed_on'],
    columns: [
      { name: 'participant_key', type: 'text', value: participantKey },
      { name: 'juristic_id', type: 'text', value: (r) => r.juristicId },
      { name: 'company_name', type: 'text', value: (r) => r.companyName },
      { name: 'company_name_normalised', type: 'text', value: (r) => normaliseCompanyName(r.companyName ?? '') },
      { name: 'assessed_on', type: 'date', value: (r) => r.assessedOn },
      { name: 'overall_level', type: 'numeric(3,2)', value: (r) => r.overallLevel },
      { name: 'smart_operation', type: 'numeric(3,2)', value: (r) => r.smartOperation },
      { name: 'strategy_organisation', type: 'numeric(3,2)', value: (r) => r.strategyOrganisation },
      { name: 'workforce', type: 'numeric(3,2)', value: (r) => r.workforce },
      { name: 'technology_innovation', type: 'numeric(3,2)', value: (r) => r.technologyInnovation },
      { name: 'market_customer_standard', type: 'numeric(3,2)', value: (r) => r.marketCustomerStandard },
      { name: 'it_data', type: 'numeric(3,2)', value: (r) => r.itData },
    ],
  },
};
