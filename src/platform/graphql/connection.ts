import { Field, FieldResolver, Int, ObjectType, Resolver, Root, type ClassType } from 'type-graphql';
import { DomainError } from '../errors/domain-error';

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

/** Builds edges and page info from `size + 1` keyset-ordered rows (the extra row tells if more follow). */
export function pageOf<T>(rows: T[], size: number, kind: string, keyOf: (row: T) => string) {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: encodeCursor(kind, keyOf(node)), node }));
  const pageInfo: PageInfo = {
    hasNextPage: rows.length > size,
    hasPreviousPage: false,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges.at(-1)?.cursor ?? null,
  };
  return { edges, pageInfo };
}

/** A connection whose total is counted only when a client asks for `totalCount`. */
export interface CountedConnection {
  countTotal(): Promise<number>;
}

/** The `totalCount` field of a connection type: runs the count query only when requested. */
export function totalCountResolver<T extends CountedConnection>(connection: ClassType<T>): ClassType {
  @Resolver(() => connection)
  class TotalCountResolver {
    @FieldResolver(() => Int, { description: 'Number of items matching the arguments (counted only when asked for).' })
    totalCount(@Root() root: T): Promise<number> {
      return root.countTotal();
    }
  }
  Object.defineProperty(TotalCountResolver, 'name', { value: `${connection.name}TotalCountResolver` });
  return TotalCountResolver;
}
