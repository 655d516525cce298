import type { ApiClient } from '../../access/api-client.repository';
import { bangkokDate, checkGrant, checkJuristicId, checkText, MAX_REASON_LENGTH, type GrantInput } from '../../access/consent-rules';
import type { BankCode } from '../../access/roles';
import { DomainError } from '../../platform/errors/domain-error';
import { checkPageSize, decodeCursor, pageOf, withTotalCount } from '../../platform/graphql/connection';
import { fromGlobalId } from '../../platform/graphql/global-id';
import type { CompanyService } from '../company/company.service';
import { SORT_KEY, type ConsentRepository } from './consent.repository';
import type { Consent, ConsentConnection, ConsentFilter, DataAccessLogConnection } from './consent.type';

const CONSENT_CURSOR = 'consent';
const ACCESS_LOG_CURSOR = 'dataAccessLog';

/**
 * Who may see and change which consents. The ministry and admins: all of them. A bank client: its
 * own bank's only; another bank's consent and a consent that does not exist answer the same
 * FORBIDDEN message, so a bank learns nothing about other banks' consents. Analysts: none (the
 * resolvers refuse them by role).
 */
export class ConsentService {
  constructor(
    private readonly repository: ConsentRepository,
    private readonly companies: CompanyService,
  ) {}

  /** The bank a client's consent reads are limited to (null: every bank). */
  bankScope(client: ApiClient, asked?: BankCode | null): BankCode | null {
    if (client.role !== 'bank') return asked ?? null;
    if (client.bankCode === null) throw new DomainError('FORBIDDEN', 'this bank client is not tied to a bank');
    if (asked && asked !== client.bankCode) throw new DomainError('FORBIDDEN', 'a bank client sees only its own bank’s consents');
    return client.bankCode;
  }

  /** The consent key behind a global ID, or undefined when the ID is another type's. */
  static keyOf(id: string): string | undefined {
    const { typeName, key } = fromGlobalId(id);
    return typeName === 'Consent' ? key : undefined;
  }

  /**
   * A consent the client may see (node(id), revokeConsent), by its key. Not found: null for the
   * ministry and admins; for a bank, the same FORBIDDEN as another bank's consent.
   */
  async visible(client: ApiClient, key: string | undefined, load: (key: string) => Promise<Consent | undefined>): Promise<Consent | null> {
    const bank = this.bankScope(client);
    const consent = key === undefined ? undefined : await load(key);
    if (bank && (consent?.bank as string | undefined) !== bank) throw new DomainError('FORBIDDEN', 'this is not one of your bank’s consents');
    return consent ?? null;
  }

  async grant(client: ApiClient, input: GrantInput): Promise<Consent> {
    const today = bangkokDate();
    const grant = checkGrant(input, today);
    // NOT_FOUND for a company the hub does not hold: consent to see nothing is a mistake.
    await this.companies.get(grant.juristicId);
    return this.repository.insert({ ...grant, clientId: client.id }, today);
  }

  /**
   * Revokes a consent now. Revoking a consent already revoked changes nothing and answers it as it
   * is (the first revocation's time, reason and actor stand), so a retried request is harmless.
   */
  async revoke(client: ApiClient, id: string, reasonText: string): Promise<Consent> {
    const reason = checkText(reasonText, MAX_REASON_LENGTH, 'reason', 'reason');
    const today = bangkokDate();
    const load = async (key: string): Promise<Consent | undefined> => (await this.repository.byIds([key], today))[0];
    const key = ConsentService.keyOf(id);
    const consent = await this.visible(client, key, load);
    if (!consent || key === undefined) throw new DomainError('NOT_FOUND', `no consent ${id}`, { argument: 'id' });
    await this.repository.revoke(key, reason, client.id);
    return (await load(key))!;
  }

  async list(client: ApiClient, args: { filter?: ConsentFilter | null; first?: number | null; after?: string | null }): Promise<ConsentConnection> {
    const filter = args.filter ?? {};
    const bank = this.bankScope(client, filter.bank);
    const size = checkPageSize(args.first);
    const after = decodeCursor(CONSENT_CURSOR, args.after);
    if (after !== undefined && !SORT_KEY.test(after)) throw new DomainError('BAD_USER_INPUT', 'after is not a cursor of this list', { argument: 'after' });
    const criteria = {
      bank,
      today: bangkokDate(),
      ...(filter.juristicId ? { juristicId: checkJuristicId(filter.juristicId, 'filter.juristicId') } : {}),
      ...(filter.status ? { statuses: filter.status } : {}),
      ...(filter.origin ? { origin: filter.origin } : {}),
    };
    const rows = await this.repository.page(criteria, after, size + 1);
    return withTotalCount(pageOf(rows, size, CONSENT_CURSOR, (c) => c.sortKey), () => this.repository.count(criteria));
  }

  async accessLog(args: { juristicId?: string | null; first?: number | null; after?: string | null }): Promise<DataAccessLogConnection> {
    const size = checkPageSize(args.first);
    const after = decodeCursor(ACCESS_LOG_CURSOR, args.after);
    if (after !== undefined && !/^\d{1,18}$/.test(after)) throw new DomainError('BAD_USER_INPUT', 'after is not a cursor of this list', { argument: 'after' });
    const juristicId = args.juristicId ? checkJuristicId(args.juristicId, 'juristicId') : undefined;
    const rows = await this.repository.accessLog(juristicId, after, size + 1);
    return withTotalCount(pageOf(rows, size, ACCESS_LOG_CURSOR, (r) => r.logId), () => this.repository.countAccessLog(juristicId));
  }

  /** The repository's `activeFor`, for the domain's loaders (one statement per batch). */
  activeFor(...args: Parameters<ConsentRepository['activeFor']>): ReturnType<ConsentRepository['activeFor']> {
    return this.repository.activeFor(...args);
  }

  /** The repository's `byIds`, for the domain's loaders (one statement per batch). */
  byIds(...args: Parameters<ConsentRepository['byIds']>): ReturnType<ConsentRepository['byIds']> {
    return this.repository.byIds(...args);
  }

  /** The repository's `logReads`, for the domain's loaders (one statement per batch). */
  logReads(...args: Parameters<ConsentRepository['logReads']>): ReturnType<ConsentRepository['logReads']> {
    return this.repository.logReads(...args);
  }
}
