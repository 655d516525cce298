import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../api-context';
import { Company } from '../company/company.type';
import { Factory } from '../factory/factory.type';
import { provinceByCode, regionOf } from './geography.loaders';
import { Province, Region } from './province.type';

@Resolver(() => Company)
export class CompanyGeographyResolver {
  @FieldResolver(() => Province, { nullable: true, description: 'Province of the head office (จังหวัด); null when DBD\'s province name matched none.' })
  async province(@Root() company: Company, @Ctx() ctx: GraphQLContext): Promise<Province | null> {
    return company.provinceCode === null ? null : ((await provinceByCode(ctx).load(company.provinceCode)) ?? null);
  }

  @FieldResolver(() => Region, { nullable: true, description: 'Region of the head office (ภาค); null when the province is unknown.' })
  region(@Root() company: Company): Region | null {
    return company.regionCode === null ? null : (regionOf(company.regionCode) ?? null);
  }
}

@Resolver(() => Factory)
export class FactoryGeographyResolver {
  @FieldResolver(() => Province, { nullable: true, description: 'Province of the factory (จังหวัด), from the registry\'s name in any of its spellings; null when it names none.' })
  async province(@Root() factory: Factory, @Ctx() ctx: GraphQLContext): Promise<Province | null> {
    return (await ctx.services.geography.provinceNamed(factory.provinceName)) ?? null;
  }

  @FieldResolver(() => Region, { nullable: true, description: 'Region of the factory\'s province (ภาค); null when the province is unknown.' })
  async region(@Root() factory: Factory, @Ctx() ctx: GraphQLContext): Promise<Region | null> {
    const province = await ctx.services.geography.provinceNamed(factory.provinceName);
    return province ? (regionOf(province.regionCode) ?? null) : null;
  }
}
