import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging/logger';
import type { HubMetrics } from './metrics';

export const METRICS_PATH = '/metrics';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Answers a scrape: the exposition text, or 500 when the registry itself fails. */
export async function writeMetrics(metrics: HubMetrics, res: http.ServerResponse): Promise<void> {
  try {
    const text = await metrics.text();
    res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
    res.end(text);
  } catch (error) {
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`metrics unavailable: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

/**
 * METRICS_PORT: `GET /metrics` with no API key, for a scraper on a private interface (METRICS_HOST,
 * loopback by default). It serves nothing else. This is also where a worker-only process, which
 * has no API port, is scraped.
 */
export async function startMetricsServer(options: { metrics: HubMetrics; host: string; port: number; logger: Logger }): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== METRICS_PATH) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not found: this port serves GET /metrics only\n');
      return;
    }
    void writeMetrics(options.metrics, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = `http://${host}:${port}${METRICS_PATH}`;
  options.logger.child({ component: 'metrics' }).info({ url }, `metrics served without a key on ${url}`);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
