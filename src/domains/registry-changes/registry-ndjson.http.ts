import { ndjsonErrorLine, positiveIntParam, queryText, sendJsonError } from '../../platform/http/json-error';
import type { Request, Response, Router } from 'express';
import express from 'express';
import type { ApiClient } from '../../access/api-client.repository';
import { auditStreamPage } from '../../access/audit/stream-audit';
import { currentDeadline, QueryTimeoutError } from '../../platform/database/request-deadline';
import { DomainError } from '../../platform/errors/domain-error';
import type { Logger } from '../../platform/logging/logger';
import type { DomainRoute } from '../api-domain';
import type { ApiServices } from '../api-services';
import type { RegistryChange } from './registry-changes.service';
import { ExportPager, type ExportPage } from './export-pages';

export const REGISTRY_FEED_PATH = '/feeds/registry';
export const EXPORTS_PATH = '/exports';
/** Log rows per statement of the feed by default (ELIGIBILITY_FEED_BATCH_SIZE sets both feeds'). */
const DEFAULT_FEED_BATCH = 1000;
/** Records per COPY statement of an export: each statement's timeout bounds one chunk, not the whole export. */
export const EXPORT_BATCH = 50_000;
/**
 * An export's page, the unit of its read audit: one entry per page, committed before the page's
 * first line leaves, so the page is held in memory until then (two at most: one being sent while the
 * next is read). Up to this many records, and (the last record completing it) this many bytes.
 */
export const EXPORT_PAGE_LINES = 10_000;
export const EXPORT_PAGE_BYTES = 4 * 1024 * 1024;
export const FEED_DEFAULT_LIMIT = 10_000;
export const FEED_MAX_LIMIT = 1_000_000;
export const EXPORT_MAX_LIMIT = 100_000_000;
/** A client that reads nothing for this long ends its export (with the key to resume after) and frees its snapshot. */
export const EXPORT_STALL_MS = 30_000;
/** Each COPY chunk's statement timeout outside an API request's limits (inside, the role's). */
const EXPORT_STATEMENT_TIMEOUT_MS = 60_000;
const INTERNAL_MESSAGE = 'Internal error. Quote the requestId when reporting it.';
const STATUS: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, SERVICE_UNAVAILABLE: 503 };
/** How the feed names itself in the read audit (`operation_name`). */
export const REGISTRY_FEED_OPERATION = 'GET /feeds/registry';
/** How an export names itself in the read audit: `GET /exports/companies.ndjson`. */
export const exportOperation = (exportName: string): string => `GET /exports/${exportName}.ndjson`;

/** One NDJSON line of the feed: the GraphQL node, with its cursor; the record's JSON is written as PostgreSQL built it. */
export function changeLine(change: RegistryChange): string {
  const { recordJson, occurredAt, ...rest } = change;
  return `${JSON.stringify({ ...rest, occurredAt: occurredAt.toISOString() }).slice(0, -1)},"record":${recordJson}}\n`;
}

const endLine = (end: Record<string, unknown>): string => `${JSON.stringify({ end })}\n`;
const errorLine = ndjsonErrorLine;

async function authenticated(services: ApiServices, req: Request): Promise<ApiClient> {
  const client = await services.clients.authenticate(req.header('authorization'));
  if (!client) throw new DomainError('UNAUTHENTICATED', 'An API key is required: send "Authorization: Bearer <key>" with a valid key.');
  return client;
}

/**
 * Waits until the response drains (true), the client goes away, or `stallMs` pass without a drain
 * (false for both): a client that stops reading does not hold what the writer holds for ever.
 */
function drained(res: Response, stallMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      clearTimeout(timer);
      res.off('drain', onDrain).off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    const timer = setTimeout(done(false), stallMs);
    res.once('drain', onDrain).once('close', onClose);
  });
}

/**
 * Writes with back-pressure; false when the client went away, or stopped reading for `stallMs`
 * (its connection is then closed: it resumes from the last change it applied).
 */
async function write(res: Response, text: string, state: { closed: boolean }, stallMs = EXPORT_STALL_MS): Promise<boolean> {
  if (!res.write(text) && !(await drained(res, stallMs))) {
    if (!state.closed) res.destroy();
    return false;
  }
  return !state.closed;
}

/** What a chunk wrote: whole lines only, the key of the last of them, and whether the client stopped reading. */
interface ChunkWritten {
  lines: number;
  lastKey: string | null;
  stalled: boolean;
}

