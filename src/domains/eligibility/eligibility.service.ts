import type { ApiClient } from '../../access/api-client.repository';
import type { BankCode } from '../../access/roles';
import { DomainError } from '../../platform/errors/domain-error';
import { checkPageSize, decodeCursor, encodeCursor, invalidCursor, pageWithCursors, withTotalCount } from '../../platform/graphql/connection';
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
  constructor(private readonly repository: EligibilityReadRepository) {}

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

  /**
   * The cursor of an event in a feed: its position, prefixed with the bank for one bank's feed
   * (whose positions are that bank's own sequence), so a cursor of one feed cannot be used in another.
   */
  static eventCursor(event: EligibilityEvent, bank: BankCode | null): string {
    return encodeCursor(EVENT_CURSOR, bank ? `${bank}.${event.position}` : event.position);
  }

  /** The position after a cursor of this bank's feed, or of every bank's (null) ('0': from the start). */
  static afterPosition(cursor: string | null | undefined, bank: BankCode | null): string {
    const key = decodeCursor(EVENT_CURSOR, cursor);
    if (key === undefined) return '0';
    const match = /^(?:([A-Z]+)\.)?(\d{1,18})$/.exec(key);
    if (!match || (match[1] ?? null) !== bank) throw invalidCursor();
    return match[2]!;
  }

  eventsAfter(bank: BankCode | null, cursor: string | null | undefined, limit: number): Promise<EligibilityEvent[]> {
    return this.repository.events(bank, EligibilityService.afterPosition(cursor, bank), limit);
  }

  async feed(client: ApiClient, args: { after?: string | null; first?: number | null; bank?: BankCode | null }): Promise<EligibilityEventConnection> {
    const bank = this.bankScope(client, args.bank);
    const size = checkPageSize(args.first);
    const rows = await this.eventsAfter(bank, args.after, size + 1);
    return withTotalCount(pageWithCursors(rows, size, (e) => EligibilityService.eventCursor(e, bank)), () => this.repository.countEvents(bank));
  }

  /** The repository's `productsByKeys`, for the domain's loaders (one statement per batch). */
  productsByKeys(...args: Parameters<EligibilityReadRepository['productsByKeys']>): ReturnType<EligibilityReadRepository['productsByKeys']> {
    return this.repository.productsByKeys(...args);
  }

  /** The repository's `resultsOf`, for the domain's loaders (one statement per batch). */
  resultsOf(...args: Parameters<EligibilityReadRepository['resultsOf']>): ReturnType<EligibilityReadRepository['resultsOf']> {
    return this.repository.resultsOf(...args);
  }
}
