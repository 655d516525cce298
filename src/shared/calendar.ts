/** Dates as the hub's users write them: ISO days, on Bangkok's calendar (UTC+7, no daylight saving). */

const BANGKOK_OFFSET_MS = 7 * 3600_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Today's date in Bangkok, `YYYY-MM-DD`. */
export function bangkokDate(now: Date = new Date()): string {
  return new Date(now.getTime() + BANGKOK_OFFSET_MS).toISOString().slice(0, 10);
}

/** True for a real calendar date written `YYYY-MM-DD` (no 2025-02-30). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}
