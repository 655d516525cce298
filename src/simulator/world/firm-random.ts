/**
 * Seeded generators for the firm profiles (world/firm-profile.ts) and the DBD feed, drawn like
 * random.ts's `randomFor` but from several numbers (firm, epoch step, block, ...). Stream ids start
 * at 101 so that they can never meet random.ts's STREAMS (1-99).
 */
import { hash32, Random } from '../random';

export const FIRM_STREAMS = {
  capital: 101,
  status: 102,
  directors: 103,
  shareholders: 104,
  financials: 105,
  address: 106,
  dbdCompanyChange: 201,
  dbdCompanyChangeKind: 202,
  dbdFinancialChange: 203,
  dbdFinancialChangeKind: 204,
  dbdNonFiler: 205,
  dbdCompanyQuirk: 206,
  dbdCompanyBad: 207,
  dbdFinancialQuirk: 208,
  dbdFinancialBad: 209,
  dbdUnit: 210,
} as const;

export type FirmStream = (typeof FIRM_STREAMS)[keyof typeof FIRM_STREAMS];

/** A generator that is a pure function of (seed, stream, ...values). */
export function randomOf(seed: number, stream: FirmStream, ...values: number[]): Random {
  return new Random(hash32([seed, stream, ...values]));
}
