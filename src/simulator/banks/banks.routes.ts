/** Routes of the simulated partner banks: each publishes its loan product catalogue as JSON. */
import { z } from 'zod';
import { parseQuery, sendJson, type Route, type RouteContext } from '../routing';
import { bankCatalogue, type SimulatedBank } from './bank-catalogue.feed';

const catalogueQuerySchema = z.object({
  /** 2: the revised catalogue (a changed rule set, a reworded rate). */
  edition: z.coerce.number().int().min(1).max(2).default(1),
  fault: z.enum(['http500', 'html', 'bad-rule']).optional(),
});

const MAINTENANCE_PAGE = '<!DOCTYPE html><html lang="th"><head><meta charset="utf-8"><title>ปิดปรับปรุงระบบ</title></head><body><h1>ขออภัย ระบบอยู่ระหว่างการปรับปรุง</h1></body></html>\n';

function sendCatalogue(context: RouteContext, bank: SimulatedBank): void {
  const query = parseQuery(catalogueQuerySchema, context.query);
  const { res } = context;
  if (query.fault === 'http500') return sendJson(res, 500, { error: 'internal server error', detail: 'simulated fault' });
  if (query.fault === 'html') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(MAINTENANCE_PAGE);
    return;
  }
  sendJson(res, 200, bankCatalogue(bank, { edition: query.edition === 2 ? 2 : 1, badRule: query.fault === 'bad-rule' }));
}

export const BANK_ROUTES: readonly Route[] = [
  {
    path: '/banks/smed/products.json',
    description: 'SME D Bank loan products with their eligibility rules (edition=2: revised; fault=bad-rule: one invalid rule)',
    handle: (context) => sendCatalogue(context, 'SMED'),
  },
  {
    path: '/banks/exim/products.json',
    description: 'EXIM Bank loan products with their eligibility rules (edition=2: revised; fault=bad-rule: one invalid rule)',
    handle: (context) => sendCatalogue(context, 'EXIM'),
  },
];
