import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * Apollo keeps each validated document by its text, the query analysis keeps its measures per
 * document, and the compiled executor keeps a compiled operation per document (docs/performance.md):
 * all three are shared by every client. What depends on the caller (introspection allowed, the cost
 * budget of the role) must still be decided for each request, whoever sent the same text before.
 */
jest.setTimeout(120_000);

describe('documents cached across clients', () => {
  let t: TestHub;
  let keys: Awaited<ReturnType<TestHub['createApiKeys']>>;

  beforeAll(async () => {
    // A small budget for banks: the page below (cost 701) fits the analyst's 50,000, not the bank's 500.
    t = await startTestHub({ scale: 300, env: { QUERY_MAX_COST: 'bank=500' } });
    keys = await t.createApiKeys();
  }, 300_000);
  afterAll(async () => {
    await t?.stop();
  });

  const codesOf = (body: { errors?: { extensions?: { code?: unknown } }[] }): unknown[] => (body.errors ?? []).map((e) => e.extensions?.code);

  test('an introspection document accepted for an analyst is refused to a bank, and back again', async () => {
    const text = '{ __schema { queryType { name } } }';
    const first = await t.graphql(text, {}, keys.analyst);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const bank = await t.graphql(text, {}, keys.smed);
    expect(bank.status).toBe(403);
    expect(codesOf(bank.body)).toEqual(['FORBIDDEN']);
    expect(bank.body.data).toBeUndefined();
    const again = await t.graphql(text, {}, keys.analyst);
    expect(again.body).toEqual(first.body);
  });

  test('a document run by a role with a large budget is still costed against a bank’s budget', async () => {
    const text = '{ companies(first: 100) { edges { node { juristicId factories(first: 5) { edges { node { fid } } } } } } }';
    for (let run = 0; run < 2; run += 1) {
      const analyst = await t.graphql(text, {}, keys.analyst);
      expect(analyst.body.errors).toBeUndefined();
      const bank = await t.graphql(text, {}, keys.smed);
      expect(bank.status).toBe(400);
      expect(codesOf(bank.body)).toEqual(['QUERY_TOO_COMPLEX']);
      expect(bank.body.errors?.[0]?.extensions).toMatchObject({ measure: 'cost', value: 701, limit: 500 });
    }
    // And the other way round: a bank's refusal is not remembered for the analyst.
    expect((await t.graphql(text, {}, keys.analyst)).body.errors).toBeUndefined();
  });

  test('a query a role may not call is refused to it whoever ran the same text first', async () => {
    // Quarantined rows are for admins only; a bank gets FORBIDDEN on the field.
    const text = '{ quarantinedRows(first: 1) { totalCount } }';
    const admin = await t.graphql(text, {}, keys.admin);
    expect(admin.body.errors).toBeUndefined();
    for (let run = 0; run < 2; run += 1) {
      const bank = await t.graphql(text, {}, keys.smed);
      expect(codesOf(bank.body)).toEqual(['FORBIDDEN']);
      expect(bank.body.data).toBeNull();
    }
  });
});
