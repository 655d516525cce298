import {
  bangkokDate,
  checkGrant,
  consentStatus,
  isIsoDate,
  reconcileRevocation,
  REVOKED_IN_REGISTRY,
  WITHDRAWN_FROM_REGISTRY,
  type HeldRevocation,
  type RegistryEntryState,
} from '../../src/access/consent-rules';
import { DomainError } from '../../src/platform/errors/domain-error';

const JURISTIC_ID = '0105536112014';

describe('consent rules', () => {
  test('the Bangkok day turns at 17:00 UTC', () => {
    expect(bangkokDate(new Date('2026-03-01T16:59:59Z'))).toBe('2026-03-01');
    expect(bangkokDate(new Date('2026-03-01T17:00:00Z'))).toBe('2026-03-02');
  });

  test('status: revoked wins, then expiry by the last valid day (inclusive)', () => {
    expect(consentStatus({ revokedAt: null, validUntil: '2026-03-01' }, '2026-03-01')).toBe('ACTIVE');
    expect(consentStatus({ revokedAt: null, validUntil: '2026-03-01' }, '2026-03-02')).toBe('EXPIRED');
    expect(consentStatus({ revokedAt: new Date('2026-01-01T00:00:00Z'), validUntil: '2030-01-01' }, '2026-03-02')).toBe('REVOKED');
    expect(consentStatus({ revokedAt: new Date('2025-01-01T00:00:00Z'), validUntil: '2025-06-01' }, '2026-03-02')).toBe('REVOKED');
  });

  test('ISO dates must be real calendar days', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2027-02-29')).toBe(false);
    expect(isIsoDate('2027-13-01')).toBe(false);
    expect(isIsoDate('27-01-01')).toBe(false);
  });

  describe('checkGrant', () => {
    const today = '2026-11-21';
    const grant = { juristicId: '0-1055-36112-01-4', bank: 'SMED', purpose: '  พิจารณาสินเชื่อ  ', validUntil: '2027-11-21' };
    const refusal = (input: Partial<typeof grant>): { code: string; argument: unknown; message: string } => {
      try {
        checkGrant({ ...grant, ...input }, today);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return { code: error.code, argument: error.details['argument'], message: error.message };
      }
      throw new Error('expected a refusal');
    };

    test('normalises the juristic ID and the purpose', () => {
      expect(checkGrant(grant, today)).toEqual({ juristicId: JURISTIC_ID, bank: 'SMED', purpose: 'พิจารณาสินเชื่อ', validUntil: '2027-11-21' });
      expect(checkGrant({ ...grant, validUntil: today }, today).validUntil).toBe(today);
    });

    test.each([
      ['a wrong check digit', { juristicId: '0105536112015' }, 'input.juristicId', /check digit/],
      ['a personal ID', { juristicId: '1105536112014' }, 'input.juristicId', /starting with 0/],
      ['an unknown bank', { bank: 'KBANK' }, 'input.bank', /unknown bank/],
      ['a blank purpose', { purpose: '   ' }, 'input.purpose', /must not be empty/],
      ['a purpose of 501 characters', { purpose: 'x'.repeat(501) }, 'input.purpose', /at most 500/],
      ['a date that does not exist', { validUntil: '2027-02-30' }, 'input.validUntil', /YYYY-MM-DD/],
      ['yesterday', { validUntil: '2026-11-20' }, 'input.validUntil', /in the past/],
      ['more than ten years ahead', { validUntil: '2036-11-22' }, 'input.validUntil', /at most 10 years/],
    ])('refuses %s with BAD_USER_INPUT naming the argument', (_label, input, argument, message) => {
      expect(refusal(input)).toEqual({ code: 'BAD_USER_INPUT', argument, message: expect.stringMatching(message) });
    });
  });

  describe('reconcileRevocation (a registry run meets what the hub holds)', () => {
    const now = new Date('2026-11-21T05:00:00Z');
    const granted = new Date('2025-03-01T03:00:00Z');
    const entry = (over: Partial<RegistryEntryState> = {}): RegistryEntryState => ({ grantedAt: granted, revokedAt: null, revocationReason: null, absent: false, ...over });
    const byClient: HeldRevocation = { revokedAt: new Date('2026-10-01T00:00:00Z'), reason: 'the company withdrew its consent at the counter', byClient: true };
    const byRegistry: HeldRevocation = { revokedAt: new Date('2026-02-01T00:00:00Z'), reason: 'closed', byClient: false };

    test('a revocation made in the hub stands while the registry lags, revokes or drops the consent', () => {
      expect(reconcileRevocation(byClient, entry(), now)).toEqual({ action: 'keep' });
      expect(reconcileRevocation(byClient, entry({ revokedAt: new Date('2026-10-05T00:00:00Z'), revocationReason: 'x' }), now)).toEqual({ action: 'keep' });
      expect(reconcileRevocation(byClient, entry({ absent: true }), now)).toEqual({ action: 'keep' });
      // A grant at the very moment of the revocation is not later than it.
      expect(reconcileRevocation(byClient, entry({ grantedAt: byClient.revokedAt }), now)).toEqual({ action: 'keep' });
    });

    test('only a registry grant newer than the hub’s revocation lifts it', () => {
      expect(reconcileRevocation(byClient, entry({ grantedAt: new Date('2026-10-02T00:00:00Z') }), now)).toEqual({ action: 'clear' });
      expect(reconcileRevocation(byClient, entry({ grantedAt: new Date('2026-10-02T00:00:00Z'), absent: true }), now)).toEqual({ action: 'keep' });
    });

    test('otherwise the registry decides its own consents', () => {
      expect(reconcileRevocation(null, entry(), now)).toEqual({ action: 'keep' });
      const revokedAt = new Date('2026-09-20T02:00:00Z');
      expect(reconcileRevocation(null, entry({ revokedAt, revocationReason: 'ถอนความยินยอม' }), now)).toEqual({ action: 'revoke', revokedAt, reason: 'ถอนความยินยอม' });
      expect(reconcileRevocation(null, entry({ revokedAt }), now)).toEqual({ action: 'revoke', revokedAt, reason: REVOKED_IN_REGISTRY });
      expect(reconcileRevocation(byRegistry, entry({ revokedAt: byRegistry.revokedAt, revocationReason: byRegistry.reason }), now)).toEqual({ action: 'keep' });
      expect(reconcileRevocation(null, entry({ absent: true }), now)).toEqual({ action: 'revoke', revokedAt: now, reason: WITHDRAWN_FROM_REGISTRY });
      // The first withdrawal is kept: a run that finds it still absent changes nothing.
      expect(reconcileRevocation(byRegistry, entry({ absent: true }), now)).toEqual({ action: 'keep' });
      // The registry may correct itself: listed again and unrevoked, the consent is active again.
      expect(reconcileRevocation(byRegistry, entry(), now)).toEqual({ action: 'clear' });
    });
  });
});
