import { P } from '../../access/permissions';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, Int, Query, Info, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../api-context';
import { companyList } from '../company/company.loaders';
import { CompaniesArgs } from '../company/company.resolver';
import { CompanyConnection } from '../company/company.type';
import { factoryList } from '../factory/factory.loaders';
import { FactoriesArgs } from '../factory/factory.resolver';
import { FactoryConnection } from '../factory/factory.type';
import { targetIndustryByCode } from '../reference/reference.loaders';
import { TargetIndustry } from '../reference/target-industry.type';
import { provinceByCode, provincesOfRegion, regionOf } from './geography.loaders';
import { PromotionCentre, ProvinceGroup } from './promotion-area.type';
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

  @FieldResolver(() => PromotionCentre, { description: 'The regional industrial promotion centre (ศูนย์ส่งเสริมอุตสาหกรรมภาค) serving the province; an assumed assignment for most provinces (see `PromotionCentre`).' })
  centre(@Root() province: Province, @Ctx() ctx: GraphQLContext): Promise<PromotionCentre> {
    return ctx.services.geography.centre(province.promotionCentre);
  }

  @FieldResolver(() => ProvinceGroup, { description: 'The province group (กลุ่มจังหวัด) the province belongs to; assumed membership (see `ProvinceGroup`).' })
  async provinceGroup(@Root() province: Province, @Ctx() ctx: GraphQLContext): Promise<ProvinceGroup> {
    const groups = await ctx.services.geography.groups();
    return groups.find((group) => group.regionCode === province.regionCode)!;
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

@Resolver(() => PromotionCentre)
export class PromotionCentreResolver {
  @Authorized(P.referenceRead)
  @Query(() => [PromotionCentre], { description: 'The 11 regional industrial promotion centres of the Department of Industrial Promotion (ศูนย์ส่งเสริมอุตสาหกรรมภาค), by number.' })
  promotionCentres(@Ctx() ctx: GraphQLContext): Promise<readonly PromotionCentre[]> {
    return ctx.services.geography.centres();
  }

  @Authorized(P.referenceRead)
  @Query(() => PromotionCentre, { description: 'One regional centre by number; NOT_FOUND outside 1-11.' })
  promotionCentre(@Arg('number', () => Int, { description: 'Centre number, 1-11.' }) number: number, @Ctx() ctx: GraphQLContext): Promise<PromotionCentre> {
    return ctx.services.geography.centre(number);
  }

  @FieldResolver(() => Province, { description: 'The province the centre sits in (confirmed only where `seatConfirmed`).' })
  async seatProvince(@Root() centre: PromotionCentre, @Ctx() ctx: GraphQLContext): Promise<Province> {
    return (await provinceByCode(ctx).load(centre.seatProvinceCode))!;
  }

  @FieldResolver(() => [Province], { description: 'The provinces the centre serves, ascending by code (a centre key sees the firms of these).' })
  async provinces(@Root() centre: PromotionCentre, @Ctx() ctx: GraphQLContext): Promise<Province[]> {
    const { provinces } = await ctx.services.geography.catalogue();
    return provinces.filter((p) => p.promotionCentre === centre.number);
  }

  @FieldResolver(() => CompanyConnection, { description: 'Companies with their head office in the centre\'s provinces, filtered and sorted like the root `companies`; the filter applies as well (AND).' })
  async companies(@Root() centre: PromotionCentre, @Args() args: CompaniesArgs, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): Promise<CompanyConnection> {
    const area = (await ctx.services.geography.centreProvinces(centre.number))!;
    return companyList(ctx, args, info, { centreArea: { centre: centre.number, provinceCodes: area.codes } });
  }

  @FieldResolver(() => FactoryConnection, { description: 'Factories in the centre\'s provinces (โรงงาน), filtered and sorted like the root `factories`; the filter applies as well (AND).' })
  factories(@Root() centre: PromotionCentre, @Args() args: FactoriesArgs, @Ctx() ctx: GraphQLContext): Promise<FactoryConnection> {
    return factoryList(ctx, args, { promotionCentre: centre.number });
  }
}

@Resolver(() => ProvinceGroup)
export class ProvinceGroupResolver {
  @Authorized(P.referenceRead)
  @Query(() => [ProvinceGroup], { description: 'The six province groups (กลุ่มจังหวัด) with their focus industries, in the order of the six-region scheme. Membership and focus are assumed (see `ProvinceGroup`).' })
  provinceGroups(@Ctx() ctx: GraphQLContext): Promise<readonly ProvinceGroup[]> {
    return ctx.services.geography.groups();
  }

  @Authorized(P.referenceRead)
  @Query(() => ProvinceGroup, { description: 'One province group by code (case-insensitive); NOT_FOUND when none has it.' })
  provinceGroup(@Arg('code', () => String, { description: 'Group code, e.g. `NORTHEAST`.' }) code: string, @Ctx() ctx: GraphQLContext): Promise<ProvinceGroup> {
    return ctx.services.geography.group(code);
  }

  @FieldResolver(() => [TargetIndustry], { description: 'The group\'s focus industries, among the ten target industries, in the ministry\'s order (assumed, like the membership).' })
  async focusIndustries(@Root() group: ProvinceGroup, @Ctx() ctx: GraphQLContext): Promise<TargetIndustry[]> {
    const found = await targetIndustryByCode(ctx).loadMany(group.focusIndustryCodes);
    return found.filter((industry): industry is TargetIndustry => industry !== undefined && !(industry instanceof Error)).sort((a, b) => a.displayOrder - b.displayOrder);
  }

  @FieldResolver(() => [Province], { description: 'The provinces of the group, ascending by code.' })
  provinces(@Root() group: ProvinceGroup, @Ctx() ctx: GraphQLContext): Promise<Province[]> {
    return provincesOfRegion(ctx).load(group.regionCode);
  }

  @FieldResolver(() => CompanyConnection, { description: 'Companies with their head office in the group\'s provinces, filtered and sorted like the root `companies`; the filter applies as well (AND).' })
  async companies(@Root() group: ProvinceGroup, @Args() args: CompaniesArgs, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): Promise<CompanyConnection> {
    const area = (await ctx.services.geography.groupProvinces(group.code))!;
    return companyList(ctx, args, info, { groupArea: { group: group.code, provinceCodes: area.codes } });
  }

  @FieldResolver(() => FactoryConnection, { description: 'Factories in the group\'s provinces (โรงงาน), filtered and sorted like the root `factories`; the filter applies as well (AND).' })
  factories(@Root() group: ProvinceGroup, @Args() args: FactoriesArgs, @Ctx() ctx: GraphQLContext): Promise<FactoryConnection> {
    return factoryList(ctx, args, { provinceGroup: group.code });
  }
}
