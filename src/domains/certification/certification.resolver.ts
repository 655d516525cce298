import { P } from '../../access/permissions';
import { firmScopeSql } from '../firm-scope';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, Float, Int, Query, Resolver, Root } from 'type-graphql';
import { TisNoScalar } from '../scalars';
import { checkPageSize, MAX_PAGE_SIZE } from '../../platform/graphql/connection';
import type { GraphQLContext } from '../api-context';
import { PageArgs } from '../../platform/graphql/page-args';
import { companyById } from '../company/company.loaders';
import { Company } from '../company/company.type';
import { MASK } from '../company/personal-data';
import { factoryByFid } from '../factory/factory.loaders';
import { Factory, LinkMethod } from '../factory/factory.type';
import { licencesOfStandard, standardByTisNo } from './certification.loaders';
import { licenceAfterKey } from './certification.service';
import { TisLicense, TisLicenseConnection, TisLicenseFilter, TisLicenseOrder, TisStandard, TisStandardConnection, TisStandardFilter } from './certification.type';

@ArgsType()
class TisStandardsArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1 to ${MAX_PAGE_SIZE} (default 20).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor after which the page starts (`pageInfo.endCursor` of the previous page).' })
  after?: string | null;

  @Field(() => TisStandardFilter, { nullable: true, description: 'Filters, combined with AND.' })
  filter?: TisStandardFilter | null;
}

@ArgsType()
class TisLicensesArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1 to ${MAX_PAGE_SIZE} (default 20).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor after which the page starts (`pageInfo.endCursor` of the previous page).' })
  after?: string | null;

  @Field(() => TisLicenseFilter, { nullable: true, description: 'Filters, combined with AND.' })
  filter?: TisLicenseFilter | null;

  @Field(() => TisLicenseOrder, { nullable: true, description: 'Sort order (default: newest issue date first); ties are broken by licence number.' })
  orderBy?: TisLicenseOrder | null;
}

@Resolver(() => TisStandard)
export class TisStandardResolver {
  @Authorized(P.referenceRead)
  @Query(() => TisStandardConnection, { description: 'Thai Industrial Standards (มอก.) published by TISI, by number then edition year (oldest first).' })
  tisStandards(@Args() args: TisStandardsArgs, @Ctx() ctx: GraphQLContext): Promise<TisStandardConnection> {
    return ctx.services.certifications.standards(args);
  }

  @Authorized(P.referenceRead)
  @Query(() => TisStandard, { description: 'One standard by its number and edition year (มอก.); NOT_FOUND when TISI lists none such.' })
  tisStandard(
    @Arg('tisNo', () => TisNoScalar, { description: 'Standard number with its Buddhist-Era year (เลข มอก.), e.g. `2536-2555`; a `มอก.` prefix and spaces are ignored.' }) tisNo: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TisStandard> {
    return ctx.services.certifications.standard(tisNo);
  }

  @FieldResolver(() => TisLicenseConnection, { description: 'Licences to use this standard\'s mark (ใบอนุญาต), newest issue date first.' })
  licences(@Root() standard: TisStandard, @Args() args: PageArgs, @Ctx() ctx: GraphQLContext): TisLicenseConnection {
    return licencesOfStandard(ctx, standard.tisNo, checkPageSize(args.first), licenceAfterKey(args.after));
  }
}

/**
 * The licensee is a firm or an individual: shown only when it is known to be a DBD company (by its
 * tax ID, or by an exact name when TISI gave no tax ID), else masked for every role with the name,
 * the company it may be linked to and its plant: the one rule of src/shared/firm-identity.ts.
 */
const licenseeMasked = (licence: TisLicense): boolean => !licence.licenseeIsCompany;
/** The licence's link, unless it would name the company behind a masked licensee. */
const shownLink = (licence: TisLicense): TisLicense['link'] => (licenseeMasked(licence) ? null : licence.link);

@Resolver(() => TisLicense)
export class TisLicenseResolver {
  @Authorized(P.firmsRead)
  @Query(() => TisLicenseConnection, { description: 'TISI licences to use a standard mark (ใบอนุญาต มอก.), filtered and sorted (newest issue date first by default).' })
  async tisLicenses(@Args() args: TisLicensesArgs, @Ctx() ctx: GraphQLContext): Promise<TisLicenseConnection> {
    return ctx.services.certifications.licences(args, await firmScopeSql(ctx));
  }

