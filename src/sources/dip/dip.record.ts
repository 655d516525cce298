/**
 * Records of the Department of Industrial Promotion (DIP), as its CKAN datastore resources give
 * them and the DIP parsers produce them: programme participations and Industry 4.0
 * self-assessments, both keyed by the participant: its 13-digit juristic ID, or, when DIP left
 * the ID out, its normalised name (see `participantKey` in dip.parser.ts).
 */

export interface DipParticipationRecord {
  /**
   * 13 digits with a valid check digit (a juristic ID; a personal ID for a natural person); null when
   * DIP left it out (blank, `-`, all zeros), in which case `companyName` is given.
   */
  juristicId: string | null;
  /** The participant's name as DIP writes it (optional field `company_name`). */
  companyName: string | null;
  /** Programme code, upper case without spaces, e.g. `I40`. */
  programmeCode: string;
  programmeName: string | null;
  /** The Thai government fiscal year (October to September), Common Era: BE 2567 is 2024. */
  year: number;
  /** Province name in Thai, without a `จังหวัด` / `จ.` prefix. */
  province: string | null;
}

export interface DipI40AssessmentRecord {
  /** As in DipParticipationRecord: null when left out, then `companyName` is given. */
  juristicId: string | null;
  companyName: string | null;
  /** ISO date (Common Era). */
  assessedOn: string;
  /** Overall Industry 4.0 level, 1.0 to 4.0. */
  overallLevel: number;
  /** The six dimensions, each 1.0 to 4.0 (null when not scored). */
  smartOperation: number | null;
  strategyOrganisation: number | null;
  workforce: number | null;
  technologyInnovation: number | null;
  marketCustomerStandard: number | null;
  itData: number | null;
}

/** Fields of the participations resource (CKAN field ids). */
export const DIP_PARTICIPATION_FIELDS = ['juristic_id', 'programme_code', 'programme_name', 'fiscal_year', 'province'] as const;
/** Read when the resource has it: the participant's name, which links a record that lacks the ID. */
export const DIP_PARTICIPATION_OPTIONAL_FIELDS = ['company_name'] as const;
export type DipParticipationField = (typeof DIP_PARTICIPATION_FIELDS)[number] | (typeof DIP_PARTICIPATION_OPTIONAL_FIELDS)[number];

/** The six dimensions of DIP's Industry 4.0 self-assessment, as CKAN field ids. */
export const DIP_I40_DIMENSIONS = [
  'smart_operation',
  'strategy_organization',
  'workforce',
  'technology_innovation',
  'market_customer_standard',
  'it_data',
] as const;
export const DIP_I40_FIELDS = ['juristic_id', 'assessed_on', 'overall_level', ...DIP_I40_DIMENSIONS] as const;
export const DIP_I40_OPTIONAL_FIELDS = ['company_name'] as const;
export type DipI40Field = (typeof DIP_I40_FIELDS)[number] | (typeof DIP_I40_OPTIONAL_FIELDS)[number];

/** Levels and scores of the assessment. */
export const I40_LEVEL_RANGE = { min: 1, max: 4 } as const;
