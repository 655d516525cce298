import { SourceRegistry } from '../../src/sources/registry';

/** `npm run hub -- ingest <name>` takes a source ID or an agency's name. */
describe('source names', () => {
  const registry = new SourceRegistry();

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
