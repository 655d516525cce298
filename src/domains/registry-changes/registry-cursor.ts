import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Sealed cursors of the registry change feed, for the clients that see part of the log (area
 * roles, banks). A cursor holds a position in the hub-wide log; in the clear, the gap between two
 * of a client's cursors would count the changes it was not shown, and a position it wrote itself
 * would let it probe where other changes lie. So its cursors are AES-256-GCM sealed: a random
 * nonce makes each one different (two cursors of the same position cannot be compared), and the
 * tag makes a cursor the client made up or altered fail to open.
 *
 * Layout (base64url): version byte 1, 12-byte nonce, the position as 8 bytes big-endian
 * encrypted, 16-byte tag: 50 characters.
 */
const VERSION = 1;
const NONCE = 12;
const TAG = 16;
const SEALED_BYTES = 1 + NONCE + 8 + TAG;
/** Binds a sealed cursor to this feed: a cursor sealed for another purpose with the same key does not open. */
const PURPOSE = Buffer.from('registryChange', 'utf8');

export function sealPosition(key: Buffer, position: string): string {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(PURPOSE);
  const plain = Buffer.alloc(8);
  plain.writeBigUInt64BE(BigInt(position));
  const sealed = Buffer.concat([Buffer.from([VERSION]), nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return sealed.toString('base64url');
}

/** The position a sealed cursor holds; undefined when it is not one this key sealed. */
export function openPosition(key: Buffer, cursor: string): string | undefined {
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.length !== SEALED_BYTES || bytes[0] !== VERSION || bytes.toString('base64url') !== cursor) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 1 + NONCE)).setAAD(PURPOSE);
    decipher.setAuthTag(bytes.subarray(SEALED_BYTES - TAG));
    const plain = Buffer.concat([decipher.update(bytes.subarray(1 + NONCE, SEALED_BYTES - TAG)), decipher.final()]);
    return plain.readBigUInt64BE().toString();
  } catch {
    return undefined;
  }
}