  @Authorized(P.firmsRead)
  @Query(() => TisLicense, { description: 'One TISI licence by its number; NOT_FOUND when there is none.' })
  tisLicense(
    @Arg('licenceNo', () => String, { description: 'Licence number (เลขที่ใบอนุญาต), e.g. `ท1234-65/2416`; spaces are ignored.' }) licenceNo: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TisLicense> {
    return ctx.services.certifications.licence(licenceNo);
  }

  @FieldResolver(() => TisStandard, { nullable: true, description: 'The standard licensed; null when TISI\'s standards list does not have it (the lists load apart).' })
  async standard(@Root() licence: TisLicense, @Ctx() ctx: GraphQLContext): Promise<TisStandard | null> {
    // A read plan brought it with the licence (company.read-plan.ts): the same row the loader reads.
    if (licence.standardData !== undefined) return licence.standardData;
    return (await standardByTisNo(ctx).load(licence.tisNo)) ?? null;
  }

  @FieldResolver(() => Company, { nullable: true, description: 'The licensee as a company registered with DBD, linked by tax ID or name (see `linkMethod`); null for individuals, for firms no company matches, and when the licensee is masked.' })
  async company(@Root() licence: TisLicense, @Ctx() ctx: GraphQLContext): Promise<Company | null> {
    const link = shownLink(licence);
    return link === null ? null : ((await companyById(ctx).load(link.companyJuristicId)) ?? null);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Juristic ID of the company the licence is linked to (by the licensee\'s tax ID, else by name within the plant\'s province or nationwide); null when unlinked or masked.' })
  companyJuristicId(@Root() licence: TisLicense): string | null {
    return shownLink(licence)?.companyJuristicId ?? null;
  }

  @FieldResolver(() => LinkMethod, { nullable: true, description: 'How the licence was linked to its company; null when unlinked or masked.' })
  linkMethod(@Root() licence: TisLicense): LinkMethod | null {
    return shownLink(licence)?.method ?? null;
  }

  @FieldResolver(() => Float, { nullable: true, description: 'Confidence of the link, 0-1 (1 for the tax ID); null when unlinked or masked.' })
  linkConfidence(@Root() licence: TisLicense): number | null {
    return shownLink(licence)?.confidence ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: '14-digit DIW factory ID of the licensed plant, when TISI gives one; see `factory`. Null when the licensee is masked: the plant\'s operator is as often as not the licensee.' })
  fid(@Root() licence: TisLicense): string | null {
    return licenseeMasked(licence) ? null : licence.fid;
  }

  @FieldResolver(() => Factory, {
    nullable: true,
    description:
      'The licensed plant in the DIW factory registry; null when TISI gives no FID (e.g. imports), when DIW does not list it, and when the licensee is masked (the plant, its operator or its company would name the licensee).',
  })
  async factory(@Root() licence: TisLicense, @Ctx() ctx: GraphQLContext): Promise<Factory | null> {
    // Any handle on the plant (its FID, its global ID, its name and address) leads to its operator
    // and company through `factory(fid)` or `node(id)`: a masked licensee's licence gives none.
    if (licence.fid === null || licenseeMasked(licence)) return null;
    return (await factoryByFid(ctx).load(licence.fid)) ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Licensee name (ผู้รับใบอนุญาต) as TISI lists it; `***` when masked (see `licenseeMasked`), null when TISI gives none.' })
  licenseeName(@Root() licence: TisLicense): string | null {
    return licence.licenseeNameData === null ? null : licenseeMasked(licence) ? MASK : licence.licenseeNameData;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Licensee tax ID (เลขประจำตัวผู้เสียภาษี), 13 digits: a company\'s juristic ID; `***` when masked (see `licenseeMasked`); null when TISI left it blank.' })
  licenseeTaxId(@Root() licence: TisLicense): string | null {
    return licence.licenseeTaxIdData === null ? null : licenseeMasked(licence) ? MASK : licence.licenseeTaxIdData;
  }

  @FieldResolver(() => Boolean, { description: 'True when the licensee\'s name and tax ID are withheld as personal data: the licensee is not a company registered with DBD (e.g. an individual, whose tax ID is the personal ID).' })
  licenseeMasked(@Root() licence: TisLicense): boolean {
    return licenseeMasked(licence);
  }
}
