import { checkPageSize, decodeCursor, decodeKeysetCursor, encodeCursor, encodeKeysetCursor, type KeysetPosition, pageWithCursors, withTotalCount } from '../../platform/graphql/connection';
import { SortDirection } from '../../platform/graphql/sort-direction';
import { DomainError } from '../../platform/errors/domain-error';
import type { RegionCode } from '../geography/region-code';
import type { FirmScopeSql } from '../firm-scope-sql';
import type { FactoryCriteria, FactoryPageRequest, FactoryRepository } from './factory.repository';
import { type Factory, type FactoryConnection, type FactoryFilter, type FactoryOrder, FACTORY_SORT_KEY_TYPES, FactoryOrderField } from './factory.type';

/** Cursor tag of the default order (FID ascending), shared with `Company.factories`. */
export const FACTORY_CURSOR = 'factory';
/** A factory ID as stored (DIW's 14 digits): the key of a factory cursor. */
export const FID_SHAPE = /^\d{14}$/;

/** How the service names provinces: the Thai names the registry writes, from any way a user writes them. */
export interface ProvinceNames {
  /** The Thai name of the province a user names (code, ISO code, Thai or English name); undefined if none. */
  nameOf(codeOrName: string): Promise<string | undefined>;
  /** The Thai names of a region's provinces. */
  namesInRegion(region: RegionCode): Promise<string[]>;
  /** The provinces a regional centre serves; undefined for a number that is no centre. */
  centreProvinces(centre: number): Promise<{ names: string[] } | undefined>;
  /** The provinces of a province group; undefined for a code that is no group. */
  groupProvinces(code: string): Promise<{ names: string[] } | undefined>;
}

export interface FactoryListArgs {
  first?: number | null;
  after?: string | null;
  filter?: FactoryFilter | null;
  orderBy?: FactoryOrder | null;
}

/** A list scoped by its parent: a province's, a region's, a centre's or a group's factories (ANDed with the filter). */
export interface FactoryScope {
  provinceCode?: string;
  region?: RegionCode;
  promotionCentre?: number;
  provinceGroup?: string;
  /** The caller's scope (src/domains/firm-scope.ts). */
  within?: FirmScopeSql;
}

/** How a list reads its page and count: directly, or through a request's batching loaders. */
export interface FactoryListBatch {
  findPage(request: FactoryPageRequest): Promise<{ factory: Factory; sortKey: string }[]>;
  count(criteria: FactoryCriteria | undefined): Promise<number>;
}

export class FactoryService {
  constructor(
    private readonly repository: FactoryRepository,
    private readonly provinces: ProvinceNames,
  ) {}

  async get(fid: string): Promise<Factory> {
    const normalised = fid.replace(/[\s-]/g, '');
    if (!/^\d{14}$/.test(normalised)) throw new DomainError('BAD_USER_INPUT', `a factory ID (FID) has 14 digits, got "${fid}"`, { argument: 'fid' });
    const [factory] = await this.repository.findByFids([normalised]);
    if (!factory) throw new DomainError('NOT_FOUND', `no factory with FID ${normalised}`);
    return factory;
  }

  /** A filter checked and resolved for the repository; BAD_USER_INPUT naming the filter field at fault. */
  async criteria(filter: FactoryFilter | null | undefined, scope: FactoryScope = {}): Promise<FactoryCriteria> {
    const criteria: FactoryCriteria = { provinceSets: [] };
    const province = async (codeOrName: string, argument: string): Promise<void> => {
      const name = await this.provinces.nameOf(codeOrName);
      if (name === undefined) throw new DomainError('BAD_USER_INPUT', `unknown province "${codeOrName}": give its code (20), ISO code (TH-20), Thai or English name`, { argument });
      criteria.provinceSets!.push([name]);
    };
    if (filter?.province) await province(filter.province, 'filter.province');
    if (scope.provinceCode) await province(scope.provinceCode, 'province');
    for (const region of [filter?.region, scope.region]) if (region) criteria.provinceSets!.push(await this.provinces.namesInRegion(region));
    for (const [centre, argument] of [[filter?.promotionCentre, 'filter.promotionCentre'], [scope.promotionCentre, 'promotionCentre']] as const) {
      if (centre === undefined || centre === null) continue;
      const area = await this.provinces.centreProvinces(centre);
      if (!area) throw new DomainError('BAD_USER_INPUT', `promotionCentre is a centre number, 1 to 11, got ${centre}`, { argument });
      criteria.provinceSets!.push(area.names);
    }
    for (const [group, argument] of [[filter?.provinceGroup, 'filter.provinceGroup'], [scope.provinceGroup, 'provinceGroup']] as const) {
      if (group === undefined || group === null) continue;
      const area = await this.provinces.groupProvinces(group);
      if (!area) throw new DomainError('BAD_USER_INPUT', `unknown province group "${group}": see provinceGroups for their codes`, { argument });
      criteria.provinceSets!.push(area.names);
    }
    if (filter?.status) criteria.status = filter.status;
    if (filter?.isicPrefix !== undefined && filter.isicPrefix !== null) {
      const prefix = filter.isicPrefix.trim();
      if (!/^\d{1,5}$/.test(prefix)) throw new DomainError('BAD_USER_INPUT', 'isicPrefix is 1 to 5 digits, e.g. "10" or "10792"', { argument: 'filter.isicPrefix' });
      criteria.isicPrefix = prefix;
    }
    if (filter?.nameContains) {
      const text = filter.nameContains.normalize('NFC').trim();
      if (text !== '') criteria.nameContains = text;
    }
    if (filter?.linked !== undefined && filter.linked !== null) criteria.linked = filter.linked;
    if (scope.within) criteria.within = scope.within;
    return criteria;
  }

