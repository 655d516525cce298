import type { DataSource } from 'typeorm';
import { appendAdminActions, type AdminActionSigner, type AttributeChange } from './audit/admin-actions';
import type { BankCode, Role } from './roles';
import type { LawfulBasis } from './lawful-basis';

export interface ApiClient {
  id: string;
  name: string;
  role: Role;
  bankCode: BankCode | null;
  keyPrefix: string;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  /** Requests a minute; null: the role's default (RATE_LIMIT_REQUESTS_PER_MINUTE). */
  rateLimitPerMinute: number | null;
  /** May run only registered documents (`documents:add`), by hash or by their exact text. */
  trustedDocumentsOnly: boolean;
  /** A provincial office's province code (role province). */
  provinceCode: string | null;
  /** A regional centre's number, 1-11 (role centre). */
  centre: number | null;
  /** The firm of a firm's portal key (role firm). */
  juristicId: string | null;
  /** The provinces whose firms an area role sees (its province, or its centre's provinces); empty for other roles. */
  areaProvinceCodes: string[];
  /** What the client reads for, as it declared it (recorded in the read audit, matched against consents). */
  purpose: string | null;
  lawfulBasis: LawfulBasis | null;
}

interface ClientRow {
  id: string;
  name: string;
  role: Role;
  bank_code: BankCode | null;
  key_prefix: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  rate_limit_per_minute: number | null;
  trusted_documents_only: boolean;
  province_code: string | null;
  centre: number | null;
  juristic_id: string | null;
  area_province_codes: string[];
  purpose: string | null;
  lawful_basis: LawfulBasis | null;
}

// The area is resolved here, once per key: a centre's provinces come from the reference data.
const COLUMNS = `id, name, role, bank_code, key_prefix, created_at, revoked_at, last_used_at, rate_limit_per_minute, trusted_documents_only,
  province_code, centre, juristic_id, purpose, lawful_basis,
  ARRAY(SELECT p.code FROM reference.province p WHERE p.code = province_code OR p.promotion_centre = centre ORDER BY p.code) AS area_province_codes`;
const toClient = (r: ClientRow): ApiClient => ({
  id: r.id,
  name: r.name,
  role: r.role,
  bankCode: r.bank_code,
  keyPrefix: r.key_prefix,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
  rateLimitPerMinute: r.rate_limit_per_minute,
  trustedDocumentsOnly: r.trusted_documents_only,
  provinceCode: r.province_code,
  centre: r.centre,
  juristicId: r.juristic_id,
  areaProvinceCodes: r.area_province_codes,
  purpose: r.purpose,
  lawfulBasis: r.lawful_basis,
});

/** What `client:update` may change; undefined: unchanged. */
export interface ClientChange {
  rateLimitPerMinute?: number | null;
  trustedDocumentsOnly?: boolean;
  purpose?: string | null;
  lawfulBasis?: LawfulBasis | null;
}

/** Each changeable attribute and its column. */
const CHANGEABLE = new Map<keyof ClientChange, string>([
  ['rateLimitPerMinute', 'rate_limit_per_minute'],
  ['trustedDocumentsOnly', 'trusted_documents_only'],
  ['purpose', 'purpose'],
  ['lawfulBasis', 'lawful_basis'],
]);

export class ApiClientRepository {
  /** `signer`: the audit's key (AUDIT_SIGNING_KEY_FILE), signing each admin action's checkpoint; none: unsigned. */
  constructor(
    private readonly dataSource: DataSource,
    private readonly signer: AdminActionSigner = {},
  ) {}

