import { P } from '../../access/permissions';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, Int, Query, Resolver } from 'type-graphql';
import { MAX_PAGE_SIZE } from '../../platform/graphql/connection';
import type { GraphQLContext } from '../api-context';
import { factoryList } from './factory.loaders';
import { Factory, FactoryConnection, FactoryFilter, FactoryOrder } from './factory.type';

@ArgsType()
export class FactoriesArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1 to ${MAX_PAGE_SIZE} (default 20).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor after which the page starts (`pageInfo.endCursor` of the previous page, read with the same `orderBy`).' })
  after?: string | null;

  @Field(() => FactoryFilter, { nullable: true, description: 'Filters, combined with AND.' })
  filter?: FactoryFilter | null;

  @Field(() => FactoryOrder, { nullable: true, description: 'Sort order (default FID ascending); ties are broken by FID.' })
  orderBy?: FactoryOrder | null;
}

@Resolver(() => Factory)
export class FactoryResolver {
  @Authorized(P.firmsRead)
  @Query(() => FactoryConnection, { description: 'Factories of the DIW registry (โรงงาน), filtered and sorted.' })
  factories(@Args() args: FactoriesArgs, @Ctx() ctx: GraphQLContext): Promise<FactoryConnection> {
    return factoryList(ctx, args);
  }

  @Authorized(P.firmsRead)
  @Query(() => Factory, { description: 'One factory by its 14-digit FID; NOT_FOUND when there is none.' })
  factory(@Arg('fid', () => String, { description: 'DIW factory ID, 14 digits (dashes and spaces ignored).' }) fid: string, @Ctx() ctx: GraphQLContext): Promise<Factory> {
    return ctx.services.factories.get(fid);
  }
}
