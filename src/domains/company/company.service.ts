import { isIsoDate } from '../../shared/calendar';
import { normaliseJuristicId } from '../../shared/thai-id';
import { normaliseTisNo } from '../../shared/tis-no';
import { checkPageSize, decodeKeysetCursor, encodeKeysetCursor, pageWithCursors, withTotalCount } from '../../platform/graphql/connection';
import { DomainError } from '../../platform/errors/domain-error';
import { checkRangeOrder } from '../../platform/graphql/ranges';
import { normaliseCompanyName } from '../../sources/dbd/company-name';
import type { CompanyCriteria, CompanyPage, CompanyPageRequest, CompanyProfile, CompanyProfileShape, CompanyRepository } from './company.repository';
import type { FirmScopeSql } from '../firm-scope-sql';
import { type Company, type CompanyConnection, type CompanyFilter, type CompanyOrder, COMPANY_SORT_KEY_TYPES, CompanyOrderField } from './company.type';

/** A juristic ID as given, in its stored form; BAD_USER_INPUT when it is not one. */
function checkedJuristicId(juristicId: string): string {
  const normalised = normaliseJuristicId(juristicId);
  if (normalised === undefined) throw new DomainError('BAD_USER_INPUT', `"${juristicId}" is not a juristic ID: 13 digits starting with 0, with a valid check digit`, { argument: 'juristicId' });
  return normalised;
}

/** A juristic ID as stored: 13 digits (a cursor's tie-breaker). */
const JURISTIC_ID_SHAPE = /^\d{13}$/;
import { SortDirection } from '../../platform/graphql/sort-direction';


export interface CompanyListArgs {
  first?: number | null;
  after?: string | null;
  filter?: CompanyFilter | null;
  orderBy?: CompanyOrder | null;
  /** The client asked for `totalCount`: read it with the page, in one statement. */
  withCount?: boolean;
}

/** Where a company list reads its page and its count. */
export interface CompanyListBatch {
  findPage(request: CompanyPageRequest): Promise<CompanyPage>;
  count(criteria: CompanyCriteria | undefined): Promise<number>;
}

/** How company filters name areas (src/domains/geography/geography.service.ts answers). */
export interface CompanyAreas {
  /** The code of a province as users write it (code, ISO code, Thai or English name); undefined if none. */
  provinceCode(codeOrName: string): Promise<string | undefined>;
  /** The provinces a regional centre serves; undefined for a number that is no centre. */
  centreProvinces(centre: number): Promise<{ codes: string[] } | undefined>;
  /** The provinces of a province group; undefined for a code that is no group. */
  groupProvinces(code: string): Promise<{ codes: string[] } | undefined>;
}

export class CompanyService {
  constructor(
    private readonly repository: CompanyRepository,
    private readonly areas: CompanyAreas,
  ) {}

