import type { ApiClient } from '../../access/api-client.repository';
import { bangkokDate, checkGrant, checkJuristicId, checkText, MAX_REASON_LENGTH, type GrantInput } from '../../access/consent-rules';
import type { BankCode } from '../../access/roles';
import { scopeOf } from '../../access/client-scope';
import { DomainError } from '../../platform/errors/domain-error';
import { checkPageSize, decodeCursor, invalidCursor, pageOf, withTotalCount } from '../../platform/graphql/connection';
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
    // A firm manages its own consents only; another firm's answers as a missing one does.
    if (client.role === 'firm' && consent?.juristicId !== client.juristicId) throw new DomainError('FORBIDDEN', 'this is not one of your firm’s consents', {}, 'OUTSIDE_SCOPE');
    return consent ?? null;
  }

  async grant(client: ApiClient, input: GrantInput): Promise<Consent> {
    const today = bangkokDate();
    const grant = checkGrant(input, today);
    // A firm's own key grants its own consents, the way an account aggregator's consent manager does.
    if (client.role === 'firm' && grant.juristicId !== client.juristicId) throw new DomainError('FORBIDDEN', 'a firm grants consents over its own data only', {}, 'OUTSIDE_SCOPE');
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
    const filter = { ...args.filter };
    const bank = this.bankScope(client, filter.bank);
    if (client.role === 'firm') {
      if (filter.juristicId && checkJuristicId(filter.juristicId, 'filter.juristicId') !== client.juristicId) throw new DomainError('FORBIDDEN', 'a firm sees its own consents only', {}, 'OUTSIDE_SCOPE');
      filter.juristicId = client.juristicId;
    }
    const size = checkPageSize(args.first);
    const after = decodeCursor(CONSENT_CURSOR, args.after);
    if (after !== undefined && !SORT_KEY.test(after)) throw invalidCursor();
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

  /**
   * Who read a firm's data, from the read audit. A firm's own key sees its own log; an area role a
   * firm of its area (another firm, and one that does not exist, answer the same FORBIDDEN); the
   * ministry and admins any firm, or every entry. Only national callers see the other firms an
   * entry names.
   */
  async accessLog(client: ApiClient, args: { juristicId?: string | null; first?: number | null; after?: string | null }): Promise<DataAccessLogConnection> {
    const size = checkPageSize(args.first);
    const after = decodeCursor(ACCESS_LOG_CURSOR, args.after);
    if (after !== undefined && !/^\d{1,18}$/.test(after)) throw invalidCursor();
    let juristicId = args.juristicId ? checkJuristicId(args.juristicId, 'juristicId') : undefined;
    const scope = scopeOf(client);
    const outside = () => new DomainError('FORBIDDEN', `the access log of ${juristicId ?? 'every firm'} ${scope.kind === 'firm' ? 'is not your firm’s' : 'is outside your area'}, or does not exist`, {}, 'OUTSIDE_SCOPE');
    if (scope.kind === 'firm') {
      juristicId ??= scope.juristicId;
      if (juristicId !== scope.juristicId) throw outside();
    } else if (scope.kind === 'area') {
      if (juristicId === undefined) throw new DomainError('BAD_USER_INPUT', 'an area role reads the access log of one firm at a time: give juristicId', { argument: 'juristicId' });
      const [company] = await this.companies.findByIds([juristicId]);
      if (!company?.provinceCode || !scope.inArea.has(company.provinceCode)) throw outside();
    }
    const rows = await this.repository.accessLog(juristicId, after, size + 1);
    const shown = rows.map((r) => (scope.kind === 'national' ? r : { ...r, juristicIds: juristicId === undefined ? [] : [juristicId] }));
    return withTotalCount(pageOf(shown, size, ACCESS_LOG_CURSOR, (r) => r.logId), () => this.repository.countAccessLog(juristicId));
  }

  /** The repository's `activeFor`, for the domain's loaders (one statement per batch). */
  activeFor(...args: Parameters<ConsentRepository['activeFor']>): ReturnType<ConsentRepository['activeFor']> {
    return this.repository.activeFor(...args);
  }

  /** The repository's `byIds`, for the domain's loaders (one statement per batch). */
  byIds(...args: Parameters<ConsentRepository['byIds']>): ReturnType<ConsentRepository['byIds']> {
    return this.repository.byIds(...args);
  }
}
