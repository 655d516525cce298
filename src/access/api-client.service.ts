import { DomainError } from '../platform/errors/domain-error';
import { normaliseJuristicId } from '../shared/thai-id';
import { isLawfulBasis, LAWFUL_BASES, type LawfulBasis } from './lawful-basis';
import { bearerToken, generateApiKey, hashApiKey } from './api-key';
import type { ApiClient, ApiClientRepository } from './api-client.repository';
import type { ApiClientChangeListener } from './api-client-changes';
import { BANK_CODES, ROLES, isBankCode, isRole, type BankCode, type Role } from './roles';

const LAST_USED_PRECISION_MS = 60_000;
/** How long a key stays cached even if no change arrives: a bound on any missed notification. */
const KEY_CACHE_TTL_MS = 60_000;
const KEY_CACHE_MAX_ENTRIES = 10_000;

/** A client's own request rate: whole requests a minute, 1 to 1,000,000. */
function checkRateLimit(perMinute: number): void {
  if (!Number.isInteger(perMinute) || perMinute < 1 || perMinute > 1_000_000) {
    throw new DomainError('BAD_USER_INPUT', `a rate limit is a whole number of requests a minute, 1 to 1000000, got ${perMinute}`);
  }
}

const MAX_PURPOSE_LENGTH = 500;

/** The area or firm a role is limited to: exactly the options its role needs, no other. */
function checkScope(role: Role, input: { provinceCode?: string | undefined; centre?: number | undefined; juristicId?: string | undefined }): { provinceCode: string | null; centre: number | null; juristicId: string | null } {
  const given = { province: input.provinceCode !== undefined, centre: input.centre !== undefined, firm: input.juristicId !== undefined };
  for (const [option, needs] of [['--province', 'province'], ['--centre', 'centre'], ['--juristic-id', 'firm']] as const) {
    if (given[needs] && role !== needs) throw new DomainError('BAD_USER_INPUT', `only a client with role "${needs}" takes ${option}`);
    if (!given[needs] && role === needs) throw new DomainError('BAD_USER_INPUT', `a ${needs} client needs ${option}`);
  }
  let provinceCode: string | null = null;
  if (input.provinceCode !== undefined) {
    provinceCode = input.provinceCode.trim();
    if (!/^\d{2}$/.test(provinceCode)) throw new DomainError('BAD_USER_INPUT', `--province is a 2-digit province code (10 for Bangkok), got "${input.provinceCode}"`);
  }
  if (input.centre !== undefined && !(Number.isInteger(input.centre) && input.centre >= 1 && input.centre <= 11)) {
    throw new DomainError('BAD_USER_INPUT', `--centre is a regional industrial promotion centre, 1 to 11, got ${input.centre}`);
  }
  let juristicId: string | null = null;
  if (input.juristicId !== undefined) {
    juristicId = normaliseJuristicId(input.juristicId) ?? null;
    if (juristicId === null) throw new DomainError('BAD_USER_INPUT', `"${input.juristicId}" is not a juristic ID: 13 digits starting with 0, with a valid check digit`);
  }
  return { provinceCode, centre: input.centre ?? null, juristicId };
}

export class ApiClientService {
  /** Active clients by key hash; used only while a change listener is live (see `useChangeListener`). */
  private readonly cache = new Map<string, { client: ApiClient; expiresAt: number }>();
  private readonly lastTouched = new Map<string, number>();
  private changes: ApiClientChangeListener | undefined;
  /** Bumped by every change: a read that overlapped a change must not be cached. */
  private generation = 0;

  constructor(private readonly clients: ApiClientRepository) {}

  /**
   * Lets `authenticate` answer from memory instead of one SELECT per request. A revocation anywhere
   * reaches the listener through the table's trigger and empties the cache, so a revoked key stops
   * working within milliseconds; while the listener is down, every request reads the database.
   */
  useChangeListener(changes: ApiClientChangeListener): void {
    this.changes = changes;
    changes.onChange(() => this.forget());
  }

