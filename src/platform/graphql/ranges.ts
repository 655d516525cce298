import { DomainError } from '../errors/domain-error';

/**
 * A range whose lower end is past its upper end (`registeredBetween: { from: "2024-01-01", to:
 * "2020-01-01" }`) matches nothing: it is a mistake, and the client is told so instead of getting an
 * empty page it would take for an answer. Either end may be open. Values compare as given (ISO dates
 * as text, amounts as numbers).
 */
export function checkRangeOrder<T extends string | number>(
  lower: T | null | undefined,
  upper: T | null | undefined,
  argument: string,
  ends: readonly [string, string] = ['from', 'to'],
): void {
  if (lower === undefined || lower === null || upper === undefined || upper === null || lower <= upper) return;
  throw new DomainError('BAD_USER_INPUT', `${argument}: ${ends[0]} (${lower}) is after ${ends[1]} (${upper})`, { argument });
}
