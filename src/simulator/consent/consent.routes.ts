/** Routes of the simulated ministry consent registry: every consent it holds, as one JSON document. */
import { z } from 'zod';
import { bangkokDate } from '../../shared/calendar';
import { parseQuery, sendJson, type Route, type RouteContext } from '../routing';
import { CONSENT_REGISTRY_NAME, consentRegistry, consentRegistryTruth, type ConsentRegistryOptions } from './consent-registry.feed';

const registryQuerySchema = z.object({
  /** 2: the registry a few months later (consents extended, re-granted, revoked, dropped, added). */
  revision: z.coerce.number().int().min(1).max(2).default(1),
  fault: z.enum(['http500', 'html', 'bad-row']).optional(),
  /** The day statuses are counted on (stats only); default today in Bangkok. */
  today: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
});

const MAINTENANCE_PAGE = '<!DOCTYPE html><html lang="th"><head><meta charset="utf-8"><title>ปิดปรับปรุงระบบ</title></head><body><h1>ขออภัย ระบบอยู่ระหว่างการปรับปรุง</h1></body></html>\n';

function registryOptions(context: RouteContext): ConsentRegistryOptions & { query: z.output<typeof registryQuerySchema> } {
  const query = parseQuery(registryQuerySchema, context.query);
  return { seed: context.options.seed, scale: context.options.scale, revision: query.revision === 2 ? 2 : 1, badRow: query.fault === 'bad-row', query };
}

export const CONSENT_ROUTES: readonly Route[] = [
  {
    path: '/moi/consent-registry.json',
    description: 'The ministry’s consent registry: companies’ consents to the partner banks (revision=2: a later state; fault=bad-row: one invalid entry)',
    handle(context) {
      const { query, ...options } = registryOptions(context);
      const { res } = context;
      if (query.fault === 'http500') return sendJson(res, 500, { error: 'internal server error', detail: 'simulated fault' });
      if (query.fault === 'html') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(MAINTENANCE_PAGE);
        return;
      }
      sendJson(res, 200, { registry: CONSENT_REGISTRY_NAME, publishedOn: options.revision === 2 ? '2026-10-01' : '2026-07-01', consents: consentRegistry(options) });
    },
  },
  {
    path: '/moi/consent-registry.stats.json',
    description: 'What a correct load of the consent registry yields: entries, bad entries, and statuses by bank on a day (today=YYYY-MM-DD)',
    handle(context) {
      const { query, ...options } = registryOptions(context);
      sendJson(context.res, 200, consentRegistryTruth(options, query.today ?? bangkokDate()));
    },
  },
];