  /** A page of factories in the requested order; `batch` lets a request share statements between lists. */
  async list(args: FactoryListArgs, scope: FactoryScope = {}, batch: FactoryListBatch = this.direct()): Promise<FactoryConnection> {
    const size = checkPageSize(args.first);
    const criteria = await this.criteria(args.filter, scope);
    const field = args.orderBy?.field ?? FactoryOrderField.FID;
    const direction = args.orderBy?.direction ?? SortDirection.ASC;
    // FID ascending keeps the plain FID cursors `Company.factories` also uses; any other order's
    // cursor carries its sort value and names its order, so a cursor of another order is refused.
    const byFid = field === FactoryOrderField.FID && direction === SortDirection.ASC;
    const kind = byFid ? FACTORY_CURSOR : `${FACTORY_CURSOR}.${field}.${direction}`;
    let after: KeysetPosition | undefined;
    if (byFid) {
      const fid = decodeCursor(kind, args.after, FID_SHAPE);
      after = fid === undefined ? undefined : { sortKey: fid, id: fid };
    } else {
      after = decodeKeysetCursor(kind, args.after, FACTORY_SORT_KEY_TYPES[field], FID_SHAPE);
    }
    const rows = await batch.findPage({ criteria, order: { field, direction }, after, limit: size + 1 });
    const page = pageWithCursors(
      rows,
      size,
      ({ factory, sortKey }) => (byFid ? encodeCursor(kind, factory.fid) : encodeKeysetCursor(kind, { sortKey, id: factory.fid })),
      (row) => row.factory,
    );
    return withTotalCount(page, () => batch.count(criteria));
  }

  private direct(): FactoryListBatch {
    return {
      findPage: async (request) => (await this.repository.findPages([request]))[0]!,
      count: async (criteria) => (await this.repository.counts([criteria]))[0]!,
    };
  }

  /** The repository's `countByCompanies`, for the domain's loaders (one statement per batch). */
  countByCompanies(...args: Parameters<FactoryRepository['countByCompanies']>): ReturnType<FactoryRepository['countByCompanies']> {
    return this.repository.countByCompanies(...args);
  }

  /** The repository's `counts`, for the domain's loaders (one statement per batch). */
  counts(...args: Parameters<FactoryRepository['counts']>): ReturnType<FactoryRepository['counts']> {
    return this.repository.counts(...args);
  }

  /** The repository's `findByFids`, for the domain's loaders (one statement per batch). */
  findByFids(...args: Parameters<FactoryRepository['findByFids']>): ReturnType<FactoryRepository['findByFids']> {
    return this.repository.findByFids(...args);
  }

  /** The repository's `findPages`, for the domain's loaders (one statement per batch). */
  findPages(...args: Parameters<FactoryRepository['findPages']>): ReturnType<FactoryRepository['findPages']> {
    return this.repository.findPages(...args);
  }

  /** The repository's `pagesByCompaniesCounted`, for the domain's loaders (one statement per batch). */
  pagesByCompaniesCounted(...args: Parameters<FactoryRepository['pagesByCompaniesCounted']>): ReturnType<FactoryRepository['pagesByCompaniesCounted']> {
    return this.repository.pagesByCompaniesCounted(...args);
  }

  /** The repository's `pagesByCompanies`, for the domain's loaders (one statement per batch). */
  pagesByCompanies(...args: Parameters<FactoryRepository['pagesByCompanies']>): ReturnType<FactoryRepository['pagesByCompanies']> {
    return this.repository.pagesByCompanies(...args);
  }
}
