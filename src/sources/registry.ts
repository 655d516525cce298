import type { SourceDefinition } from '../ingestion/source-definition';
import { eximProductSource, smedProductSource } from './banks/bank-product.source';
import { consentRegistrySource } from './consent/consent-registry.source';
import { dbdCompanySource, dbdFinancialStatementSource } from './dbd/dbd.source';
import { diwFactorySource } from './diw/diw.source';
import { dipI40AssessmentSource, dipParticipationSource } from './dip/dip.source';
import { oieMpiSource } from './oie/oie.source';
import { tisiLicenceSource, tisiStandardSource } from './tisi/tisi.source';

/** A source of any record type (its parser and its column mappers agree on the type). */
export type AnySource = SourceDefinition<unknown>;

/** Every agency source the hub loads. Adding an agency: one folder under src/sources/ and one line here. */
const ALL_SOURCES: AnySource[] = [diwFactorySource, dbdCompanySource, dbdFinancialStatementSource, tisiStandardSource, tisiLicenceSource, dipParticipationSource, dipI40AssessmentSource, oieMpiSource, smedProductSource, eximProductSource, consentRegistrySource];

/**
 * An order in which a first load of an empty hub finds, at each run, what it links to already
 * loaded (companies before the factories, licences and programmes that name them).
 */
export const INITIAL_LOAD_ORDER = ['dbd-companies', 'dbd-financials', 'diw', 'tisi-standards', 'tisi-licences', 'dip-participations', 'dip-i40-assessments', 'oie-mpi', 'smed-products', 'exim-products', 'consent-registry'] as const;

export class SourceRegistry {
  private readonly byId: Map<string, AnySource>;

  constructor(sources: AnySource[] = ALL_SOURCES) {
    this.byId = new Map(sources.map((s) => [s.id, s]));
    if (this.byId.size !== sources.length) throw new Error('two sources share an id');
  }

  get(id: string): AnySource | undefined {
    return this.byId.get(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  /**
   * The sources a name stands for: a source ID itself, or an agency's prefix (`dbd`: dbd-companies
   * then dbd-financials), in registry order (the order a first load takes). Empty when none.
   */
  resolve(name: string): string[] {
    if (this.byId.has(name)) return [name];
    return this.ids().filter((id) => id.startsWith(`${name}-`));
  }

  all(): AnySource[] {
    return [...this.byId.values()];
  }
}
