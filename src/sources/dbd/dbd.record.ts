/**
 * Records of the Department of Business Development (DBD), as the DBD item mappers produce them:
 * cleaned and typed, keyed by the 13-digit juristic ID (and the fiscal year for statements).
 */

/** Decoded juristic-person status. The agency's wording is kept beside it (`statusRaw`). */
export type CompanyStatus = 'ACTIVE' | 'DISSOLVED' | 'ABANDONED' | 'BANKRUPT' | 'UNKNOWN';

/**
 * DBD's status wordings and what the hub reads them as. Assumed from DBD's public search pages (not
 * a published code list): kept here as data so that a correction is one line.
 */
export const DBD_STATUS_WORDINGS: Readonly<Record<string, Exclude<CompanyStatus, 'UNKNOWN'>>> = {
  ยังดำเนินกิจการอยู่: 'ACTIVE',
  ดำเนินกิจการ: 'ACTIVE',
  คืนสู่ทะเบียน: 'ACTIVE', // struck off, then restored to the register
  ฟื้นฟูกิจการ: 'ACTIVE', // business rehabilitation: still trading
  เลิก: 'DISSOLVED',
  เลิกกิจการ: 'DISSOLVED',
  อยู่ระหว่างชำระบัญชี: 'DISSOLVED', // dissolved, in liquidation
  เสร็จการชำระบัญชี: 'DISSOLVED', // liquidation finished
  ร้าง: 'ABANDONED', // struck off as defunct (นิติบุคคลร้าง)
  ล้มละลาย: 'BANKRUPT',
  พิทักษ์ทรัพย์เด็ดขาด: 'BANKRUPT', // absolute receivership
  active: 'ACTIVE',
  dissolved: 'DISSOLVED',
  abandoned: 'ABANDONED',
  bankrupt: 'BANKRUPT',
};

/** Decoded form of the juristic person; the agency's wording is kept as `juristicType`. */
export type JuristicTypeCode = 'COMPANY' | 'PUBLIC_COMPANY' | 'LIMITED_PARTNERSHIP' | 'ORDINARY_PARTNERSHIP' | 'UNKNOWN';

export const DBD_TYPE_WORDINGS: Readonly<Record<string, Exclude<JuristicTypeCode, 'UNKNOWN'>>> = {
  บริษัทจำกัด: 'COMPANY',
  บริษัทมหาชนจำกัด: 'PUBLIC_COMPANY',
  ห้างหุ้นส่วนจำกัด: 'LIMITED_PARTNERSHIP',
  ห้างหุ้นส่วนสามัญนิติบุคคล: 'ORDINARY_PARTNERSHIP',
};

/** One director as DBD lists them (personal data: masked by the API unless allowed). */
export interface Director {
  name: string;
  position: string | null;
}

/**
 * One shareholder. Individuals carry their 13-digit personal ID when DBD has it (personal data, kept
 * as given); juristic persons holding shares carry their juristic ID.
 */
export interface Shareholder {
  name: string;
  nationality: string | null;
  shares: number;
  personalId?: string;
  juristicId?: string;
}

export interface CompanyRecord {
  /** 13 digits, starts with 0, valid check digit. */
  juristicId: string;
  /** `type` as DBD writes it (cleaned), e.g. `บริษัทจำกัด`. */
  juristicType: string | null;
  juristicTypeCode: JuristicTypeCode;
  /** `nameTh` cleaned (NFC, sara am, whitespace); form words kept as written. */
  nameTh: string;
  /** The linking key: `normaliseCompanyName(nameTh)`. */
  nameThNormalised: string;
  nameEn: string | null;
  /** `status` as DBD writes it (cleaned). */
  statusRaw: string | null;
  status: CompanyStatus;
  /** ISO date, Common Era. */
  registeredOn: string | null;
  registeredCapitalBaht: number | null;
  paidUpCapitalBaht: number | null;
  objective: string | null;
  /** TSIC 2009 subclass (5 digits; 4 when DBD gives only the class). */
  tsicCode: string | null;
  address: string | null;
  /** Thai province name without the `จังหวัด` prefix; Bangkok as `กรุงเทพมหานคร`. */
  province: string | null;
  directors: Director[];
  shareholders: Shareholder[];
  /** Percentage (0-100, 2 decimals) of shares held by Thai nationals or Thai juristic persons; null without shareholders. */
  thaiShareholdingPct: number | null;
  /** `updatedAt` as an ISO timestamp (UTC). */
  sourceUpdatedAt: string;
}

/** How a statement's amounts were written: baht, or million baht (the hub stores baht). */
export type ReportedUnit = 'THB' | 'THB_MILLION';

export interface FinancialStatementRecord {
  juristicId: string;
  /** Common Era (a Buddhist-Era year in the feed is converted). */
  fiscalYear: number;
  reportedUnit: ReportedUnit;
  revenueBaht: number | null;
  totalAssetsBaht: number | null;
  fixedAssetsBaht: number | null;
  liabilitiesBaht: number | null;
  /** May be negative (a firm whose debts exceed its assets). */
  equityBaht: number | null;
  /** Negative for a loss. */
  netProfitBaht: number | null;
  employees: number | null;
  sourceUpdatedAt: string;
}
