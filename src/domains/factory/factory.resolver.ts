import { Arg, Args, ArgsType, Authorized, Ctx, Field, Int, Query, Resolver } from 'type-graphql';
import { MAX_PAGE_SIZE } from '../../platform/graphql/connection';
import type { GraphQLContext } from '../../platform/graphql/context';
import { Factory, FactoryConnection, FactoryFilter } from './factory.type';

@ArgsType()
class FactoriesArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1 to ${MAX_PAGE_SIZE} (default 20).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor after which the page starts (`pageInfo.endCursor` of the previous page).' })
  after?: string | null;

  @Field(() => FactoryFilter, { nullable: true, description: 'Filters, combined with AND.' })
  filter?: FactoryFilter | null;
}

@Resolver(() => Factory)
export class FactoryResolver {
  @Authorized('admin', 'ministry', 'analyst', 'bank')
  @Query(() => FactoryConnection, { description: 'Factories of the DIW registry, ordered by FID (โรงงาน).' })
  factories(@Args() args: FactoriesArgs, @Ctx() ctx: GraphQLContext): Promise<FactoryConnection> {
    return ctx.services.factories.list(args);
  }

  @Authorized('admin', 'ministry', 'analyst', 'bank')
  @Query(() => Factory, { description: 'One factory by its 14-digit FID; NOT_FOUND when there is none.' })
  factory(@Arg('fid', () => String, { description: 'DIW factory ID, 14 digits (dashes and spaces ignored).' }) fid: string, @Ctx() ctx: GraphQLContext): Promise<Factory> {
    return ctx.services.factories.get(fid);
  }
}
