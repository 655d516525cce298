import { positiveIntParam, queryText, sendJsonError } from '../../platform/http/json-error';
import type { Request, Response, Router } from 'express';
import express from 'express';
import type { ApiClient } from '../../access/api-client.repository';
import { DomainError } from '../../platform/errors/domain-error';
import type { Logger } from '../../platform/logging/logger';
import type { DomainRoute } from '../api-domain';
import type { ApiServices } from '../api-services';
import { RegistryChangesService, type RegistryChange } from './registry-changes.service';

export const REGISTRY_FEED_PATH = '/feeds/registry';
export const EXPORTS_PATH = '/exports';
/** Log rows per statement of the feed by default (ELIGIBILITY_FEED_BATCH_SIZE sets both feeds'). */
const DEFAULT_FEED_BATCH = 1000;
/** Records per COPY statement of an export; streamed with back-pressure, so memory stays flat whatever it is. */
export const EXPORT_BATCH = 50_000;
export const FEED_DEFAULT_LIMIT = 10_000;
export const FEED_MAX_LIMIT = 1_000_000;
export const EXPORT_MAX_LIMIT = 100_000_000;
const INTERNAL_MESSAGE = 'Internal error. Quote the requestId when reporting it.';
const STATUS: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404 };

/** One NDJSON line of the feed: the GraphQL node, with its cursor; the record's JSON is written as PostgreSQL built it. */
export function changeLine(change: RegistryChange): string {
  const { recordJson, occurredAt, ...rest } = change;
  return `${JSON.stringify({ ...rest, occurredAt: occurredAt.toISOString() }).slice(0, -1)},"record":${recordJson}}\n`;
}

const endLine = (end: Record<string, unknown>): string => `${JSON.stringify({ end })}\n`;
const errorLine = (error: { code: string; message: string; requestId: string }): string => `${JSON.stringify({ error })}\n`;

async function authenticated(services: ApiServices, req: Request): Promise<ApiClient> {
  const client = await services.clients.authenticate(req.header('authorization'));
  if (!client) throw new DomainError('UNAUTHENTICATED', 'An API key is required: send "Authorization: Bearer <key>" with a valid key.');
  return client;
}

