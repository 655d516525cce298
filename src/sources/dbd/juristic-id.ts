/**
 * Thai juristic person IDs, as the hub checks them (the simulator has its own generator on purpose:
 * a test that compares the two catches a mistake in either).
 *
 * 13 digits, the first 0 for a juristic person, the last a check digit computed like the personal
 * ID's: check = (11 - (sum of d[i] * (13 - i) for i = 0..11) mod 11) mod 10. Written with or without
 * dashes (`0-10-5-536-11201-4`), sometimes Excel-quoted (`="0105536112014"`), sometimes in Thai digits.
 * Always kept as a string: the leading zero matters.
 */
import { isValidThaiId, thaiIdCheckDigit } from '../../shared/thai-id';
import { asciiDigits } from '../common/feed-values';

/** The check digit of the first 12 digits (ASCII digits only); one implementation for every source. */
export function juristicCheckDigit(first12: string): number {
  if (!/^\d{12}$/.test(first12)) throw new RangeError(`expected 12 digits, got "${first12}"`);
  return thaiIdCheckDigit(first12);
}

/** True for 13 ASCII digits whose last digit is the check digit (any first digit: personal IDs too). */
export const hasValidCheckDigit = isValidThaiId;

/** A juristic person's ID: 13 digits, starting with 0, with a valid check digit. */
export function isValidJuristicId(id: string): boolean {
  return id.startsWith('0') && hasValidCheckDigit(id);
}

/**
 * Removes the ways an ID is written that do not change it: Excel's `="..."` and stray quotes, dashes,
 * spaces (also non-breaking and zero-width), and Thai digits. Nothing is guessed: a missing leading
 * zero stays missing.
 */
export function normaliseJuristicId(value: string): string {
  const excel = /^\s*="(.*)"\s*$/s.exec(value);
  return asciiDigits(excel ? excel[1]! : value)
    .normalize('NFC')
    .replace(/["'`]/g, '')
    .replace(/[\s\u00A0\u200B\uFEFF\-\u2010-\u2015]/g, '');
}

export type JuristicIdCheck = { ok: true; id: string } | { ok: false; reason: string };

/** Normalises and checks an ID as an agency wrote it; the reason names what is wrong, for quarantine. */
export function checkJuristicId(value: unknown, field = 'juristicId'): JuristicIdCheck {
  if (value === undefined || value === null) return { ok: false, reason: `${field} is missing` };
  if (typeof value !== 'string' && typeof value !== 'number') return { ok: false, reason: `${field} must be a string, got ${typeof value}` };
  const written = String(value);
  const id = normaliseJuristicId(written);
  if (id === '') return { ok: false, reason: `${field} is empty` };
  if (!/^\d+$/.test(id)) return { ok: false, reason: `${field} must contain only digits, got "${written}"` };
  if (id.length !== 13) {
    const hint = typeof value === 'number' && id.length === 12 ? ' (a JSON number that lost its leading zero?)' : '';
    return { ok: false, reason: `${field} must be 13 digits, got ${id.length} in "${written}"${hint}` };
  }
  if (!id.startsWith('0')) return { ok: false, reason: `${field} of a juristic person starts with 0, got "${written}"` };
  const expected = juristicCheckDigit(id.slice(0, 12));
  if (expected !== id.charCodeAt(12) - 48) {
    return { ok: false, reason: `${field} has an invalid check digit: "${written}" ends in ${id[12]}, expected ${expected}` };
  }
  return { ok: true, id };
}
