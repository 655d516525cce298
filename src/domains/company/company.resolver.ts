import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { MAX_PAGE_SIZE } from '../../platform/graphql/connection';
import type { GraphQLContext } from '../../platform/graphql/context';
import { companyList, statementsByCompany } from './company.loaders';
import { Company, CompanyConnection, CompanyFilter, CompanyOrder, Director, FinancialStatement, Shareholder } from './company.type';
import { MASK, mayReadPersonalData } from './personal-data';

/** Arguments of every company list: the root `companies` and the lists below provinces, regions, industries. */
@ArgsType()
export class CompaniesArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1 to ${MAX_PAGE_SIZE} (default 20).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor after which the page starts (`pageInfo.endCursor` of the previous page, same ordering).' })
  after?: string | null;

  @Field(() => CompanyFilter, { nullable: true, description: 'Filters, combined with AND.' })
  filter?: CompanyFilter | null;

  @Field(() => CompanyOrder, { nullable: true, description: 'Sort order (default: by juristic ID).' })
  orderBy?: CompanyOrder | null;
}

@Resolver(() => Company)
export class CompanyResolver {
  @Authorized('admin', 'ministry', 'analyst', 'bank')
  @Query(() => CompanyConnection, { description: 'Juristic persons (นิติบุคคล) with their derived facts, filtered and sorted.' })
  companies(@Args() args: CompaniesArgs, @Ctx() ctx: GraphQLContext): Promise<CompanyConnection> {
    return companyList(ctx, args);
  }

  @Authorized('admin', 'ministry', 'analyst', 'bank')
  @Query(() => Company, { description: 'One company by its 13-digit juristic ID; NOT_FOUND when there is none.' })
  company(@Arg('juristicId', () => String, { description: 'Juristic ID (เลขทะเบียนนิติบุคคล), 13 digits (dashes and spaces ignored).' }) juristicId: string, @Ctx() ctx: GraphQLContext): Promise<Company> {
    return ctx.services.companies.get(juristicId);
  }

  @FieldResolver(() => [FinancialStatement], { description: 'Financial statements, newest fiscal year first.' })
  financialStatements(@Root() company: Company, @Ctx() ctx: GraphQLContext): Promise<FinancialStatement[]> {
    return statementsByCompany(ctx).load(company.juristicId);
  }

  @FieldResolver(() => [Director], { description: 'Directors (กรรมการ) as DBD lists them; names masked unless the caller is granted personal data.' })
  directors(@Root() company: Company, @Ctx() ctx: GraphQLContext): Director[] {
    const visible = mayReadPersonalData(ctx);
    return company.directorsData.map((d) => ({ name: visible ? d.name : MASK, position: d.position, masked: !visible }));
  }

  @FieldResolver(() => [Shareholder], { description: 'Shareholders (ผู้ถือหุ้น), largest holding first; individuals masked unless the caller is granted personal data.' })
  shareholders(@Root() company: Company, @Ctx() ctx: GraphQLContext): Shareholder[] {
    const visible = mayReadPersonalData(ctx);
    return [...company.shareholdersData]
      .sort((a, b) => b.shares - a.shares)
      .map((s) => {
        // A juristic person holding shares is business information, not personal data.
        const masked = !visible && s.juristicId === undefined;
        return {
          name: masked ? MASK : s.name,
          personalId: s.personalId === undefined ? null : masked ? MASK : s.personalId,
          juristicId: s.juristicId ?? null,
          nationality: s.nationality,
          shares: s.shares,
          masked,
        };
      });
  }
}
