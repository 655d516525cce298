import { checkNameSearchLength } from '../company/company.service';
import type { FirmScopeSql } from '../firm-scope-sql';
import { normaliseTisNo as normaliseWrittenTisNo, TIS_NO } from '../../shared/tis-no';
import { isIsoDate } from '../../shared/calendar';
import { checkPageSize, decodeCursor, decodeKeysetCursor, encodeCursor, invalidCursor, isCalendarDate, encodeKeysetCursor, type KeysetPosition, pageOf, pageWithCursors, withTotalCount } from '../../platform/graphql/connection';
import { SortDirection } from '../../platform/graphql/sort-direction';
import { DomainError } from '../../platform/errors/domain-error';
import { checkRangeOrder } from '../../platform/graphql/ranges';
import type { CertificationRepository, LicencePosition } from './certification.repository';
import { type TisLicense, type TisLicenseConnection, type TisLicenseFilter, type TisLicenseOrder, TisLicenseOrderField, type TisStandard, type TisStandardConnection, type TisStandardFilter } from './certification.type';


/** Cursor tags; every licence list shares one order, so they share one tag. */
export const STANDARD_CURSOR = 'tisStandard';
export const LICENCE_CURSOR = 'tisLicense';

/** A licence's place in the licence order, as cursors carry it: `issuedOn|licenceNo`. */
export const licenceCursorKey = (licence: TisLicense): string => `${licence.issuedOn}|${licence.licenceNo}`;

/** A licence cursor's key read back as a position; BAD_USER_INPUT when it is not one. */
export function licencePositionOf(key: string): LicencePosition {
  const issuedOn = key.slice(0, 10);
  if (!isCalendarDate(issuedOn) || key[10] !== '|' || key.length < 12) throw invalidCursor();
  return { issuedOn, licenceNo: key.slice(11) };
}

/** The key of a licence list's `after` cursor, checked; for the relations' loaders. */
export function licenceAfterKey(after: string | null | undefined): string | undefined {
  const key = decodeCursor(LICENCE_CURSOR, after);
  if (key !== undefined) licencePositionOf(key);
  return key;
}

/** A standard number as users write it in its stored form (the shared rule, src/shared/tis-no.ts); BAD_USER_INPUT otherwise. */
export function normaliseTisNo(written: string, argument: string): string {
  const tisNo = normaliseWrittenTisNo(written);
  if (tisNo === undefined) {
    throw new DomainError('BAD_USER_INPUT', `a TIS standard number is the number and its Buddhist-Era year, e.g. "2536-2555", got "${written}"`, { argument });
  }
  return tisNo;
}

function checkIsoDate(value: string | null | undefined, argument: string): void {
  if (value !== undefined && value !== null && !isIsoDate(value)) {
    throw new DomainError('BAD_USER_INPUT', `${argument} must be an ISO date (YYYY-MM-DD), got "${value}"`, { argument });
  }
}

export class CertificationService {
  constructor(private readonly repository: CertificationRepository) {}

  async standard(tisNo: string): Promise<TisStandard> {
    const key = normaliseTisNo(tisNo, 'tisNo');
    const [standard] = await this.repository.standardsByTisNos([key]);
    if (!standard) throw new DomainError('NOT_FOUND', `no TIS standard ${key} (มอก. ${key})`);
    return standard;
  }

  async licence(licenceNo: string): Promise<TisLicense> {
    // Stored without spaces and in upper case (see the TISI parser).
    const key = licenceNo.normalize('NFC').replace(/\s/g, '').toUpperCase();
    if (key === '') throw new DomainError('BAD_USER_INPUT', 'licenceNo is empty', { argument: 'licenceNo' });
    const [licence] = await this.repository.licencesByNos([key]);
    if (!licence) throw new DomainError('NOT_FOUND', `no TISI licence ${key}`);
    return licence;
  }

