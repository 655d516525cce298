/**
 * One consent as the ministry's consent registry lists it, cleaned and checked by the parser (see
 * README.md for the feed format).
 */
import type { BankCode } from '../../access/roles';

export interface ConsentRegistryRecord {
  /** The registry's own key, e.g. `CR-SMED-2025-000001`. */
  registryId: string;
  /** 13 digits, starting with 0, valid check digit. */
  juristicId: string;
  bankCode: BankCode;
  /** As the consent form words it (NFC, trimmed). */
  purpose: string;
  /** ISO instant, UTC. */
  grantedAt: string;
  /** Last valid day (Bangkok calendar), `YYYY-MM-DD`. */
  validUntil: string;
  /** ISO instant, UTC; null while the registry has not revoked the consent. */
  revokedAt: string | null;
  revocationReason: string | null;
}
