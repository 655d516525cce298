import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import type { AuditProblem } from './audit-verify';
import { GENESIS_HASH } from './read-audit';

/** One changed attribute: its name, the value before and after (JSON values; arrays keep their order in jsonb). */
export type AttributeChange = [field: string, before: unknown, after: unknown];

/** An administrator's change to the hub's access (docs/access-and-audit.md, "Admin actions"). */
export interface AdminAction {
  at: Date;
  /** Who did it: `cli:<os user>@<host>` for the CLI. */
  actor: string;
  /** `client:update`, `client:revoke`. */
  action: string;
  /** What it was done to: `ApiClient:<id>`. */
  subject: string;
  changes: AttributeChange[];
}

/**
 * The hash of an admin action: SHA-256 over the previous action's hash and the action's content
 * (sequence number included), like a read entry's (src/access/audit/read-audit.ts). `changes` is
 * an array of arrays, so it reads back from jsonb exactly as it was written.
 */
export function adminActionHash(prevHash: string, seq: number, action: AdminAction): string {
  const content = JSON.stringify([seq, action.at.toISOString(), action.actor, action.action, action.subject, action.changes]);
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}

/**
 * What an admin action's checkpoint signs: the chain's hash at that action. Worded apart from the
 * read audit's (`checkpointMessage`), so neither chain's signature can stand in for the other's.
 */
export const adminCheckpointMessage = (seq: number, hash: string, at: Date): Buffer =>
  Buffer.from(`i-industry-hub admin action checkpoint ${seq} ${hash} ${at.toISOString()}`);

/** The Ed25519 key that signs checkpoints (AUDIT_SIGNING_KEY_FILE, `auditSigningKey` in src/app/services.ts); none: unsigned. */
export interface AdminActionSigner {
  signingKey?: KeyObject | undefined;
  keyId?: string | undefined;
}

/** A query runner inside the transaction that makes the change (TypeORM's EntityManager.query, pg's client.query). */
type Query = (sql: string, params?: unknown[]) => Promise<unknown>;

/**
 * Appends admin actions to `audit.admin_action` in the caller's transaction, so a change and its
 * record commit together or not at all, with a checkpoint of each in `audit.admin_checkpoint`
 * (signed when there is a key): admin actions are rare, so each is its own chain head, and deleting
 * the newest ones leaves checkpoints counting them. The table lock orders concurrent writers (a lock
 * per change costs nothing worth saving).
 */
export async function appendAdminActions(query: Query, actions: readonly AdminAction[], signer: AdminActionSigner = {}): Promise<void> {
  if (actions.length === 0) return;
  await query('LOCK TABLE audit.admin_action IN SHARE ROW EXCLUSIVE MODE');
  const [last] = (await query('SELECT seq, hash FROM audit.admin_action ORDER BY seq DESC LIMIT 1')) as { seq: string; hash: string }[];
  let seq = Number(last?.seq ?? 0);
  let prevHash = last?.hash ?? GENESIS_HASH;
  for (const action of actions) {
    seq += 1;
    const hash = adminActionHash(prevHash, seq, action);
    await query(
      `INSERT INTO audit.admin_action (seq, at, actor, action, subject, changes, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`,
      [seq, action.at, action.actor, action.action, action.subject, JSON.stringify(action.changes), prevHash, hash],
    );
    const at = new Date();
    const signature = signer.signingKey ? sign(null, adminCheckpointMessage(seq, hash, at), signer.signingKey).toString('base64') : null;
    await query('INSERT INTO audit.admin_checkpoint (seq, hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5)', [seq, hash, at, signature ? (signer.keyId ?? null) : null, signature]);
    prevHash = hash;
  }
}

export interface AdminActionsVerification {
  /** Actions whose hash and link were checked. */
  verified: number;
  checkpoints: number;
  /** The first problem found; undefined when the chain is whole. */
  problem?: AuditProblem;
}

