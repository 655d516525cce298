/**
 * Records of the Thai Industrial Standards Institute (TISI): its standards (มอก.) and the licences
 * to use a standard mark, as the TISI parsers produce them: cleaned, typed, keyed.
 */

export type TisStandardStatus = 'IN_FORCE' | 'CANCELLED' | 'UNKNOWN';

export interface TisStandardRecord {
  /** Key: the standard number without `มอก.` and spaces, `number-BE year`, e.g. `2416-2552`. */
  tisNo: string;
  /** The number part, e.g. 2416. */
  number: number;
  /** Year of the standard's edition, Buddhist Era (as TISI writes it), e.g. 2552. */
  yearBe: number;
  /** The same year in the Common Era, e.g. 2009. */
  yearCe: number;
  nameTh: string;
  /** `บ` (บังคับ, mandatory: products must carry the mark) or `ท` (ทั่วไป, voluntary). */
  mandatory: boolean;
  status: TisStandardStatus;
  /** STATUS as written by TISI (cleaned). */
  statusText: string | null;
}

export type TisLicenceStatus = 'VALID' | 'SUSPENDED' | 'CANCELLED' | 'UNKNOWN';

export interface TisLicenceRecord {
  /** Key: the licence number without spaces, e.g. `ท1234-65/2416`. */
  licenceNo: string;
  /** LICENSE_TYPE as written (cleaned), e.g. `ทำ` (make in Thailand), `นำเข้า` (import). */
  licenceType: string | null;
  /** ISO date (Common Era). */
  issuedOn: string;
  /** The standard, normalised like TisStandardRecord.tisNo. */
  tisNo: string;
  licenseeName: string | null;
  /**
   * 13 digits with a valid check digit: a juristic ID (starts with 0) or a personal ID (personal
   * data); null when TISI left it blank (then the name is given, and the licence is linked by name).
   */
  licenseeTaxId: string | null;
  /** 14-digit DIW factory ID of the licensed plant, when TISI has it. */
  fid: string | null;
  status: TisLicenceStatus;
  /** STATUS as written by TISI (cleaned). */
  statusText: string | null;
  suspendedOn: string | null;
  cancelledOn: string | null;
}

/** Header of the standards CSV (see README.md). */
export const TISI_STANDARD_COLUMNS = ['TIS_NO', 'TIS_NAME_TH', 'TIS_TYPE', 'STATUS'] as const;
export type TisiStandardColumn = (typeof TISI_STANDARD_COLUMNS)[number];

/** Header of the licences CSV (see README.md). */
export const TISI_LICENCE_REQUIRED_COLUMNS = ['LICENSE_NO', 'LICENSE_TYPE', 'ISSUE_DATE', 'TIS_NO', 'TAX_ID', 'FID', 'STATUS'] as const;
export const TISI_LICENCE_OPTIONAL_COLUMNS = ['LICENSEE_NAME', 'SUSPENDED_DATE', 'CANCELLED_DATE'] as const;
export type TisiLicenceColumn = (typeof TISI_LICENCE_REQUIRED_COLUMNS)[number] | (typeof TISI_LICENCE_OPTIONAL_COLUMNS)[number];

/** How TISI's status words map to the hub's statuses (kept as data: correct them here). */
export const TIS_STANDARD_STATUS_WORDS: Record<string, TisStandardStatus> = {
  'ใช้งาน': 'IN_FORCE',
  'มีผลใช้บังคับ': 'IN_FORCE',
  'IN FORCE': 'IN_FORCE',
  ACTIVE: 'IN_FORCE',
  'ยกเลิก': 'CANCELLED',
  CANCELLED: 'CANCELLED',
  WITHDRAWN: 'CANCELLED',
};

export const TIS_LICENCE_STATUS_WORDS: Record<string, TisLicenceStatus> = {
  'ปกติ': 'VALID',
  'ใช้งาน': 'VALID',
  VALID: 'VALID',
  'พักใช้': 'SUSPENDED',
  SUSPENDED: 'SUSPENDED',
  'เพิกถอน': 'CANCELLED',
  'ยกเลิก': 'CANCELLED',
  CANCELLED: 'CANCELLED',
  REVOKED: 'CANCELLED',
};
