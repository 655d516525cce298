import { verify, type KeyObject } from 'node:crypto';
import type { Pool } from 'pg';
import { checkpointMessage, entryHash, GENESIS_HASH } from './read-audit';

export interface AuditProblem {
  seq: number;
  kind: 'edited' | 'deleted' | 'reordered' | 'checkpoint' | 'truncated';
  message: string;
}

export interface AuditVerification {
  /** Entries whose hash and link were checked. */
  verified: number;
  /** The first problem found; undefined when the chain is whole. */
  problem?: AuditProblem;
  fromSeq: number;
  checkpoints: number;
}

interface EntryRow {
  seq: string;
  at: Date;
  request_id: string;
  client_id: string;
  client_name: string;
  role: string;
  organisation: string;
  operation_name: string | null;
  document_hash: string | null;
  juristic_ids: string[];
  entities: string[];
  field_groups: string[];
  purpose: string | null;
  lawful_basis: string | null;
  consent_ids: string[];
  prev_hash: string;
  hash: string;
}

const PAGE = 10_000;

/**
 * Recomputes the read audit's hash chain from the start (or from the last checkpoint before
 * `since`), in pages of 10,000 entries, and names the first entry at fault:
 *
 * - a gap in the sequence: an entry was deleted;
 * - an entry whose `prev_hash` is not its predecessor's hash: entries were reordered or replaced;
 * - an entry whose content no longer gives its hash: it was edited;
 * - a checkpoint that does not match the chain, or whose signature fails: the chain was rewritten
 *   from that point (recomputing every later hash does not get past a signed checkpoint);
 * - a chain shorter than its head or its last checkpoint: its newest entries were deleted.
 *
 * None of this depends on the triggers: a superuser who bypassed them is found all the same.
 */
export async function verifyAuditChain(pool: Pool, options: { since?: Date; publicKey?: KeyObject } = {}): Promise<AuditVerification> {
  const checkpoints = (
    await pool.query<{ seq: string; hash: string; at: Date; signature: string | null }>('SELECT seq, hash, at, signature FROM audit.checkpoint ORDER BY seq')
  ).rows.map((c) => ({ seq: Number(c.seq), hash: c.hash, at: c.at, signature: c.signature }));
  for (const c of checkpoints) {
    if (options.publicKey && (!c.signature || !verify(null, checkpointMessage(c.seq, c.hash, c.at), options.publicKey, Buffer.from(c.signature, 'base64')))) {
      return { verified: 0, fromSeq: 0, checkpoints: checkpoints.length, problem: { seq: c.seq, kind: 'checkpoint', message: `checkpoint at entry ${c.seq}: its signature does not verify with the configured key` } };
    }
  }
  const bySeq = new Map(checkpoints.map((c) => [c.seq, c]));
  // Start from the last checkpoint before `since` (its hash is the trusted link), else from the start.
  const anchor = options.since ? [...checkpoints].reverse().find((c) => c.at < options.since!) : undefined;
  let expectedSeq = (anchor?.seq ?? 0) + 1;
  let prevHash = anchor?.hash ?? GENESIS_HASH;
  let verified = 0;
  const result = (problem?: AuditProblem): AuditVerification => ({ verified, fromSeq: (anchor?.seq ?? 0) + 1, checkpoints: checkpoints.length, ...(problem ? { problem } : {}) });
  for (;;) {
    const { rows } = await pool.query<EntryRow>('SELECT * FROM audit.read_entry WHERE seq >= $1 ORDER BY seq LIMIT $2', [expectedSeq, PAGE]);
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) {
        return result({ seq: expectedSeq, kind: 'deleted', message: `entry ${expectedSeq} is missing (the chain jumps from ${expectedSeq - 1} to ${seq}): deleted` });
      }
      if (row.prev_hash !== prevHash) {
        return result({ seq, kind: 'reordered', message: `entry ${seq} does not follow entry ${seq - 1} (its previous hash is another entry's): reordered or replaced` });
      }
      const hash = entryHash(prevHash, {
        seq,
        at: row.at,
        requestId: row.request_id,
        clientId: row.client_id,
        clientName: row.client_name,
        role: row.role,
        organisation: row.organisation,
        operationName: row.operation_name,
        documentHash: row.document_hash,
        juristicIds: row.juristic_ids,
        entities: row.entities,
        fieldGroups: row.field_groups,
        purpose: row.purpose,
        lawfulBasis: row.lawful_basis,
        consentIds: row.consent_ids,
      });
      if (hash !== row.hash) return result({ seq, kind: 'edited', message: `entry ${seq} was edited (its content no longer gives its hash)` });
      const checkpoint = bySeq.get(seq);
      if (checkpoint && checkpoint.hash !== hash) {
        return result({ seq, kind: 'checkpoint', message: `entry ${seq} differs from the checkpoint taken at ${checkpoint.at.toISOString()}: the chain was rewritten up to here` });
      }
      prevHash = hash;
      expectedSeq += 1;
      verified += 1;
    }
    if (rows.length < PAGE) break;
  }
  const last = expectedSeq - 1;
  const head = (await pool.query<{ seq: string }>('SELECT seq FROM audit.chain_head')).rows[0];
  const lastCheckpoint = checkpoints.at(-1)?.seq ?? 0;
  const recorded = Math.max(Number(head?.seq ?? 0), lastCheckpoint);
  if (recorded > last) return result({ seq: last + 1, kind: 'truncated', message: `entries ${last + 1} to ${recorded} are missing: the newest entries were deleted` });
  return result();
}
