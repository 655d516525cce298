import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express from 'express';

export const DASHBOARD_PATH = '/admin/queues';

/**
 * The run dashboard for admins: Bull Board (9.10, which reads BullMQ 6's PostgreSQL backend as
 * well as Redis) over the hub's queues, each job's data, progress, result (the run's id and
 * status) or failure, attempts and logs. Read-only: retries, removals and new jobs go through the
 * CLI or GraphQL, where they are authorised and recorded. Mounted behind the admin check
 * (admin-auth.ts: the browser asks for the key as the password).
 *
 * The page is served with a Content-Security-Policy that allows this origin only: Bull Board's
 * page links a web font from a CDN, which an offline ministry network cannot reach and an admin's
 * browser need not be told to try.
 */
export function runDashboardRouter(queues: readonly Queue[]): express.Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: true, allowRetries: false })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'i-Industry Hub runs', hideDocsLink: true, showMetrics: false } },
  });
  const router = express.Router();
  router.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy': [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'self'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    next();
  });
  router.use(serverAdapter.getRouter() as express.Router);
  return router;
}
