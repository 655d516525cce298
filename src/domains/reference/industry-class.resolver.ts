import { P } from '../../access/permissions';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, Query, Info, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../api-context';
import { companyList } from '../company/company.loaders';
import { CompaniesArgs } from '../company/company.resolver';
import { CompanyConnection } from '../company/company.type';
import { IndustryClass, IndustryClassLevel } from './industry-class.type';
import { industryClassByCode, industryClassChildren } from './reference.loaders';

@Resolver(() => IndustryClass)
export class IndustryClassResolver {
  @Authorized(P.referenceRead)
  @Query(() => IndustryClass, { description: 'One TSIC 2009 entry (รหัส TSIC) by its code; NOT_FOUND when the reference data has no such entry.' })
  industryClass(
    @Arg('code', () => String, { description: 'TSIC code: a section letter (`C`) or 2 to 5 digits (`10`, `1072`); Thai digits and dashes are accepted.' }) code: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<IndustryClass> {
    return ctx.services.reference.industryClass(code);
  }

  @Authorized(P.referenceRead)
  @Query(() => [IndustryClass], { description: 'TSIC 2009 entries (รหัส TSIC), ascending by code: at one level, below one parent, or the whole tree.' })
  industryClasses(
    @Arg('level', () => IndustryClassLevel, { nullable: true, description: 'Only entries at this level.' }) level: IndustryClassLevel | null,
    @Arg('parentCode', () => String, { nullable: true, description: 'Only the direct children of this code, e.g. `C` for the manufacturing divisions; NOT_FOUND when unknown.' })
    parentCode: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<IndustryClass[]> {
    return ctx.services.reference.industryClasses(level, parentCode);
  }

  @FieldResolver(() => IndustryClass, { nullable: true, description: 'The entry one level up; null for a section.' })
  async parent(@Root() entry: IndustryClass, @Ctx() ctx: GraphQLContext): Promise<IndustryClass | null> {
    return entry.parentCode === null ? null : ((await industryClassByCode(ctx).load(entry.parentCode)) ?? null);
  }

  @FieldResolver(() => [IndustryClass], { description: 'The entries one level down, ascending by code (the reference data lists section C completely, the other sections in part).' })
  children(@Root() entry: IndustryClass, @Ctx() ctx: GraphQLContext): Promise<readonly IndustryClass[]> {
    return industryClassChildren(ctx).load(entry.code);
  }

  @FieldResolver(() => [IndustryClass], { description: 'The entries above this one, root (the section) first; empty for a section.' })
  async ancestors(@Root() entry: IndustryClass, @Ctx() ctx: GraphQLContext): Promise<IndustryClass[]> {
    const chain: IndustryClass[] = [];
    // At most four levels up; each step is one batched load shared by every entry on the page.
    for (let code = entry.parentCode; code !== null; ) {
      const parent = await industryClassByCode(ctx).load(code);
      if (!parent) break;
      chain.unshift(parent);
      code = parent.parentCode;
    }
    return chain;
  }

  @FieldResolver(() => CompanyConnection, {
    description: 'Companies whose TSIC code falls under this entry (a section: under any of its divisions), filtered and sorted like the root `companies`.',
  })
  async companies(@Root() entry: IndustryClass, @Args() args: CompaniesArgs, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): Promise<CompanyConnection> {
    // Company TSIC codes are digits only, so a section matches through its divisions.
    const prefixes = /^[A-U]$/.test(entry.code) ? (await industryClassChildren(ctx).load(entry.code)).map((c) => c.code) : [entry.code];
    return companyList(ctx, args, info, { tsicPrefixAny: prefixes });
  }
}
