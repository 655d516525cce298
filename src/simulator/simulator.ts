/**
 * The agency simulator: a real HTTP server that stands in for the government agencies' feeds
 * (DIW, DBD, TISI, DIP, OIE, the partner banks' product catalogues and the ministry's consent
 * registry), serving a deterministic world so that tests and demos know exactly what the hub must
 * load.
 */
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { BANK_ROUTES } from './banks/banks.routes';
import { CONSENT_ROUTES } from './consent/consent.routes';
import { DBD_ROUTES } from './dbd/dbd.routes';
import { DIW_ROUTES } from './diw/diw.routes';
import { DIP_ROUTES } from './dip/dip.routes';
import { OIE_ROUTES } from './oie/oie.routes';
import { TISI_ROUTES } from './tisi/tisi.routes';
import { BadRequestError, parseQuery, sendJson, type Route } from './routing';

import type { SimulatorOptions } from './simulator-options';

export type { SimulatorOptions } from './simulator-options';
export { diwGroundTruth, type DiwGroundTruth } from './diw/diw.feed';
export { dbdGroundTruth, dbdListingTruth, type DbdGroundTruth, type DbdListingTruth } from './dbd/dbd.feed';
export { licenseeTaxIdWritten, tisiLicencesGroundTruth, tisiStandardsGroundTruth, type TisiGroundTruth, type TisiLicenceGroundTruth } from './tisi/tisi.feed';
export { dipGroundTruth, dipIdWritten, type DipGroundTruth } from './dip/dip.feed';
export { oieMpiGroundTruth, type OieGroundTruth } from './oie/oie.feed';
export { consentRegistry, consentRegistryTruth, type ConsentRegistryTruth, type SimulatedConsent } from './consent/consent-registry.feed';


export interface RunningSimulator {
  /** Base URL, e.g. `http://127.0.0.1:4100` (the bound port when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

const MAX_SCALE = 10_000_000;

/** Any request may override the server's options, e.g. `?seed=7&scale=50`. */
const overridesSchema = z.object({
  seed: z.coerce.number().int().min(0).optional(),
  scale: z.coerce.number().int().min(0).max(MAX_SCALE).optional(),
  quirkRate: z.coerce.number().min(0).max(1).optional(),
  badRowRate: z.coerce.number().min(0).max(1).optional(),
});

const AGENCY_ROUTES: readonly Route[] = [...DIW_ROUTES, ...DBD_ROUTES, ...TISI_ROUTES, ...DIP_ROUTES, ...OIE_ROUTES, ...BANK_ROUTES, ...CONSENT_ROUTES];

export function createSimulatorServer(options: SimulatorOptions): http.Server {
  const routes: Route[] = [
    { path: '/healthz', description: 'Liveness', handle: ({ res }) => sendJson(res, 200, { status: 'ok' }) },
    {
      path: '/',
      description: 'This list',
      handle: ({ res }) => sendJson(res, 200, { routes: routes.map(({ path, description }) => ({ path, description })) }),
    },
    ...AGENCY_ROUTES,
  ];
  const byPath = new Map(routes.map((route) => [route.path, route]));

  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const route = byPath.get(url.pathname);
    const respond = async (): Promise<void> => {
      if (!route) return sendJson(res, 404, { error: 'not found', path: url.pathname });
      if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed', method: req.method });
      const overrides = parseQuery(overridesSchema, url.searchParams);
      const requestOptions: SimulatorOptions = {
        seed: overrides.seed ?? options.seed,
        scale: overrides.scale ?? options.scale,
        quirkRate: overrides.quirkRate ?? options.quirkRate,
        badRowRate: overrides.badRowRate ?? options.badRowRate,
      };
      await route.handle({ req, res, query: url.searchParams, options: requestOptions });
    };
    respond().catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else if (error instanceof BadRequestError) sendJson(res, 400, { error: 'bad query', issues: error.issues });
      else sendJson(res, 500, { error: 'simulator failure', detail: error instanceof Error ? error.message : String(error) });
    });
  });
}

export async function startSimulator(options: SimulatorOptions & { port: number; host: string }): Promise<RunningSimulator> {
  const server = createSimulatorServer(options);
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { address, family, port } = server.address() as AddressInfo;
  const host = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : family === 'IPv6' ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections(); // keep-alive clients must not hold the shutdown
      }),
  };
}
