import { reconcileRevocation, type HeldRevocation, type RevocationDecision } from '../../access/consent-rules';
import type { Queryable } from '../../ingestion/ingestion-run.repository';

interface EntryRow {
  registry_id: string;
  juristic_id: string;
  bank_code: string;
  purpose: string;
  granted_at: Date;
  valid_until: string;
  revoked_at: Date | null;
  revocation_reason: string | null;
  absent: boolean;
}

interface HeldRow {
  registry_id: string;
  revoked_at: Date | null;
  revocation_reason: string | null;
  by_client: boolean;
}

export interface ConsentMergeSummary {
  /** Registry consents seen for the first time. */
  consentsAdded: number;
  /** Registry consents whose terms or revocation the run changed. */
  consentsUpdated: number;
}

/**
 * After a `consent-registry` run, in its transaction: every registry entry the run wrote or marked
 * absent is reconciled into `access.consent`. Grant terms (company, bank, purpose, grantedAt,
 * validUntil) follow the registry; the revocation follows `reconcileRevocation`, so a consent
 * revoked through the API is not brought back by a registry that still lists it. Unchanged entries
 * are not rewritten by the engine, so they are not reconciled either: a repeated snapshot changes
 * nothing. The consents concerned are locked first, so a revocation made through the API while the
 * run is in progress is either seen here or waits for the run's commit, and is never overwritten.
 */
export async function reconcileConsentRegistry(client: Queryable, runId: string, now: Date = new Date()): Promise<ConsentMergeSummary> {
  const touched = `SELECT registry_id FROM access.consent_registry_entry WHERE source_run_id = $1 OR absent_since_run_id = $1`;
  const held = await client.query<HeldRow>(
    `SELECT c.registry_id, c.revoked_at, c.revocation_reason, c.revoked_by_client_id IS NOT NULL AS by_client
     FROM access.consent c WHERE c.registry_id IN (${touched}) FOR UPDATE`,
    [runId],
  );
  const entries = await client.query<EntryRow>(
    `SELECT registry_id, juristic_id, bank_code, purpose, granted_at, to_char(valid_until, 'YYYY-MM-DD') AS valid_until,
            revoked_at, revocation_reason, absent_since_run_id IS NOT NULL AS absent
     FROM access.consent_registry_entry WHERE registry_id IN (${touched})`,
    [runId],
  );
  const heldById = new Map(held.rows.map((row) => [row.registry_id, row]));
  const existing: object[] = [];
  const added: object[] = [];
  for (const entry of entries.rows) {
    const current = heldById.get(entry.registry_id);
    const revocation: HeldRevocation | null =
      current?.revoked_at ? { revokedAt: current.revoked_at, reason: current.revocation_reason ?? '', byClient: current.by_client } : null;
    const decision: RevocationDecision = reconcileRevocation(
      revocation,
      { grantedAt: entry.granted_at, revokedAt: entry.revoked_at, revocationReason: entry.revocation_reason, absent: entry.absent },
      now,
    );
    const row = {
      registry_id: entry.registry_id,
      juristic_id: entry.juristic_id,
      bank_code: entry.bank_code,
      purpose: entry.purpose,
      granted_at: entry.granted_at.toISOString(),
      valid_until: entry.valid_until,
      action: decision.action,
      revoked_at: decision.action === 'revoke' ? decision.revokedAt.toISOString() : null,
      reason: decision.action === 'revoke' ? decision.reason : null,
    };
    (current ? existing : added).push(row);
  }
  const recordset = `jsonb_to_recordset($1::jsonb) AS r(registry_id text, juristic_id text, bank_code text, purpose text, granted_at timestamptz,
                     valid_until date, action text, revoked_at timestamptz, reason text)`;
  let consentsUpdated = 0;
  if (existing.length > 0) {
    const result = await client.query(
      `UPDATE access.consent c SET
         juristic_id = r.juristic_id, bank_code = r.bank_code, purpose = r.purpose, granted_at = r.granted_at, valid_until = r.valid_until,
         loaded_by_run_id = $2, updated_at = now(),
         revoked_at = CASE r.action WHEN 'keep' THEN c.revoked_at WHEN 'revoke' THEN r.revoked_at END,
         revocation_reason = CASE r.action WHEN 'keep' THEN c.revocation_reason WHEN 'revoke' THEN r.reason END,
         revoked_by_client_id = CASE r.action WHEN 'keep' THEN c.revoked_by_client_id END,
         revoked_by_run_id = CASE r.action WHEN 'keep' THEN c.revoked_by_run_id WHEN 'revoke' THEN $2::bigint END
       FROM ${recordset}
       WHERE c.registry_id = r.registry_id`,
      [JSON.stringify(existing), runId],
    );
    consentsUpdated = result.rowCount ?? 0;
  }
  if (added.length > 0) {
    await client.query(
      `INSERT INTO access.consent (juristic_id, bank_code, purpose, granted_at, valid_until, origin, registry_id, loaded_by_run_id,
                                   revoked_at, revocation_reason, revoked_by_run_id)
       SELECT r.juristic_id, r.bank_code, r.purpose, r.granted_at, r.valid_until, 'REGISTRY', r.registry_id, $2,
              r.revoked_at, r.reason, CASE WHEN r.action = 'revoke' THEN $2::bigint END
       FROM ${recordset}`,
      [JSON.stringify(added), runId],
    );
  }
  return { consentsAdded: added.length, consentsUpdated };
}
