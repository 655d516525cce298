import { P } from '../../access/permissions';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, Int, Query, Info, Resolver, Root } from 'type-graphql';
import { MAX_PAGE_SIZE } from '../../platform/graphql/connection';
import type { GraphQLContext } from '../api-context';
import { companyList } from '../company/company.loaders';
import { CompaniesArgs } from '../company/company.resolver';
import { Company, CompanyConnection } from '../company/company.type';
import { eligibilityOfCompany } from './eligibility.loaders';
import { EligibilityEventConnection, LoanProduct, PartnerBank, ProductEligibility } from './eligibility.type';

@ArgsType()
class EligibleCompaniesArgs extends CompaniesArgs {
  @Field({ description: 'Product code, e.g. `SMED-SMALL-1M`. A bank client may name only its own bank’s products.' })
  product!: string;
}

@ArgsType()
class EligibilityFeedArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1 to ${MAX_PAGE_SIZE} (default 20).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor after which the page starts (`pageInfo.endCursor` of the previous page, or a cursor of the NDJSON feed).' })
  after?: string | null;

  @Field(() => PartnerBank, { nullable: true, description: 'Only this bank’s events (ministry and admin; a bank client always gets its own and may only name it).' })
  bank?: PartnerBank | null;
}

@Resolver()
export class EligibilityResolver {
  @Authorized(P.referenceRead)
  @Query(() => [LoanProduct], { description: 'Loan products now published by the partner banks (a bank client sees its own bank’s).' })
  loanProducts(@Ctx() ctx: GraphQLContext): Promise<LoanProduct[]> {
    return ctx.services.eligibility.products(ctx.client);
  }

  @Authorized(P.eligibilityRead)
  @Query(() => CompanyConnection, { description: 'Companies eligible for a loan product, filtered and sorted like `companies`. A bank client naming a product that is not its own bank’s gets FORBIDDEN.' })
  async eligibleCompanies(@Args() args: EligibleCompaniesArgs, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): Promise<CompanyConnection> {
    const product = await ctx.services.eligibility.product(ctx.client, args.product);
    return companyList(ctx, args, info, { eligibleFor: { bankCode: product.bank, productCode: product.code } });
  }

  @Authorized(P.eligibilityFeedRead)
  @Query(() => EligibilityEventConnection, {
    description: 'Changes of eligibility in commit order: resume with the last cursor and every event arrives exactly once (also as NDJSON at `GET /feeds/eligibility`). A bank client reads its own bank’s events.',
  })
  eligibilityFeed(@Args() args: EligibilityFeedArgs, @Ctx() ctx: GraphQLContext): Promise<EligibilityEventConnection> {
    return ctx.services.eligibility.feed(ctx.client, args);
  }
}

@Resolver(() => Company)
export class CompanyEligibilityResolver {
  @Authorized(P.eligibilityRead)
  @FieldResolver(() => [ProductEligibility], { description: 'Stored eligibility for each loan product (a bank client sees its own bank’s products), with each criterion’s outcome, value and provenance.' })
  eligibility(@Root() company: Company, @Ctx() ctx: GraphQLContext, @Arg('eligibleOnly', () => Boolean, { nullable: true, description: 'Only the products the company is eligible for.' }) eligibleOnly?: boolean | null): Promise<ProductEligibility[]> {
    return eligibilityOfCompany(ctx)
      .load(company.juristicId)
      .then((results) => (eligibleOnly ? results.filter((r) => r.eligible) : results));
  }
}
