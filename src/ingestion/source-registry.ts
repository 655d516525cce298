import type { FeedDeclaration } from '../config/config';
import type { LinkTarget } from '../linking/link-target';
import type { SourceDefinition } from './source-definition';

/** A source of any record type (its parser and its column mappers agree on the type). */
export type AnySource = SourceDefinition<unknown>;

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

/**
 * The sources a hub runs, by ID, checked when built: unique IDs, dependencies without a cycle,
 * each link target on its own source's table. The engine, the queue and the derivations take one;
 * src/sources/registry.ts says which sources the hub has.
 */
export class SourceRegistry {
  private readonly byId: Map<string, AnySource>;

  constructor(sources: readonly AnySource[]) {
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

  /** Each source's feed declaration, for the configuration module. */
  feeds(): FeedDeclaration[] {
    return this.all().map((s) => ({ sourceId: s.id, ...s.feed }));
  }
}
