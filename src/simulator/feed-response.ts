/**
 * Sends a simulated agency feed the way government portals do, faults included: server errors,
 * an HTML maintenance page served with status 200, a connection dropped mid-row, a slow start.
 * Bodies stream with backpressure, so any scale is served at constant memory.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import iconv from 'iconv-lite';
import { z } from 'zod';
import { sendJson, type RouteContext } from './routing';

/** `missing-column` and `renamed-column` change the feed's header and are applied by the feed itself. */
export const FEED_FAULTS = ['http500', 'html', 'truncate', 'slow', 'missing-column', 'renamed-column'] as const;

export const feedQuerySchema = z.object({
  fault: z.enum(FEED_FAULTS).optional(),
  /** Delay before the response starts, for `fault=slow`. */
  delayMs: z.coerce.number().int().min(0).max(600_000).default(5000),
  bom: z.enum(['0', '1', 'false', 'true']).default('0').transform((value) => value === '1' || value === 'true'),
  encoding: z.enum(['utf-8', 'tis-620']).default('utf-8'),
});

export type FeedQuery = z.output<typeof feedQuerySchema>;

const MAINTENANCE_PAGE = `<!DOCTYPE html>
<html lang="th">
<head><meta charset="utf-8"><title>ปิดปรับปรุงระบบชั่วคราว</title></head>
<body>
<h1>ขออภัย ระบบอยู่ระหว่างการปรับปรุง</h1>
<p>ระบบให้บริการข้อมูลจะเปิดให้บริการอีกครั้งในเร็ว ๆ นี้ (The service is under maintenance.)</p>
</body>
</html>
`;

export async function sendCsvFeed(
  { res }: RouteContext,
  query: FeedQuery,
  filename: string,
  body: () => Iterable<string>,
): Promise<void> {
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
    sendJson(res, 500, { error: 'internal server error', detail: 'simulated fault' });
    return;
  }
  if (query.fault === 'html') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(MAINTENANCE_PAGE);
    return;
  }

  const tis620 = query.encoding === 'tis-620';
  res.writeHead(200, {
    'Content-Type': `text/csv; charset=${tis620 ? 'windows-874' : 'utf-8'}`,
    'Content-Disposition': `attachment; filename="${filename}"`,
  });
  function* encoded(): Generator<Buffer> {
    if (query.bom && !tis620) yield Buffer.from([0xef, 0xbb, 0xbf]);
    for (const text of body()) yield tis620 ? iconv.encode(text, 'win874') : Buffer.from(text, 'utf8');
  }
  try {
    await pipeline(Readable.from(encoded()), res, { end: false });
  } catch {
    return; // the client disconnected: nothing left to answer
  }
  // A truncated feed ends with the connection dropped, never with a clean end of body.
  if (query.fault === 'truncate') res.socket?.destroySoon();
  else res.end();
}
