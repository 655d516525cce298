import { ReadRecord } from '../../access/audit/read-record';
import { P } from '../../access/permissions';
import { Args, ArgsType, Authorized, Ctx, Field, Int, Query, Resolver } from 'type-graphql';
import { MAX_PAGE_SIZE } from '../../platform/graphql/connection';
import type { GraphQLContext } from '../api-context';
import { RegistryChangeConnection, RegistryRecordType } from './registry-changes.type';

@ArgsType()
class RegistryChangesArgs {
  @Field(() => Int, { nullable: true, description: `Changes per page, 1 to ${MAX_PAGE_SIZE} (default 20); changes of records the caller may not see are left out and not counted.` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor after which the page starts: `pageInfo.endCursor` of the previous page, a cursor of `GET /feeds/registry`, or the `feedCursor` of an export.' })
  after?: string | null;

  @Field(() => [RegistryRecordType], { nullable: true, description: 'Only changes of these kinds of record (default: every kind).' })
  types?: RegistryRecordType[] | null;
}

@Resolver()
export class RegistryChangesResolver {
  @Authorized(P.registrySync)
  @Query(() => RegistryChangeConnection, {
    description:
      'Changes of register records (companies, factories, TIS licences, loan products) in commit order, each with the record as it is now, scoped (an area role: its area) and masked like the graph: resume with `pageInfo.endCursor` and every change arrives exactly once. Also as NDJSON at `GET /feeds/registry`; a bulk export (`GET /exports/<name>.ndjson`) gives the cursor the feed continues it from (docs/integrators.md).',
  })
  async registryChanges(@Args() args: RegistryChangesArgs, @Ctx() ctx: GraphQLContext): Promise<RegistryChangeConnection> {
    const page = await ctx.services.registryChanges.page(ctx.client, args);
    // The records are JSON, not firm-data types the guard notes (firm-data.ts): the page notes what it carries itself, and the read audit's plugin records it with the response.
    (ctx.readRecord ??= new ReadRecord()).merge(page.read);
    const edges = page.changes.map(({ cursor, recordJson, ...change }) => ({ cursor, node: { ...change, type: change.type as RegistryRecordType, kind: change.kind as never, record: JSON.parse(recordJson) as unknown } }));
    return { edges, pageInfo: { hasNextPage: page.hasMore, hasPreviousPage: false, startCursor: edges[0]?.cursor ?? null, endCursor: page.endCursor } };
  }
}