  async standards(args: { first?: number | null; after?: string | null; filter?: TisStandardFilter | null }): Promise<TisStandardConnection> {
    const size = checkPageSize(args.first);
    const afterKey = decodeCursor(STANDARD_CURSOR, args.after);
    const afterMatch = afterKey === undefined ? undefined : TIS_NO.exec(afterKey);
    if (afterMatch === null) throw invalidCursor();
    const after = afterMatch && { number: Number(afterMatch[1]), yearBe: Number(afterMatch[2]) };
    const filter = args.filter ? { ...args.filter } : undefined;
    if (filter?.nameSearch !== undefined && filter.nameSearch !== null) {
      checkNameSearchLength(filter.nameSearch, 'filter.nameSearch');
      filter.nameSearch = filter.nameSearch.normalize('NFC').trim();
      if ([...filter.nameSearch].length < 2) throw new DomainError('BAD_USER_INPUT', 'nameSearch needs at least two characters', { argument: 'filter.nameSearch' });
    }
    const rows = await this.repository.standardPage(filter, after, size + 1);
    return withTotalCount(pageOf(rows, size, STANDARD_CURSOR, (s) => s.tisNo), () => this.repository.countStandards(filter));
  }

  async licences(args: { first?: number | null; after?: string | null; filter?: TisLicenseFilter | null; orderBy?: TisLicenseOrder | null }, within?: FirmScopeSql): Promise<TisLicenseConnection> {
    const size = checkPageSize(args.first);
    const field = args.orderBy?.field ?? TisLicenseOrderField.ISSUED_ON;
    const direction = args.orderBy?.direction ?? (field === TisLicenseOrderField.ISSUED_ON ? SortDirection.DESC : SortDirection.ASC);
    // The default order keeps the cursors every licence list shares; another order's cursor names it.
    const isDefault = field === TisLicenseOrderField.ISSUED_ON && direction === SortDirection.DESC;
    const kind = isDefault ? LICENCE_CURSOR : `${LICENCE_CURSOR}.${field}.${direction}`;
    let after: KeysetPosition | undefined;
    if (isDefault) {
      const key = decodeCursor(LICENCE_CURSOR, args.after);
      const position = key === undefined ? undefined : licencePositionOf(key);
      after = position && { sortKey: position.issuedOn, id: position.licenceNo };
    } else {
      after = decodeKeysetCursor(kind, args.after, field === TisLicenseOrderField.ISSUED_ON ? 'date' : 'text');
    }
    const filter = args.filter ? { ...args.filter } : undefined;
    if (filter?.tisNo !== undefined && filter.tisNo !== null) filter.tisNo = normaliseTisNo(filter.tisNo, 'filter.tisNo');
    checkIsoDate(filter?.issuedFrom, 'filter.issuedFrom');
    checkIsoDate(filter?.issuedTo, 'filter.issuedTo');
    checkRangeOrder(filter?.issuedFrom, filter?.issuedTo, 'filter.issuedFrom', ['issuedFrom', 'issuedTo']);
    const rows = await this.repository.licencePage(filter, { field, direction }, after, size + 1, within);
    const page = pageWithCursors(
      rows,
      size,
      ({ licence, sortKey }) => (isDefault ? encodeCursor(kind, licenceCursorKey(licence)) : encodeKeysetCursor(kind, { sortKey, id: licence.licenceNo })),
      (row) => row.licence,
    );
    return withTotalCount(page, () => this.repository.countLicences(filter, within));
  }

  /** The repository's `countLicencesBy`, for the domain's loaders (one statement per batch). */
  countLicencesBy(...args: Parameters<CertificationRepository['countLicencesBy']>): ReturnType<CertificationRepository['countLicencesBy']> {
    return this.repository.countLicencesBy(...args);
  }

  /** The repository's `licencePagesByCounted`, for the domain's loaders (one statement per batch). */
  licencePagesByCounted(...args: Parameters<CertificationRepository['licencePagesByCounted']>): ReturnType<CertificationRepository['licencePagesByCounted']> {
    return this.repository.licencePagesByCounted(...args);
  }

  /** The repository's `licencePagesBy`, for the domain's loaders (one statement per batch). */
  licencePagesBy(...args: Parameters<CertificationRepository['licencePagesBy']>): ReturnType<CertificationRepository['licencePagesBy']> {
    return this.repository.licencePagesBy(...args);
  }

  /** The repository's `licencesByNos`, for the domain's loaders (one statement per batch). */
  licencesByNos(...args: Parameters<CertificationRepository['licencesByNos']>): ReturnType<CertificationRepository['licencesByNos']> {
    return this.repository.licencesByNos(...args);
  }

  /** The repository's `standardsByTisNos`, for the domain's loaders (one statement per batch). */
  standardsByTisNos(...args: Parameters<CertificationRepository['standardsByTisNos']>): ReturnType<CertificationRepository['standardsByTisNos']> {
    return this.repository.standardsByTisNos(...args);
  }
}
