import type { ApiClient } from '../../access/api-client.repository';
import type { BankCode } from '../../access/roles';
import { DomainError } from '../../platform/errors/domain-error';
import { checkPageSize, decodeCursor, pageOf } from '../../platform/graphql/connection';
import type { EligibilityReadRepository } from './eligibility.repository';
import type { EligibilityEvent, EligibilityEventConnection, LoanProduct } from './eligibility.type';

/** Cursor tag of the event feed; GraphQL and NDJSON share it, so their cursors are interchangeable. */
export const EVENT_CURSOR = 'eligibilityEvent';

/**
 * Who sees which bank's products, results and events: a bank client its own bank's only; the
 * ministry and admins every bank, or one they name. The rules live here so GraphQL and the NDJSON
 * feed cannot drift apart.
 */
export class EligibilityService {
  constructor(readonly repository: EligibilityReadRepository) {}

  /** The bank a client's reads are limited to (null: every bank). */
  bankScope(client: ApiClient, asked?: BankCode | null): BankCode | null {
    if (client.role !== 'bank') return asked ?? null;
    if (client.bankCode === null) throw new DomainError('FORBIDDEN', 'this bank client is not tied to a bank');
    if (asked && asked !== client.bankCode) throw new DomainError('FORBIDDEN', 'a bank client sees only its own bank’s eligibility');
    return client.bankCode;
  }

  products(client: ApiClient): Promise<LoanProduct[]> {
    return this.repository.products(this.bankScope(client));
  }

  /**
   * A product the client may read. To a bank client another bank's product and a missing one give
   * the same FORBIDDEN message, so the answer reveals nothing about other catalogues.
   */
  async product(client: ApiClient, code: string): Promise<LoanProduct> {
    const bank = this.bankScope(client);
    const product = await this.repository.product(bank, code);
    if (product) return product;
    if (bank) throw new DomainError('FORBIDDEN', `product "${code}" is not one of your bank’s products`);
    throw new DomainError('NOT_FOUND', `no loan product "${code}"`);
  }

  /** The position after a cursor ('0': from the start). */
  static afterPosition(cursor: string | null | undefined): string {
    const position = decodeCursor(EVENT_CURSOR, cursor) ?? '0';
    if (!/^\d{1,18}$/.test(position)) throw new DomainError('BAD_USER_INPUT', 'after is not a cursor of this list', { argument: 'after' });
    return position;
  }

  eventsAfter(bank: BankCode | null, cursor: string | null | undefined, limit: number): Promise<EligibilityEvent[]> {
    return this.repository.events(bank, EligibilityService.afterPosition(cursor), limit);
  }

  async feed(client: ApiClient, args: { after?: string | null; first?: number | null; bank?: BankCode | null }): Promise<EligibilityEventConnection> {
    const bank = this.bankScope(client, args.bank);
    const size = checkPageSize(args.first);
    const rows = await this.eventsAfter(bank, args.after, size + 1);
    return { ...pageOf(rows, size, EVENT_CURSOR, (e) => e.position), countTotal: () => this.repository.countEvents(bank) };
  }
}
