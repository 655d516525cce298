/**
 * One factory of the Department of Industrial Works (DIW) factory register, as the DIW parser
 * produces it: cleaned, typed, and keyed by the 14-digit factory ID (FID).
 */

/** FFLAG as DIW's web service writes it. */
export type DiwStatusCode = '0' | '1' | '2' | '3';

/** Meaning of FFLAG (decoding not confirmed by DIW; kept as data so it can be corrected in one place). */
export const DIW_STATUS_LABELS: Record<DiwStatusCode, string> = {
  '0': 'permitted',
  '1': 'operating',
  '2': 'closed',
  '3': 'temporarily stopped',
};

export interface FactoryRecord {
  /** FID: 14 digits, kept as a string (leading zeros). */
  fid: string;
  /** FACREG: the old registration number. */
  legacyRegNo: string | null;
  /** DISPFACREG without inner spaces, e.g. `3-106-33/50`. */
  displayRegNo: string | null;
  /** FACTYPE: the factory type code under the Factory Act. */
  factoryType: string | null;
  /** FNAME */
  name: string;
  /** ONAME: the operator (a company or a person). */
  operatorName: string | null;
  /** OBJECT: what the factory does. */
  objective: string | null;
  /** FADDR: house number and building. */
  address: string | null;
  /** FMOO: village number. */
  moo: string | null;
  /** FSOI */
  soi: string | null;
  /** FROAD */
  road: string | null;
  /** FTUMNAME: subdistrict (tambon / khwaeng). */
  subdistrict: string | null;
  /** FAMPNAME: district (amphoe / khet). */
  district: string | null;
  /** FPROVNAME */
  province: string | null;
  /** TOTAL_CAP in baht. */
  capitalBaht: number | null;
  /** TOTAL_WORKER */
  workers: number | null;
  /** HP: installed horsepower. */
  horsepower: number | null;
  /** LAT/LNG: null unless both are inside Thailand. */
  lat: number | null;
  lng: number | null;
  /** ISIC_CODE: TSIC/ISIC code as written by DIW. */
  isicCode: string | null;
  /** ESTATE: industrial estate code. */
  estateCode: string | null;
  /** ESTATE_NAME_TH */
  estateName: string | null;
  /** LAST_UPDATE as an ISO date (`YYYY-MM-DD`, Common Era). */
  sourceUpdatedAt: string | null;
  /** FFLAG (optional column). */
  statusCode: DiwStatusCode | null;
  /** TRADE (optional column): the operator's 13-digit tax ID, when DIW has it. */
  operatorTaxId: string | null;
}

/** The header of DIW's open-data Factory_Data CSV, which the parser must accept as is. */
export const DIW_REQUIRED_COLUMNS = [
  'FACREG',
  'DISPFACREG',
  'FID',
  'FACTYPE',
  'FNAME',
  'ONAME',
  'OBJECT',
  'FADDR',
  'FMOO',
  'FSOI',
  'FROAD',
  'FTUMNAME',
  'FAMPNAME',
  'FPROVNAME',
  'TOTAL_CAP',
  'TOTAL_WORKER',
  'HP',
  'LAT',
  'LNG',
  'ISIC_CODE',
  'ESTATE',
  'ESTATE_NAME_TH',
  'LAST_UPDATE',
] as const;

/** Columns that only DIW's web service feed carries. */
export const DIW_OPTIONAL_COLUMNS = ['FFLAG', 'TRADE'] as const;

export type DiwColumn = (typeof DIW_REQUIRED_COLUMNS)[number] | (typeof DIW_OPTIONAL_COLUMNS)[number];
