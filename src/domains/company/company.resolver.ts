import { P } from '../../access/permissions';
import type { GraphQLResolveInfo } from 'graphql';
import { JuristicIdScalar } from '../scalars';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, Int, Query, Info, Resolver, Root } from 'type-graphql';
import { MAX_PAGE_SIZE } from '../../platform/graphql/connection';
import type { GraphQLContext } from '../api-context';
import { companyById, companyList, personalDataOf, statementsByCompany } from './company.loaders';
import { Company, CompanyConnection, CompanyFilter, CompanyOrder, Director, FinancialStatement, Shareholder } from './company.type';
import { consentGatedRead } from '../consent/consent.loaders';
import { MASK } from './personal-data';
import { plannedCompany, plannedCompanyList } from './company.read-plan';

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

const CONSENT_GATED =
  'A bank client needs the company’s active consent for its bank (see `consents`): without one this field is null with a FORBIDDEN error whose `extensions.reason` is CONSENT_REQUIRED; with one, each read is logged (`dataAccessLog`).';

@Resolver(() => Company)
export class CompanyResolver {
  @Authorized(P.firmsRead)
  @Query(() => CompanyConnection, { description: 'Juristic persons (นิติบุคคล) with their derived facts, filtered and sorted.' })
  async companies(@Args() args: CompaniesArgs, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): Promise<CompanyConnection> {
    // One statement for the whole selection when it can be planned; the loaders otherwise.
    return (await plannedCompanyList(ctx, args, info)) ?? companyList(ctx, args, info);
  }

  @Authorized(P.firmsRead)
  @Query(() => Company, { description: 'One company by its 13-digit juristic ID; NOT_FOUND when there is none.' })
  company(
    @Arg('juristicId', () => JuristicIdScalar, { description: 'Juristic ID (เลขทะเบียนนิติบุคคล); dashes and spaces ignored.' }) juristicId: string,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Company> {
    // The company and the relations asked for in one statement when it can be planned; the loaders otherwise.
    return plannedCompany(ctx, juristicId, info) ?? ctx.services.companies.get(juristicId);
  }

  @FieldResolver(() => [FinancialStatement], {
    nullable: true,
    description: `Financial statements, newest fiscal year first. ${CONSENT_GATED}`,
  })
  financialStatements(@Root() company: Company, @Ctx() ctx: GraphQLContext): Promise<FinancialStatement[]> {
    // The gate first; then the statements a read plan read with the company (company.read-plan.ts), or the loader's.
    return consentGatedRead(ctx, company.juristicId, 'financialStatements', () => company.statementsData ?? statementsByCompany(ctx).load(company.juristicId));
  }

  @FieldResolver(() => [Director], {
    nullable: true,
    description: `Directors (กรรมการ) as DBD lists them; names are personal data, shown only to a bank the company consented to (masked for every other role). ${CONSENT_GATED}`,
  })
  directors(@Root() company: Company, @Ctx() ctx: GraphQLContext): Promise<Director[]> {
    return consentGatedRead(ctx, company.juristicId, 'directors', async ({ personalData }) =>
      (await personalDataOf(ctx, company)).directors.map((d) => ({ name: personalData ? d.name : MASK, position: d.position, masked: !personalData })),
    );
  }

  @FieldResolver(() => [Shareholder], {
    nullable: true,
    description: `Shareholders (ผู้ถือหุ้น), largest holding first; individuals are personal data, shown only to a bank the company consented to (masked for every other role). ${CONSENT_GATED}`,
  })
  shareholders(@Root() company: Company, @Ctx() ctx: GraphQLContext): Promise<Shareholder[]> {
    return consentGatedRead(ctx, company.juristicId, 'shareholders', async ({ personalData }) =>
      [...(await personalDataOf(ctx, company)).shareholders]
        .sort((a, b) => b.shares - a.shares)
        .map((s) => {
          // A juristic person holding shares is business information, not personal data.
          const masked = !personalData && s.juristicId === undefined;
          return {
            name: masked ? MASK : s.name,
            personalId: s.personalId === undefined ? null : masked ? MASK : s.personalId,
            juristicId: s.juristicId ?? null,
            nationality: s.nationality,
            shares: s.shares,
            masked,
          };
        }),
    );
  }
}

@Resolver(() => FinancialStatement)
export class FinancialStatementCompanyResolver {
  @FieldResolver(() => Company, { nullable: true, description: 'The company that filed the statement; null when DBD no longer lists it.' })
  async company(@Root() statement: FinancialStatement, @Ctx() ctx: GraphQLContext): Promise<Company | null> {
    return (await companyById(ctx).load(statement.juristicId)) ?? null;
  }
}