  /** Creates a client and returns its key: the only time the key is ever visible. */
  async create(input: {
    name: string;
    role: string;
    bankCode?: string | undefined;
    rateLimitPerMinute?: number | undefined;
    trustedDocumentsOnly?: boolean | undefined;
    /** Role province: the province's 2-digit code (10 for Bangkok). */
    provinceCode?: string | undefined;
    /** Role centre: its number, 1-11. */
    centre?: number | undefined;
    /** Role firm: the firm's juristic ID. */
    juristicId?: string | undefined;
    purpose?: string | undefined;
    lawfulBasis?: string | undefined;
  }): Promise<{ client: ApiClient; key: string }> {
    const name = input.name.trim();
    if (!name) throw new DomainError('BAD_USER_INPUT', 'a client needs a name');
    if (!isRole(input.role)) throw new DomainError('BAD_USER_INPUT', `unknown role "${input.role}" (one of: ${ROLES.join(', ')})`);
    const role: Role = input.role;
    let bankCode: BankCode | null = null;
    if (role === 'bank') {
      if (!input.bankCode || !isBankCode(input.bankCode)) {
        throw new DomainError('BAD_USER_INPUT', `a bank client needs --bank, one of: ${BANK_CODES.join(', ')}`);
      }
      bankCode = input.bankCode;
    } else if (input.bankCode) {
      throw new DomainError('BAD_USER_INPUT', 'only a client with role "bank" has a bank code');
    }
    if (input.rateLimitPerMinute !== undefined) checkRateLimit(input.rateLimitPerMinute);
    const scope = checkScope(role, input);
    let purpose: string | null = null;
    if (input.purpose !== undefined) {
      purpose = input.purpose.normalize('NFC').trim();
      if (purpose.length === 0 || purpose.length > MAX_PURPOSE_LENGTH) throw new DomainError('BAD_USER_INPUT', `--purpose is 1 to ${MAX_PURPOSE_LENGTH} characters`);
    }
    let lawfulBasis: LawfulBasis | null = null;
    if (input.lawfulBasis !== undefined) {
      if (!isLawfulBasis(input.lawfulBasis)) throw new DomainError('BAD_USER_INPUT', `unknown lawful basis "${input.lawfulBasis}" (one of: ${LAWFUL_BASES.join(', ')})`);
      lawfulBasis = input.lawfulBasis;
    }
    const { key, prefix, hash } = generateApiKey();
    const client = await this.clients.insert({
      name,
      role,
      bankCode,
      keyPrefix: prefix,
      keyHash: hash,
      rateLimitPerMinute: input.rateLimitPerMinute ?? null,
      trustedDocumentsOnly: input.trustedDocumentsOnly ?? false,
      ...scope,
      purpose,
      lawfulBasis,
    }).catch((error: unknown) => {
      // The reference data decides which provinces exist (foreign key): say which argument is wrong.
      if ((error as { code?: string }).code === '23503') throw new DomainError('BAD_USER_INPUT', `no province with code "${input.provinceCode ?? ''}" (2 digits, e.g. 10 for Bangkok, 50 for Chiang Mai)`);
      throw error;
    });
    return { client, key };
  }

  /**
   * Changes a client's own limits (`client:update`): its request rate (null: back to its role's
   * default) and whether it may run only trusted documents. API processes learn of it by NOTIFY.
   */
  async updateLimits(idOrName: string, change: { rateLimitPerMinute?: number | null; trustedDocumentsOnly?: boolean }): Promise<ApiClient[]> {
    if (change.rateLimitPerMinute !== undefined && change.rateLimitPerMinute !== null) checkRateLimit(change.rateLimitPerMinute);
    const changed = await this.clients.updateLimits(idOrName, change);
    if (changed.length > 0) this.forget();
    return changed;
  }

  /** The client of an `Authorization` header, or undefined when the key is missing, unknown or revoked. */
  async authenticate(authorization: string | undefined): Promise<ApiClient | undefined> {
    const key = bearerToken(authorization);
    if (!key) return undefined;
    const keyHash = hashApiKey(key);
    const now = Date.now();
    const cached = this.cache.get(keyHash);
    if (cached && cached.expiresAt > now && this.changes?.live) return this.touched(cached.client, now);
    const generation = this.generation;
    const client = await this.clients.findActiveByKeyHash(keyHash);
    if (!client) return undefined;
    if (this.changes?.live && generation === this.generation) {
      if (this.cache.size >= KEY_CACHE_MAX_ENTRIES) this.cache.clear();
      this.cache.set(keyHash, { client, expiresAt: now + KEY_CACHE_TTL_MS });
    }
    if (!this.lastTouched.has(client.id) && client.lastUsedAt) this.lastTouched.set(client.id, client.lastUsedAt.getTime());
    return this.touched(client, now);
  }

  /** Use is recorded at most once a minute per process, so most requests cost no write. */
  private async touched(client: ApiClient, now: number): Promise<ApiClient> {
    const last = this.lastTouched.get(client.id);
    if (last === undefined || now - last > LAST_USED_PRECISION_MS) {
      this.lastTouched.set(client.id, now);
      await this.clients.touch(client.id);
    }
    return client;
  }

  async revoke(idOrName: string): Promise<ApiClient[]> {
    const revoked = await this.clients.revoke(idOrName);
    // This process need not wait for its own notification.
    if (revoked.length > 0) this.forget();
    return revoked;
  }

  private forget(): void {
    this.generation += 1;
    this.cache.clear();
  }

  async list(): Promise<ApiClient[]> {
    return this.clients.list();
  }
}
