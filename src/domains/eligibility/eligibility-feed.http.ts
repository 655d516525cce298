import type { Request, Response, Router } from 'express';
import express from 'express';
import { isBankCode } from '../../access/roles';
import type { HubServices } from '../../app/services';
import { DomainError } from '../../platform/errors/domain-error';
import { encodeCursor } from '../../platform/graphql/connection';
import type { Logger } from '../../platform/logging/logger';
import { EVENT_CURSOR } from './eligibility.service';
import type { EligibilityEvent } from './eligibility.type';

export const ELIGIBILITY_FEED_PATH = '/feeds/eligibility';
/** Events per SELECT: memory stays bounded whatever `limit` is. */
const BATCH = 1000;
const DEFAULT_LIMIT = 10_000;
const MAX_LIMIT = 1_000_000;

/** One NDJSON line: the GraphQL feed's node, with its edge's cursor. */
export const feedLine = (event: EligibilityEvent): string => `${JSON.stringify({ cursor: encodeCursor(EVENT_CURSOR, event.position), ...event })}\n`;

const STATUS: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404 };

/**
 * `GET /feeds/eligibility?after=<cursor>&limit=<n>[&bank=SMED]`: the eligibility feed as NDJSON,
 * one event per line in position order, with the key and scoping of GraphQL `eligibilityFeed`.
 * Streamed in keyset batches with back-pressure; resuming with the last line's cursor never
 * misses or repeats an event (positions are dense and commit-ordered).
 */
export function eligibilityFeedRouter(services: HubServices, logger: Logger): Router {
  const router = express.Router();
  router.get('/', async (req: Request, res: Response) => {
    try {
      const client = await services.clients.authenticate(req.header('authorization'));
      if (!client) throw new DomainError('UNAUTHENTICATED', 'An API key is required: send "Authorization: Bearer <key>" with a valid key.');
      if (!['admin', 'ministry', 'bank'].includes(client.role)) throw new DomainError('FORBIDDEN', `the role "${client.role}" may not read the eligibility feed`);
      const asked = typeof req.query['bank'] === 'string' ? req.query['bank'] : undefined;
      if (asked !== undefined && !isBankCode(asked)) throw new DomainError('BAD_USER_INPUT', 'bank is SMED or EXIM', { argument: 'bank' });
      const bank = services.eligibility.bankScope(client, asked);
      const limitText = typeof req.query['limit'] === 'string' ? req.query['limit'] : undefined;
      const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new DomainError('BAD_USER_INPUT', `limit must be between 1 and ${MAX_LIMIT}`, { argument: 'limit' });
      const after = typeof req.query['after'] === 'string' && req.query['after'] !== '' ? req.query['after'] : undefined;
      let cursor = after;
      // Validate the cursor before the first byte, so a bad one is a 400, not a broken stream.
      let batch = await services.eligibility.eventsAfter(bank, cursor, Math.min(BATCH, limit));
      res.status(200).type('application/x-ndjson');
      let sent = 0;
      let closed = false;
      res.on('close', () => (closed = true));
      while (batch.length > 0 && !closed) {
        for (const event of batch) {
          if (!res.write(feedLine(event))) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
          if (closed) break;
        }
        sent += batch.length;
        cursor = encodeCursor(EVENT_CURSOR, batch.at(-1)!.position);
        if (sent >= limit || batch.length < BATCH) break;
        batch = await services.eligibility.eventsAfter(bank, cursor, Math.min(BATCH, limit - sent));
      }
      res.end();
    } catch (error) {
      if (error instanceof DomainError && !res.headersSent) {
        res.status(STATUS[error.code] ?? 400).json({ error: { code: error.code, message: error.message } });
        return;
      }
      logger.error({ err: error }, 'eligibility feed failed');
      if (res.headersSent) res.destroy();
      else res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal error. Quote the x-request-id response header when reporting it.' } });
    }
  });
  return router;
}
