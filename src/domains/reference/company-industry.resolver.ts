import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../api-context';
import { Company } from '../company/company.type';
import { IndustryClass } from './industry-class.type';
import { industryClassOfTsic, targetIndustryByCode } from './reference.loaders';
import { TargetIndustry } from './target-industry.type';

@Resolver(() => Company)
export class CompanyIndustryResolver {
  @FieldResolver(() => IndustryClass, {
    nullable: true,
    description: 'TSIC entry of the main business (รหัส TSIC): the code itself or, for a 5-digit subclass the reference data does not list, its class or longest known prefix; null when the code is missing or unknown.',
  })
  async industryClass(@Root() company: Company, @Ctx() ctx: GraphQLContext): Promise<IndustryClass | null> {
    return company.tsicCode === null ? null : ((await industryClassOfTsic(ctx).load(company.tsicCode)) ?? null);
  }

  @FieldResolver(() => [TargetIndustry], { description: 'Target industries (อุตสาหกรรมเป้าหมาย) the TSIC code maps to, in the ministry\'s order.' })
  async targetIndustries(@Root() company: Company, @Ctx() ctx: GraphQLContext): Promise<TargetIndustry[]> {
    // Not loadMany: a failed load must fail the field, not vanish from the list.
    const industries = await Promise.all(company.targetIndustryCodes.map((code) => targetIndustryByCode(ctx).load(code)));
    return industries.filter((i): i is TargetIndustry => i !== undefined).sort((a, b) => a.displayOrder - b.displayOrder);
  }
}
