import { loadHubConfig } from '../../src/app/config';
import { FeedFormatError, type JsonValue, type ParsedRow } from '../../src/ingestion/feed';
import { consentRegistry, consentRegistryTruth, consentsPerBank, type SimulatedConsent } from '../../src/simulator/consent/consent-registry.feed';
import { isValidThaiId } from '../../src/shared/thai-id';
import { CONSENT_REGISTRY_NAME, parseConsentEntry, parseConsentRegistry } from '../../src/sources/consent/consent-registry.parser';
import type { ConsentRegistryRecord } from '../../src/sources/consent/consent-registry.record';
import { CONSENT_REGISTRY_DEFAULT_SCHEDULE, consentRegistrySource } from '../../src/sources/consent/consent-registry.source';
import { INITIAL_LOAD_ORDER, hubSources } from '../../src/sources/registry';

const options = { seed: 7, scale: 1500, revision: 1 as const, badRow: false };
const TODAY = '2026-11-21';

const parse = (body: unknown): ParsedRow<ConsentRegistryRecord>[] => [...parseConsentRegistry(body)];
const registry = (consents: unknown[]): unknown => ({ registry: CONSENT_REGISTRY_NAME, publishedOn: '2026-07-01', consents });

describe('consent registry: simulator', () => {
  test('is the same for the same seed, and has active, revoked and expired consents for each bank', () => {
    const consents = consentRegistry(options);
    expect(consentRegistry(options)).toEqual(consents);
    expect(consentRegistry({ ...options, seed: 8 })).not.toEqual(consents);
    expect(consents.length).toBe(2 * consentsPerBank(1500));
    const truth = consentRegistryTruth(options, TODAY);
    for (const bank of ['SMED', 'EXIM'] as const) {
      const mine = consents.filter((c) => c.bank === bank);
      expect(new Set(mine.map((c) => c.juristicId)).size).toBe(mine.length);
      expect(truth.byBank[bank].ACTIVE).toBeGreaterThan(0);
      expect(truth.byBank[bank].REVOKED).toBeGreaterThan(0);
      expect(truth.byBank[bank].EXPIRED).toBeGreaterThan(0);
    }
    for (const consent of consents) expect(isValidThaiId(consent.juristicId)).toBe(true);
    expect(consentsPerBank(100)).toBe(6);
  });

  test('revision 2 extends one consent, re-grants one, revokes one, drops one and adds one per bank', () => {
    const before = new Map(consentRegistry(options).map((c) => [c.consentId, c]));
    const after = new Map(consentRegistry({ ...options, revision: 2 }).map((c) => [c.consentId, c]));
    const changes = (bank: string) => {
      const changed: Record<string, string[]> = { extended: [], regranted: [], revoked: [], dropped: [], added: [] };
      for (const [id, old] of before) {
        if (old.bank !== bank) continue;
        const now = after.get(id);
        if (!now) changed['dropped']!.push(id);
        else if (now.grantedAt !== old.grantedAt) changed['regranted']!.push(id);
        else if (now.revokedAt !== old.revokedAt) changed['revoked']!.push(id);
        else if (now.validUntil !== old.validUntil) changed['extended']!.push(id);
        else expect(now).toEqual(old);
      }
      for (const [id, now] of after) if (now.bank === bank && !before.has(id)) changed['added']!.push(id);
      return changed;
    };
    expect(changes('SMED')).toEqual({
      extended: ['CR-SMED-000001'],
      regranted: ['CR-SMED-000004'],
      revoked: ['CR-SMED-000005'],
      dropped: ['CR-SMED-000006'],
      added: [`CR-SMED-${String(consentsPerBank(1500) + 1).padStart(6, '0')}`],
    });
    expect(changes('EXIM').added).toHaveLength(1);
  });
});

