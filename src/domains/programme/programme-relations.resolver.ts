import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../api-context';
import { companyById } from '../company/company.loaders';
import { Company } from '../company/company.type';
import { assessmentsOfCompany, participationsOfCompany } from './programme.loaders';
import { Industry40Assessment, ProgrammeParticipation } from './programme.type';

/** Short lists per firm (a few programmes and assessments each), so plain lists, not connections. */
@Resolver(() => Company)
export class CompanyProgrammesResolver {
  @FieldResolver(() => [ProgrammeParticipation], { description: 'DIP support programmes the company took part in (โครงการของ กสอ.), newest fiscal year first, then by programme code; withdrawn ones included (see `withdrawnFromSource`).' })
  programmeParticipations(@Root() company: Company, @Ctx() ctx: GraphQLContext): Promise<ProgrammeParticipation[]> {
    return participationsOfCompany(ctx).load(company.juristicId);
  }

  @FieldResolver(() => [Industry40Assessment], { description: 'Industry 4.0 self-assessments with DIP (Thailand i4.0 Index), newest first, withdrawn ones included (see `withdrawnFromSource`).' })
  industry40Assessments(@Root() company: Company, @Ctx() ctx: GraphQLContext): Promise<Industry40Assessment[]> {
    return assessmentsOfCompany(ctx).load(company.juristicId);
  }
}

@Resolver(() => ProgrammeParticipation)
export class ProgrammeParticipationCompanyResolver {
  @FieldResolver(() => Company, { nullable: true, description: 'The participating company, linked by the juristic ID DIP gave or else by name (see `linkMethod`); null when no company matches.' })
  async company(@Root() participation: ProgrammeParticipation, @Ctx() ctx: GraphQLContext): Promise<Company | null> {
    return participation.companyJuristicId === null ? null : ((await companyById(ctx).load(participation.companyJuristicId)) ?? null);
  }
}

@Resolver(() => Industry40Assessment)
export class Industry40AssessmentCompanyResolver {
  @FieldResolver(() => Company, { nullable: true, description: 'The assessed company, linked by the juristic ID DIP gave or else by name (see `linkMethod`); null when no company matches.' })
  async company(@Root() assessment: Industry40Assessment, @Ctx() ctx: GraphQLContext): Promise<Company | null> {
    return assessment.companyJuristicId === null ? null : ((await companyById(ctx).load(assessment.companyJuristicId)) ?? null);
  }
}
