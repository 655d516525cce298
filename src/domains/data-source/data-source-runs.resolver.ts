import { P } from '../../access/permissions';
import { Arg, Authorized, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { checkPageSize, MAX_PAGE_SIZE } from '../../platform/graphql/connection';
import type { GraphQLContext } from '../api-context';
import { lastRunsOfSource } from '../ingestion-run/ingestion-run.loaders';
import { IngestionRun } from '../ingestion-run/ingestion-run.type';
import { DataSource } from './data-source.type';

@Resolver(() => DataSource)
export class DataSourceRunsResolver {
  // The same roles as `ingestionRuns`: banks see a source's freshness, not its run history.
  @Authorized(P.operationsRead)
  @FieldResolver(() => [IngestionRun], { description: `The source's latest ingestion runs, newest first, failed ones included (admins, ministry and analysts); \`ingestionRuns(source)\` pages further.` })
  lastRuns(
    @Root() source: DataSource,
    @Arg('first', () => Int, { defaultValue: 5, description: `How many runs, 1 to ${MAX_PAGE_SIZE}.` }) first: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<IngestionRun[]> {
    return lastRunsOfSource(ctx).load({ source: source.id, limit: checkPageSize(first) });
  }
}
