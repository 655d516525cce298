/**
 * The ministry's consent registry as the simulator serves it (format: src/sources/consent/README.md):
 * a few consents per partner bank over the world's firms, deterministic for the seed, with active,
 * revoked and expired ones. Revision 2 is the same registry a few months later: one consent
 * extended, one re-granted, one revoked, one dropped, one added, per bank.
 *
 * Dates are fixed, not relative to today, so the same seed serves the same bytes on any day: active
 * consents run to 2032-2035, expired ones ended in 2024-2025. Status is therefore a function of the
 * day it is asked on (`consentRegistryTruth`).
 */
import { firmAt } from '../world/world';
import { AGENCY_STREAMS, agencyRandom } from '../world/agency-random';
import type { Random } from '../random';

export type SimulatedBank = 'SMED' | 'EXIM';
export const SIMULATED_BANKS: readonly SimulatedBank[] = ['SMED', 'EXIM'];

export interface SimulatedConsent {
  consentId: string;
  juristicId: string;
  bank: SimulatedBank;
  purpose: string;
  /** With its +07:00 offset, as the registry writes it. */
  grantedAt: string;
  validUntil: string;
  revokedAt: string | null;
  revocationReason: string | null;
}

export interface ConsentRegistryOptions {
  seed: number;
  /** Firms in the world. */
  scale: number;
  revision: 1 | 2;
  /** Adds one entry with an invalid juristic ID, which the hub must quarantine. */
  badRow: boolean;
}

export const CONSENT_REGISTRY_NAME = 'moi-consent-registry';

const PURPOSES = [
  'พิจารณาคำขอสินเชื่อ (assessing a loan application)',
  'ทบทวนวงเงินสินเชื่อ (reviewing a credit line)',
  'ติดตามสินเชื่อที่ได้รับอนุมัติ (monitoring an approved loan)',
];
const REVOCATION_REASONS = ['บริษัทยกเลิกคำขอสินเชื่อ (the company withdrew its application)', 'บริษัทถอนความยินยอม (the company withdrew its consent)'];

/** Consents per bank: about one per hundred firms, at least six (one of each kind the tests need). */
export function consentsPerBank(scale: number): number {
  return Math.min(scale, Math.max(6, Math.ceil(scale / 100)));
}

const DAY_MS = 86_400_000;
const addDays = (isoDate: string, days: number): string => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
/** A Bangkok wall-clock time on a day, written with its offset. */
const bangkokAt = (isoDate: string, minutesAfterMidnight: number): string =>
  `${isoDate}T${String(Math.floor(minutesAfterMidnight / 60)).padStart(2, '0')}:${String(minutesAfterMidnight % 60).padStart(2, '0')}:00+07:00`;
const officeHours = (random: Random): number => 9 * 60 + random.int(0, 7 * 60);

type Kind = 'active' | 'revoked' | 'expired';
/** The first six of each bank are fixed, so every registry has each kind and revision 2 has its changes. */
const FIXED_KINDS: readonly Kind[] = ['active', 'revoked', 'expired', 'active', 'active', 'active'];

function consentAt(seed: number, bankIndex: number, k: number, juristicId: string): SimulatedConsent {
  const bank = SIMULATED_BANKS[bankIndex]!;
  const random = agencyRandom(seed, AGENCY_STREAMS.consent, bankIndex * 1_000_000 + k);
  const roll = random.next();
  const kind: Kind = FIXED_KINDS[k] ?? (roll < 0.7 ? 'active' : roll < 0.85 ? 'revoked' : 'expired');
  const purpose = random.pick(PURPOSES);
  const consentId = `CR-${bank}-${String(k + 1).padStart(6, '0')}`;
  if (kind === 'expired') {
    const granted = addDays('2023-01-01', random.int(0, 365));
    return { consentId, juristicId, bank, purpose, grantedAt: bangkokAt(granted, officeHours(random)), validUntil: addDays(granted, random.int(365, 700)), revokedAt: null, revocationReason: null };
  }
  const granted = addDays('2025-01-01', random.int(0, 420));
  const grantedAt = bangkokAt(granted, officeHours(random));
  const validUntil = addDays('2032-01-01', random.int(0, 1460));
  if (kind === 'active') return { consentId, juristicId, bank, purpose, grantedAt, validUntil, revokedAt: null, revocationReason: null };
  const revokedAt = bangkokAt(addDays(granted, random.int(10, 120)), officeHours(random));
  return { consentId, juristicId, bank, purpose, grantedAt, validUntil, revokedAt, revocationReason: random.pick(REVOCATION_REASONS) };
}

