import { withoutSmallCells } from './small-cells';
import { P } from '../../access/permissions';
import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../api-context';
import { CompanyFilter } from '../company/company.type';
import { FactoryFilter } from '../factory/factory.type';
import { CompanyStats, CompanyStatsDimension, FactoryStats, FactoryStatsDimension, MAX_DIMENSIONS } from './statistics.type';

/**
 * Analyst aggregations. Banks are not granted them: they look up eligible firms one by one, and
 * breakdowns of the whole register are the ministry's policy analytics, not a lending need.
 */
@Resolver()
export class StatisticsResolver {
  @Authorized(P.statisticsRead)
  @Query(() => CompanyStats, {
    description:
      'Companies counted, with sums and averages of registered capital, latest revenue and employees, per group of the chosen dimensions. ' +
      'Served from a materialised aggregate, refreshed with every ingestion run, when the dimensions and filters allow; from the live rows otherwise (see `source`).',
  })
  async companyStats(
    @Arg('filter', () => CompanyFilter, { nullable: true, description: 'Which companies to count: the same filters as `companies`.' }) filter: CompanyFilter | null,
    @Arg('groupBy', () => [CompanyStatsDimension], { description: `Dimensions to group by, 1 to ${MAX_DIMENSIONS}, each once; groups are ordered by them in this order.` })
    groupBy: CompanyStatsDimension[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<CompanyStats> {
    return withoutSmallCells(ctx.client, await ctx.services.statistics.companyStats(filter, groupBy), (group) => group.count);
  }

  @Authorized(P.statisticsRead)
  @Query(() => FactoryStats, { description: 'Factories counted, with sums and averages of capital and workers, per group of the chosen dimensions.' })
  async factoryStats(
    @Arg('filter', () => FactoryFilter, { nullable: true, description: 'Which factories to count: the same filters as `factories`.' }) filter: FactoryFilter | null,
    @Arg('groupBy', () => [FactoryStatsDimension], { description: `Dimensions to group by, 1 to ${MAX_DIMENSIONS}, each once; groups are ordered by them in this order.` })
    groupBy: FactoryStatsDimension[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<FactoryStats> {
    return withoutSmallCells(ctx.client, await ctx.services.statistics.factoryStats(filter, groupBy), (group) => group.count);
  }
}
