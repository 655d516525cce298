import { P } from '../../access/permissions';
import type { GraphQLResolveInfo } from 'graphql';
import { Args, Authorized, Ctx, FieldResolver, Query, Info, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../api-context';
import { companyList } from '../company/company.loaders';
import { CompaniesArgs } from '../company/company.resolver';
import { CompanyConnection } from '../company/company.type';
import { TargetIndustry } from './target-industry.type';

@Resolver(() => TargetIndustry)
export class TargetIndustryResolver {
  @Authorized(P.referenceRead)
  @Query(() => [TargetIndustry], { description: 'The ten target industries (อุตสาหกรรมเป้าหมาย, S-curve and New S-curve), in the ministry\'s order.' })
  targetIndustries(@Ctx() ctx: GraphQLContext): Promise<readonly TargetIndustry[]> {
    return ctx.services.reference.targetIndustries();
  }

  @FieldResolver(() => CompanyConnection, {
    description: 'Companies whose TSIC code maps to this industry, filtered and sorted like the root `companies`; the filter applies as well (AND).',
  })
  companies(@Root() industry: TargetIndustry, @Args() args: CompaniesArgs, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): Promise<CompanyConnection> {
    return companyList(ctx, args, info, { targetIndustry: industry.code });
  }
}
