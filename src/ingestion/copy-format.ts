/** A value the engine writes into a staging column through COPY. */
export type ColumnValue = string | number | boolean | null;

/** Characters COPY's text format escapes; most values have none, and a test is cheaper than a replace. */
const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;

/**
 * Encodes values as fields of PostgreSQL's COPY text format: tab-separated, `\N` for null, with
 * backslash, tab, newline and carriage return escaped; no line end.
 */
export function copyTextFields(values: readonly ColumnValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i += 1) {
    if (i > 0) line += '\t';
    const value = values[i];
    if (value === null || value === undefined) line += '\\N';
    else if (typeof value === 'number') line += Number.isFinite(value) ? String(value) : '\\N';
    else if (typeof value === 'boolean') line += value ? 't' : 'f';
    else line += SPECIAL.test(value) ? value.replace(SPECIALS, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : value;
  }
  return line;
}
