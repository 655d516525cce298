import { createHash } from 'node:crypto';
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

/** A query runner inside the transaction that makes the change (TypeORM's EntityManager.query, pg's client.query). */
type Query = (sql: string, params?: unknown[]) => Promise<unknown>;

/**
 * Appends admin actions to `audit.admin_action` in the caller's transaction, so a change and its
 * record commit together or not at all. The table lock orders concurrent writers (admin actions are
 * rare: a lock per change costs nothing worth saving).
 */
export async function appendAdminActions(query: Query, actions: readonly AdminAction[]): Promise<void> {
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
    prevHash = hash;
  }
}

/** Recomputes the admin actions' chain; names the first action edited, deleted or reordered. */
export async function verifyAdminActions(query: Query): Promise<{ verified: number; problem?: { seq: number; message: string } }> {
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
  let prevHash = GENESIS_HASH;
  let expected = 1;
  for (const row of rows) {
    const seq = Number(row.seq);
    if (seq !== expected) return { verified: expected - 1, problem: { seq: expected, message: `admin action ${expected} is missing: deleted` } };
    if (row.prev_hash !== prevHash) return { verified: expected - 1, problem: { seq, message: `admin action ${seq} does not follow ${seq - 1}: reordered or replaced` } };
    const hash = adminActionHash(prevHash, seq, { at: row.at, actor: row.actor, action: row.action, subject: row.subject, changes: row.changes });
    if (hash !== row.hash) return { verified: expected - 1, problem: { seq, message: `admin action ${seq} was edited (its content no longer gives its hash)` } };
    prevHash = hash;
    expected += 1;
  }
  return { verified: rows.length };
}
