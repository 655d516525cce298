import { P } from '../../access/permissions';
import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { MAX_PAGE_SIZE } from '../../platform/graphql/connection';
import type { GraphQLContext } from '../api-context';
import { DomainError } from '../../platform/errors/domain-error';
import { Node } from './node.type';
@Resolver()
export class NodeResolver {
  @Authorized(P.referenceRead)
  @Query(() => Node, { nullable: true, description: 'Any object by its global ID; null when it does not exist or the caller may not read it (the two are not told apart).' })
  async node(@Arg('id', () => ID, { description: 'A global ID (the `id` field of any Node).' }) id: string, @Ctx() ctx: GraphQLContext): Promise<object | null> {
    return (await ctx.nodes.load(ctx, id)) ?? null;
  }

  @Authorized(P.referenceRead)
  @Query(() => [Node], { nullable: 'items', description: `Objects by global ID, in the order given (null for those that no longer exist); at most ${MAX_PAGE_SIZE}. One statement per type.` })
  async nodes(@Arg('ids', () => [ID], { description: 'Global IDs.' }) ids: string[], @Ctx() ctx: GraphQLContext): Promise<(object | null)[]> {
    if (ids.length > MAX_PAGE_SIZE) throw new DomainError('BAD_USER_INPUT', `nodes takes at most ${MAX_PAGE_SIZE} IDs, got ${ids.length}`, { argument: 'ids' });
    return Promise.all(ids.map(async (id) => (await ctx.nodes.load(ctx, id)) ?? null));
  }
}
