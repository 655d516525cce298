import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../api-context';
import { runById } from './ingestion-run.loaders';
import { IngestionRun, QuarantinedRow } from './ingestion-run.type';

@Resolver(() => QuarantinedRow)
export class QuarantinedRowRunResolver {
  @FieldResolver(() => IngestionRun, { nullable: true, description: 'The run that rejected the row.' })
  async run(@Root() row: QuarantinedRow, @Ctx() ctx: GraphQLContext): Promise<IngestionRun | null> {
    return (await runById(ctx).load(row.runId)) ?? null;
  }
}
