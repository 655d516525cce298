import { createHash, sign, type KeyObject } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';

/** One response that carried firm-level data, as the audit records it. */
export interface ReadAuditInput {
  at: Date;
  requestId: string;
  clientId: string;
  clientName: string;
  role: string;
  /** The reading organisation: `bank:SMED`, `province:50`, `centre:7`, `firm:0105…`, or the role. */
  organisation: string;
  operationName: string | null;
  /** SHA-256 of the GraphQL document (or the feed's path), so the exact question can be told apart. */
  documentHash: string | null;
  juristicIds: string[];
  /** Records with no known firm (an unlinked factory, licence), as `Type:key`. */
  entities: string[];
  fieldGroups: string[];
  purpose: string | null;
  lawfulBasis: string | null;
  consentIds: string[];
}

export interface ReadAuditEntry extends ReadAuditInput {
  seq: number;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash of an entry: SHA-256 over the previous entry's hash and the entry's content, in a fixed
 * order (a JSON array, so no field can run into the next). The sequence number is inside it: an
 * entry moved elsewhere in the chain no longer matches.
 */
export function entryHash(prevHash: string, entry: Omit<ReadAuditEntry, 'prevHash' | 'hash'>): string {
  const content = JSON.stringify([
    entry.seq,
    entry.at.toISOString(),
    entry.requestId,
    entry.clientId,
    entry.clientName,
    entry.role,
    entry.organisation,
    entry.operationName,
    entry.documentHash,
    entry.juristicIds,
    entry.entities,
    entry.fieldGroups,
    entry.purpose,
    entry.lawfulBasis,
    entry.consentIds,
  ]);
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}

/** What a checkpoint signs: the chain head at a sequence number. */
export const checkpointMessage = (seq: number, hash: string, at: Date): Buffer => Buffer.from(`i-industry-hub audit checkpoint ${seq} ${hash} ${at.toISOString()}`);

export interface ReadAuditOptions {
  /** A checkpoint every this many entries (AUDIT_CHECKPOINT_EVERY). */
  checkpointEvery: number;
  /** And at least this often while entries are written (ms). */
  checkpointIntervalMs: number;
  /** Ed25519 private key signing the checkpoints (AUDIT_SIGNING_KEY_FILE); unsigned without one. */
  signingKey?: KeyObject | undefined;
  keyId?: string | undefined;
  /** False only to measure what the audit costs (AUDIT=off, `npm run bench:api`): nothing is written. */
  enabled?: boolean;
}

interface Waiter {
  entry: ReadAuditInput;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes the read audit with group commit: entries arriving while a write is in flight wait for
 * the next one, and each write appends all of them in one transaction (lock the chain head, one
 * INSERT for every entry, move the head). A request's `record` resolves only when its entry is
 * committed: the API sends firm data only after that (src/app/api/read-audit-plugin.ts).
 */
export class ReadAuditLog {
  private pending: Waiter[] = [];
  private writing: Promise<void> | undefined;
  private lastCheckpointAt = Date.now();

  constructor(
    private readonly pool: Pool,
    private readonly options: ReadAuditOptions,
  ) {}

  /** False with AUDIT=off: callers may skip gathering what they would record. */
  get enabled(): boolean {
    return this.options.enabled !== false;
  }

  record(entry: ReadAuditInput): Promise<void> {
    if (this.options.enabled === false) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        try {
          await this.append(batch.map((w) => w.entry));
          for (const waiter of batch) waiter.resolve();
        } catch (error) {
          for (const waiter of batch) waiter.reject(error);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  /**
   * One transaction in three round trips (it was five): BEGIN and the head's lock in one simple
   * query; the INSERT of the batch and the head's move in one statement; COMMIT, whose WAL flush
   * is what a lone request mostly waits for (docs/access-and-audit.md, "Cost").
   */
  private async append(entries: ReadAuditInput[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      const [, head] = (await client.query('BEGIN; SELECT seq, hash FROM audit.chain_head FOR UPDATE')) as unknown as [unknown, { rows: { seq: string; hash: string }[] }];
      let seq = Number(head.rows[0]!.seq);
      let prevHash = head.rows[0]!.hash;
      const rows: Record<string, unknown>[] = [];
      let checkpointDue = Date.now() - this.lastCheckpointAt >= this.options.checkpointIntervalMs;
      for (const entry of entries) {
        seq += 1;
        const hash = entryHash(prevHash, { ...entry, seq });
        rows.push(toRow({ ...entry, seq, prevHash, hash }));
        prevHash = hash;
        if (seq % this.options.checkpointEvery === 0) checkpointDue = true;
      }
      // One statement for the whole batch and the head: the rows travel as one JSON parameter.
      await client.query(
        `WITH appended AS (INSERT INTO audit.read_entry SELECT * FROM jsonb_populate_recordset(NULL::audit.read_entry, $1::jsonb) RETURNING seq)
         UPDATE audit.chain_head SET seq = $2, hash = $3 WHERE (SELECT count(*) FROM appended) = $4`,
        [JSON.stringify(rows), seq, prevHash, rows.length],
      );
      if (checkpointDue) await this.checkpoint(client, seq, prevHash);
      await client.query('COMMIT');
      if (checkpointDue) this.lastCheckpointAt = Date.now();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async checkpoint(client: PoolClient, seq: number, hash: string): Promise<void> {
    const at = new Date();
    const signature = this.options.signingKey ? sign(null, checkpointMessage(seq, hash, at), this.options.signingKey).toString('base64') : null;
    await client.query('INSERT INTO audit.checkpoint (seq, hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING', [
      seq,
      hash,
      at,
      signature ? (this.options.keyId ?? null) : null,
      signature,
    ]);
  }
}

function toRow(e: ReadAuditEntry): Record<string, unknown> {
  return {
    seq: e.seq,
    at: e.at.toISOString(),
    request_id: e.requestId,
    client_id: e.clientId,
    client_name: e.clientName,
    role: e.role,
    organisation: e.organisation,
    operation_name: e.operationName,
    document_hash: e.documentHash,
    juristic_ids: e.juristicIds,
    entities: e.entities,
    field_groups: e.fieldGroups,
    purpose: e.purpose,
    lawful_basis: e.lawfulBasis,
    consent_ids: e.consentIds,
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}
