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
