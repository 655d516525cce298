import fs from 'node:fs';
import path from 'node:path';
import { INITIAL_LOAD_ORDER, hubSources } from '../../src/sources/registry';
import { firstLoadOrder, SourceRegistry } from '../../src/ingestion/source-registry';

/** `npm run hub -- ingest <name>` takes a source ID or an agency's name. */
describe('source names', () => {
  const registry = hubSources();

  test('a source ID names itself', () => {
    expect(registry.resolve('dbd-financials')).toEqual(['dbd-financials']);
    expect(registry.resolve('diw')).toEqual(['diw']);
  });

  test("an agency's name names its sources, the register before what refers to it", () => {
    expect(registry.resolve('dbd')).toEqual(['dbd-companies', 'dbd-financials']);
    expect(registry.resolve('tisi')).toEqual(['tisi-standards', 'tisi-licences']);
    expect(registry.resolve('dip')).toEqual(['dip-participations', 'dip-i40-assessments']);
  });

  test('an unknown name, or part of a word, names nothing', () => {
    expect(registry.resolve('db')).toEqual([]);
    expect(registry.resolve('bot')).toEqual([]);
  });
});

/** Sources describe themselves (issue 13): their order, links and derivations come from their definitions. */
describe('self-describing sources', () => {
  const registry = hubSources();

  test('a fresh hub loads each source after the sources it names in `after`, registers first', () => {
    const order = registry.firstLoadOrder();
    expect(order.slice(0, 2)).toEqual(['dbd-companies', 'dbd-financials']);
    for (const source of registry.all()) {
      for (const before of source.after ?? []) expect({ before, after: source.id, inOrder: order.indexOf(before) < order.indexOf(source.id) }).toEqual({ before, after: source.id, inOrder: true });
    }
    expect(INITIAL_LOAD_ORDER).toEqual(order);
  });

  test('a dependency cycle or an unknown source in `after` is refused', () => {
    const [a, b] = registry.all();
    expect(() => firstLoadOrder([{ ...a!, after: [b!.id] }, { ...b!, after: [a!.id] }])).toThrow(/cycle/);
    expect(() => firstLoadOrder([{ ...a!, after: ['nowhere'] }])).toThrow(/"nowhere", which is not a source/);
  });

  test('each linked table is declared by the source that loads it', () => {
    const targets = registry.linkTargets();
    expect(targets.map((t) => t.id).sort()).toEqual(['dip_i40_assessment', 'dip_participation', 'factory', 'tis_licence']);
    const linked = registry.all().find((s) => s.derive?.links)!;
    const moved = registry.all().map((s) => (s === linked ? { ...s, target: { ...s.target, table: 'registry.elsewhere' } } : s));
    expect(() => new SourceRegistry(moved)).toThrow(/not the table it loads/);
  });

  test('no code outside a source\'s folder names a source ID', () => {
    const root = path.resolve(__dirname, '..', '..', 'src');
    const ids = registry.ids();
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        const relative = path.relative(root, file);
        if (entry.isDirectory()) {
          // The sources themselves, and the agency simulator, which serves them.
          if (relative !== 'sources' && relative !== 'simulator') walk(file);
        } else if (file.endsWith('.ts')) {
          // A public export's name may coincide with a source ID (`/exports/dip-participations.ndjson`): a URL, not a dispatch.
          const text = fs.readFileSync(file, 'utf8').replace(/exportName: '[a-z0-9-]+'/g, '');
          // As a string in code (descriptions may name one between backquotes, as an example).
          for (const id of ids) if (text.includes(`'${id}'`) || text.includes(`"${id}"`)) offenders.push(`${relative}: ${id}`);
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
