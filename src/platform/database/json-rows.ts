/**
 * Rows of a nested list read inside another statement (a read plan: docs/performance.md), as one
 * JSON value, so that a record and its relations come back in one statement and the rows can be
 * handed to the repository's own row mapper: `row_to_json` keeps the column names and the types
 * the select list gives (text stays text, integers numbers, booleans booleans, arrays arrays).
 * Only timestamps differ from what `pg` hands a mapper (an ISO string instead of a Date): see
 * `fromJsonRows`.
 */

/**
 * `(SELECT json of the rows of SELECT <columns> FROM <from> ORDER BY <order> [LIMIT <limit>])`, in that
 * order: the aggregate is ordered explicitly (a sorted subquery only usually keeps its order).
 */
export function jsonRowsSql(columns: string, from: string, order: string, limit?: string): string {
  return `(SELECT coalesce(json_agg(row_to_json(t) ORDER BY t."@n"), '[]'::json)
    FROM (SELECT ${columns}, row_number() OVER (ORDER BY ${order}) AS "@n" FROM ${from} ORDER BY ${order}${limit === undefined ? '' : ` LIMIT ${limit}`}) t)`;
}

/**
 * Rows read by `jsonRowsSql` made what `pg` gives for the same select list: each timestamp column
 * named in `timestamps` becomes a Date (JSON writes it in ISO 8601 with the offset; `Date` reads it
 * to the same millisecond as `pg`'s parser does the text form).
 */
export function fromJsonRows<R>(rows: readonly Record<string, unknown>[], timestamps: readonly string[] = ['fetched_at']): R[] {
  for (const row of rows) {
    for (const column of timestamps) {
      const value = row[column];
      if (typeof value === 'string') row[column] = new Date(value);
    }
  }
  return rows as unknown as R[];
}
