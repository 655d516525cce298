/**
 * Parses the ministry's consent registry (JSON, see README.md). The envelope must be the registry's
 * (else FeedFormatError: the run fails and the consents already loaded stay as they were); each
 * consent is checked on its own, so one bad entry is quarantined with the reason and the others load.
 */
import { z } from 'zod';
import { bangkokDate, checkJuristicId, isIsoDate, MAX_PURPOSE_LENGTH, MAX_REASON_LENGTH } from '../../access/consent-rules';
import { BANK_CODES } from '../../access/roles';
import { DomainError } from '../../platform/errors/domain-error';
import { FeedFormatError, type JsonValue, type ParsedRow } from '../../ingestion/feed';
import type { ConsentRegistryRecord } from './consent-registry.record';

/** The `registry` field of the envelope: guards against pointing the source at another JSON feed. */
export const CONSENT_REGISTRY_NAME = 'moi-consent-registry';

/** An instant with its offset: `2025-03-04T10:15:00+07:00` or `...Z`. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

const instant = z
  .string()
  .trim()
  .refine((value) => INSTANT.test(value) && !Number.isNaN(Date.parse(value)), { message: 'must be a date and time with its offset, e.g. 2025-03-04T10:15:00+07:00' })
  .transform((value) => new Date(value));

const text = (max: number) =>
  z
    .string()
    .transform((value) => value.normalize('NFC').trim())
    .pipe(z.string().min(1, { message: 'must not be empty' }).max(max, { message: `must be at most ${max} characters` }));

/** Entry fields; unknown fields are ignored (the registry may publish more than the hub reads). */
const entrySchema = z.object({
  consentId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { message: 'must be 1 to 100 letters, digits, ., _ and -' }),
  juristicId: z.string(),
  bank: z.enum(BANK_CODES, { message: `must be one of ${BANK_CODES.join(', ')}` }),
  purpose: text(MAX_PURPOSE_LENGTH),
  grantedAt: instant,
  validUntil: z
    .string()
    .trim()
    .refine(isIsoDate, { message: 'must be a date written YYYY-MM-DD' }),
  revokedAt: instant.nullable().optional(),
  revocationReason: text(MAX_REASON_LENGTH).nullable().optional(),
});

export function* parseConsentRegistry(body: unknown): Generator<ParsedRow<ConsentRegistryRecord>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FeedFormatError('consent registry: the answer is not a JSON object');
  const { registry, consents } = body as { registry?: unknown; consents?: unknown };
  if (registry !== CONSENT_REGISTRY_NAME) throw new FeedFormatError(`consent registry: the document is ${JSON.stringify(registry ?? null)}, expected "${CONSENT_REGISTRY_NAME}"`);
  if (!Array.isArray(consents)) throw new FeedFormatError('consent registry: has no consents list');
  for (const [i, entry] of (consents as JsonValue[]).entries()) yield { ...parseConsentEntry(entry), line: i + 1 };
}

/** One consent as received (also a quarantined entry's raw form, for reparse). */
export function parseConsentEntry(raw: JsonValue): ParsedRow<ConsentRegistryRecord> {
  const rejected = (reason: string): ParsedRow<ConsentRegistryRecord> => ({ kind: 'rejected', line: 0, raw, reason });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return rejected('consent is not a JSON object');
  const id = typeof raw['consentId'] === 'string' ? raw['consentId'] : '(no consentId)';
  const fields = entrySchema.safeParse(raw);
  if (!fields.success) {
    return rejected(`consent ${id}: ${fields.error.issues.map((issue) => `${issue.path.join('.') || '(consent)'}: ${issue.message}`).join('; ')}`);
  }
  const entry = fields.data;
  let juristicId: string;
  try {
    juristicId = checkJuristicId(entry.juristicId, 'juristicId');
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return rejected(`consent ${entry.consentId}: juristicId: ${error.message}`);
  }
  if (entry.validUntil < bangkokDate(entry.grantedAt)) return rejected(`consent ${entry.consentId}: validUntil ${entry.validUntil} is before the day it was granted`);
  const revokedAt = entry.revokedAt ?? null;
  if (revokedAt !== null && revokedAt < entry.grantedAt) return rejected(`consent ${entry.consentId}: revokedAt is before grantedAt`);
  return {
    kind: 'record',
    line: 0,
    record: {
      registryId: entry.consentId,
      juristicId,
      bankCode: entry.bank,
      purpose: entry.purpose,
      grantedAt: entry.grantedAt.toISOString(),
      validUntil: entry.validUntil,
      revokedAt: revokedAt === null ? null : revokedAt.toISOString(),
      // A reason without a revocation means nothing; the hub keeps none.
      revocationReason: revokedAt === null ? null : (entry.revocationReason ?? null),
    },
  };
}
