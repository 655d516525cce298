/**
 * The platform's per-request loader helpers (src/platform/graphql/loaders.ts), bound to the domains'
 * GraphQL context: a relation's loader is declared once with one of these, and its fetch gets the
 * whole context (the services).
 */
import type DataLoader from 'dataloader';
import type { Connection } from '../platform/graphql/connection';
import * as loaders from '../platform/graphql/loaders';
import type { GraphQLContext } from './api-context';

export { distinctInChunks, inChunks, MAX_KEYS_PER_STATEMENT, MAX_PAGES_PER_STATEMENT } from '../platform/graphql/loaders';

export function requestLoader<L>(name: string, create: (ctx: GraphQLContext) => L): (ctx: GraphQLContext) => L {
  return loaders.requestLoader<L, GraphQLContext>(name, create);
}

export function keyedLoader<T>(name: string, keyOf: (row: T) => string, fetch: (ctx: GraphQLContext, keys: string[]) => Promise<T[]>): (ctx: GraphQLContext) => DataLoader<string, T | undefined> {
  return loaders.keyedLoader<T, GraphQLContext>(name, keyOf, fetch);
}

export function groupedLoader<T>(name: string, parentOf: (row: T) => string, fetch: (ctx: GraphQLContext, parents: string[]) => Promise<T[]>): (ctx: GraphQLContext) => DataLoader<string, T[]> {
  return loaders.groupedLoader<T, GraphQLContext>(name, parentOf, fetch);
}

export function childConnections<T>(
  options: Parameters<typeof loaders.childConnections<T, GraphQLContext>>[0],
): (ctx: GraphQLContext, parent: string, size: number, after: string | undefined) => Connection<T> {
  return loaders.childConnections<T, GraphQLContext>(options);
}
