/** Routes of the simulated Department of Business Development: paged JSON listings and their ground truth. */
import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { parseQuery, sendJson, type Route, type RouteContext } from '../routing';
import { MAX_EPOCH, type DbdListingKind } from './dbd-listing';
import { dbdListingTruth, dbdPage, withColumnFault, type DbdColumnFault } from './dbd.feed';

/** The column faults (`missing-column`, `renamed-column`, `extra-column`) change the items' fields: see `DBD_COLUMN_FAULTS`. */
export const DBD_FAULTS = ['http500', 'html', 'truncate', 'slow', 'missing-column', 'renamed-column', 'extra-column'] as const;
export const DBD_MAX_PAGE_SIZE = 10_000;

const listingQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(DBD_MAX_PAGE_SIZE).default(1000),
  updatedSince: z
    .string()
    .refine((value) => !Number.isNaN(Date.parse(value)), { message: 'expected an ISO date-time' })
    .optional(),
  epoch: z.coerce.number().int().min(0).max(MAX_EPOCH).default(0),
  fault: z.enum(DBD_FAULTS).optional(),
  /** Apply the fault to this page only (default: every page). */
  faultPage: z.coerce.number().int().min(1).optional(),
  /** Delay before the response starts, for `fault=slow`. */
  delayMs: z.coerce.number().int().min(0).max(600_000).default(5000),
});

type ListingQuery = z.output<typeof listingQuerySchema>;

const MAINTENANCE_PAGE = `<!DOCTYPE html>
<html lang="th">
<head><meta charset="utf-8"><title>ปิดปรับปรุงระบบชั่วคราว</title></head>
<body><h1>กรมพัฒนาธุรกิจการค้า: ระบบอยู่ระหว่างการปรับปรุง</h1><p>The service is under maintenance.</p></body>
</html>
`;

function listingRoute(path: string, kind: DbdListingKind, description: string): Route {
  return {
    path,
    description,
    async handle(context) {
      const query = parseQuery(listingQuerySchema, context.query);
      const fault = query.fault !== undefined && (query.faultPage === undefined || query.faultPage === query.page) ? query.fault : undefined;
      if (fault === 'slow' && !(await waitOrGiveUp(context.res, query.delayMs))) return;
      if (fault === 'http500') return sendJson(context.res, 500, { error: 'internal server error', detail: 'simulated fault' });
      if (fault === 'html') {
        context.res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        context.res.end(MAINTENANCE_PAGE);
        return;
      }
      const page = dbdPage(context.options, kind, listingPage(query));
      const columnFault = fault === 'missing-column' || fault === 'renamed-column' || fault === 'extra-column' ? (fault satisfies DbdColumnFault) : undefined;
      if (columnFault !== undefined) page.items = withColumnFault(kind, page.items, columnFault);
      // Encoded once: Buffer.byteLength and then writing the string would encode a page twice.
      const body = Buffer.from(JSON.stringify(page), 'utf8');
      if (fault === 'truncate') return sendTruncated(context, body);
      context.res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
      context.res.end(body);
    },
  };
}

function listingPage(query: ListingQuery): { epoch: number; page: number; pageSize: number; updatedSince?: string } {
  return { epoch: query.epoch, page: query.page, pageSize: query.pageSize, ...(query.updatedSince === undefined ? {} : { updatedSince: query.updatedSince }) };
}

/** Waits, unless the client goes away first (then answers nothing). */
async function waitOrGiveUp(res: ServerResponse, ms: number): Promise<boolean> {
  const aborted = new AbortController();
  const onClose = (): void => aborted.abort();
  res.once('close', onClose);
  try {
    await delay(ms, undefined, { signal: aborted.signal });
    return true;
  } catch {
    return false;
  } finally {
    res.off('close', onClose);
  }
}

/** Half the body, then the connection drops: never a clean end of body. */
function sendTruncated({ res }: RouteContext, bytes: Buffer): void {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': bytes.length });
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroySoon());
}

function statsRoute(path: string, kind: DbdListingKind, description: string): Route {
  return {
    path,
    description,
    handle(context) {
      const query = parseQuery(listingQuerySchema, context.query);
      const { page: _page, ...truthQuery } = listingPage(query);
      sendJson(context.res, 200, dbdListingTruth(context.options, kind, truthQuery));
    },
  };
}

export const DBD_ROUTES: readonly Route[] = [
  listingRoute('/dbd/juristic-persons', 'companies', 'DBD juristic persons: paged JSON (updatedSince, page, pageSize; epoch for changes)'),
  listingRoute('/dbd/financial-statements', 'financials', 'DBD yearly financial statements: paged JSON (updatedSince, page, pageSize; epoch)'),
  statsRoute('/dbd/juristic-persons.stats.json', 'companies', 'What a correct load of the juristic-person listing yields (same query)'),
  statsRoute('/dbd/financial-statements.stats.json', 'financials', 'What a correct load of the financial-statement listing yields (same query)'),
];
