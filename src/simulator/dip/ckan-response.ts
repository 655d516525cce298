/**
 * Answers a CKAN action the way a CKAN portal does, faults included: the JSON envelope
 * `{ help, success, result }` or `{ help, success: false, error: { __type, message } }`, a 500, an
 * HTML maintenance page with status 200, a body cut in the middle, a slow start. (The CSV sender
 * in ../feed-response.ts does the same for files; this one is for JSON actions.)
 */
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { FEED_FAULTS } from '../feed-response';
import { sendJson, type RouteContext } from '../routing';

/** The shared feed faults, and `ckan-error`: status 200 with `success: false`. */
export const CKAN_FAULTS = [...FEED_FAULTS, 'ckan-error'] as const;

export const ckanQuerySchema = z.object({
  fault: z.enum(CKAN_FAULTS).optional(),
  delayMs: z.coerce.number().int().min(0).max(600_000).default(5000),
});

export type CkanQuery = z.output<typeof ckanQuerySchema>;

const MAINTENANCE_PAGE = `<!DOCTYPE html>
<html lang="th">
<head><meta charset="utf-8"><title>ศูนย์ข้อมูลเปิด: ปิดปรับปรุงระบบชั่วคราว</title></head>
<body><h1>ขออภัย ระบบอยู่ระหว่างการปรับปรุง</h1><p>The data portal is under maintenance.</p></body>
</html>
`;

export function ckanHelp(action: string): string {
  return `https://data.dip.go.th/api/3/action/help_show?name=${action}`;
}

/** `success: false` as CKAN writes it, with the status CKAN uses for the error type. */
export function sendCkanError(context: RouteContext, action: string, status: number, type: string, message: string): void {
  sendJson(context.res, status, { help: ckanHelp(action), success: false, error: { __type: type, message } });
}

export async function sendCkanResult(context: RouteContext, query: CkanQuery, action: string, result: () => unknown): Promise<void> {
  const { res } = context;
  if (query.fault === 'slow') {
    const aborted = new AbortController();
    res.once('close', () => aborted.abort());
    try {
      await delay(query.delayMs, undefined, { signal: aborted.signal });
    } catch {
      return; // the client gave up
    }
  }
  if (query.fault === 'http500') {
    sendCkanError(context, action, 500, 'Internal Server Error', 'simulated fault');
    return;
  }
  if (query.fault === 'html') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(MAINTENANCE_PAGE);
    return;
  }
  if (query.fault === 'ckan-error') {
    sendCkanError(context, action, 200, 'Search Error', 'simulated fault: datastore search failed');
    return;
  }
  const text = JSON.stringify({ help: ckanHelp(action), success: true, result: result() });
  if (query.fault === 'truncate') {
    // Half of the body, then the connection drops: no clean end.
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    res.write(text.slice(0, Math.floor(text.length / 2)));
    res.socket?.destroySoon();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
