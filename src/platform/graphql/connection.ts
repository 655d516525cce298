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

export function decodeCursor(kind: string, cursor: string | undefined | null): string | undefined {
  if (cursor === undefined || cursor === null) return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith(`${kind}:`) || decoded.length === kind.length + 1) {
    throw new DomainError('BAD_USER_INPUT', 'after is not a cursor of this list', { argument: 'after' });
  }
  return decoded.slice(kind.length + 1);
}

/** Where a keyset page resumes: the last row's sort value (as text) and its unique ID (the tie-breaker). */
export interface KeysetPosition {
  sortKey: string;
  id: string;
}

/** A cursor for lists sorted by a chosen field: the sort value and the ID, tagged with the ordering. */
export function encodeKeysetCursor(kind: string, position: KeysetPosition): string {
  return encodeCursor(kind, JSON.stringify([position.sortKey, position.id]));
}

/** Reads a keyset cursor back; BAD_USER_INPUT when it belongs to another list or ordering. */
export function decodeKeysetCursor(kind: string, cursor: string | undefined | null): KeysetPosition | undefined {
  const text = decodeCursor(kind, cursor);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((part) => typeof part === 'string')) {
    throw new DomainError('BAD_USER_INPUT', 'after is not a cursor of this list', { argument: 'after' });
  }
  return { sortKey: parsed[0] as string, id: parsed[1] as string };
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
