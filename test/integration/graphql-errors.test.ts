import { createRootLogger } from '../../src/platform/logging/logger';
import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * An unexpected failure inside a GraphQL request (here the database refusing a statement, as when
 * a table is missing) reaches the client masked, with INTERNAL_SERVER_ERROR and no SQL or stack,
 * and reaches the log with the request's ID, so an operator can find it from the client's report.
 */
describe('Internal errors in GraphQL requests', () => {
  let t: TestHub;
  let analyst: string;
  const logged: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const destination = { write: (line: string): void => void logged.push(JSON.parse(line) as Record<string, unknown>) };
    t = await startTestHub({ scale: 200, logger: createRootLogger('info', destination) });
    analyst = await t.createApiKey('analyst');
  });
  afterAll(async () => {
    await t?.stop();
  });

  test('are masked for the client and logged with the request ID the response carries', async () => {
    const sql = (text: string): Promise<unknown> => t.hub.database.dataSource.query(text);
    await sql('ALTER TABLE registry.tis_standard RENAME TO tis_standard_hidden');
    let response: Response;
    try {
      response = await fetch(t.graphqlUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${analyst}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ tisStandards(first: 1) { edges { node { tisNo } } } }' }),
      });
    } finally {
      await sql('ALTER TABLE registry.tis_standard_hidden RENAME TO tis_standard');
    }
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const text = await response.text();
    const body = JSON.parse(text) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(body.errors[0]!.message).toContain('x-request-id');
    // Nothing of the cause leaks: no table name, no SQL, no stack.
    expect(text).not.toMatch(/tis_standard|relation|SELECT|at \//);

    const entry = logged.find((line) => line['requestId'] === requestId && line['level'] === 'error');
    expect(entry).toBeDefined();
    expect(entry!['msg']).toBe('unexpected error in a GraphQL request');
    // The log keeps what the client was not told: the database's own message.
    expect(JSON.stringify(entry!['err'])).toContain('tis_standard');

    // The same hub answers the next request normally.
    const { body: after } = await t.graphql('{ tisStandards(first: 1) { totalCount } }', {}, analyst);
    expect(after.errors).toBeUndefined();
  });
});
