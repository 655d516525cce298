import { P } from '../../access/permissions';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, Query, Info, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../api-context';
import { companyList } from '../company/company.loaders';
import { CompaniesArgs } from '../company/company.resolver';
import { CompanyConnection } from '../company/company.type';
import { factoryList } from '../factory/factory.loaders';
import { FactoriesArgs } from '../factory/factory.resolver';
import { FactoryConnection } from '../factory/factory.type';
import { provincesOfRegion, regionOf } from './geography.loaders';
import { ALL_REGIONS, Province, Region } from './province.type';
import { RegionCode } from './region-code';

@Resolver(() => Province)
export class ProvinceResolver {
  @Authorized(P.referenceRead)
  @Query(() => [Province], { description: 'Provinces (จังหวัด), ascending by code; all 77, or those of one region.' })
  provinces(@Arg('region', () => RegionCode, { nullable: true, description: 'Only the provinces of this region (ภาค).' }) region: RegionCode | null, @Ctx() ctx: GraphQLContext): Promise<Province[]> {
    return ctx.services.geography.provinces(region);
  }

  @Authorized(P.referenceRead)
  @Query(() => Province, { description: 'One province (จังหวัด) by code or name; NOT_FOUND when none matches.' })
  province(
    @Arg('codeOrName', () => String, { description: 'Code (`20`), ISO code (`TH-20`), Thai name (`ชลบุรี`, `จ.ชลบุรี`) or English name (`Chon Buri`, `Chonburi`).' }) codeOrName: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Province> {
    return ctx.services.geography.province(codeOrName);
  }

  @FieldResolver(() => Region, { description: 'The region (ภาค) the province belongs to.' })
  region(@Root() province: Province): Region {
    return regionOf(province.regionCode)!;
  }

  @FieldResolver(() => CompanyConnection, { description: 'Companies with their head office in this province, filtered and sorted like the root `companies`; the filter applies as well (AND).' })
  companies(@Root() province: Province, @Args() args: CompaniesArgs, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): Promise<CompanyConnection> {
    return companyList(ctx, args, info, { provinceCode: province.code });
  }

  @FieldResolver(() => FactoryConnection, { description: 'Factories in this province (โรงงาน), filtered and sorted like the root `factories`; the filter applies as well (AND).' })
  factories(@Root() province: Province, @Args() args: FactoriesArgs, @Ctx() ctx: GraphQLContext): Promise<FactoryConnection> {
    return factoryList(ctx, args, { provinceCode: province.code });
  }
}

@Resolver(() => Region)
export class RegionResolver {
  @Authorized(P.referenceRead)
  @Query(() => [Region], { description: 'The six regions (ภาค) of the reference data.' })
  regions(): readonly Region[] {
    return ALL_REGIONS;
  }

  @FieldResolver(() => [Province], { description: 'Provinces of the region, ascending by code.' })
  provinces(@Root() region: Region, @Ctx() ctx: GraphQLContext): Promise<Province[]> {
    return provincesOfRegion(ctx).load(region.code);
  }

  @FieldResolver(() => CompanyConnection, { description: 'Companies with their head office in this region, filtered and sorted like the root `companies`; the filter applies as well (AND).' })
  companies(@Root() region: Region, @Args() args: CompaniesArgs, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): Promise<CompanyConnection> {
    return companyList(ctx, args, info, { region: region.code });
  }

  @FieldResolver(() => FactoryConnection, { description: 'Factories in this region\'s provinces (โรงงาน), filtered and sorted like the root `factories`; the filter applies as well (AND).' })
  factories(@Root() region: Region, @Args() args: FactoriesArgs, @Ctx() ctx: GraphQLContext): Promise<FactoryConnection> {
    return factoryList(ctx, args, { region: region.code });
  }
}
