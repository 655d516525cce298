import type { FirmScopeSql } from '../firm-scope-sql';
import type { CompanyFilter } from './company.type';

/** A company filter after validation: the province, centre and group resolved to province codes, the name normalised. */
export interface CompanyCriteria extends Omit<CompanyFilter, 'province' | 'nameSearch' | 'promotionCentre' | 'provinceGroup'> {
  provinceCode?: string;
  /** A regional centre's provinces (the filter's `promotionCentre`, or a centre's own list). */
  centreArea?: { centre: number; provinceCodes: string[] };
  /** A province group's provinces (the filter's `provinceGroup`, or a group's own list). */
  groupArea?: { group: string; provinceCodes: string[] };
  /** TSIC code starts with any of these (a section's divisions, for `IndustryClass.companies`). */
  tsicPrefixAny?: string[];
  /** Normalised Thai key and lower-case raw text of the name search. */
  nameSearch?: { normalised: string; raw: string };
  /** A second target industry the company must also be in (a filter's, below a target industry's list). */
  alsoTargetIndustry?: string;
  /** Eligible for this loan product by the stored results (`eligibleCompanies`). */
  eligibleFor?: { bankCode: string; productCode: string };
  /** The caller's scope (an area role's provinces, a firm's own key): set by `companyList`, never by a filter. */
  within?: FirmScopeSql;
}
