import { checkPageSize, decodeCursor, pageOf } from '../../platform/graphql/connection';
import { DomainError } from '../../platform/errors/domain-error';
import type { FactoryRepository } from './factory.repository';
import type { Factory, FactoryConnection, FactoryFilter } from './factory.type';

const CURSOR_KIND = 'factory';

export class FactoryService {
  constructor(readonly repository: FactoryRepository) {}

  async get(fid: string): Promise<Factory> {
    const normalised = fid.replace(/[\s-]/g, '');
    if (!/^\d{14}$/.test(normalised)) throw new DomainError('BAD_USER_INPUT', `a factory ID (FID) has 14 digits, got "${fid}"`, { argument: 'fid' });
    const factory = await this.repository.findByFid(normalised);
    if (!factory) throw new DomainError('NOT_FOUND', `no factory with FID ${normalised}`);
    return factory;
  }

  async list(args: { first?: number | null; after?: string | null; filter?: FactoryFilter | null }): Promise<FactoryConnection> {
    const size = checkPageSize(args.first);
    const afterFid = decodeCursor(CURSOR_KIND, args.after);
    const filter = args.filter ?? undefined;
    if (filter?.isicPrefix && !/^\d{1,5}$/.test(filter.isicPrefix.trim())) {
      throw new DomainError('BAD_USER_INPUT', 'isicPrefix is 1 to 5 digits, e.g. "10" or "10792"', { argument: 'filter.isicPrefix' });
    }
    const rows = await this.repository.findPage(filter, afterFid, size + 1);
    return { ...pageOf(rows, size, CURSOR_KIND, (f) => f.fid), countTotal: () => this.repository.count(filter) };
  }
}
