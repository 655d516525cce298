import { P } from '../../access/permissions';
import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../api-context';
import { DataSource } from './data-source.type';

@Resolver(() => DataSource)
export class DataSourceResolver {
  @Authorized(P.referenceRead)
  @Query(() => [DataSource], { description: 'Every agency source, with its freshness; `stale: true` only lists the stale ones.' })
  dataSources(
    @Arg('stale', () => Boolean, { nullable: true, description: 'true: only stale sources; false: only fresh ones.' }) stale: boolean | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DataSource[]> {
    return ctx.services.dataSources.list(stale);
  }
}
