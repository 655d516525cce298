/**
 * The rules of consent, as pure functions (the repositories and the registry reconciliation apply
 * them; test/unit/consent-rules.test.ts holds each case).
 *
 * A consent lets one partner bank see one company's detailed profile (financial statements,
 * directors, shareholders) for a purpose until a date. Dates are days of the Bangkok calendar
 * (Thailand keeps UTC+7 all year): `validUntil` is the last valid day, inclusive.
 */
import { DomainError } from '../platform/errors/domain-error';
import { normaliseJuristicId } from '../shared/thai-id';
import { isBankCode, type BankCode } from './roles';

export const CONSENT_STATUSES = ['ACTIVE', 'REVOKED', 'EXPIRED'] as const;
export type ConsentStatusValue = (typeof CONSENT_STATUSES)[number];

/** Longest a consent granted through the API may run (assumed policy: no open-ended consents). */
export const MAX_CONSENT_YEARS = 10;
export const MAX_PURPOSE_LENGTH = 500;
export const MAX_REASON_LENGTH = 500;

import { isIsoDate } from '../shared/calendar';

// The calendar helpers live with the reference data; re-exported for the consent code that uses them.
export { bangkokDate, isIsoDate } from '../shared/calendar';

function addYears(isoDate: string, years: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date.toISOString().slice(0, 10);
}

/** REVOKED wins over EXPIRED: a revoked consent stays revoked whatever its date. */
export function consentStatus(consent: { revokedAt: Date | null; validUntil: string }, today: string): ConsentStatusValue {
  if (consent.revokedAt !== null) return 'REVOKED';
  return consent.validUntil < today ? 'EXPIRED' : 'ACTIVE';
}

export interface GrantInput {
  juristicId: string;
  bank: string;
  purpose: string;
  validUntil: string;
}

export interface CheckedGrant {
  juristicId: string;
  bank: BankCode;
  purpose: string;
  validUntil: string;
}

const bad = (message: string, argument: string): DomainError => new DomainError('BAD_USER_INPUT', message, { argument });

/** Normalises a juristic ID as users write it (dashes, spaces) and checks its form and check digit. */
export function checkJuristicId(value: string, argument: string): string {
  const id = normaliseJuristicId(value);
  if (id === undefined) throw bad(`"${value}" is not a juristic ID: 13 digits starting with 0, with a valid check digit`, argument);
  return id;
}

/** A text the hub stores as given: NFC, trimmed, not empty, not longer than `max`. */
export function checkText(value: string, max: number, what: string, argument: string): string {
  const text = value.normalize('NFC').trim();
  if (text.length === 0) throw bad(`${what} must not be empty`, argument);
  if (text.length > max) throw bad(`${what} is at most ${max} characters, got ${text.length}`, argument);
  return text;
}

/**
 * Checks a grant made through the API. `validUntil` is the last valid day: today at the earliest (a
 * consent already over is refused, not recorded as expired), at most MAX_CONSENT_YEARS ahead.
 */
export function checkGrant(input: GrantInput, today: string): CheckedGrant {
  const juristicId = checkJuristicId(input.juristicId, 'input.juristicId');
  if (!isBankCode(input.bank)) throw bad(`unknown bank "${input.bank}"`, 'input.bank');
  const purpose = checkText(input.purpose, MAX_PURPOSE_LENGTH, 'purpose', 'input.purpose');
  const validUntil = input.validUntil.trim();
  if (!isIsoDate(validUntil)) throw bad(`validUntil must be a date written YYYY-MM-DD, got "${input.validUntil}"`, 'input.validUntil');
  if (validUntil < today) throw bad(`validUntil ${validUntil} is in the past (today is ${today} in Bangkok)`, 'input.validUntil');
  const latest = addYears(today, MAX_CONSENT_YEARS);
  if (validUntil > latest) throw bad(`validUntil is at most ${MAX_CONSENT_YEARS} years ahead (${latest})`, 'input.validUntil');
  return { juristicId, bank: input.bank, purpose, validUntil };
}

/** The reason a consent stopped, as recorded when the registry no longer lists it. */
export const WITHDRAWN_FROM_REGISTRY = 'no longer listed in the ministry’s consent registry';
/** The reason recorded when the registry revokes a consent without giving one. */
export const REVOKED_IN_REGISTRY = 'revoked in the ministry’s consent registry';

/** A consent's revocation as the hub holds it; `byClient`: made through the API (revokeConsent). */
export interface HeldRevocation {
  revokedAt: Date;
  reason: string;
  byClient: boolean;
}

/** What a registry entry says now (after a run that wrote it or marked it absent). */
export interface RegistryEntryState {
  grantedAt: Date;
  revokedAt: Date | null;
  revocationReason: string | null;
  /** The last complete registry snapshot no longer lists it (or listed it unreadably). */
  absent: boolean;
}

export type RevocationDecision = { action: 'keep' } | { action: 'clear' } | { action: 'revoke'; revokedAt: Date; reason: string };

/**
 * How a registry run changes a registry consent's revocation (its grant terms always follow the
 * registry). The registry is the authority on its own consents, with one exception:
 *
 * - A revocation made in the hub (by a client, through `revokeConsent`) stands, whatever the
 *   registry still says, until the registry shows a new grant: an unrevoked entry whose
 *   `grantedAt` is later than the hub's revocation. A registry that merely lags (still lists the
 *   old grant, or extends it) never brings a withdrawn consent back.
 * - Otherwise the registry decides: an entry it revokes is revoked with its time and reason; an
 *   entry it no longer lists is revoked now (WITHDRAWN_FROM_REGISTRY), the first such revocation
 *   kept; an entry it lists unrevoked is active (this also lifts the registry's own earlier
 *   revocations and absences, which the registry may correct).
 */
export function reconcileRevocation(held: HeldRevocation | null, entry: RegistryEntryState, now: Date): RevocationDecision {
  if (held?.byClient) {
    const regranted = !entry.absent && entry.revokedAt === null && entry.grantedAt.getTime() > held.revokedAt.getTime();
    return regranted ? { action: 'clear' } : { action: 'keep' };
  }
  if (entry.absent) return held ? { action: 'keep' } : { action: 'revoke', revokedAt: now, reason: WITHDRAWN_FROM_REGISTRY };
  if (entry.revokedAt !== null) {
    const reason = entry.revocationReason ?? REVOKED_IN_REGISTRY;
    if (held && held.revokedAt.getTime() === entry.revokedAt.getTime() && held.reason === reason) return { action: 'keep' };
    return { action: 'revoke', revokedAt: entry.revokedAt, reason };
  }
  return held ? { action: 'clear' } : { action: 'keep' };
}
