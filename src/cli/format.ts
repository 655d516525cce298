/**
 * How the CLI prints: aligned tables and times in one named zone (the schedules' zone, so a run's
 * start reads against its cron pattern), for people; plain text without colour, for scripts too.
 */

export interface Column<T> {
  header: string;
  value(row: T): string;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
}

/** Rows as an aligned table with a header line; columns are separated by two spaces. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) => Math.max(width(column.header), ...cells.map((line) => width(line[i]!))));
  const render = (line: readonly string[]): string =>
    line
      .map((cell, i) => (columns[i]!.align === 'right' ? pad(cell, widths[i]!, 'left') : pad(cell, widths[i]!, 'right')))
      .join('  ')
      .trimEnd();
  return [render(columns.map((column) => column.header)), ...cells.map(render)].join('\n') + '\n';
}

/**
 * Display width of a string in a terminal: Thai combining marks (above and below vowels, tone marks)
 * take no column of their own, so a column of Thai names still lines up.
 */
export function width(text: string): number {
  let columns = 0;
  for (const char of text) if (!/[\p{Mn}\p{Me}]/u.test(char)) columns += 1;
  return columns;
}

function pad(text: string, to: number, side: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, to - width(text)));
  return side === 'left' ? fill + text : text + fill;
}

/** `2026-05-01 09:12:03` in the zone. */
export function localTime(date: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  return `${parts['year']}-${parts['month']}-${parts['day']} ${parts['hour']}:${parts['minute']}:${parts['second']}`;
}

/** `Asia/Bangkok, UTC+07:00` (the offset at `at`, so summer time shows where a zone has it). */
export function zoneLabel(timeZone: string, at: Date = new Date()): string {
  const offset = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? '';
  return `${timeZone}, ${offset === 'GMT' ? 'UTC+00:00' : offset.replace('GMT', 'UTC')}`;
}

/** `1.2 s`, `3 min 05 s`, `2 h 04 min`. */
export function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.floor(seconds / 60) % 60).padStart(2, '0')} min`;
}

/** `12,345`: grouped digits, whatever the machine's locale. */
export const count = (n: number): string => n.toLocaleString('en-US');
