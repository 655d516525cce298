/**
 * The Office of Industrial Economics' (OIE) monthly industrial indices by industry group, as the
 * OIE parser produces them: one row per industry group and month.
 */

export interface IndustrialIndexRecord {
  /** `C` for all manufacturing, else a TSIC 2009 code (2-digit division, 3-digit group, ...). */
  industryCode: string;
  industryName: string | null;
  /** The month as the ISO date of its first day (Common Era), e.g. `2024-03-01`. */
  month: string;
  /** Manufacturing Production Index, base year 2021 = 100. */
  mpi: number;
  /** Capacity utilisation, percent (0-100); null where OIE does not publish it. */
  capacityUtilisation: number | null;
}

/** Header of OIE's MPI CSV (see README.md). */
export const OIE_MPI_REQUIRED_COLUMNS = ['INDUSTRY_CODE', 'MONTH', 'MPI', 'CAP_U'] as const;
export const OIE_MPI_OPTIONAL_COLUMNS = ['INDUSTRY_NAME'] as const;
export type OieMpiColumn = (typeof OIE_MPI_REQUIRED_COLUMNS)[number] | (typeof OIE_MPI_OPTIONAL_COLUMNS)[number];

/** Base year of the MPI series (2021 = 100). */
export const MPI_BASE_YEAR = 2021;