/** Distinct firms per bank, drawn from the seed (a firm may have consents with both banks). */
function firmsOf(seed: number, bankIndex: number, count: number, scale: number): number[] {
  const chosen: number[] = [];
  const taken = new Set<number>();
  for (let k = 0; chosen.length < count; k++) {
    let index = agencyRandom(seed, AGENCY_STREAMS.consent, 500_000 + bankIndex * 1_000_000 + k).int(0, scale - 1);
    while (taken.has(index)) index = (index + 1) % scale;
    taken.add(index);
    chosen.push(index);
  }
  return chosen;
}

/** The registry's consents in the order it lists them (by bank, then consent ID). */
export function consentRegistry(options: ConsentRegistryOptions): SimulatedConsent[] {
  const { seed, scale, revision } = options;
  if (scale < 1) return [];
  const perBank = consentsPerBank(scale);
  const consents: SimulatedConsent[] = [];
  for (let bankIndex = 0; bankIndex < SIMULATED_BANKS.length; bankIndex++) {
    // Revision 2 adds one consent per bank, on a firm the bank had none with.
    const firms = firmsOf(seed, bankIndex, Math.min(scale, perBank + (revision === 2 ? 1 : 0)), scale);
    for (const [k, firm] of firms.entries()) {
      const consent = consentAt(seed, bankIndex, k, firmAt(seed, firm).juristicId);
      if (revision === 1 || k < 3 || k > 5) {
        if (revision === 2 && k === 0) consent.validUntil = addDays(consent.validUntil, 365);
        if (revision === 2 && k === perBank) {
          consent.grantedAt = bangkokAt('2026-09-25', 10 * 60 + bankIndex);
          consent.revokedAt = null;
          consent.revocationReason = null;
          consent.validUntil = '2033-09-24';
        }
        consents.push(consent);
      } else if (k === 3) {
        // Re-granted: the company signed again on 15 September 2026.
        consents.push({ ...consent, grantedAt: bangkokAt('2026-09-15', 10 * 60 + bankIndex), validUntil: addDays(consent.validUntil, 365) });
      } else if (k === 4) {
        consents.push({ ...consent, revokedAt: bangkokAt('2026-09-20', 14 * 60 + bankIndex), revocationReason: REVOCATION_REASONS[1]! });
      }
      // k === 5 is no longer listed in revision 2.
    }
  }
  if (options.badRow) {
    const first = consents[0];
    if (first) consents.push({ ...first, consentId: 'CR-SMED-BAD-000001', juristicId: `${first.juristicId.slice(0, 12)}${(Number(first.juristicId[12]) + 1) % 10}` });
  }
  return consents;
}

export interface ConsentRegistryTruth {
  /** Entries listed (bad ones included). */
  listed: number;
  /** Entries the hub must quarantine. */
  badRows: number;
  /** Good entries by bank and by status on `today`. */
  byBank: Record<SimulatedBank, { ACTIVE: number; REVOKED: number; EXPIRED: number }>;
}

export function consentStatusOn(consent: SimulatedConsent, today: string): 'ACTIVE' | 'REVOKED' | 'EXPIRED' {
  if (consent.revokedAt !== null) return 'REVOKED';
  return consent.validUntil < today ? 'EXPIRED' : 'ACTIVE';
}

/** What a correct load of the registry yields, on the given Bangkok day. */
export function consentRegistryTruth(options: ConsentRegistryOptions, today: string): ConsentRegistryTruth {
  const listed = consentRegistry(options);
  const good = options.badRow ? listed.slice(0, -1) : listed;
  const byBank = { SMED: { ACTIVE: 0, REVOKED: 0, EXPIRED: 0 }, EXIM: { ACTIVE: 0, REVOKED: 0, EXPIRED: 0 } };
  for (const consent of good) byBank[consent.bank][consentStatusOn(consent, today)] += 1;
  return { listed: listed.length, badRows: listed.length - good.length, byBank };
}
