import { ndjsonErrorLine, positiveIntParam, queryText, sendJsonError } from '../../platform/http/json-error';
import type { ApiClient } from '../../access/api-client.repository';
import { ReadRecord } from '../../access/audit/read-record';
import { auditStreamPage } from '../../access/audit/stream-audit';
import { may, P } from '../../access/permissions';
import type { Request, Response, Router } from 'express';
import express from 'express';
import { isBankCode, type BankCode } from '../../access/roles';
import type { DomainRoute } from '../api-domain';
import type { ApiServices } from '../api-services';
import { DomainError } from '../../platform/errors/domain-error';
import { drained } from '../../platform/http/drained';
import type { Logger } from '../../platform/logging/logger';
import { EligibilityService } from './eligibility.service';
import type { EligibilityEvent } from './eligibility.type';

export const ELIGIBILITY_FEED_PATH = '/feeds/eligibility';
/** Events per SELECT by default (ELIGIBILITY_FEED_BATCH_SIZE): memory stays bounded whatever `limit` is. */
const DEFAULT_BATCH = 1000;
const DEFAULT_LIMIT = 10_000;
const MAX_LIMIT = 1_000_000;
const INTERNAL_MESSAGE = 'Internal error. Quote the requestId when reporting it.';

/** One NDJSON line: the GraphQL feed's node, with its edge's cursor. */
export const feedLine = (event: EligibilityEvent, bank: BankCode | null): string => `${JSON.stringify({ cursor: EligibilityService.eventCursor(event, bank), ...event })}\n`;

/**
 * The last line of a complete response with `trailer=1`: where to resume (the last event's cursor,
 * or the `after` given when there was none), how many events came, and whether more were waiting
 * beyond `limit`.
 */
export const endLine = (end: { cursor: string | null; events: number; hasMore: boolean }): string => `${JSON.stringify({ end })}\n`;

/** The last line of a response with `trailer=1` that failed after it started: the feed is truncated. */
export const errorLine = ndjsonErrorLine;

const STATUS: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, SERVICE_UNAVAILABLE: 503 };

/** How the feed names itself in the read audit (`operation_name`). */
export const FEED_OPERATION = 'GET /feeds/eligibility';

/**
 * Records one page of the feed in the read audit before it is written (docs/access-and-audit.md):
 * the firms the page names, which positions (`EligibilityFeed:<bank>:<first>..<last>`), field group
 * `eligibility`. One entry per page (one statement's batch), so the audit costs one group-committed
 * INSERT per thousand events, not one per event. A page with no events reads no firm and writes
 * nothing. When the audit cannot be written the page is not served (SERVICE_UNAVAILABLE).
 */
function auditPage(services: ApiServices, logger: Logger, client: ApiClient, request: { id: string; url: string }, bank: BankCode | null, events: readonly EligibilityEvent[]): Promise<void> {
  const read = new ReadRecord();
  for (const event of events) read.note('eligibility', event.juristicId);
  if (events.length > 0) read.entities.add(`EligibilityFeed:${bank ?? 'ALL'}:${events[0]!.position}..${events.at(-1)!.position}`);
  return auditStreamPage(services.readAudit, logger, client, request, FEED_OPERATION, read);
}

/**
 * `GET /feeds/eligibility?after=<cursor>&limit=<n>[&bank=SMED][&trailer=1]`: the eligibility feed as
 * NDJSON, one event per line in position order, with the key and scoping of GraphQL
 * `eligibilityFeed`. Streamed in keyset batches with back-pressure; resuming with the last line's
 * cursor never misses or repeats an event (positions are dense and commit-ordered).
 *
 * With `trailer=1` the last line says how the response ended, so a sync job can tell a complete
 * feed from a truncated one: `{"end":{...}}` when every event up to `limit` (or the end of the log)
 * was sent, `{"errors":[...]}` (ndjsonErrorLine) when it failed after the first byte (the response then still ends
 * cleanly). Without it the format is the original one, events only, and a failure after the first
 * byte aborts the connection.
 */
