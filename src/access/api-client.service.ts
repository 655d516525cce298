import { DomainError } from '../platform/errors/domain-error';
import { bearerToken, generateApiKey, hashApiKey } from './api-key';
import type { ApiClient, ApiClientRepository } from './api-client.repository';
import { BANK_CODES, ROLES, isBankCode, isRole, type BankCode, type Role } from './roles';

const LAST_USED_PRECISION_MS = 60_000;

export class ApiClientService {
  constructor(private readonly clients: ApiClientRepository) {}

  /** Creates a client and returns its key: the only time the key is ever visible. */
  async create(input: { name: string; role: string; bankCode?: string | undefined }): Promise<{ client: ApiClient; key: string }> {
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
    const { key, prefix, hash } = generateApiKey();
    const client = await this.clients.insert({ name, role, bankCode, keyPrefix: prefix, keyHash: hash });
    return { client, key };
  }

  /** The client of an `Authorization` header, or undefined when the key is missing, unknown or revoked. */
  async authenticate(authorization: string | undefined): Promise<ApiClient | undefined> {
    const key = bearerToken(authorization);
    if (!key) return undefined;
    const client = await this.clients.findActiveByKeyHash(hashApiKey(key));
    // Use is recorded at most once a minute, so most requests cost one read and no write.
    if (client && (client.lastUsedAt === null || Date.now() - client.lastUsedAt.getTime() > LAST_USED_PRECISION_MS)) {
      await this.clients.touch(client.id);
    }
    return client;
  }

  async revoke(idOrName: string): Promise<ApiClient[]> {
    return this.clients.revoke(idOrName);
  }

  async list(): Promise<ApiClient[]> {
    return this.clients.list();
  }
}
