/**
 * The 13-digit Thai ID check digit, shared by juristic IDs (tax IDs of juristic persons) and
 * personal IDs: check = (11 - (sum of d[i] * (13 - i), i = 0..11) mod 11) mod 10.
 * Every source checks IDs with this one function (the simulator has its own generator on purpose:
 * a test comparing the two catches a mistake in either).
 */

/** The check digit of the first 12 digits (ASCII digits only). */
export function thaiIdCheckDigit(first12: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (13 - i);
  return (11 - (sum % 11)) % 10;
}

/** True for exactly 13 ASCII digits whose last digit is the check digit of the first 12. */
export function isValidThaiId(id: string): boolean {
  return /^\d{13}$/.test(id) && thaiIdCheckDigit(id) === Number(id[12]);
}

/**
 * A juristic ID as users write it (with dashes or spaces, `0-10-5-536-11201-4`), normalised to its
 * 13 digits; undefined unless it is one: 13 digits starting with 0, with a valid check digit. The
 * one rule every input of a juristic ID obeys (the `JuristicId` GraphQL scalar, consents, the CLI).
 */
export function normaliseJuristicId(value: string): string | undefined {
  const id = value.replace(/[\s-]/g, '');
  return /^0\d{12}$/.test(id) && isValidThaiId(id) ? id : undefined;
}
