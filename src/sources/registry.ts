import type { FeedDeclaration } from '../config/config';
import type { SourceDefinition } from '../ingestion/source-definition';
import type { LinkTarget } from '../linking/link-target';
import { eximProductSource, smedProductSource } from './banks/bank-product.source';
import { consentRegistrySource } from './consent/consent-registry.source';
import { dbdCompanySource, dbdFinancialStatementSource } from './dbd/dbd.source';
import { diwFactorySource } from './diw/diw.source';
import { dipI40AssessmentSource, dipParticipationSource } from './dip/dip.source';
import { oieMpiSource } from './oie/oie.source';
import { tisiLicenceSource, tisiStandardSource } from './tisi/tisi.source';

/** A source of any record type (its parser and its column mappers agree on the type). */
export type AnySource = SourceDefinition<unknown>;

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

/**
 * The order of a fresh hub's first loads: each source after the sources it names in `after`
 * (registers before the records that name them), otherwise in registry order. Throws on a cycle
 * or an unknown name, so a wrong declaration fails at start-up and in the unit tests.
 */
export function firstLoadOrder(sources: readonly AnySource[]): string[] {
  const byId = new Map(sources.map((s) => [s.id, s]));
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (source: AnySource, path: readonly string[]): void => {
    if (state.get(source.id) === 'done') return;
    if (state.get(source.id) === 'visiting') throw new Error(`sources depend on each other in a cycle: ${[...path, source.id].join(' -> ')}`);
    state.set(source.id, 'visiting');
    for (const id of source.after ?? []) {
      const before = byId.get(id);
      if (!before) throw new Error(`source ${source.id} loads after "${id}", which is not a source`);
      visit(before, [...path, source.id]);
    }
    state.set(source.id, 'done');
    order.push(source.id);
  };
  for (const source of sources) visit(source, []);
  return order;
}

/** Every source in first-load order (see firstLoadOrder): what tests and benchmarks load a world with. */
export const INITIAL_LOAD_ORDER: readonly string[] = firstLoadOrder(ALL_SOURCES);

export class SourceRegistry {
  private readonly byId: Map<string, AnySource>;

  constructor(sources: AnySource[] = ALL_SOURCES) {
    this.byId = new Map(sources.map((s) => [s.id, s]));
    if (this.byId.size !== sources.length) throw new Error('two sources share an id');
    firstLoadOrder(sources);
    const tables = new Map<string, string>();
    for (const target of this.linkTargets()) {
      const owner = sources.find((s) => s.derive?.links === target)!;
      if (target.table !== owner.target.table) throw new Error(`source ${owner.id} links ${target.table}, not the table it loads (${owner.target.table})`);
      if (tables.has(target.id)) throw new Error(`two link targets are called ${target.id}`);
      tables.set(target.id, target.table);
    }
  }

  get(id: string): AnySource | undefined {
    return this.byId.get(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  /**
   * The sources a name stands for: a source ID itself, or an agency's prefix (`dbd`: dbd-companies
   * then dbd-financials), in first-load order. Empty when none.
   */
  resolve(name: string): string[] {
    if (this.byId.has(name)) return [name];
    return this.firstLoadOrder().filter((id) => id.startsWith(`${name}-`));
  }

  all(): AnySource[] {
    return [...this.byId.values()];
  }

  /** Source IDs in the order a fresh hub loads them first (see firstLoadOrder). */
  firstLoadOrder(): string[] {
    return firstLoadOrder(this.all());
  }

  /** Every table whose records are linked to companies, as its source declares it. */
  linkTargets(): LinkTarget[] {
    return this.all().flatMap((s) => (s.derive?.links ? [s.derive.links] : []));
  }

  /** Each source's feed declaration, for the configuration module (src/app/config.ts). */
  feeds(): FeedDeclaration[] {
    return this.all().map((s) => ({ sourceId: s.id, ...s.feed }));
  }
}
