/**
 * Thai juristic person IDs: 13 digits, the last a check digit computed like the personal ID's:
 * check = (11 - (sum of d[i] * (13 - i), i = 0..11) mod 11) mod 10.
 */

export function juristicCheckDigit(first12: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (13 - i);
  return (11 - (sum % 11)) % 10;
}

export function isValidJuristicId(id: string): boolean {
  return /^\d{13}$/.test(id) && juristicCheckDigit(id) === Number(id[12]);
}