describe('consent registry: parser', () => {
  test('reads every entry the simulator serves, converting instants to UTC', () => {
    const served = consentRegistry(options);
    const rows = parse(registry(served));
    expect(rows.every((row) => row.kind === 'record')).toBe(true);
    const first = (rows[0] as { record: ConsentRegistryRecord }).record;
    expect(first).toEqual({
      registryId: served[0]!.consentId,
      juristicId: served[0]!.juristicId,
      bankCode: 'SMED',
      purpose: served[0]!.purpose,
      grantedAt: new Date(served[0]!.grantedAt).toISOString(),
      validUntil: served[0]!.validUntil,
      revokedAt: null,
      revocationReason: null,
    });
    expect(rows.map((row) => row.line)).toEqual(served.map((_, i) => i + 1));
  });

  test('quarantines the simulator’s bad entry with the reason', () => {
    const rows = parse(registry(consentRegistry({ ...options, badRow: true })));
    const rejected = rows.filter((row) => row.kind === 'rejected');
    expect(rejected).toEqual([expect.objectContaining({ reason: expect.stringMatching(/^consent CR-SMED-BAD-000001: juristicId: .*check digit/) })]);
  });

  const good: SimulatedConsent = {
    consentId: 'CR-X-1',
    juristicId: '0-1055-36112-01-4',
    bank: 'EXIM',
    purpose: ' พิจารณาสินเชื่อ ',
    grantedAt: '2025-03-04T10:15:00+07:00',
    validUntil: '2027-03-03',
    revokedAt: null,
    revocationReason: 'ignored without a revocation',
  };
  const one = (over: Record<string, JsonValue>) => parseConsentEntry({ ...(good as unknown as Record<string, JsonValue>), ...over });

  test('normalises IDs written with dashes, trims the purpose, keeps a reason only with a revocation', () => {
    expect(one({})).toMatchObject({ kind: 'record', record: { juristicId: '0105536112014', purpose: 'พิจารณาสินเชื่อ', grantedAt: '2025-03-04T03:15:00.000Z', revocationReason: null } });
    expect(one({ revokedAt: '2025-05-01T09:00:00+07:00', revocationReason: 'closed' })).toMatchObject({ kind: 'record', record: { revokedAt: '2025-05-01T02:00:00.000Z', revocationReason: 'closed' } });
  });

  test.each([
    ['an unknown bank', { bank: 'KBANK' }, /bank: must be one of SMED, EXIM/],
    ['an instant without offset', { grantedAt: '2025-03-04 10:15' }, /grantedAt: must be a date and time with its offset/],
    ['a date that does not exist', { validUntil: '2027-02-29' }, /validUntil: must be a date written YYYY-MM-DD/],
    ['an empty purpose', { purpose: '  ' }, /purpose: must not be empty/],
    ['an end before the grant', { validUntil: '2025-03-03' }, /validUntil 2025-03-03 is before the day it was granted/],
    ['a revocation before the grant', { revokedAt: '2025-01-01T00:00:00Z' }, /revokedAt is before grantedAt/],
    ['a personal ID', { juristicId: '1105536112014' }, /juristicId: .*starting with 0/],
  ])('rejects %s, naming the consent and the field', (_label, over, reason) => {
    const row = one(over);
    expect(row).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/^consent CR-X-1: /) });
    expect((row as { reason: string }).reason).toMatch(reason);
  });

  test('a document that is not the registry fails the run', () => {
    expect(() => parse([])).toThrow(FeedFormatError);
    expect(() => parse({ registry: 'something-else', consents: [] })).toThrow(/expected "moi-consent-registry"/);
    expect(() => parse({ registry: CONSENT_REGISTRY_NAME })).toThrow(/no consents list/);
    expect(parse(registry([42]))).toEqual([{ kind: 'rejected', line: 1, raw: 42, reason: 'consent is not a JSON object' }]);
  });
});

describe('consent registry: source', () => {
  test('is registered as a snapshot source, with its named default schedule and the simulator’s feed', () => {
    expect(hubSources().get('consent-registry')).toBe(consentRegistrySource);
    expect(INITIAL_LOAD_ORDER).toContain('consent-registry');
    const config = loadHubConfig({});
    expect(consentRegistrySource.mode).toBe('snapshot');
    expect(config.feeds[consentRegistrySource.id]!.schedule).toBe(CONSENT_REGISTRY_DEFAULT_SCHEDULE);
    expect(config.feeds[consentRegistrySource.id]!.url).toBe('http://127.0.0.1:4100/moi/consent-registry.json');
    const columns = consentRegistrySource.target.columns.map((c) => c.name);
    for (const key of consentRegistrySource.target.key) expect(columns).toContain(key);
  });
});