/**
 * Sends one COPY chunk (ExportSnapshot.copyPage): its lines are cut into pages (export-pages.ts),
 * and each page is recorded in the read audit (`audit`, which resolves once the entry is committed)
 * before any of its lines is written, in order, with back-pressure, whole lines only. The next page
 * is read from PostgreSQL while one is recorded and written, and no further: an export holds at
 * most two pages. Without an audit (`audit` null) each network chunk's lines go out as they come.
 *
 * The writing stops when the client goes away or reads nothing for `stallMs`, or when a page
 * cannot be recorded (that error is thrown once the chunk is read, with nothing of that page
 * sent); the rest of the chunk is then read and dropped, so the connection goes back to the pool
 * clean, at once rather than when the client reads again.
 */
async function streamChunk(
  stream: NodeJS.ReadableStream,
  res: Response,
  state: { closed: boolean },
  options: {
    stallMs: number;
    pager: ExportPager;
    audit: ((page: ExportPage) => Promise<void>) | null;
    beforeFirstByte: () => void;
    /** Called when the COPY has ended (its connection free again) and its lines are all read, with how many, while its last page may still be recorded and sent. */
    copied: (lines: number) => void;
  },
): Promise<ChunkWritten> {
  const { pager, audit, stallMs } = options;
  const written: ChunkWritten = { lines: 0, lastKey: null, stalled: false };
  let writing = true;
  let failure: { error: unknown } | undefined;
  /** The page being recorded and written, if any. */
  let sending: Promise<void> | undefined;

  const send = async (page: ExportPage): Promise<void> => {
    if (audit) await audit(page);
    if (state.closed) writing = false;
    if (!writing) return;
    options.beforeFirstByte();
    for (const part of page.parts) {
      const ok = res.write(part.bytes);
      written.lines += part.lines;
      written.lastKey = part.lastKey;
      if (state.closed) writing = false;
      else if (!ok && !(await drained(res, stallMs))) {
        writing = false;
        written.stalled = !state.closed;
      }
      if (!writing) return;
    }
  };
  /** Waits for the page before (so pages go out in order, two at most held), then starts sending this one. */
  const handOff = async (page: ExportPage | null): Promise<void> => {
    if (sending) await sending;
    sending = undefined;
    if (page === null || !writing) return;
    sending = send(page);
    // Observed by the next handOff (or at the end); not an unhandled rejection meanwhile.
    sending.catch(() => undefined);
  };
  const stop = (error: unknown): void => {
    failure ??= { error };
    writing = false;
  };

  try {
    for await (const data of stream as AsyncIterable<Buffer>) {
      if (!writing) continue;
      try {
        for (const page of pager.push(data)) await handOff(page);
        if (!audit) await handOff(pager.take());
      } catch (error) {
        stop(error);
      }
    }
  } catch (error) {
    // The COPY failed (a timeout, a broken connection): the page being sent finishes first, so the error line follows whole lines.
    await sending?.catch(() => undefined);
    throw error;
  }
  try {
    if (writing) {
      const last = pager.end();
      options.copied(pager.lines);
      await handOff(last);
    }
    await handOff(null);
  } catch (error) {
    stop(error);
  }
  if (failure) throw failure.error;
  return written;
}

/** A COPY chunk cancelled by its statement timeout (SQLSTATE 57014) fails as the API's other statements do. */
async function copied<T>(statementTimeoutMs: number, chunk: Promise<T>): Promise<T> {
  try {
    return await chunk;
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === '57014') throw new QueryTimeoutError('statement', statementTimeoutMs);
    throw error;
  }
}

