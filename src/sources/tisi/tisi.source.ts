import type { SourceDefinition } from '../../ingestion/source-definition';
import type { LinkTarget } from '../../linking/link-target';
import { normaliseCompanyName } from '../dbd/company-name';
import { dbdCompanySource } from '../dbd/dbd.source';
import { diwFactorySource, FACTORY_LINKS } from '../diw/diw.source';
import { parseTisiLicences, parseTisiStandards, reparseTisiLicence, reparseTisiStandard } from './tisi.parser';
import type { TisLicenceRecord, TisStandardRecord } from './tisi.record';

/** Default schedule of the TISI standards load: daily at 02:30 Bangkok time. */
export const TISI_STANDARDS_DEFAULT_SCHEDULE = '30 2 * * *';
/** Default schedule of the TISI licences load: daily at 02:45 Bangkok time. */
export const TISI_LICENCES_DEFAULT_SCHEDULE = '45 2 * * *';

/**
 * Licences are linked to their licensees: by tax ID, else by name in the province of the licensed
 * plant (TISI gives no address: the plant's, when DIW lists it). A licensee's tax ID that is no
 * company's is an individual's personal ID: such a licence is never linked by name.
 */
export const TIS_LICENCE_LINKS: LinkTarget = {
  id: 'tis_licence',
  table: 'registry.tis_licence',
  key: ['licence_no'],
  taxId: 'licensee_tax_id',
  name: 'licensee_name_normalised',
  province: `(SELECT f.province FROM ${FACTORY_LINKS.table} f WHERE f.fid = t.fid)`,
  // A factory run may move the province of the licences of the plants it changed.
  provinceFrom: { table: FACTORY_LINKS.table, rows: `t.fid IN (SELECT f.fid FROM ${FACTORY_LINKS.table} f WHERE f.source_run_id = $1)` },
  derived: true,
  namesOnlyWithoutTaxId: true,
};

export const tisiStandardSource: SourceDefinition<TisStandardRecord> = {
  id: 'tisi-standards',
  title: 'TISI industrial standards (มอก.)',
  agency: 'Thai Industrial Standards Institute',
  // The whole list each time: standards missing from it are marked absent.
  mode: 'snapshot',
  feed: {
    variablePrefix: 'TISI_STANDARDS',
    urlDescription: 'the TISI standards CSV',
    simulatorPath: '/tisi/standards.csv',
    defaultSchedule: TISI_STANDARDS_DEFAULT_SCHEDULE,
    scheduleDescription: 'the TISI standards load',
  },
  staleAfterHours: 48,
  read: async function* (context) {
    yield* parseTisiStandards(await context.fetchStream(context.feedUrl), context);
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
  feed: {
    variablePrefix: 'TISI_LICENCES',
    urlDescription: 'the TISI licences CSV',
    simulatorPath: '/tisi/licences.csv',
    defaultSchedule: TISI_LICENCES_DEFAULT_SCHEDULE,
    scheduleDescription: 'the TISI licences load',
  },
  // Licensees are companies; a licence's province is its plant's.
  after: [dbdCompanySource.id, diwFactorySource.id, tisiStandardSource.id],
  staleAfterHours: 48,
  read: async function* (context) {
    yield* parseTisiLicences(await context.fetchStream(context.feedUrl), context);
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
  derive: {
    links: TIS_LICENCE_LINKS,
    // Valid licences are known for every firm once the register has loaded.
    wholeRegister: { attribute: 'validLicenceStandards', criterion: 'tisiLicence' },
  },
};
