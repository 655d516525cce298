/**
 * Reads a CKAN datastore resource page by page through `datastore_search`
 * (`.../api/3/action/datastore_search?resource_id=<id>&limit=<n>&offset=<n>`), one page in memory
 * at a time, and turns its records into ParsedRows.
 *
 * The answer's shape (CKAN 2.x):
 * `{ "success": true, "result": { "resource_id", "fields": [{ "id", "type" }], "records": [{...}],
 * "total": N, "_links": { "start", "next" } } }`.
 *
 * - `success` not true, or no `result.records` array: FeedFormatError (retrying cannot help).
 * - A required field missing from `result.fields`: FeedFormatError naming it. An unknown field: a
 *   warning. CKAN's own fields (`_id`, `_full_text`, any id starting with `_`) are ignored.
 * - Paging advances by the number of records actually served (a CKAN caps `limit` at its
 *   `ckan.datastore.search.rows_max`), until `total` is reached or a page comes back empty.
 */
import { FeedFormatError, type ParseContext, type ParsedRow } from '../../ingestion/feed';
import { RowRejection, type FeedValue } from '../common/feed-values';

export interface CkanResourceSpec<F extends string, R> {
  /** The resource's name in messages, e.g. `DIP participations resource`. */
  name: string;
  /** Field ids that must be in `result.fields` (matched case-insensitively). */
  required: readonly F[];
  /** Field ids read when present. */
  optional: readonly F[];
  /** Builds a record; throws RowRejection (see `reject`) for a record that cannot be trusted. */
  toRecord(get: (field: F) => FeedValue): R;
}

export interface CkanReadContext extends ParseContext {
  fetchJson<T>(url: string): Promise<T>;
}

/** Records asked for per request unless the configured URL says `limit=`. */
export const CKAN_DEFAULT_PAGE_SIZE = 1000;

interface CkanField {
  id: string;
  type?: string;
}

/** Resolved field names: the spec's field → the id as the resource writes it. */
type FieldMap<F extends string> = Map<F, string>;

export async function* readCkanDatastore<F extends string, R>(
  feedUrl: string,
  context: CkanReadContext,
  spec: CkanResourceSpec<F, R>,
): AsyncGenerator<ParsedRow<R>> {
  const base = new URL(feedUrl);
  const pageSize = Number(base.searchParams.get('limit') ?? CKAN_DEFAULT_PAGE_SIZE);
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new FeedFormatError(`${spec.name}: limit in the feed URL must be a positive whole number`);
  // Always from the start: a snapshot read that skipped records would mark them absent.
  let offset = 0;
  const warned = new Set<string>();
  for (;;) {
    const url = new URL(base);
    url.searchParams.set('limit', String(pageSize));
    url.searchParams.set('offset', String(offset));
    const result = checkAnswer(await context.fetchJson<unknown>(url.toString()), spec.name);
    const fields = resolveFields(result.fields, spec, context, warned);
    for (const [i, record] of result.records.entries()) yield parseRecord(record, fields, offset + i + 1, spec);
    offset += result.records.length;
    const total = typeof result.total === 'number' ? result.total : undefined;
    if (result.records.length === 0) {
      if (total !== undefined && offset < total) context.warnings.push(`${spec.name}: reported ${total} records but served ${offset}`);
      break;
    }
    if (total !== undefined && offset >= total) break;
  }
}

/**
 * Re-parses one quarantined record (stored as field → value) with today's rules. A record stored
 * as text (it was not a JSON object) stays rejected.
 */
export function reparseCkanRecord<F extends string, R>(raw: Record<string, string> | string, spec: CkanResourceSpec<F, R>): ParsedRow<R> {
  if (typeof raw === 'string') return { kind: 'rejected', line: 0, raw, reason: 'a record that is not a JSON object needs a corrected feed' };
  let fields: FieldMap<F>;
  try {
    fields = resolveFields(
      Object.keys(raw).map((id) => ({ id })),
      spec,
      { warnings: [] },
      new Set(),
    );
  } catch (error) {
    if (!(error instanceof FeedFormatError)) throw error;
    return { kind: 'rejected', line: 0, raw, reason: error.message };
  }
  return parseRecord(raw, fields, 0, spec);
}

interface CkanResult {
  fields: unknown;
  records: unknown[];
  total?: unknown;
}

function checkAnswer(body: unknown, name: string): CkanResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FeedFormatError(`${name}: the answer is not a CKAN action response (not a JSON object)`);
  const answer = body as { success?: unknown; result?: unknown; error?: unknown };
  if (answer.success !== true) {
    throw new FeedFormatError(`${name}: CKAN answered success: ${JSON.stringify(answer.success ?? null)}${describeError(answer.error)}`);
  }
  const result = answer.result as { records?: unknown } | undefined;
  if (typeof result !== 'object' || result === null || !Array.isArray(result.records)) {
    throw new FeedFormatError(`${name}: the CKAN answer has no result.records list`);
  }
  return result as CkanResult;
}

function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const { message, __type: type } = error as { message?: unknown; __type?: unknown };
  const parts = [type, message].filter((part): part is string => typeof part === 'string' && part.length > 0);
  return parts.length > 0 ? ` (${parts.join(': ')})` : '';
}

function resolveFields<F extends string, R>(fields: unknown, spec: CkanResourceSpec<F, R>, context: ParseContext, warned: Set<string>): FieldMap<F> {
  if (!Array.isArray(fields)) throw new FeedFormatError(`${spec.name}: the CKAN answer has no result.fields list`);
  const ids = (fields as unknown[])
    .map((field) => (typeof field === 'object' && field !== null ? (field as CkanField).id : undefined))
    .filter((id): id is string => typeof id === 'string');
  const known = new Map<string, F>([...spec.required, ...spec.optional].map((field) => [field.toLowerCase(), field]));
  const map: FieldMap<F> = new Map();
  const unknown: string[] = [];
  for (const id of ids) {
    if (id.startsWith('_')) continue; // CKAN's own: _id, _full_text
    const field = known.get(id.trim().toLowerCase());
    if (field === undefined) unknown.push(id);
    else if (!map.has(field)) map.set(field, id);
  }
  const missing = spec.required.filter((field) => !map.has(field));
  if (missing.length > 0) throw new FeedFormatError(`${spec.name} is missing required field(s): ${missing.join(', ')}`);
  const fresh = unknown.filter((id) => !warned.has(id));
  if (fresh.length > 0) {
    fresh.forEach((id) => warned.add(id));
    context.warnings.push(`unknown field(s) ignored: ${fresh.join(', ')}`);
  }
  return map;
}

function parseRecord<F extends string, R>(record: unknown, fields: FieldMap<F>, line: number, spec: CkanResourceSpec<F, R>): ParsedRow<R> {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return { kind: 'rejected', line, raw: JSON.stringify(record) ?? 'undefined', reason: 'record is not a JSON object' };
  }
  const values = record as Record<string, unknown>;
  const get = (field: F): FeedValue => {
    const id = fields.get(field);
    const value = id === undefined ? undefined : values[id];
    if (value === undefined || value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    return JSON.stringify(value);
  };
  try {
    return { kind: 'record', line, record: spec.toRecord(get) };
  } catch (error) {
    if (!(error instanceof RowRejection)) throw error;
    return { kind: 'rejected', line, raw: rawText(values), reason: error.message };
  }
}

/** The record as field → text, as quarantine stores it (and reparse reads it back). */
function rawText(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value)]),
  );
}
