import { createHash, randomBytes } from 'node:crypto';

/**
 * API keys: 32 random bytes, shown once, stored only as a SHA-256 hash. A fast hash is right here:
 * the key has 256 bits of entropy, so there is nothing for a slow password hash to protect.
 * The `iih_` prefix lets secret scanners and people recognise a hub key.
 */
const KEY_PREFIX = 'iih_';

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, KEY_PREFIX.length + 6), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Extracts the key from `Authorization: Bearer <key>`; undefined when absent or malformed. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
