import { Ctx, FieldResolver, Float, Resolver, Root, type ClassType } from 'type-graphql';
import type { GraphQLContext } from '../api-context';
import { companyById } from '../company/company.loaders';
import { Company } from '../company/company.type';
import { assessmentsOfCompany, participationsOfCompany } from './programme.loaders';
import { Industry40Assessment, ProgrammeParticipation, type DipLink } from './programme.type';
import { LinkMethod } from '../factory/factory.type';
import { MASK } from '../../shared/mask';
import { firmIdentityMasked } from '../../shared/firm-identity';

/** Short lists per firm (a few programmes and assessments each), so plain lists, not connections; masked participants are not listed (firm-identity.ts). */
@Resolver(() => Company)
export class CompanyProgrammesResolver {
  @FieldResolver(() => [ProgrammeParticipation], { description: 'DIP support programmes the company took part in (โครงการของ กสอ.), newest fiscal year first, then by programme code; withdrawn ones included (see `withdrawnFromSource`); a participation whose participant is masked (see `ProgrammeParticipation.participantMasked`) is not listed here.' })
  programmeParticipations(@Root() company: Company, @Ctx() ctx: GraphQLContext): Promise<ProgrammeParticipation[]> {
    return participationsOfCompany(ctx).load(company.juristicId);
  }

  @FieldResolver(() => [Industry40Assessment], { description: 'Industry 4.0 self-assessments with DIP (Thailand i4.0 Index), newest first, withdrawn ones included (see `withdrawnFromSource`); one whose participant is masked is not listed here.' })
  industry40Assessments(@Root() company: Company, @Ctx() ctx: GraphQLContext): Promise<Industry40Assessment[]> {
    return assessmentsOfCompany(ctx).load(company.juristicId);
  }
}

/**
 * A DIP record's participant, shown or masked by the one rule of src/shared/firm-identity.ts (as
 * the registry feed and the exports mask it): a participant not linked to a DBD company by its
 * juristic ID or an exact name may be a person (DIP's name for it may be one a clerk typed), so its
 * name and juristic ID answer `***`, and the company a fuzzy match may have linked it to is withheld
 * with its method and confidence, for every role.
 */
const participantMasked = (record: DipRecordData): boolean => firmIdentityMasked(record.link?.method);
const shownLink = (record: DipRecordData): DipLink | null => (participantMasked(record) ? null : record.link);
type DipRecordData = Pick<ProgrammeParticipation, 'juristicIdData' | 'companyNameData' | 'link'>;

/** The participant's fields, the same on both DIP types. */
function dipRecordResolver<T extends DipRecordData>(type: ClassType<T>, what: string) {
  @Resolver(() => type)
  class DipRecordResolver {
    @FieldResolver(() => String, { nullable: true, description: 'Juristic ID of the firm as DIP gave it; `***` when masked (see `participantMasked`); null when DIP left it out (see `companyName`, `company`).' })
    juristicId(@Root() record: T): string | null {
      return record.juristicIdData === null ? null : participantMasked(record) ? MASK : record.juristicIdData;
    }

    @FieldResolver(() => String, { nullable: true, description: 'Name of the firm as DIP wrote it (ชื่อสถานประกอบการ), when DIP gives one; `***` when masked (see `participantMasked`). The record is linked by it when the juristic ID is missing.' })
    companyName(@Root() record: T): string | null {
      return record.companyNameData === null ? null : participantMasked(record) ? MASK : record.companyNameData;
    }

    @FieldResolver(() => Boolean, {
      description:
        'True when the participant\'s name and juristic ID are withheld as personal data, with the company it may be linked to: it is not linked to a DBD company by its juristic ID or an exact name (it may be a person). The same for every role, in the registry feed and exports too.',
    })
    participantMasked(@Root() record: T): boolean {
      return participantMasked(record);
    }

    @FieldResolver(() => String, { nullable: true, description: 'Juristic ID of the company the record is linked to (by its juristic ID, else by name); see `company`. Null when unlinked or masked.' })
    companyJuristicId(@Root() record: T): string | null {
      return shownLink(record)?.companyJuristicId ?? null;
    }

    @FieldResolver(() => LinkMethod, { nullable: true, description: 'How the record was linked to its company; null when unlinked or masked.' })
    linkMethod(@Root() record: T): LinkMethod | null {
      return shownLink(record)?.method ?? null;
    }

    @FieldResolver(() => Float, { nullable: true, description: 'Confidence of the link, 0-1 (1 for the juristic ID); null when unlinked or masked.' })
    linkConfidence(@Root() record: T): number | null {
      return shownLink(record)?.confidence ?? null;
    }

    @FieldResolver(() => Company, { nullable: true, description: `The ${what} company, linked by the juristic ID DIP gave or else by an exact name (see \`linkMethod\`); null when no company matches and when the participant is masked.` })
    async company(@Root() record: T, @Ctx() ctx: GraphQLContext): Promise<Company | null> {
      const link = shownLink(record);
      return link === null ? null : ((await companyById(ctx).load(link.companyJuristicId)) ?? null);
    }
  }
  return DipRecordResolver;
}

export const ProgrammeParticipationResolver = dipRecordResolver(ProgrammeParticipation, 'participating');
export const Industry40AssessmentResolver = dipRecordResolver(Industry40Assessment, 'assessed');
