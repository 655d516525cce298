/**
 * Seeded randomness for the TISI, DIP, OIE and consent registry feeds of the simulated world. Same idea as
 * `randomFor` in ../random.ts (every entity draws from its own generator, seeded by world seed,
 * stream and index), with stream ids of their own (100 and up) and a differently seeded mix, so
 * these feeds never disturb the draws of the firms, factories and DIW rows.
 */
import { hash32, Random } from '../random';

export const AGENCY_STREAMS = {
  tisiStandard: 101,
  tisiStandardQuirk: 102,
  tisiStandardBadRow: 103,
  tisiLicence: 104,
  tisiLicenceQuirk: 105,
  tisiLicenceBadRow: 106,
  tisiLicenceNoTaxId: 107,
  dipParticipation: 111,
  dipParticipationQuirk: 112,
  dipParticipationBadRow: 113,
  dipAssessment: 114,
  dipAssessmentQuirk: 115,
  dipAssessmentBadRow: 116,
  dipParticipationNoId: 117,
  dipAssessmentNoId: 118,
  oieSeries: 121,
  oieMonth: 122,
  oieQuirk: 123,
  oieBadRow: 124,
  consent: 131,
} as const;

export type AgencyStream = (typeof AGENCY_STREAMS)[keyof typeof AGENCY_STREAMS];

/** Their own family of generators: the draws never meet those of random.ts's streams. */
const AGENCY_HASH_START = 0x3c6ef372;

export function agencyRandom(seed: number, stream: AgencyStream, index: number): Random {
  return new Random(hash32([seed, stream, index], AGENCY_HASH_START));
}

/**
 * The quirks of one row: none for most rows; for a share `rate` of them one to `max` distinct
 * quirks, drawn from the row's own generator (which the quirks may go on drawing from).
 */
export function quirksFor<Q extends string>(random: Random, rate: number, names: readonly Q[], max = 2): Q[] {
  if (rate <= 0 || !random.chance(rate)) return [];
  const count = random.int(1, Math.min(max, names.length));
  const chosen = new Set<Q>();
  while (chosen.size < count) chosen.add(random.pick(names));
  return [...chosen];
}

/** The generator shaping a bad row's defect, or null for a good row (decided per row from the seed). */
export function badRowFor(seed: number, stream: AgencyStream, index: number, rate: number): Random | null {
  if (rate <= 0) return null;
  const random = agencyRandom(seed, stream, index);
  return random.chance(rate) ? random : null;
}

/**
 * For a record the agency wrote without its holder's tax ID (a share `rate` of them, decided per
 * record from the seed on a stream of its own, so the other draws of the feed stay as they were):
 * the generator that shapes how the ID is left out and how the clerk wrote the name; else null.
 */
export function missingIdFor(seed: number, stream: AgencyStream, index: number, rate: number): Random | null {
  return badRowFor(seed, stream, index, rate);
}

/** How a missing ID is written: blank, a dash, or the all-zero placeholder some systems fill in. */
export const MISSING_ID_WRITINGS = ['', '-', '0000000000000'] as const;
