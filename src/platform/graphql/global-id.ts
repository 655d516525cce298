import { DomainError } from '../errors/domain-error';

/**
 * Global object identification (Relay): every type with an identity has an `id` made of its type
 * name and the record's own key, base64url-encoded, e.g. `Company:0105536000011`. Pure functions:
 * which types exist, and who may load them, is the domains' (src/domains/node).
 */
export function toGlobalId(typeName: string, key: string): string {
  return Buffer.from(`${typeName}:${key}`, 'utf8').toString('base64url');
}

export function fromGlobalId(id: string): { typeName: string; key: string } {
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1 || toGlobalId(decoded.slice(0, colon), decoded.slice(colon + 1)) !== id.replace(/=+$/, '')) {
    throw new DomainError('BAD_USER_INPUT', `"${id}" is not a global ID of this API`, { argument: 'id' });
  }
  return { typeName: decoded.slice(0, colon), key: decoded.slice(colon + 1) };
}
