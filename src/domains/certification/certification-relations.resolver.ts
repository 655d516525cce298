import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { checkPageSize } from '../../platform/graphql/connection';
import type { GraphQLContext } from '../api-context';
import { PageArgs } from '../../platform/graphql/page-args';
import { Company } from '../company/company.type';
import { Factory } from '../factory/factory.type';
import { licencesOfCompany, licencesOfFactory } from './certification.loaders';
import { licenceAfterKey } from './certification.service';
import { TisLicenseConnection } from './certification.type';

@Resolver(() => Company)
export class CompanyCertificationsResolver {
  @FieldResolver(() => TisLicenseConnection, {
    description: 'TISI licences (ใบอนุญาต มอก.) linked to this company (by the licensee\'s tax ID, else by name: see `TisLicense.linkMethod`), newest issue date first; every status, and those withdrawn from TISI\'s list (see `withdrawnFromSource`).',
  })
  certifications(@Root() company: Company, @Args() args: PageArgs, @Ctx() ctx: GraphQLContext): TisLicenseConnection {
    return licencesOfCompany(ctx, company.juristicId, checkPageSize(args.first), licenceAfterKey(args.after));
  }
}

@Resolver(() => Factory)
export class FactoryLicencesResolver {
  @FieldResolver(() => TisLicenseConnection, { description: 'TISI licences (ใบอนุญาต มอก.) naming this factory\'s FID, newest issue date first.' })
  licences(@Root() factory: Factory, @Args() args: PageArgs, @Ctx() ctx: GraphQLContext): TisLicenseConnection {
    return licencesOfFactory(ctx, factory.fid, checkPageSize(args.first), licenceAfterKey(args.after));
  }
}