/**
 * Runs an NDJSON response: errors before the first byte are JSON errors with their HTTP status;
 * after it, the response ends with an error line (ndjsonErrorLine), so a truncated response is never
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
 * batches with back-pressure; `limit` counts the changes sent (those of records the client may
 * not see are left out, uncounted). The last line is `{"end":{"cursor","changes","hasMore"}}`:
 * resume from its cursor.
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
      const audited = { id: String(res.locals['requestId'] ?? ''), url: req.originalUrl };
      let shown = 0;
      // Validates the cursor and types before the first byte: a bad one is a 400, not a broken stream.
      let page = await services.registryChanges.read(client, { after: queryText(req, 'after') || null, types }, Math.min(batchSize, limit));
      // Each page is recorded before it is written; the first before the status line, so an audit that cannot be written is a 503.
      await auditStreamPage(services.readAudit, logger, client, audited, REGISTRY_FEED_OPERATION, page.read);
      res.status(200).type('application/x-ndjson');
      for (;;) {
        for (const change of page.changes) if (!(await write(res, changeLine(change), state))) return;
        shown += page.changes.length;
        if (!page.hasMore || shown >= limit) break;
        page = await services.registryChanges.read(client, { after: page.endCursor, types }, Math.min(batchSize, limit - shown));
        if (state.closed) return;
        await auditStreamPage(services.readAudit, logger, client, audited, REGISTRY_FEED_OPERATION, page.read);
      }
      if (!state.closed) res.end(endLine({ cursor: page.endCursor, changes: shown, hasMore: page.hasMore }));
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
export function exportsRouter(
  services: ApiServices,
  logger: Logger,
  options: { batchSize?: number; pageLines?: number; pageBytes?: number; stallMs?: number; statementTimeoutMs?: number } = {},
): Router {
  const batchSize = options.batchSize ?? EXPORT_BATCH;
  const pageLines = options.pageLines ?? EXPORT_PAGE_LINES;
  const pageBytes = options.pageBytes ?? EXPORT_PAGE_BYTES;
  const stallMs = options.stallMs ?? EXPORT_STALL_MS;
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
      const cursors = await services.registryChanges.cursorsFor(client);
      const statementTimeoutMs = currentDeadline()?.statementTimeoutMs ?? options.statementTimeoutMs ?? EXPORT_STATEMENT_TIMEOUT_MS;
      const snapshot = await services.registryChanges.openSnapshot({ statementTimeoutMs, idleInTransactionMs: stallMs + statementTimeoutMs });
      let stalled = false;
      let closing: Promise<void> | undefined;
      const close = (): Promise<void> => {
        closing ??= snapshot.close();
        // Awaited where it is needed; not an unhandled rejection before that.
        closing.catch(() => undefined);
        return closing;
      };
      try {
        const feedCursor = cursors.cursorOf(snapshot.position);
        const audited = { id: String(res.locals['requestId'] ?? ''), url: req.originalUrl };
        const operation = exportOperation(definition.exportName);
        let lastKey = after;
        let records = 0;
        const auditing = services.readAudit.enabled ? definition.audit : null;
        // Each page is recorded before its first line leaves (the first before the status line): the firms and records it reveals, and its key range.
        const audit = auditing
          ? (page: ExportPage): Promise<void> => {
              page.read.entities.add(`Export:${definition.exportName}:${page.firstKey}..${page.lastKey}`);
              return auditStreamPage(services.readAudit, logger, client, audited, operation, page.read);
            }
          : null;
        const beforeFirstByte = (): void => {
          if (!res.headersSent) res.status(200).type('application/x-ndjson').setHeader('x-registry-feed-cursor', feedCursor);
        };
        for (;;) {
          const wanted = Math.min(batchSize, limit - records);
          if (state.closed) return;
          const pager = new ExportPager({ lines: Math.min(pageLines, wanted), bytes: pageBytes }, auditing);
          // A chunk short of what it asked for is the last: the snapshot is freed while its last page is recorded and sent.
          const lastCopied = (lines: number): void => void (lines < wanted && close());
          const chunk = await copied(
            statementTimeoutMs,
            streamChunk(snapshot.copyPage(definition, client, lastKey, wanted), res, state, { stallMs, pager, audit, beforeFirstByte, copied: lastCopied }),
          );
          records += chunk.lines;
          lastKey = chunk.lastKey ?? lastKey;
          if (state.closed) return;
          stalled = chunk.stalled;
          if (stalled || chunk.lines < wanted || records >= limit) break;
        }
        beforeFirstByte();
        const complete = !stalled && (records < limit || (await snapshot.page(definition, client, lastKey, 1)).length === 0);
        // Freed before the end line is written: a client that has it holds nothing of the database.
        await close();
        // A client that stopped reading gets, should it read again, whole lines and the key to resume after.
        if (!state.closed) res.end(endLine({ records, lastKey, complete, feedCursor, ...(stalled ? { stopped: 'SLOW_CONSUMER' } : {}) }));
      } finally {
        await close();
      }
      if (stalled) {
        // The end line waits in the socket; a client that never reads again does not keep it open.
        const timer = setTimeout(() => res.destroy(), stallMs);
        timer.unref();
        res.once('close', () => clearTimeout(timer));
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
