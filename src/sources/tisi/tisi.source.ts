import type { SourceDefinition } from '../../ingestion/source-definition';
import { normaliseCompanyName } from '../dbd/company-name';
import { parseTisiLicences, parseTisiStandards, reparseTisiLicence, reparseTisiStandard } from './tisi.parser';
import type { TisLicenceRecord, TisStandardRecord } from './tisi.record';

/** Default schedule of the TISI standards load: daily at 02:30 Bangkok time. */
export const TISI_STANDARDS_DEFAULT_SCHEDULE = '30 2 * * *';
/** Default schedule of the TISI licences load: daily at 02:45 Bangkok time. */
export const TISI_LICENCES_DEFAULT_SCHEDULE = '45 2 * * *';

export const tisiStandardSource: SourceDefinition<TisStandardRecord> = {
  id: 'tisi-standards',
  title: 'TISI industrial standards (มอก.)',
  agency: 'Thai Industrial Standards Institute',
  // The whole list each time: standards missing from it are marked absent.
  mode: 'snapshot',
  feedUrl: (config) => config.sources.tisiStandards.feedUrl,
  schedule: (config) => config.sources.tisiStandards.schedule,
  staleAfterHours: 48,
  read: async function* (context) {
    yield* parseTisiStandards(await context.fetchStream(context.config.sources.tisiStandards.feedUrl), context);
  },
  reparse: reparseTisiStandard,
  target: {
    table: 'registry.tis_standard',
    key: ['tis_no'],
    columns: [
      { name: 'tis_no', type: 'text', value: (r) => r.tisNo },
      { name: 'number', type: 'integer', value: (r) => r.number },
      { name: 'year_be', type: 'integer', value: (r) => r.yearBe },
      { name: 'year_ce', type: 'integer', value: (r) => r.yearCe },
      { name: 'name_th', type: 'text', value: (r) => r.nameTh },
      { name: 'mandatory', type: 'boolean', value: (r) => r.mandatory },
      { name: 'status', type: 'text', value: (r) => r.status },
      { name: 'status_text', type: 'text', value: (r) => r.statusText },
    ],
  },
};

export const tisiLicenceSource: SourceDefinition<TisLicenceRecord> = {
  id: 'tisi-licences',
  title: 'TISI licences to use a standard mark',
  agency: 'Thai Industrial Standards Institute',
  // The whole register each time (cancelled licences included): missing licences are marked absent.
  mode: 'snapshot',
  feedUrl: (config) => config.sources.tisiLicences.feedUrl,
  schedule: (config) => config.sources.tisiLicences.schedule,
  staleAfterHours: 48,
  read: async function* (context) {
    yield* parseTisiLicences(await context.fetchStream(context.config.sources.tisiLicences.feedUrl), context);
  },
  reparse: reparseTisiLicence,
  target: {
    table: 'registry.tis_licence',
    key: ['licence_no'],
    columns: [
      { name: 'licence_no', type: 'text', value: (r) => r.licenceNo },
      { name: 'licence_type', type: 'text', value: (r) => r.licenceType },
      { name: 'issued_on', type: 'date', value: (r) => r.issuedOn },
      { name: 'tis_no', type: 'text', value: (r) => r.tisNo },
      { name: 'licensee_name', type: 'text', value: (r) => r.licenseeName },
      { name: 'licensee_tax_id', type: 'text', value: (r) => r.licenseeTaxId },
      // The linking key of the licensee's name, the same normaliser as DBD's company names.
      { name: 'licensee_name_normalised', type: 'text', value: (r) => normaliseCompanyName(r.licenseeName ?? '') },
      { name: 'fid', type: 'text', value: (r) => r.fid },
      { name: 'status', type: 'text', value: (r) => r.status },
      { name: 'status_text', type: 'text', value: (r) => r.statusText },
      { name: 'suspended_on', type: 'date', value: (r) => r.suspendedOn },
      { name: 'cancelled_on', type: 'date', value: (r) => r.cancelledOn },
    ],
  },
};
