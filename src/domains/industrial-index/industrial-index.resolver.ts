import { P } from '../../access/permissions';
import { Arg, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../api-context';
import { IndustryClass } from '../reference/industry-class.type';
import { industryClassByCode } from '../reference/reference.loaders';
import { industrialIndexGroupByCode } from './industrial-index.loaders';
import { IndustrialIndexGroup, IndustrialIndexMonth } from './industrial-index.type';

@Resolver(() => IndustrialIndexGroup)
export class IndustrialIndexResolver {
  @Authorized(P.referenceRead)
  @Query(() => [IndustrialIndexMonth], {
    description:
      'The OIE monthly series (MPI, capacity utilisation) of one industry group, oldest month first. BAD_USER_INPUT for a malformed group or month or `from` after `to`; NOT_FOUND for a group OIE does not publish; an empty list when no month falls in the range.',
  })
  industrialIndex(
    @Arg('group', () => String, { description: 'Industry group code: `C` for all manufacturing or a TSIC code such as `10` (see `industrialIndexGroups`).' }) group: string,
    @Arg('from', () => String, { nullable: true, description: 'First month to include, `YYYY-MM` (Common Era); open when left out.' }) from: string | null,
    @Arg('to', () => String, { nullable: true, description: 'Last month to include, `YYYY-MM` (Common Era); open when left out.' }) to: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<IndustrialIndexMonth[]> {
    return ctx.services.industrialIndex.series(group, from, to);
  }

  @Authorized(P.referenceRead)
  @Query(() => [IndustrialIndexGroup], { description: 'Industry groups with an OIE industrial index (ดัชนีผลผลิตอุตสาหกรรม), all manufacturing first, then by code.' })
  industrialIndexGroups(@Ctx() ctx: GraphQLContext): Promise<IndustrialIndexGroup[]> {
    return ctx.services.industrialIndex.groups();
  }

  @FieldResolver(() => IndustryClass, { nullable: true, description: 'The TSIC entry (รหัส TSIC) the group code names; null when the reference data has no such entry.' })
  async industryClass(@Root() group: IndustrialIndexGroup, @Ctx() ctx: GraphQLContext): Promise<IndustryClass | null> {
    return (await industryClassByCode(ctx).load(group.code)) ?? null;
  }
}

@Resolver(() => IndustrialIndexMonth)
export class IndustrialIndexMonthResolver {
  @FieldResolver(() => IndustrialIndexGroup, { description: 'The industry group of this month.' })
  async group(@Root() month: IndustrialIndexMonth, @Ctx() ctx: GraphQLContext): Promise<IndustrialIndexGroup> {
    const group = await industrialIndexGroupByCode(ctx).load(month.groupCode);
    // The month itself is a published row of the group, so the group exists.
    return group!;
  }
}
