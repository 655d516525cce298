import { serverAudits } from 'graphql-http';
import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * The GraphQL over HTTP spec's server audit (the `graphql-http` package) against the hub, over real
 * HTTP, with an API key (the hub answers every keyless request UNAUTHENTICATED). Every MUST audit
 * has to pass; the SHOULD audits the hub does not meet are listed in docs/api.md with the reason.
 */
let hub: TestHub;
let key: string;

beforeAll(async () => {
  hub = await startTestHub({ scale: 50 });
  key = await hub.createApiKey('analyst');
});
afterAll(async () => {
  await hub?.stop();
});

const audits = serverAudits({
  url: () => hub.graphqlUrl,
  fetchFn: (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${key}`);
    return fetch(input, { ...init, headers });
  },
});

describe('GraphQL over HTTP audit', () => {
  for (const audit of audits) {
    const must = audit.name.startsWith('MUST');
    test(audit.name, async () => {
      const result = await audit.fn();
      if (result.status === 'ok') return;
      if (must) throw new Error(`${result.reason}${'response' in result ? `: HTTP ${result.response.status}` : ''}`);
      process.stdout.write(`[graphql-http] not met: ${audit.name} (${result.reason})\n`);
    });
  }
});
