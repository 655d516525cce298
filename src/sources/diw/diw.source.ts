import type { SourceDefinition } from '../../ingestion/source-definition';
import type { LinkTarget } from '../../linking/link-target';
import { normaliseCompanyName } from '../dbd/company-name';
import { dbdCompanySource } from '../dbd/dbd.source';
import { parseDiwFactories, reparseDiwRow } from './diw.parser';
import type { FactoryRecord } from './diw.record';

/** Default schedule of the DIW load: daily at 02:00 Bangkok time (DIW updates its open data daily). */
export const DIW_DEFAULT_SCHEDULE = '0 2 * * *';

/**
 * FFLAG decoding. Assumed, not confirmed by DIW: 0 permitted, 1 operating, 2 closed,
 * 3 temporarily stopped. The raw code is stored beside the decoded status.
 */
export const FACTORY_STATUS_BY_FLAG: Record<string, FactoryStatusCode> = {
  '0': 'PERMITTED',
  '1': 'OPERATING',
  '2': 'CLOSED',
  '3': 'TEMPORARILY_STOPPED',
};
export type FactoryStatusCode = 'PERMITTED' | 'OPERATING' | 'CLOSED' | 'TEMPORARILY_STOPPED' | 'UNKNOWN';

/** Factories are linked to their operators: by TRADE when DIW gives it, else by name in the factory's province. */
export const FACTORY_LINKS: LinkTarget = {
  id: 'factory',
  table: 'registry.factory',
  key: ['fid'],
  taxId: 'operator_tax_id',
  name: 'operator_name_normalised',
  province: 't.province',
  derived: true,
};

export const diwFactorySource: SourceDefinition<FactoryRecord> = {
  id: 'diw',
  title: 'DIW factory registry (Factory_Data)',
  agency: 'Department of Industrial Works',
  // DIW publishes the whole registry each time: factories missing from it are marked absent.
  mode: 'snapshot',
  feed: {
    variablePrefix: 'DIW',
    urlDescription: 'the DIW factory CSV',
    simulatorPath: '/diw/factories.csv',
    defaultSchedule: DIW_DEFAULT_SCHEDULE,
    scheduleDescription: 'the DIW factory load',
  },
  after: [dbdCompanySource.id],
  staleAfterHours: 48,
  read: async function* (context) {
    yield* parseDiwFactories(await context.fetchStream(context.feedUrl), context);
  },
  reparse: reparseDiwRow,
  target: {
    table: 'registry.factory',
    key: ['fid'],
    columns: [
      { name: 'fid', type: 'text', value: (r) => r.fid },
      { name: 'legacy_reg_no', type: 'text', value: (r) => r.legacyRegNo },
      { name: 'display_reg_no', type: 'text', value: (r) => r.displayRegNo },
      { name: 'factory_type', type: 'text', value: (r) => r.factoryType },
      { name: 'name', type: 'text', value: (r) => r.name },
      { name: 'operator_name', type: 'text', value: (r) => r.operatorName },
      { name: 'operator_tax_id', type: 'text', value: (r) => r.operatorTaxId },
      // The linking key of the operator's name, the same normaliser as DBD's company names.
      { name: 'operator_name_normalised', type: 'text', value: (r) => normaliseCompanyName(r.operatorName ?? '') },
      { name: 'objective', type: 'text', value: (r) => r.objective },
      { name: 'address', type: 'text', value: (r) => r.address },
      { name: 'moo', type: 'text', value: (r) => r.moo },
      { name: 'soi', type: 'text', value: (r) => r.soi },
      { name: 'road', type: 'text', value: (r) => r.road },
      { name: 'subdistrict', type: 'text', value: (r) => r.subdistrict },
      { name: 'district', type: 'text', value: (r) => r.district },
      { name: 'province', type: 'text', value: (r) => r.province },
      { name: 'capital_baht', type: 'numeric(18,2)', value: (r) => r.capitalBaht },
      { name: 'workers', type: 'integer', value: (r) => r.workers },
      { name: 'horsepower', type: 'numeric(14,2)', value: (r) => r.horsepower },
      { name: 'latitude', type: 'double precision', value: (r) => r.lat },
      { name: 'longitude', type: 'double precision', value: (r) => r.lng },
      { name: 'isic_code', type: 'text', value: (r) => r.isicCode },
      { name: 'estate_code', type: 'text', value: (r) => r.estateCode },
      { name: 'estate_name', type: 'text', value: (r) => r.estateName },
      { name: 'status_code', type: 'text', value: (r) => r.statusCode },
      { name: 'status', type: 'text', value: (r) => (r.statusCode && FACTORY_STATUS_BY_FLAG[r.statusCode]) || 'UNKNOWN' },
      { name: 'source_updated_at', type: 'date', value: (r) => r.sourceUpdatedAt },
    ],
  },
  derive: {
    links: FACTORY_LINKS,
    // Operating factories are counted for every firm once the registry has loaded.
    wholeRegister: { attribute: 'operatingFactories', criterion: 'operatingFactory' },
  },
};
