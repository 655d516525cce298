import { getIntrospectionQuery, parse, type GraphQLSchema } from 'graphql';
import { ROLES } from '../../src/access/roles';
import { LIMIT_DEFAULTS } from '../../src/config/config';
import { loadHubConfig } from '../../src/app/config';
import { maskQuarantinedRaw } from '../../src/access/quarantined-raw';
import { checkDocumentText, checkVariablesText } from '../../src/platform/graphql/input-text';
import { asksForIntrospection, expandedFieldCount, MAX_EXPANDED_FIELDS, measureOperation } from '../../src/platform/graphql/query-analysis';
import { buildHubSchema } from '../../src/app/api/schema';

/** The pure parts of issue 14's limits: the cost model, text checks, masking, the role maps. */
let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildHubSchema();
});

const BUDGET = { maxCost: 1_000_000_000, maxDepth: 1000, maxAliases: 1000, maxDirectives: 1000 };
const measure = (query: string, variables: Record<string, unknown> = {}) => measureOperation(schema, parse(query), undefined, variables, BUDGET).measures;

describe('the cost model', () => {
  test('counts the objects a query may read: pages multiply down the tree', () => {
    expect(measure('{ companies(first: 10) { edges { node { juristicId } } } }').cost).toBe(1 + 10 * 1);
    expect(measure('{ companies(first: 100) { edges { node { factories(first: 100) { edges { node { fid } } } } } } }').cost).toBe(1 + 100 * (1 + 1 + 100));
    // The default page size when `first` is left out, and variables are read.
    expect(measure('{ companies { edges { node { juristicId } } } }').cost).toBe(21);
    expect(measure('query ($n: Int) { companies(first: $n) { edges { node { juristicId } } } }', { n: 50 }).cost).toBe(51);
  });

  test('the fan-out of issue 14 costs over a million', () => {
    const bomb = `{ province(codeOrName: "10") { companies(first: 100) { edges { node { province { companies(first: 100) { edges { node {
      province { companies(first: 100) { edges { node { juristicId } } } } } } } } } } } } }`;
    expect(measure(bomb).cost).toBeGreaterThan(1_000_000);
  });

  test('nodes(ids) costs its length; live aggregations carry their fixed cost', () => {
    expect(measure('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: ['a', 'b', 'c'] }).cost).toBe(3);
    expect(measure('{ companyStats(groupBy: [REGION]) { groups { count } } }').cost).toBeGreaterThanOrEqual(100);
  });

  test('lists under lists are priced at their real sizes, counts at a page\'s reading (probe H2)', () => {
    const bank = LIMIT_DEFAULTS.queryMaxCost.bank;
    // 327 industry classes, each scanning for its companies' page.
    expect(measure('{ industryClasses { companies(first: 100) { edges { node { juristicId } } } } }').cost).toBeGreaterThan(bank);
    const counts = measure('{ industryClasses { companies(first: 1) { totalCount } } }').cost;
    expect(counts).toBeGreaterThan(400 * 20);
    // Twenty of those are over any role's budget.
    const aliased = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: industryClasses { companies(first: 1) { totalCount } }`).join(' ')} }`;
    expect(measure(aliased).cost).toBeGreaterThan(LIMIT_DEFAULTS.queryMaxCost.admin);
    // A list with `first` costs that many.
    expect(measure('{ dataSources { lastRuns(first: 100) { runId } } }').cost).toBeGreaterThan(15 * 100);
  });

  test('a breakdown is priced by the groups its dimensions may give (probe H3)', () => {
    const stats = (groupBy: string) => `companyStats(groupBy: [${groupBy}]) { groups { count keys { code nameTh } registeredCapital { sum } } }`;
    const oneDimension = measure(`{ ${stats('REGION')} }`).cost;
    const threeDimensions = measure(`{ ${stats('PROVINCE, TSIC_DIVISION, REGISTRATION_YEAR')} }`).cost;
    expect(threeDimensions).toBeGreaterThan(5 * oneDimension);
    // One large breakdown fits an analyst; thirty aliases of it do not.
    expect(threeDimensions).toBeLessThan(LIMIT_DEFAULTS.queryMaxCost.analyst);
    const aliased = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: ${stats('PROVINCE, TSIC_DIVISION, REGISTRATION_YEAR')}`).join(' ')} }`;
    expect(measure(aliased).cost).toBeGreaterThan(LIMIT_DEFAULTS.queryMaxCost.analyst);
  });

  test('introspection costs nothing, so GraphiQL fits every budget', () => {
    expect(measure(getIntrospectionQuery()).cost).toBe(0);
  });

  test('a fragment spread bomb is measured in linear time and refused by its expanded size', () => {
    const fragments = Array.from({ length: 60 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join('\n');
    const document = parse(`{ ...F0 }\n${fragments}\nfragment F60 on Query { regions { code } }`);
    const started = Date.now();
    expect(expandedFieldCount(document)).toBeGreaterThan(MAX_EXPANDED_FIELDS);
    const { over } = measureOperation(schema, document, undefined, {}, BUDGET);
    expect(over?.measure).toBe('fields');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('reports the first measure over budget, with its value and limit', () => {
    const deep = `{ regions { ${'provinces { region { '.repeat(10)}code${' } }'.repeat(10)} } }`;
    expect(measureOperation(schema, parse(deep), undefined, {}, { ...BUDGET, maxDepth: 10 }).over).toEqual({ measure: 'depth', value: 22, limit: 10 });
    const aliased = `{ ${Array.from({ length: 5 }, (_, i) => `a${i}: regions { code }`).join(' ')} }`;
    expect(measureOperation(schema, parse(aliased), undefined, {}, { ...BUDGET, maxAliases: 4 }).over).toEqual({ measure: 'aliases', value: 5, limit: 4 });
  });

  test('tells introspection from __typename', () => {
    expect(asksForIntrospection(parse('{ __schema { types { name } } }'))).toBe(true);
    expect(asksForIntrospection(parse('{ a: __type(name: "Company") { name } }'))).toBe(true);
    expect(asksForIntrospection(parse('{ __typename regions { code } }'))).toBe(false);
  });
});

describe('text in arguments and variables', () => {
  test('refuses NUL, lone surrogates and over-long text, naming where', () => {
    expect(checkVariablesText({ filter: { nameSearch: 'a\u0000b' } }, 100)).toMatchObject({ argument: 'variables.filter.nameSearch' });
    expect(checkVariablesText({ ids: ['ok', '\ud800x'] }, 100)).toMatchObject({ argument: 'variables.ids[1]' });
    expect(checkVariablesText({ q: 'x'.repeat(101) }, 100)).toMatchObject({ maxLength: 100 });
    expect(checkVariablesText({ q: 'บริษัท 😀' }, 100)).toBeUndefined();
    expect(checkDocumentText(parse('{ province(codeOrName: "a\\u0000") { code } }'), 100)).toBeDefined();
    expect(checkDocumentText(parse('{ province(codeOrName: "ชลบุรี") { code } }'), 100)).toBeUndefined();
  });

  test('refuses variables nested deeper than any input of the schema', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 50; i++) deep = [deep];
    expect(checkVariablesText({ ids: deep }, 100)?.message).toMatch(/nested deeper/);
  });
});

describe('quarantined rows', () => {
  test('keep their shape, lose the persons', () => {
    const raw = {
      juristicId: '0105550497944',
      nameTh: 'บริษัท ตัวอย่าง จำกัด',
      directors: [{ name: 'นายสมชาย ใจดี', position: 'กรรมการ' }],
      shareholders: [
        { name: 'นางสาวมาลี ปัญญาดี', shares: 10, personalId: '4687411957094', nationality: 'ไทย' },
        { name: 'บริษัท ผู้ถือ จำกัด', shares: 5, juristicId: '0205509938607', nationality: 'ไทย' },
      ],
      note: 'call 3101700203451',
      other: '1101700203451',
    };
    expect(maskQuarantinedRaw(raw)).toEqual({
      ...raw,
      directors: [{ name: '***', position: 'กรรมการ' }],
      shareholders: [
        { name: '***', shares: 10, personalId: '***', nationality: 'ไทย' },
        { name: 'บริษัท ผู้ถือ จำกัด', shares: 5, juristicId: '0205509938607', nationality: 'ไทย' },
      ],
      other: '***',
    });
    // A factory or licence row: the operator is masked unless its tax ID is a juristic ID.
    expect(maskQuarantinedRaw({ FID: '1', ONAME: 'นายสมชาย', TRADE: '3101700203451' })).toEqual({ FID: '1', ONAME: '***', TRADE: '***' });
    expect(maskQuarantinedRaw({ FID: '1', ONAME: 'บริษัท ก จำกัด', TRADE: '0105550497944' })).toEqual({ FID: '1', ONAME: 'บริษัท ก จำกัด', TRADE: '0105550497944' });
    expect(maskQuarantinedRaw({ LICENSEE_NAME: 'นาย ข', TAX_ID: '' })).toEqual({ LICENSEE_NAME: '***', TAX_ID: '' });
  });
});

describe('per-role limits in the configuration', () => {
  test('take one number for every role or role=value pairs over the defaults', () => {
    expect(loadHubConfig({ QUERY_MAX_COST: '5000' }).limits.queryMaxCost).toEqual(Object.fromEntries(ROLES.map((role) => [role, 5000])));
    expect(loadHubConfig({ QUERY_MAX_COST: 'bank=10, analyst=7' }).limits.queryMaxCost).toEqual({ ...LIMIT_DEFAULTS.queryMaxCost, bank: 10, analyst: 7 });
    expect(() => loadHubConfig({ QUERY_MAX_COST: 'teller=5' })).toThrow(/QUERY_MAX_COST/);
    expect(() => loadHubConfig({ STATEMENT_TIMEOUT_MS: 'bank=0' })).toThrow(/at least 10/);
    expect(loadHubConfig({ INTROSPECTION_ROLES: 'none' }).limits.introspectionRoles).toEqual([]);
  });

  test('know every role the access module knows', () => {
    expect(Object.keys(LIMIT_DEFAULTS.queryMaxCost).sort()).toEqual([...ROLES].sort());
  });
});