  /** Checks a filter and resolves what it names (province, normalised name); clear errors for bad input. */
  async criteria(filter: CompanyFilter | null | undefined): Promise<CompanyCriteria | undefined> {
    if (!filter) return undefined;
    const { province, nameSearch, promotionCentre, provinceGroup, ...rest } = filter;
    const criteria: CompanyCriteria = { ...rest };
    if (promotionCentre !== undefined && promotionCentre !== null) {
      const area = await this.areas.centreProvinces(promotionCentre);
      if (!area) throw new DomainError('BAD_USER_INPUT', `promotionCentre is a centre number, 1 to 11, got ${promotionCentre}`, { argument: 'filter.promotionCentre' });
      criteria.centreArea = { centre: promotionCentre, provinceCodes: area.codes };
    }
    if (provinceGroup !== undefined && provinceGroup !== null) {
      const area = await this.areas.groupProvinces(provinceGroup);
      if (!area) throw new DomainError('BAD_USER_INPUT', `unknown province group "${provinceGroup}": see provinceGroups for their codes`, { argument: 'filter.provinceGroup' });
      criteria.groupArea = { group: provinceGroup.trim().toUpperCase(), provinceCodes: area.codes };
    }
    if (province !== undefined && province !== null) {
      const code = await this.areas.provinceCode(province);
      if (!code) throw new DomainError('BAD_USER_INPUT', `unknown province "${province}": give its code (20), ISO code (TH-20), Thai or English name`, { argument: 'filter.province' });
      criteria.provinceCode = code;
    }
    if (rest.tsicPrefix !== undefined && rest.tsicPrefix !== null) {
      criteria.tsicPrefix = rest.tsicPrefix.trim();
      if (!/^\d{1,5}$/.test(criteria.tsicPrefix)) throw new DomainError('BAD_USER_INPUT', 'tsicPrefix is 1 to 5 digits, e.g. "10" or "10792"', { argument: 'filter.tsicPrefix' });
    }
    if (rest.holdsLicenceFor !== undefined && rest.holdsLicenceFor !== null) {
      const tisNo = normaliseTisNo(rest.holdsLicenceFor);
      if (tisNo === undefined) throw new DomainError('BAD_USER_INPUT', 'holdsLicenceFor is a TIS number with its Buddhist-Era year, e.g. "2536-2555"', { argument: 'filter.holdsLicenceFor' });
      criteria.holdsLicenceFor = tisNo;
    }
    for (const end of ['from', 'to'] as const) {
      const value = rest.registeredBetween?.[end];
      if (value !== undefined && value !== null && !isIsoDate(value)) {
        throw new DomainError('BAD_USER_INPUT', `registeredBetween.${end} must be an ISO date (YYYY-MM-DD), got "${value}"`, { argument: `filter.registeredBetween.${end}` });
      }
    }
    checkRangeOrder(rest.registeredBetween?.from, rest.registeredBetween?.to, 'filter.registeredBetween');
    checkRangeOrder(rest.registeredCapital?.min, rest.registeredCapital?.max, 'filter.registeredCapital', ['min', 'max']);
    checkRangeOrder(rest.revenue?.min, rest.revenue?.max, 'filter.revenue', ['min', 'max']);
    const level = rest.industry40LevelAtLeast;
    if (level !== undefined && level !== null && !(level >= 1 && level <= 4)) {
      throw new DomainError('BAD_USER_INPUT', 'industry40LevelAtLeast is between 1.0 and 4.0', { argument: 'filter.industry40LevelAtLeast' });
    }
    if (nameSearch !== undefined && nameSearch !== null) {
      checkNameSearchLength(nameSearch, 'filter.nameSearch');
      const normalised = normaliseCompanyName(nameSearch);
      if (normalised.length < 2) throw new DomainError('BAD_USER_INPUT', 'nameSearch needs at least two letters besides company-form words', { argument: 'filter.nameSearch' });
      criteria.nameSearch = { normalised, raw: nameSearch.normalize('NFC').trim().toLowerCase() };
    }
    return criteria;
  }

  async get(juristicId: string): Promise<Company> {
    const normalised = checkedJuristicId(juristicId);
    const [company] = await this.repository.findByIds([normalised]);
    if (!company) throw new DomainError('NOT_FOUND', `no company with juristic ID ${normalised}`);
    return company;
  }

  /** `get` with the relations a read plan asks for, in one statement (CompanyRepository.findProfile); the same errors. */
  async getProfile(juristicId: string, shape: CompanyProfileShape, within: FirmScopeSql | undefined): Promise<CompanyProfile> {
    const normalised = checkedJuristicId(juristicId);
    const profile = await this.repository.findProfile(normalised, shape, within);
    if (!profile) throw new DomainError('NOT_FOUND', `no company with juristic ID ${normalised}`);
    return profile;
  }

