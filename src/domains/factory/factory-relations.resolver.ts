import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { checkPageSize, decodeCursor } from '../../platform/graphql/connection';
import { PageArgs } from '../../platform/graphql/page-args';
import type { GraphQLContext } from '../api-context';
import { companyById } from '../company/company.loaders';
import { Company } from '../company/company.type';
import { factoriesOfCompany } from './factory.loaders';
import { FACTORY_CURSOR, FID_SHAPE } from './factory.service';
import { Factory, FactoryConnection } from './factory.type';

@Resolver(() => Factory)
export class FactoryCompanyResolver {
  @FieldResolver(() => Company, { nullable: true, description: 'The company operating the factory, when linked (see `linkMethod`); null when the operator is masked (see `operatorMasked`).' })
  async company(@Root() factory: Factory, @Ctx() ctx: GraphQLContext): Promise<Company | null> {
    return factory.companyJuristicId === null ? null : ((await companyById(ctx).load(factory.companyJuristicId)) ?? null);
  }
}

@Resolver(() => Company)
export class CompanyFactoriesResolver {
  @FieldResolver(() => FactoryConnection, { description: 'Factories linked to this company (โรงงาน), ordered by FID; a factory whose operator is masked (see `Factory.operatorMasked`) is not listed here, nor counted.' })
  factories(@Root() company: Company, @Args() args: PageArgs, @Ctx() ctx: GraphQLContext): FactoryConnection {
    return factoriesOfCompany(ctx, company.juristicId, checkPageSize(args.first), decodeCursor(FACTORY_CURSOR, args.after, FID_SHAPE));
  }
}