/** Writes with back-pressure; false when the client went away. */
async function write(res: Response, text: string, state: { closed: boolean }): Promise<boolean> {
  if (!res.write(text)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
  return !state.closed;
}

/**
 * Writes a COPY stream's bytes to the response with back-pressure; counts its lines and keeps the
 * last one (for the key to resume after). A client that goes away stops the writing; the rest of
 * the chunk is read and dropped, so the connection goes back to the pool clean.
 */
async function streamChunk(stream: NodeJS.ReadableStream, res: Response, state: { closed: boolean }): Promise<{ lines: number; lastLine: string | null }> {
  let lines = 0;
  let partial: Buffer[] = [];
  let lastLine: Buffer | null = null;
  for await (const data of stream as AsyncIterable<Buffer>) {
    if (!state.closed && !res.write(data)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
    let newline = data.indexOf(10);
    if (newline < 0) {
      partial.push(data);
      continue;
    }
    let lastNewline = newline;
    for (; newline >= 0; newline = data.indexOf(10, newline + 1)) {
      lines += 1;
      lastNewline = newline;
    }
    const before = data.lastIndexOf(10, lastNewline - 1);
    lastLine = before >= 0 ? data.subarray(before + 1, lastNewline) : Buffer.concat([...partial, data.subarray(0, lastNewline)]);
    partial = [data.subarray(lastNewline + 1)];
  }
  return { lines, lastLine: lastLine === null ? null : lastLine.toString('utf8') };
}

/**
 * Runs an NDJSON response: errors before the first byte are JSON errors with their HTTP status;
 * after it, the response ends with an `{"error":...}` line, so a truncated response is never
 * mistaken for a complete one (a complete one ends with an `{"end":...}` line).
 */
function ndjsonHandler(logger: Logger, what: string, body: (req: Request, res: Response, state: { closed: boolean }) => Promise<void>) {
  return async (req: Request, res: Response): Promise<void> => {
    const requestId = String(res.locals['requestId'] ?? '');
    const state = { closed: false };
    res.on('close', () => (state.closed = true));
    try {
      await body(req, res, state);
    } catch (error) {
      if (error instanceof DomainError && !res.headersSent) {
        sendJsonError(res, STATUS[error.code] ?? 400, error.code, error.message, error.details);
        return;
      }
      const code = (error as { code?: unknown } | null)?.code;
      const known = error instanceof DomainError || code === 'QUERY_TIMEOUT';
      if (!known) logger.error({ err: error, requestId, headersSent: res.headersSent }, `${what} failed`);
      const message = known ? (error as Error).message : INTERNAL_MESSAGE;
      if (!res.headersSent) {
        sendJsonError(res, code === 'QUERY_TIMEOUT' ? 503 : 500, known ? String(code) : 'INTERNAL_SERVER_ERROR', message);
      } else if (!state.closed && !res.writableEnded) {
        res.end(errorLine({ code: known ? String(code) : 'INTERNAL_SERVER_ERROR', message, requestId }));
      } else {
        res.destroy();
      }
    }
  };
}

/**
 * `GET /feeds/registry?after=<cursor>&limit=<n>&types=COMPANY,FACTORY`: the registry change feed as
 * NDJSON, one change per line in position order (GraphQL `registryChanges`), read in keyset
 * batches with back-pressure; `limit` counts changes of the log read (shown or not). The last
 * line is `{"end":{"cursor","changes","hasMore"}}`: resume from its cursor.
 */
export function registryFeedRouter(services: ApiServices, logger: Logger, options: { batchSize?: number | undefined } = {}): Router {
  const batchSize = options.batchSize ?? DEFAULT_FEED_BATCH;
  const router = express.Router();
  router.get(
    '/',
    ndjsonHandler(logger, 'registry feed', async (req, res, state) => {
      const client = await authenticated(services, req);
      const limit = positiveIntParam(req, 'limit', FEED_DEFAULT_LIMIT, FEED_MAX_LIMIT);
      const typesText = queryText(req, 'types');
      const types = typesText === undefined || typesText === '' ? undefined : typesText.split(',');
      let cursor = queryText(req, 'after') || null;
      let read = 0;
      let shown = 0;
      // Validates the cursor and types before the first byte: a bad one is a 400, not a broken stream.
      let page = await services.registryChanges.read(client, { after: cursor, types }, Math.min(batchSize, limit));
      res.status(200).type('application/x-ndjson');
      for (;;) {
        for (const change of page.changes) if (!(await write(res, changeLine(change), state))) return;
        shown += page.changes.length;
        if (page.endCursor) cursor = page.endCursor;
        read += Math.min(batchSize, limit - read);
        if (!page.hasMore || read >= limit) break;
        page = await services.registryChanges.read(client, { after: cursor, types }, Math.min(batchSize, limit - read));
      }
      if (!state.closed) res.end(endLine({ cursor, changes: shown, hasMore: page.hasMore }));
    }),
  );
  return router;
}

/**
 * `GET /exports/<name>.ndjson?after=<key>&limit=<n>`: every record of one kind the client may see,
 * masked like the graph, in key order, from one consistent snapshot (REPEATABLE READ), read in
 * keyset batches with back-pressure. Each line is a record; the last is
 * `{"end":{"records","lastKey","complete","feedCursor"}}`. `feedCursor` (also the header
 * `x-registry-feed-cursor`, sent first) is where the change feed continues the snapshot. A broken
 * download resumes with `after=<lastKey>`: a new snapshot from that key on (keep the first part's
 * feedCursor: the feed replays every change since, and records are applied as upserts).
 */
export function exportsRouter(services: ApiServices, logger: Logger, options: { batchSize?: number } = {}): Router {
  const batchSize = options.batchSize ?? EXPORT_BATCH;
  const router = express.Router();
  router.get(
    '/:file',
    ndjsonHandler(logger, 'export', async (req, res, state) => {
      const client = await authenticated(services, req);
      const file = String(req.params['file']);
      if (!file.endsWith('.ndjson')) throw new DomainError('NOT_FOUND', `no export "${file.slice(0, 40)}": exports end in .ndjson`);
      const definition = services.registryChanges.exportDefinition(client, file.slice(0, -'.ndjson'.length));
      const after = queryText(req, 'after') || null;
      if (after !== null && !definition.keyPattern.test(after)) throw new DomainError('BAD_USER_INPUT', `after is not a key of ${definition.exportName}`, { argument: 'after' });
      const limit = positiveIntParam(req, 'limit', EXPORT_MAX_LIMIT, EXPORT_MAX_LIMIT);
      const snapshot = await services.registryChanges.openSnapshot();
      try {
        const feedCursor = RegistryChangesService.cursorOf(snapshot.position);
        res.status(200).type('application/x-ndjson').setHeader('x-registry-feed-cursor', feedCursor);
        let lastKey = after;
        let records = 0;
        for (;;) {
          const wanted = Math.min(batchSize, limit - records);
          const chunk = await streamChunk(snapshot.copyPage(definition, client, lastKey, wanted), res, state);
          records += chunk.lines;
          if (chunk.lastLine) lastKey = String((JSON.parse(chunk.lastLine) as Record<string, unknown>)[definition.keyField]);
          if (state.closed) return;
          if (chunk.lines < wanted || records >= limit) break;
        }
        const complete = records < limit || (await snapshot.page(definition, client, lastKey, 1)).length === 0;
        if (!state.closed) res.end(endLine({ records, lastKey, complete, feedCursor }));
      } finally {
        await snapshot.close();
      }
    }),
  );
  return router;
}

export const registryFeedRoute: DomainRoute = {
  path: REGISTRY_FEED_PATH,
  router: ({ services, logger, feedBatchSize }) => registryFeedRouter(services, logger, { batchSize: feedBatchSize }),
};

export const exportsRoute: DomainRoute = {
  path: EXPORTS_PATH,
  router: ({ services, logger }) => exportsRouter(services, logger),
};