  /**
   * A page of companies. `batch` lets a request share statements between lists (the companies of
   * each province on a page: see `companyList`); without it the repository is asked directly.
   */
  async list(args: CompanyListArgs, extra?: Partial<CompanyCriteria>, batch: CompanyListBatch = this.repository): Promise<CompanyConnection> {
    const size = checkPageSize(args.first);
    const filtered = await this.criteria(args.filter);
    // A parent's scope and the filter both hold (AND). A company belongs to several target
    // industries, so a filter's industry below another industry's list is a second condition; a
    // filter naming another province or region than the parent's matches nothing, without a statement.
    const { targetIndustry: filterIndustry, ...singleValued } = filtered ?? {};
    const contradicts = Object.entries(extra ?? {}).some(([key, value]) => {
      const given = (singleValued as Record<string, unknown>)[key];
      return given !== undefined && given !== null && JSON.stringify(given) !== JSON.stringify(value);
    });
    if (contradicts) return withTotalCount(pageWithCursors([], size, () => ''), () => Promise.resolve(0));
    const criteria: CompanyCriteria = { ...filtered, ...extra };
    if (filterIndustry && extra?.targetIndustry && filterIndustry !== extra.targetIndustry) criteria.alsoTargetIndustry = filterIndustry;
    const field = args.orderBy?.field ?? CompanyOrderField.JURISTIC_ID;
    if (field === CompanyOrderField.RELEVANCE && !criteria.nameSearch) {
      throw new DomainError('BAD_USER_INPUT', 'ordering by RELEVANCE needs filter.nameSearch', { argument: 'orderBy' });
    }
    const direction = args.orderBy?.direction ?? (field === CompanyOrderField.RELEVANCE ? SortDirection.DESC : SortDirection.ASC);
    // The cursor names its ordering, so a cursor from another ordering is refused, not misread.
    const kind = `company.${field}.${direction}`;
    const position = decodeKeysetCursor(kind, args.after, COMPANY_SORT_KEY_TYPES[field], JURISTIC_ID_SHAPE);
    const after = position && { sortKey: position.sortKey, juristicId: position.id };
    const { rows, total } = await batch.findPage({ criteria, order: { field, direction }, after, limit: size + 1, withCount: args.withCount === true });
    const { edges, pageInfo } = pageWithCursors(rows, size, (row) => encodeKeysetCursor(kind, { sortKey: row.sortKey, id: row.company.juristicId }), (row) => row.company);
    // An empty page carries no count (e.g. after the last row): then it is a statement of its own.
    return withTotalCount({ edges, pageInfo }, () => (total !== undefined ? Promise.resolve(total) : batch.count(criteria)));
  }

  /** The repository's `counts`, for the domain's loaders (one statement per batch). */
  counts(...args: Parameters<CompanyRepository['counts']>): ReturnType<CompanyRepository['counts']> {
    return this.repository.counts(...args);
  }

  /** The repository's `findByIds`, for the domain's loaders (one statement per batch). */
  findByIds(...args: Parameters<CompanyRepository['findByIds']>): ReturnType<CompanyRepository['findByIds']> {
    return this.repository.findByIds(...args);
  }

  /** The repository's `findShapedPage`, for read plans (one statement for a page and what is nested in it). */
  findShapedPage(...args: Parameters<CompanyRepository['findShapedPage']>): ReturnType<CompanyRepository['findShapedPage']> {
    return this.repository.findShapedPage(...args);
  }

  /** The repository's `findPages`, for the domain's loaders (one statement per batch). */
  findPages(...args: Parameters<CompanyRepository['findPages']>): ReturnType<CompanyRepository['findPages']> {
    return this.repository.findPages(...args);
  }

  /** The repository's `statementsByKey`, for the domain's loaders (one statement per batch). */
  statementsByKey(...args: Parameters<CompanyRepository['statementsByKey']>): ReturnType<CompanyRepository['statementsByKey']> {
    return this.repository.statementsByKey(...args);
  }

  /** The repository's `statementsOf`, for the domain's loaders (one statement per batch). */
  statementsOf(...args: Parameters<CompanyRepository['statementsOf']>): ReturnType<CompanyRepository['statementsOf']> {
    return this.repository.statementsOf(...args);
  }
}

/**
 * Longest name search, in characters: trigram matching costs grow with the text (a probe measured
 * 0.3 s at 50 characters and 10 s at 2,000 on a busy machine), and no registered name is longer.
 */
export const MAX_NAME_SEARCH_LENGTH = 100;

export function checkNameSearchLength(text: string, argument: string): void {
  const length = [...text].length;
  if (length > MAX_NAME_SEARCH_LENGTH) {
    throw new DomainError('BAD_USER_INPUT', `${argument} is ${length} characters; a name search takes at most ${MAX_NAME_SEARCH_LENGTH}`, { argument, maxLength: MAX_NAME_SEARCH_LENGTH });
  }
}
