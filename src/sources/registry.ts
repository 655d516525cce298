import { firstLoadOrder, SourceRegistry, type AnySource } from '../ingestion/source-registry';
import { eximProductSource, smedProductSource } from './banks/bank-product.source';
import { consentRegistrySource } from './consent/consent-registry.source';
import { dbdCompanySource, dbdFinancialStatementSource } from './dbd/dbd.source';
import { diwFactorySource } from './diw/diw.source';
import { dipI40AssessmentSource, dipParticipationSource } from './dip/dip.source';
import { oieMpiSource } from './oie/oie.source';
import { tisiLicenceSource, tisiStandardSource } from './tisi/tisi.source';

/**
 * Every agency source the hub loads, one line each. Adding an agency: one folder under
 * src/sources/ exporting its SourceDefinition (feed settings, dependencies and derivation hooks
 * included), one line here, a migration for its table, and a route in the agency simulator.
 */
const ALL_SOURCES = [
  dbdCompanySource,
  dbdFinancialStatementSource,
  diwFactorySource,
  tisiStandardSource,
  tisiLicenceSource,
  dipParticipationSource,
  dipI40AssessmentSource,
  oieMpiSource,
  smedProductSource,
  eximProductSource,
  consentRegistrySource,
] as AnySource[];

/** Every source in first-load order (see firstLoadOrder): what tests and benchmarks load a world with. */
export const INITIAL_LOAD_ORDER: readonly string[] = firstLoadOrder(ALL_SOURCES);

/** The hub's sources, checked (see SourceRegistry). */
export function hubSources(): SourceRegistry {
  return new SourceRegistry(ALL_SOURCES);
}
