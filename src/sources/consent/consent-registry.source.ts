import type { SourceDefinition } from '../../ingestion/source-definition';
import { reconcileConsentRegistry } from './registry-merge';
import { parseConsentEntry, parseConsentRegistry } from './consent-registry.parser';
import type { ConsentRegistryRecord } from './consent-registry.record';

/**
 * Default schedule of the consent registry load: every 15 minutes, so that a consent revoked in the
 * registry stops opening a company to a bank within a quarter of an hour (a revocation made
 * through the API takes effect at once).
 */
export const CONSENT_REGISTRY_DEFAULT_SCHEDULE = '*/15 * * * *';

export const CONSENT_REGISTRY_SOURCE_ID = 'consent-registry';

export const consentRegistrySource: SourceDefinition<ConsentRegistryRecord> = {
  id: CONSENT_REGISTRY_SOURCE_ID,
  title: 'Consent registry: companies’ consents to the partner banks',
  agency: 'Ministry of Industry',
  // The registry publishes every consent it holds: one missing from a complete snapshot is marked
  // absent, and its consent withdrawn (src/access/consent-rules.ts, reconcileRevocation).
  mode: 'snapshot',
  feed: {
    variablePrefix: 'CONSENT_REGISTRY',
    urlDescription: 'the ministry\'s consent registry (JSON: companies\' consents to the partner banks)',
    simulatorPath: '/moi/consent-registry.json',
    defaultSchedule: CONSENT_REGISTRY_DEFAULT_SCHEDULE,
    scheduleDescription: 'the consent registry load',
  },
  staleAfterHours: 2,
  read: async function* (context) {
    yield* parseConsentRegistry(await context.fetchJson<unknown>(context.feedUrl));
  },
  reparse: (raw) => parseConsentEntry(raw),
  target: {
    table: 'access.consent_registry_entry',
    key: ['registry_id'],
    columns: [
      { name: 'registry_id', type: 'text', value: (r) => r.registryId },
      { name: 'juristic_id', type: 'text', value: (r) => r.juristicId },
      { name: 'bank_code', type: 'text', value: (r) => r.bankCode },
      { name: 'purpose', type: 'text', value: (r) => r.purpose },
      { name: 'granted_at', type: 'timestamptz', value: (r) => r.grantedAt },
      { name: 'valid_until', type: 'date', value: (r) => r.validUntil },
      { name: 'revoked_at', type: 'timestamptz', value: (r) => r.revokedAt },
      { name: 'revocation_reason', type: 'text', value: (r) => r.revocationReason },
    ],
  },
  // The entries a run changed become the consents the API enforces.
  derive: { afterLoad: { name: 'consents', run: reconcileConsentRegistry } },
};
