import type { ApiClient } from './api-client.repository';
import type { LawfulBasis } from './lawful-basis';
import { isAreaRole } from './roles';

/**
 * Which firms a client sees. National roles see every firm; an area role (a provincial office, a
 * regional centre) the firms of its provinces; a firm's own key that firm alone. Outside its scope a
 * firm-level record answers as if it did not exist (docs/access-and-audit.md):
 *
 * - a company is in an area when its head office is (its DBD address's province);
 * - a factory when it stands there, or when its operating company's head office is there;
 * - every other firm-level record (statements, licences, participations, assessments,
 *   eligibility, consents, outcomes) follows the company it belongs to; a licence also follows
 *   its plant (a factory in the area);
 * - but a record whose firm is masked (linked only by a fuzzy name match, or not at all; a factory
 *   whose operator's tax ID is a personal ID: src/shared/firm-identity.ts) belongs to no company and
 *   stands nowhere by its link: it is scoped by its own data only, a factory by the province it
 *   stands in, a DIP participation by the province DIP gave for it, a licence (its plant withheld
 *   too) or an assessment nowhere: national roles only. Listed in the area of the company it merely
 *   resembles, it would tell that area the link, and every area where that company is.
 */
export type ClientScope =
  | { kind: 'national' }
  | { kind: 'area'; provinceCodes: readonly string[]; inArea: ReadonlySet<string> }
  | { kind: 'firm'; juristicId: string };

const NATIONAL: ClientScope = { kind: 'national' };
const scopes = new WeakMap<ApiClient, ClientScope>();

export function scopeOf(client: ApiClient): ClientScope {
  let scope = scopes.get(client);
  if (scope) return scope;
  if (isAreaRole(client.role)) scope = { kind: 'area', provinceCodes: client.areaProvinceCodes, inArea: new Set(client.areaProvinceCodes) };
  else if (client.role === 'firm') scope = { kind: 'firm', juristicId: client.juristicId ?? '' };
  else scope = NATIONAL;
  scopes.set(client, scope);
  return scope;
}

/** What the client would call itself in an access log: its bank, its province or centre, its firm. */
export function organisationOf(client: ApiClient): string {
  if (client.bankCode) return `bank:${client.bankCode}`;
  if (client.role === 'province') return `province:${client.provinceCode ?? ''}`;
  if (client.role === 'centre') return `centre:${client.centre ?? ''}`;
  if (client.role === 'firm') return `firm:${client.juristicId ?? ''}`;
  return client.role;
}

/** The basis a client reads under when it declared none: banks by consent, the ministry and its offices by public task. */
export function lawfulBasisOf(client: ApiClient): LawfulBasis | null {
  if (client.lawfulBasis) return client.lawfulBasis;
  if (client.role === 'bank') return 'CONSENT';
  // A firm reading its own data is no disclosure: no basis to name.
  if (client.role === 'firm') return null;
  return 'PUBLIC_TASK';
}
