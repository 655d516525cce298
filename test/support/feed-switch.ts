import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A redirecting front for the agency simulator, so a test can turn faults on and off between runs
 * of a hub whose feed URL is fixed: every request is redirected to the simulator with the current
 * extra query (e.g. `fault=http500`). The hub follows the redirect like any HTTP client.
 */
export interface FeedSwitch {
  url: string;
  set(query: string): void;
  /** The next `count` requests answer HTTP 503 themselves (a flaky agency), then redirects resume. */
  failNext(count: number): void;
  /** Requests seen so far. */
  requests(): number;
  close(): Promise<void>;
}

export async function startFeedSwitch(simulatorUrl: string): Promise<FeedSwitch> {
  let extra = '';
  let failures = 0;
  let seen = 0;
  const server = http.createServer((req, res) => {
    seen += 1;
    if (failures > 0) {
      failures -= 1;
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"temporarily unavailable"}');
      return;
    }
    const target = new URL(req.url ?? '/', simulatorUrl);
    for (const [key, value] of new URLSearchParams(extra)) target.searchParams.set(key, value);
    res.writeHead(307, { location: target.toString() }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    set: (query) => {
      extra = query;
    },
    failNext: (count) => {
      failures = count;
    },
    requests: () => seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
