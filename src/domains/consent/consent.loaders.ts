import { P } from '../../access/permissions';
import DataLoader from 'dataloader';
import { ReadRecord } from '../../access/audit/read-record';
import { bangkokDate } from '../../access/consent-rules';
import { DomainError } from '../../platform/errors/domain-error';
import type { GraphQLContext } from '../api-context';
import { keyedLoader, requestLoader } from '../request-loaders';
import { nodeType, type DomainNodeType } from '../node/node-type';
import { consentKey, type ActiveConsent } from './consent.repository';
import type { Consent } from './consent.type';

export const consentById = keyedLoader<Consent>('consentById', consentKey, (ctx, keys) => ctx.services.consents.byIds(keys, bangkokDate()));


/** The fields of a company that a bank reads only with the company's active consent. */
export type ConsentGatedField = 'financialStatements' | 'directors' | 'shareholders';

/** The calling bank's active consent for each company of a page: one statement per level. */
const activeConsentOf = requestLoader('activeConsentOf', (ctx) => {
  const bank = ctx.services.consents.bankScope(ctx.client)!;
  return new DataLoader<string, ActiveConsent | undefined>(async (ids) => {
    const found = new Map((await ctx.services.consents.activeFor(bank, ids, bangkokDate(), ctx.client.purpose)).map((c) => [c.juristicId, c]));
    return ids.map((id) => found.get(id));
  });
});

/**
 * The calling bank's active consent for a company, read by a read plan with the company
 * (company.read-plan.ts; undefined: none): the gate then finds it without a statement of its own.
 */
export function primeActiveConsent(ctx: GraphQLContext, juristicId: string, consent: ActiveConsent | undefined): void {
  activeConsentOf(ctx).prime(juristicId, consent);
}

/**
 * Reads a consent-gated field of a company. For a bank client the company must have an active
 * consent for the bank: without one the field answers FORBIDDEN with the reason CONSENT_REQUIRED;
 * with one, personal data is shown (consent is the lawful basis), and the response's read-audit
 * entry names the consent (src/app/api/read-audit-plugin.ts: no entry, no data). Other roles need no
 * consent and see personal data masked, so their reads are not logged.
 */
export async function consentGatedRead<T>(ctx: GraphQLContext, juristicId: string, field: ConsentGatedField, read: (access: { personalData: boolean }) => T | Promise<T>): Promise<T> {
  if (ctx.client.role !== 'bank') return read({ personalData: false });
  const consent = await activeConsentOf(ctx).load(juristicId);
  if (!consent) {
    throw new DomainError(
      'FORBIDDEN',
      `company ${juristicId} has no active consent letting ${ctx.client.bankCode ?? 'your bank'} see its ${field}`,
      { juristicId, field },
      'CONSENT_REQUIRED',
    );
  }
  if (!consent.purposeMatches) {
    throw new DomainError(
      'FORBIDDEN',
      `company ${juristicId} consented to ${ctx.client.bankCode ?? 'your bank'} for another purpose than this client’s (“${ctx.client.purpose ?? ''}”): its ${field} stay closed`,
      { juristicId, field },
      'CONSENT_PURPOSE_MISMATCH',
    );
  }
  // The read audit names the consent the disclosure relied on; the response waits for its entry.
  (ctx.readRecord ??= new ReadRecord()).consentIds.add(consent.consentId);
  return read({ personalData: true });
}

/** The types of this domain `node(id)` fetches. */
export const consentNodeTypes: readonly DomainNodeType[] = [
  // Analysts see no consents; a bank only its own bank's (another bank's answers FORBIDDEN, like a missing one).
  nodeType('Consent', {
    permission: P.consentsRead,
    load: async (ctx, key) => (await ctx.services.consents.visible(ctx.client, key, (k) => consentById(ctx).load(k))) ?? undefined,
  }),
];