export function eligibilityFeedRouter(services: ApiServices, logger: Logger, options: { batchSize?: number | undefined } = {}): Router {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const router = express.Router();
  router.get('/', async (req: Request, res: Response) => {
    const requestId = String(res.locals['requestId'] ?? '');
    const trailer = req.query['trailer'] === '1' || req.query['trailer'] === 'true';
    let closed = false;
    try {
      const client = await services.clients.authenticate(req.header('authorization'));
      if (!client) throw new DomainError('UNAUTHENTICATED', 'An API key is required: send "Authorization: Bearer <key>" with a valid key.');
      if (!may(client.role, P.eligibilityFeedRead)) throw new DomainError('FORBIDDEN', `the role "${client.role}" may not read the eligibility feed`);
      const asked = queryText(req, 'bank');
      if (asked !== undefined && !isBankCode(asked)) throw new DomainError('BAD_USER_INPUT', 'bank is SMED or EXIM', { argument: 'bank' });
      const bank = services.eligibility.bankScope(client, asked);
      const limit = positiveIntParam(req, 'limit', DEFAULT_LIMIT, MAX_LIMIT);
      const trailerText = queryText(req, 'trailer');
      if (trailerText !== undefined && !['0', '1', 'true', 'false'].includes(trailerText)) {
        throw new DomainError('BAD_USER_INPUT', 'trailer is 1 (end with an end or error line) or 0', { argument: 'trailer' });
      }
      const after = queryText(req, 'after') || undefined;
      let cursor = after;
      let requested = Math.min(batchSize, limit);
      // Validate the cursor before the first byte, so a bad one is a 400, not a broken stream.
      let batch = await services.eligibility.eventsAfter(bank, cursor, requested);
      const audited = { id: requestId, url: req.originalUrl };
      // The first page is recorded before the status line: an audit that cannot be written is a 503.
      await auditPage(services, logger, client, audited, bank, batch);
      res.status(200).type('application/x-ndjson');
      let sent = 0;
      // True once a batch came back short: the log holds nothing more after `cursor` (in this read).
      let exhausted = false;
      res.on('close', () => (closed = true));
      for (;;) {
        for (const event of batch) {
          if (!res.write(feedLine(event, bank))) await drained(res);
          if (closed) return;
        }
        sent += batch.length;
        if (batch.length > 0) cursor = EligibilityService.eventCursor(batch.at(-1)!, bank);
        exhausted = batch.length < requested;
        if (exhausted || sent >= limit) break;
        requested = Math.min(batchSize, limit - sent);
        batch = await services.eligibility.eventsAfter(bank, cursor, requested);
        await auditPage(services, logger, client, audited, bank, batch);
      }
      if (closed) return;
      if (trailer) {
        // At the limit, one more row tells whether events are waiting beyond it.
        const hasMore = !exhausted && (await services.eligibility.eventsAfter(bank, cursor, 1)).length > 0;
        res.end(endLine({ cursor: cursor ?? null, events: sent, hasMore }));
      } else {
        res.end();
      }
    } catch (error) {
      if (error instanceof DomainError && !res.headersSent) {
        sendJsonError(res, STATUS[error.code] ?? 400, error.code, error.message, error.details);
        return;
      }
      logger.error({ err: error, requestId, headersSent: res.headersSent }, 'eligibility feed failed');
      if (!res.headersSent) {
        sendJsonError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal error. Quote the x-request-id response header when reporting it.');
      } else if (trailer && !closed && !res.writableEnded) {
        const known = error instanceof DomainError;
        res.end(errorLine({ code: known ? error.code : 'INTERNAL_SERVER_ERROR', message: known ? error.message : INTERNAL_MESSAGE, requestId }));
      } else {
        res.destroy();
      }
    }
  });
  return router;
}

/** The feed as a route of the eligibility domain, mounted by the API behind authentication and limits. */
export const eligibilityFeedRoute: DomainRoute = {
  path: ELIGIBILITY_FEED_PATH,
  router: ({ services, logger, feedBatchSize }) => eligibilityFeedRouter(services, logger, { batchSize: feedBatchSize }),
};
