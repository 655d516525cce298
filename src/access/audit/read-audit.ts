import { AsyncResource } from 'node:async_hooks';
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
  return createHash('sha256').update(prevHash).update('\n').update(entryHashContent(entry)).digest('hex');
}

/** The text an entry's hash covers after the previous hash and a newline. */
function entryHashContent(entry: Omit<ReadAuditEntry, 'prevHash' | 'hash'>): string {
  return JSON.stringify([
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
  /** The async context the log was created in (start-up, outside any request). */
  private readonly context = new AsyncResource('ReadAuditLog');

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
      // The write is shared by every request waiting, so it runs in the log's own async context,
      // not in the request's that happened to start it: that request's deadline (once its client
      // hung up, its statements fail at once) would otherwise fail the others' entries too.
      this.writing ??= this.context.runInAsyncScope(() => this.drain());
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
   * One statement, one round trip (it was three: BEGIN and the head's lock, the INSERT, COMMIT; and
   * five before that): PostgreSQL locks the chain head, computes each entry's hash from the head's
   * (SHA-256 over the same bytes as `entryHash`: the previous hash, a newline, the JSON array of the
   * entry's content, whose first element, the sequence number, only the database knows here),
   * inserts the entries and moves the head, and commits. Its commit's WAL flush is still what a lone
   * request mostly waits for (docs/access-and-audit.md, "Cost"); the API process sends one
   * statement per batch instead of three (docs/performance.md). A checkpoint, when one is due, is
   * written right after, in its own statement.
   */
  private async append(entries: ReadAuditInput[]): Promise<void> {
    const { rows } = await this.pool.query<{ seq: string; hash: string }>(APPEND_SQL, [JSON.stringify(entries.map(toRow)), entries.map(contentAfterSeq), entries.length]);
    const head = rows[0];
    if (!head) throw new Error('the read audit was not appended: the chain head did not move');
    const seq = Number(head.seq);
    const crossed = Math.floor(seq / this.options.checkpointEvery) > Math.floor((seq - entries.length) / this.options.checkpointEvery);
    if (crossed || Date.now() - this.lastCheckpointAt >= this.options.checkpointIntervalMs) {
      await this.checkpoint(this.pool, seq, head.hash);
      this.lastCheckpointAt = Date.now();
    }
  }

  private async checkpoint(client: Pool | PoolClient, seq: number, hash: string): Promise<void> {
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

/** An entry's row, less what the database computes in APPEND_SQL (seq, prev_hash, hash). */
function toRow(e: ReadAuditInput): Record<string, unknown> {
  return {
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
  };
}

/**
 * The text `entryHash` hashes after `[<seq>`: the entry's content from its second element to the
 * closing bracket. `entryHash` serialises `[seq, ...rest]`, and JSON.stringify writes an array's
 * elements one after another with a comma between, so its text is `[` + seq + this.
 */
export function contentAfterSeq(entry: ReadAuditInput): string {
  const rest = entryHashContent({ ...entry, seq: 0 });
  return rest.slice(rest.indexOf(','));
}

/**
 * Appends a batch and moves the head in one statement. $1: the rows (JSON, without seq and
 * hashes), $2: each entry's content after its sequence number (contentAfterSeq), $3: how many.
 * The head's row lock (FOR UPDATE) orders concurrent appends, from any API process; the UPDATE
 * moves the head only when every entry was inserted, and returns the new head. Each entry's row is
 * built by one jsonb_populate_record call in a LATERAL join: written `(jsonb_populate_record(...)).*`
 * PostgreSQL calls it once per column (17 times), converting the juristic IDs each time, which made
 * an export chunk's entry of 10,000 IDs take about 350 ms instead of about 90 (docs/benchmarks.md).
 */
const APPEND_SQL = `
  WITH RECURSIVE head AS (SELECT seq, hash FROM audit.chain_head FOR UPDATE),
  input AS (SELECT row_data, content, ordinality AS i FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(row_data, ordinality)
              JOIN unnest($2::text[]) WITH ORDINALITY AS c(content, n) ON c.n = r.ordinality),
  chain AS (
    SELECT 0::bigint AS i, seq, hash AS prev_hash, hash FROM head
    UNION ALL
    SELECT input.i, chain.seq + 1, chain.hash, encode(sha256(convert_to(chain.hash || E'\\n[' || (chain.seq + 1)::text || input.content, 'UTF8')), 'hex')
    FROM chain JOIN input ON input.i = chain.i + 1
  ),
  appended AS (
    INSERT INTO audit.read_entry
    SELECT e.*
    FROM chain JOIN input ON input.i = chain.i
    CROSS JOIN LATERAL jsonb_populate_record(NULL::audit.read_entry, input.row_data || jsonb_build_object('seq', chain.seq, 'prev_hash', chain.prev_hash, 'hash', chain.hash)) e
    ORDER BY chain.i
    RETURNING seq
  )
  UPDATE audit.chain_head SET seq = last.seq, hash = last.hash
  FROM (SELECT seq, hash FROM chain ORDER BY i DESC LIMIT 1) last
  WHERE (SELECT count(*) FROM appended) = $3
  RETURNING chain_head.seq, chain_head.hash`;