  /**
   * Inserts a client and records its creation as an admin action (`client:create`) in the same
   * transaction: each attribute it was given, as a change from null. Never the key nor its hash.
   */
  async insert(
    client: {
      name: string;
      role: Role;
      bankCode: BankCode | null;
      keyPrefix: string;
      keyHash: string;
      rateLimitPerMinute?: number | null;
      trustedDocumentsOnly?: boolean;
      provinceCode?: string | null;
      centre?: number | null;
      juristicId?: string | null;
      purpose?: string | null;
      lawfulBasis?: LawfulBasis | null;
    },
    actor: string,
  ): Promise<ApiClient> {
    return this.dataSource.transaction(async (manager) => {
      const rows: ClientRow[] = await manager.query(
        `INSERT INTO access.api_client (name, role, bank_code, key_prefix, key_hash, rate_limit_per_minute, trusted_documents_only, province_code, centre, juristic_id, purpose, lawful_basis)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${COLUMNS}`,
        [
          client.name, client.role, client.bankCode, client.keyPrefix, client.keyHash, client.rateLimitPerMinute ?? null, client.trustedDocumentsOnly ?? false,
          client.provinceCode ?? null, client.centre ?? null, client.juristicId ?? null, client.purpose ?? null, client.lawfulBasis ?? null,
        ],
      );
      const created = toClient(rows[0]!);
      const given: [string, unknown][] = [
        ['name', created.name],
        ['role', created.role],
        ['bankCode', created.bankCode],
        ['provinceCode', created.provinceCode],
        ['centre', created.centre],
        ['juristicId', created.juristicId],
        ['keyPrefix', created.keyPrefix],
        ['rateLimitPerMinute', created.rateLimitPerMinute],
        ['trustedDocumentsOnly', created.trustedDocumentsOnly ? true : null],
        ['purpose', created.purpose],
        ['lawfulBasis', created.lawfulBasis],
      ];
      const changes: AttributeChange[] = given.filter(([, value]) => value !== null && value !== undefined).map(([field, value]) => [field, null, value]);
      await appendAdminActions((sql, params) => manager.query(sql, params), [{ at: new Date(), actor, action: 'client:create', subject: `ApiClient:${created.id}`, changes }], this.signer);
      return created;
    });
  }

  /**
   * Changes active clients (by id or name) and records each change as an admin action in the same
   * transaction (src/access/audit/admin-actions.ts): both commit, or neither. Returns each client
   * after the change with the attributes that really changed (none: nothing was written for it).
   */
  async update(idOrName: string, change: ClientChange, actor: string): Promise<{ client: ApiClient; changes: AttributeChange[] }[]> {
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrName);
    return this.dataSource.transaction(async (manager) => {
      const query = (sql: string, params?: unknown[]): Promise<unknown> => manager.query(sql, params);
      const before: ClientRow[] = await manager.query(
        `SELECT ${COLUMNS} FROM access.api_client WHERE revoked_at IS NULL AND ${isUuid ? 'id = $1::uuid' : 'name = $1'} ORDER BY id FOR UPDATE`,
        [idOrName],
      );
      const at = new Date();
      const results: { client: ApiClient; changes: AttributeChange[] }[] = [];
      for (const row of before) {
        const old = toClient(row);
        const changes: AttributeChange[] = [];
        for (const field of CHANGEABLE.keys()) {
          const next = change[field];
          if (next !== undefined && next !== old[field]) changes.push([field, old[field], next]);
        }
        if (changes.length === 0) {
          results.push({ client: old, changes });
          continue;
        }
        const sets = changes.map(([field], i) => `${CHANGEABLE.get(field as keyof ClientChange)!} = $${i + 2}`);
        const [rows]: [ClientRow[], number] = await manager.query(`UPDATE access.api_client SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`, [
          old.id,
          ...changes.map(([, , next]) => next),
        ]);
        await appendAdminActions(query, [{ at, actor, action: 'client:update', subject: `ApiClient:${old.id}`, changes }], this.signer);
        results.push({ client: toClient(rows[0]!), changes });
      }
      return results;
    });
  }

  async findActiveByKeyHash(keyHash: string): Promise<ApiClient | undefined> {
    const rows: ClientRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM access.api_client WHERE key_hash = $1 AND revoked_at IS NULL`,
      [keyHash],
    );
    return rows[0] && toClient(rows[0]);
  }

  /** Revokes by client id or by name, each recorded as an admin action in the same transaction; returns the clients revoked. */
  async revoke(idOrName: string, actor: string): Promise<ApiClient[]> {
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrName);
    return this.dataSource.transaction(async (manager) => {
      const [rows]: [ClientRow[], number] = await manager.query(
        `UPDATE access.api_client SET revoked_at = now()
         WHERE revoked_at IS NULL AND ${isUuid ? 'id = $1::uuid' : 'name = $1'} RETURNING ${COLUMNS}`,
        [idOrName],
      );
      const revoked = rows.map(toClient);
      const at = new Date();
      await appendAdminActions(
        (sql, params) => manager.query(sql, params),
        revoked.map((client) => ({ at, actor, action: 'client:revoke', subject: `ApiClient:${client.id}`, changes: [['revokedAt', null, client.revokedAt?.toISOString() ?? null]] })),
        this.signer,
      );
      return revoked;
    });
  }

  async list(): Promise<ApiClient[]> {
    const rows: ClientRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM access.api_client ORDER BY created_at`);
    return rows.map(toClient);
  }

  async touch(id: string): Promise<void> {
    // The database keeps the once-a-minute bound too, for every API process together.
    await this.dataSource.query(`UPDATE access.api_client SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, [id]);
  }
}
