import { Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { DomainError } from '../errors/domain-error';
import { lazyFields } from './lean-resolvers';

/** Largest page a client may ask for; larger `first` values are refused with BAD_USER_INPUT. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field({ description: 'True when more items follow this page.' })
  hasNextPage!: boolean;

  @Field({ description: 'Always false: pages are read forwards only.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first item of this page.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item; pass it as `after` for the next page.' })
  endCursor!: string | null;
}

export function checkPageSize(first: number | undefined | null): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new DomainError('BAD_USER_INPUT', `first must be between 1 and ${MAX_PAGE_SIZE}, got ${size}`, { argument: 'first', max: MAX_PAGE_SIZE });
  }
  return size;
}

/** Cursors are opaque to clients: base64url of the keyset value, tagged with what it orders. */
export function encodeCursor(kind: string, key: string): string {
  return Buffer.from(`${kind}:${key}`, 'utf8').toString('base64url');
}

/**
 * Longest cursor accepted: the hub's own are well under 200 characters (a keyset cursor carries a
 * company name at most). Anything longer is forged, and is refused before it is decoded.
 */
export const MAX_CURSOR_LENGTH = 1024;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;
/** Control characters (NUL breaks a PostgreSQL text parameter) and U+FFFD (bytes that were not UTF-8). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it finds
const NOT_IN_A_CURSOR = /[\u0000-\u001f\u007f\ufffd]/;

/** The one answer to every cursor that is not one of the list's own: forged, of another list or ordering. */
export function invalidCursor(): DomainError {
  return new DomainError('BAD_USER_INPUT', 'invalid cursor: after is not a cursor of this list', { argument: 'after' });
}

/**
 * The key of a cursor of `kind`, or undefined for none. A cursor of another list, or whose key
 * does not have the list's `shape`, is refused with BAD_USER_INPUT before any statement sees it:
 * a forged key must never reach SQL as a value of the wrong type (a 500, and its SQL in the log).
 */
export function decodeCursor(kind: string, cursor: string | undefined | null, shape?: RegExp): string | undefined {
  if (cursor === undefined || cursor === null) return undefined;
  if (cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) throw invalidCursor();
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith(`${kind}:`) || decoded.length === kind.length + 1) throw invalidCursor();
  const key = decoded.slice(kind.length + 1);
  if (NOT_IN_A_CURSOR.test(key) || (shape && !shape.test(key))) throw invalidCursor();
  return key;
}

/** Where a keyset page resumes: the last row's sort value (as text) and its unique ID (the tie-breaker). */
export interface KeysetPosition {
  sortKey: string;
  id: string;
}

/** The SQL type a keyset cursor's sort value is read back as; each has its own shape. */
export type SortKeyType = 'text' | 'numeric' | 'int' | 'date' | 'real';

/** `YYYY-MM-DD` of a day that exists, from year 1 (PostgreSQL has no year 0). */
export function isCalendarDate(key: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(key) || key.startsWith('0000')) return false;
  const time = Date.parse(`${key}T00:00:00Z`);
  return Number.isFinite(time) && new Date(time).toISOString().startsWith(key);
}

const SORT_KEY_SHAPES: Readonly<Record<SortKeyType, (key: string) => boolean>> = {
  text: () => true,
  // numeric's text form: an optional sign, digits, an optional fraction; no exponent, no NaN.
  numeric: (key) => /^-?\d{1,30}(\.\d{1,20})?$/.test(key),
  int: (key) => /^-?\d{1,10}$/.test(key) && Math.abs(Number(key)) <= 2_147_483_647,
  date: isCalendarDate,
  // real's text form may carry an exponent (1e-05); it must be finite.
  real: (key) => key.length <= 32 && /^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(key) && Number.isFinite(Number(key)),
};

/** A cursor for lists sorted by a chosen field: the sort value and the ID, tagged with the ordering. */
export function encodeKeysetCursor(kind: string, position: KeysetPosition): string {
  return encodeCursor(kind, JSON.stringify([position.sortKey, position.id]));
}

/**
 * Reads a keyset cursor back; BAD_USER_INPUT when it belongs to another list or ordering, or when
 * its sort value is not of the ordering's type or its ID not of the list's `idShape`.
 */
export function decodeKeysetCursor(kind: string, cursor: string | undefined | null, sortKeyType: SortKeyType, idShape?: RegExp): KeysetPosition | undefined {
  const text = decodeCursor(kind, cursor);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((part) => typeof part === 'string')) throw invalidCursor();
  const [sortKey, id] = parsed as [string, string];
  if (NOT_IN_A_CURSOR.test(sortKey) || NOT_IN_A_CURSOR.test(id) || id === '' || !SORT_KEY_SHAPES[sortKeyType](sortKey) || (idShape && !idShape.test(id))) throw invalidCursor();
  return { sortKey, id };
}

/** Builds edges and page info from `size + 1` keyset-ordered rows (the extra row tells if more follow). */
export function pageOf<T>(rows: T[], size: number, kind: string, keyOf: (row: T) => string) {
  return pageWithCursors(rows, size, (row) => encodeCursor(kind, keyOf(row)));
}

/** The same, for rows whose cursor is built by the caller (a sort key beside the ID: see encodeKeysetCursor). */
export function pageWithCursors<R, T = R>(rows: R[], size: number, cursorOf: (row: R) => string, nodeOf: (row: R) => T = (row) => row as unknown as T) {
  const edges = rows.slice(0, size).map((row) => ({ cursor: cursorOf(row), node: nodeOf(row) }));
  const pageInfo: PageInfo = {
    hasNextPage: rows.length > size,
    hasPreviousPage: false,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges.at(-1)?.cursor ?? null,
  };
  return { edges, pageInfo };
}

/**
 * A page of a list, as services build it. `totalCount` is a lazy property (withTotalCount): the
 * count runs only when a client asks for the field, which reads it.
 */
export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  readonly totalCount: Promise<number>;
}

/**
 * A page with a `totalCount` counted on first read, and once: a getter, not enumerable, so that
 * copying the page (a spread) does not count. The connection types need no resolver class for it.
 */
export function withTotalCount<P extends object>(page: P, count: () => Promise<number>): P & { readonly totalCount: Promise<number> } {
  let counted: Promise<number> | undefined;
  return Object.defineProperty(page, 'totalCount', { get: () => (counted ??= count()), enumerable: false, configurable: true }) as P & { readonly totalCount: Promise<number> };
}

/**
 * Declares the GraphQL types `<Name>Edge` and `<Name>Connection` (Relay) for a node type, with a
 * `totalCount` that is counted only when a client asks for it. One line per list.
 */
export function connectionType<T extends object>(node: ClassType<T>, options: { name: string; items: string }): ClassType<Connection<T>> {
  @ObjectType(`${options.name}Edge`, { description: `One item of a page of ${options.items}, with its cursor.` })
  class Edge {
    @Field({ description: 'Opaque cursor of this item; pass it as `after` to continue after it.' })
    cursor!: string;

    @Field(() => node, { description: 'The item.' })
    node!: T;
  }

  @ObjectType(`${options.name}Connection`, { description: `A page of ${options.items} (Relay connection).` })
  class PageOf implements Connection<T> {
    @Field(() => [Edge], { description: 'The items of this page, each with its cursor.' })
    edges!: Edge[];

    @Field(() => PageInfo, { description: 'Whether more items follow, and the cursor to continue from.' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Number of items matching the arguments (counted only when asked for).' })
    readonly totalCount!: Promise<number>;
  }
  // Its edges, page info and count may be promises, read when asked for.
  lazyFields(PageOf);

  return PageOf;
}
