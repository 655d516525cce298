import type { FieldGroup } from '../access/audit/read-record';
import { linkIsSure } from '../shared/firm-identity';

/**
 * Firm-level data, by GraphQL type: what each type reveals (its field group, for the read audit)
 * and whose it is (the firm, and where it stands, for area and firm scoping). One table: a type not
 * named here and not in NOT_FIRM_DATA (firm-data.ts) fails the schema test, so a new type is classified when it
 * is added.
 */
export interface FirmDataType {
  group: FieldGroup;
  /** Fields of the type that reveal another group than the type's own. */
  fieldGroups?: Readonly<Record<string, FieldGroup>>;
  /** The firm the record belongs to (null: not linked to one); `parent` is the object it was read from. */
  juristicIdOf(value: Record<string, unknown>, parent: unknown): string | null;
  /** The province the record itself stands in, as the registry writes it (a factory's). */
  locatedIn?(value: Record<string, unknown>): string | null;
  /** A record that belongs to the area of its plant too (a licence): the plant's FID. */
  plantOf?(value: Record<string, unknown>): string | null;
  keyOf(value: Record<string, unknown>): string;
}

export const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const own = (field: string) => (value: Record<string, unknown>): string | null => str(value[field]);
type Link = { companyJuristicId?: unknown; method?: string | null } | null | undefined;
const linkOf = (value: Record<string, unknown>): Link => value['link'] as Link;
/** The company a record's link names, when the link is sure (a licence's, a DIP record's); else null. */
const surely = (value: Record<string, unknown>): string | null => {
  const link = linkOf(value);
  return linkIsSure(link?.method) ? str(link?.companyJuristicId) : null;
};
const parentFirm = (_value: Record<string, unknown>, parent: unknown): string | null => str((parent as Record<string, unknown> | null)?.['juristicId']);

export const FIRM_DATA_TYPES: Readonly<Record<string, FirmDataType>> = {
  Company: {
    group: 'identity',
    fieldGroups: {
      registeredCapitalBaht: 'finances',
      paidUpCapitalBaht: 'finances',
      latestRevenueBaht: 'finances',
      smeSize: 'finances',
      smeSizeReason: 'finances',
      thaiShareholdingPct: 'persons',
    },
    juristicIdOf: own('juristicId'),
    keyOf: (v) => String(v['juristicId']),
  },
  FinancialStatement: { group: 'finances', juristicIdOf: own('juristicId'), keyOf: (v) => String(v['id']) },
  Director: { group: 'persons', juristicIdOf: parentFirm, keyOf: (v) => String(v['name']) },
  Shareholder: { group: 'persons', juristicIdOf: parentFirm, keyOf: (v) => String(v['name']) },
  Factory: { group: 'identity', juristicIdOf: own('companyJuristicId'), locatedIn: own('provinceName'), keyOf: (v) => `Factory:${String(v['fid'])}` },
  // A masked record (src/shared/firm-identity.ts) is no firm's and stands nowhere by its link: scoped
  // and audited by its own data only (a participation by the province DIP gave for it; a licence or
  // an assessment by none: national roles only), never by the company it merely resembles.
  TisLicense: {
    group: 'identity',
    juristicIdOf: (v) => surely(v),
    plantOf: (v) => (surely(v) === null ? null : str(v['fid'])),
    keyOf: (v) => `TisLicense:${String(v['licenceNo'])}`,
  },
  ProgrammeParticipation: { group: 'identity', juristicIdOf: (v) => surely(v), locatedIn: (v) => (linkIsSure(linkOf(v)?.method) ? null : str(v['province'])), keyOf: (v) => String(v['id']) },
  Industry40Assessment: { group: 'identity', juristicIdOf: (v) => surely(v), keyOf: (v) => String(v['id']) },
  ProductEligibility: { group: 'eligibility', juristicIdOf: parentFirm, keyOf: (v) => String((v['product'] as { code?: string } | undefined)?.code) },
  EligibilityEvent: { group: 'eligibility', juristicIdOf: own('juristicId'), keyOf: (v) => String(v['position']) },
  Consent: { group: 'consents', juristicIdOf: own('juristicId'), keyOf: (v) => String(v['id']) },
  LoanOutcome: { group: 'lending', juristicIdOf: own('juristicId'), keyOf: (v) => String(v['id']) },
};
