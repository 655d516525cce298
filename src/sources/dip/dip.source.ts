import type { SourceDefinition } from '../../ingestion/source-definition';
import type { LinkTarget } from '../../linking/link-target';
import { normaliseCompanyName } from '../dbd/company-name';
import { dbdCompanySource } from '../dbd/dbd.source';
import { readCkanDatastore } from './ckan-datastore';
import { DIP_I40_SPEC, DIP_PARTICIPATION_SPEC, participantKey, reparseDipI40Assessment, reparseDipParticipation } from './dip.parser';
import type { DipI40AssessmentRecord, DipParticipationRecord } from './dip.record';

/** Default schedule of the DIP participations load: daily at 04:00 Bangkok time (after the DBD loads). */
export const DIP_PARTICIPATIONS_DEFAULT_SCHEDULE = '0 4 * * *';
/** Default schedule of the DIP Industry 4.0 assessments load: daily at 04:15 Bangkok time. */
export const DIP_I40_ASSESSMENTS_DEFAULT_SCHEDULE = '15 4 * * *';

/** Participations are linked to their participants: by juristic ID, else by name in the participation's province. */
export const DIP_PARTICIPATION_LINKS: LinkTarget = {
  id: 'dip_participation',
  table: 'registry.dip_participation',
  key: ['participant_key', 'programme_code', 'year'],
  taxId: 'juristic_id',
  name: 'company_name_normalised',
  province: 't.province',
  // Profiles do not count participations.
  derived: false,
};

/** Assessments are linked by juristic ID, else by name nationwide: the resource has no province. */
export const DIP_I40_LINKS: LinkTarget = {
  id: 'dip_i40_assessment',
  table: 'registry.dip_i40_assessment',
  key: ['participant_key', 'assessed_on'],
  taxId: 'juristic_id',
  name: 'company_name_normalised',
  province: 'NULL::text',
  derived: true,
};

/** DIP's CKAN resources, on the simulator (its resource IDs). */
const CKAN_SEARCH = '/dip/api/3/action/datastore_search';

export const dipParticipationSource: SourceDefinition<DipParticipationRecord> = {
  id: 'dip-participations',
  title: 'DIP support programme participations',
  agency: 'Department of Industrial Promotion',
  // The resource holds every participation: one missing from it is marked absent.
  mode: 'snapshot',
  feed: {
    variablePrefix: 'DIP_PARTICIPATIONS',
    urlDescription: 'DIP\'s CKAN `datastore_search` for the participations resource (with its `resource_id`; `limit=` sets the page size)',
    simulatorPath: `${CKAN_SEARCH}?resource_id=6c2e1f0a-4b7d-4e29-9c1a-3f5d8b2a7e01`,
    defaultSchedule: DIP_PARTICIPATIONS_DEFAULT_SCHEDULE,
    scheduleDescription: 'the DIP participations load',
  },
  after: [dbdCompanySource.id],
  staleAfterHours: 48,
  read: (context) => readCkanDatastore(context.feedUrl, context, DIP_PARTICIPATION_SPEC),
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
  derive: { links: DIP_PARTICIPATION_LINKS },
};

export const dipI40AssessmentSource: SourceDefinition<DipI40AssessmentRecord> = {
  id: 'dip-i40-assessments',
  title: 'DIP Industry 4.0 self-assessments',
  agency: 'Department of Industrial Promotion',
  mode: 'snapshot',
  feed: {
    variablePrefix: 'DIP_I40_ASSESSMENTS',
    urlDescription: 'DIP\'s CKAN `datastore_search` for the Industry 4.0 assessments resource (with its `resource_id`)',
    simulatorPath: `${CKAN_SEARCH}?resource_id=b91d4a7e-2c3f-4a8b-8e6d-0f7c5a9b3d12`,
    defaultSchedule: DIP_I40_ASSESSMENTS_DEFAULT_SCHEDULE,
    scheduleDescription: 'the DIP Industry 4.0 assessments load',
  },
  after: [dbdCompanySource.id],
  staleAfterHours: 48,
  read: (context) => readCkanDatastore(context.feedUrl, context, DIP_I40_SPEC),
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
  derive: { links: DIP_I40_LINKS },
};
