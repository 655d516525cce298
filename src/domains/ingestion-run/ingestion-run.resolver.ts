import { P } from '../../access/permissions';
import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { MAX_PAGE_SIZE } from '../../platform/graphql/connection';
import type { GraphQLContext } from '../api-context';
import { IngestionJob, IngestionRun, IngestionRunConnection, QuarantinedRowConnection } from './ingestion-run.type';

@Resolver(() => IngestionRun)
export class IngestionRunResolver {
  @Authorized(P.operationsRead)
  @Query(() => IngestionRunConnection, { description: 'Run history of the agency sources, newest first.' })
  ingestionRuns(
    @Arg('source', () => String, { nullable: true, description: 'Only runs of this source, e.g. `diw`.' }) source: string | null,
    @Arg('first', () => Int, { nullable: true, description: `Page size, 1 to ${MAX_PAGE_SIZE} (default 20).` }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Cursor after which the page starts.' }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<IngestionRunConnection> {
    return ctx.services.ingestionRuns.list({ source, first, after });
  }

  @Authorized(P.operationsAdmin)
  @Query(() => QuarantinedRowConnection, { description: 'Rows rejected by ingestion runs and not yet resolved, newest first (admins only).' })
  quarantinedRows(
    @Arg('source', () => String, { nullable: true, description: 'Only rows of this source.' }) source: string | null,
    @Arg('first', () => Int, { nullable: true, description: `Page size, 1 to ${MAX_PAGE_SIZE} (default 20).` }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Cursor after which the page starts.' }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<QuarantinedRowConnection> {
    return ctx.services.ingestionRuns.quarantined({ source, first, after });
  }

  @Authorized(P.operationsAdmin)
  @Mutation(() => IngestionJob, { description: 'Queues a run of a source now (admins only). Follow it in `ingestionRuns`.' })
  triggerIngestion(@Arg('source', { description: 'Source identifier, e.g. `diw`.' }) source: string, @Ctx() ctx: GraphQLContext): Promise<IngestionJob> {
    return ctx.services.ingestionRuns.trigger(source);
  }
}
