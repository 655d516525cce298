import type { RequestHandler } from 'express';
import { sendJsonError } from './json-error';

/** Resolves an Authorization header to the caller's role, or undefined for no or a bad key. */
export type Authenticate = (authorization: string | undefined) => Promise<{ role: string } | undefined>;

/**
 * Lets only admin keys through, for operators' pages and endpoints (metrics, the run dashboard).
 * The key comes as `Authorization: Bearer <key>` (Prometheus' `authorization` setting, curl) or as
 * the password of HTTP Basic authentication (a browser's own login prompt, where no script can add
 * a header; the user name is ignored). A missing or bad key answers 401 with a Basic challenge, so
 * a browser asks for it; a valid key of another role answers 403.
 */
export function requireAdmin(authenticate: Authenticate, realm: string): RequestHandler {
  return (req, res, next) => {
    const deny = (status: 401 | 403, code: string, message: string): void => {
      if (status === 401) res.setHeader('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
      sendJsonError(res, status, code, message);
    };
    authenticate(asBearer(req.header('authorization'))).then(
      (client) => {
        if (!client) return deny(401, 'UNAUTHENTICATED', 'An admin API key is required: send "Authorization: Bearer <key>", or give the key as the password when the browser asks.');
        if (client.role !== 'admin') return deny(403, 'FORBIDDEN', `the role "${client.role}" may not read this; it is for admin keys`);
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

/** `Basic base64(user:key)` as `Bearer key`; anything else unchanged. */
export function asBearer(header: string | undefined): string | undefined {
  const basic = header && /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic) return header;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const key = colon < 0 ? decoded : decoded.slice(colon + 1) || decoded.slice(0, colon);
  return `Bearer ${key}`;
}
