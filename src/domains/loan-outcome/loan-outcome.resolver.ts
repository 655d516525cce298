import { withoutSmallCells } from '../statistics/small-cells';
import { P } from '../../access/permissions';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { MAX_PAGE_SIZE } from '../../platform/graphql/connection';
import type { GraphQLContext } from '../api-context';
import { companyById } from '../company/company.loaders';
import { Company } from '../company/company.type';
import { loanProductByKey } from '../eligibility/eligibility.loaders';
import { productKey } from '../eligibility/eligibility.repository';
import { LoanProduct } from '../eligibility/eligibility.type';
import { MAX_DIMENSIONS } from '../statistics/statistics.type';
import {
  LoanOutcome,
  LoanOutcomeConnection,
  LoanOutcomeFilter,
  LoanTakeUpDimension,
  LoanTakeUpFilter,
  LoanTakeUpStats,
  ReportLoanOutcomeInput,
  ReportLoanOutcomePayload,
} from './loan-outcome.type';

@ArgsType()
class LoanOutcomesArgs {
  @Field(() => LoanOutcomeFilter, { nullable: true, description: 'Which reports to list.' })
  filter?: LoanOutcomeFilter | null;

  @Field(() => Int, { nullable: true, description: `Page size, 1 to ${MAX_PAGE_SIZE} (default 20).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor after which the page starts (`pageInfo.endCursor` of the previous page).' })
  after?: string | null;
}

@Resolver(() => LoanOutcome)
export class LoanOutcomeResolver {
  @Authorized(P.loanOutcomesReport)
  @Mutation(() => ReportLoanOutcomePayload, {
    description:
      'A partner bank reports what happened to a firm’s application for one of its own products (another bank’s product is FORBIDDEN, with the message of a product that does not exist). ' +
      'The hub records the firm’s eligibility and the rule set version in force at that moment. Send `bankReference` so that a retry returns the recorded report instead of adding a duplicate.',
  })
  reportLoanOutcome(@Arg('input', () => ReportLoanOutcomeInput, { description: 'The report.' }) input: ReportLoanOutcomeInput, @Ctx() ctx: GraphQLContext): Promise<ReportLoanOutcomePayload> {
    return ctx.services.loanOutcomes.report(ctx.client, input);
  }

  @Authorized(P.loanOutcomesRead)
  @Query(() => LoanOutcomeConnection, { description: 'The banks’ loan outcome reports, newest first: a bank client sees its own bank’s, the ministry and admins every bank’s.' })
  loanOutcomes(@Args() args: LoanOutcomesArgs, @Ctx() ctx: GraphQLContext): Promise<LoanOutcomeConnection> {
    return ctx.services.loanOutcomes.list(ctx.client, args);
  }

  @Authorized(P.lendingStatisticsRead)
  @Query(() => LoanTakeUpStats, {
    description:
      'Take-up of the partner banks’ loan products per group of the chosen dimensions: firms eligible today, firms the banks reported applying, approved, paid out and rejected, amounts, and the take-up rate (see `LoanTakeUpGroup.takeUpRate`). ' +
      'A bank client gets its own bank’s products only.',
  })
  async loanTakeUpStats(
    @Arg('filter', () => LoanTakeUpFilter, { nullable: true, description: 'Which products, reports and firms to count.' }) filter: LoanTakeUpFilter | null,
    @Arg('groupBy', () => [LoanTakeUpDimension], { description: `Dimensions to group by, 1 to ${MAX_DIMENSIONS}, each once; groups are ordered by them in this order.` })
    groupBy: LoanTakeUpDimension[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<LoanTakeUpStats> {
    return withoutSmallCells(ctx.client, await ctx.services.loanOutcomes.takeUp(ctx.client, filter, groupBy), (g) =>
      Math.max(g.eligibleFirms, g.appliedFirms, g.approvedFirms, g.disbursedFirms, g.rejectedFirms),
    );
  }

  @FieldResolver(() => LoanProduct, { nullable: true, description: 'The product, as now published; null once the bank has withdrawn it from its catalogue.' })
  async product(@Root() outcome: LoanOutcome, @Ctx() ctx: GraphQLContext): Promise<LoanProduct | null> {
    return (await loanProductByKey(ctx).load(productKey(outcome.bank, outcome.productCode))) ?? null;
  }

  @FieldResolver(() => Company, { nullable: true, description: 'The firm.' })
  async company(@Root() outcome: LoanOutcome, @Ctx() ctx: GraphQLContext): Promise<Company | null> {
    return (await companyById(ctx).load(outcome.juristicId)) ?? null;
  }
}