/**
 * Recomputes the admin actions' chain against its checkpoints and names the first problem:
 *
 * - an action deleted (a gap), reordered or replaced (its previous hash is another's), edited (its
 *   content no longer gives its hash);
 * - an action that differs from its checkpoint: the chain was rewritten (hashes recomputed) up to it;
 * - an action after the first checkpoint without one: written outside the hub, or its checkpoint deleted;
 * - checkpoints beyond the last action: the newest actions were deleted (truncated);
 * - with `publicKey`, a checkpoint unsigned or whose signature does not verify.
 *
 * None of this depends on the triggers. Actions older than the first checkpoint (written before
 * migration 1763962400000) are covered by the chain alone.
 */
export async function verifyAdminActions(query: Query, options: { publicKey?: KeyObject | undefined } = {}): Promise<AdminActionsVerification> {
  const rows = (await query('SELECT seq, at, actor, action, subject, changes, prev_hash, hash FROM audit.admin_action ORDER BY seq')) as {
    seq: string;
    at: Date;
    actor: string;
    action: string;
    subject: string;
    changes: AttributeChange[];
    prev_hash: string;
    hash: string;
  }[];
  const checkpoints = ((await query('SELECT seq, hash, at, signature FROM audit.admin_checkpoint ORDER BY seq')) as { seq: string; hash: string; at: Date; signature: string | null }[]).map(
    (c) => ({ seq: Number(c.seq), hash: c.hash, at: c.at, signature: c.signature }),
  );
  const bySeq = new Map(checkpoints.map((c) => [c.seq, c]));
  const firstCheckpoint = checkpoints[0]?.seq ?? Number.POSITIVE_INFINITY;
  let prevHash = GENESIS_HASH;
  let expected = 1;
  const result = (problem?: AuditProblem, verified = expected - 1): AdminActionsVerification => ({ verified, checkpoints: checkpoints.length, ...(problem ? { problem } : {}) });
  for (const row of rows) {
    const seq = Number(row.seq);
    if (seq !== expected) return result({ seq: expected, kind: 'deleted', message: `admin action ${expected} is missing (the chain jumps from ${expected - 1} to ${seq}): deleted` });
    if (row.prev_hash !== prevHash) return result({ seq, kind: 'reordered', message: `admin action ${seq} does not follow ${seq - 1}: reordered or replaced` });
    const hash = adminActionHash(prevHash, seq, { at: row.at, actor: row.actor, action: row.action, subject: row.subject, changes: row.changes });
    if (hash !== row.hash) return result({ seq, kind: 'edited', message: `admin action ${seq} was edited (its content no longer gives its hash)` });
    const checkpoint = bySeq.get(seq);
    if (checkpoint && checkpoint.hash !== hash) {
      return result({ seq, kind: 'checkpoint', message: `admin action ${seq} differs from its checkpoint of ${checkpoint.at.toISOString()}: the chain was rewritten up to here` });
    }
    if (!checkpoint && seq > firstCheckpoint) {
      return result({ seq, kind: 'checkpoint', message: `admin action ${seq} has no checkpoint: written outside the hub, or its checkpoint was deleted` });
    }
    prevHash = hash;
    expected += 1;
  }
  const last = expected - 1;
  const recorded = checkpoints.at(-1)?.seq ?? 0;
  if (recorded > last) {
    return result({ seq: last + 1, kind: 'truncated', message: `admin actions ${last + 1} to ${recorded} are missing: the newest admin actions were deleted (their checkpoints remain)` });
  }
  // The chain matches its checkpoints; the key tells whether the hub wrote them.
  if (options.publicKey) {
    for (const c of checkpoints) {
      if (!c.signature) return result({ seq: c.seq, kind: 'checkpoint', message: `the checkpoint of admin action ${c.seq} is not signed, and a key is configured` }, c.seq - 1);
      if (!verify(null, adminCheckpointMessage(c.seq, c.hash, c.at), options.publicKey, Buffer.from(c.signature, 'base64'))) {
        return result({ seq: c.seq, kind: 'checkpoint', message: `the checkpoint of admin action ${c.seq}: its signature does not verify with the configured key` }, c.seq - 1);
      }
    }
  }
  return result();
}
