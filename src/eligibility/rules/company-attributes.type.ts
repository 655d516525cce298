/**
 * What the rule engine knows about one company: every value nullable (the hub may not have it) and
 * carrying where it came from, so a bank can be told which data made a firm eligible or not.
 * Built from the database by src/eligibility/company-attributes.ts; pure data here.
 */
import type { Region } from '../../reference/reference-data';
import type { SmeSize } from '../../reference/sme-size';

export const JURISTIC_TYPE_CODES = ['COMPANY', 'PUBLIC_COMPANY', 'LIMITED_PARTNERSHIP', 'ORDINARY_PARTNERSHIP'] as const;
export type JuristicTypeCode = (typeof JURISTIC_TYPE_CODES)[number];

/** DBD statuses the hub knows; DBD's `UNKNOWN` is a null value here. */
export type CompanyStatus = 'ACTIVE' | 'DISSOLVED' | 'ABANDONED' | 'BANKRUPT';

/** Which source, and which of its ingestion runs, a value comes from. */
export interface Provenance {
  source: string;
  /** `ingestion.run.id` (a bigint, kept as text). */
  runId: string;
}

/**
 * One attribute. `value` null means the hub does not know it; `provenance` may still say which run
 * was consulted (e.g. the DBD record has no registration date). `provenance` null: no source has it.
 */
export interface Attribute<T> {
  value: T | null;
  provenance: Provenance | null;
}

export interface ProvinceFacts {
  /** 2-digit province code (`20` Chon Buri). */
  code: string;
  region: Region;
  /** In the Eastern Economic Corridor (reference.province.eec). */
  eec: boolean;
}

/**
 * SME size under the 2019 regulation. `exact` false: one measure (revenue or employees) is unknown,
 * so `size` is a lower bound (the missing measure could only make the firm larger).
 */
export interface SmeSizeFact {
  size: SmeSize;
  exact: boolean;
}

export interface CompanyAttributes {
  juristicId: string;
  juristicType: Attribute<JuristicTypeCode>;
  status: Attribute<CompanyStatus>;
  /** ISO date (Common Era). */
  registeredOn: Attribute<string>;
  smeSize: Attribute<SmeSizeFact>;
  employees: Attribute<number>;
  revenueBaht: Attribute<number>;
  fixedAssetsBaht: Attribute<number>;
  /** 0 to 100. */
  thaiShareholdingPct: Attribute<number>;
  province: Attribute<ProvinceFacts>;
  /** Target industry codes (reference.target_industry); empty when the firm's TSIC maps to none. */
  targetIndustries: Attribute<string[]>;
  /** Latest Industry 4.0 self-assessment level, 1.0 to 4.0. */
  i40Level: Attribute<number>;
  /** Standards (`2416-2552`) of the valid TISI licences the firm holds; empty when it holds none. */
  validLicenceStandards: Attribute<string[]>;
  operatingFactories: Attribute<number>;
}
