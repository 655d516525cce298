import type { ApiDomain } from '../api-domain';
import { CompanyProgrammesResolver, ProgrammeParticipationResolver, Industry40AssessmentResolver } from './programme-relations.resolver';
import { programmeNodeTypes } from './programme.loaders';

/** The programme domain's part of the API (src/domains/api-domain.ts). */
export const programmeDomain: ApiDomain = {
  name: 'programme',
  resolvers: [CompanyProgrammesResolver, ProgrammeParticipationResolver, Industry40AssessmentResolver],
  nodeTypes: programmeNodeTypes,
};
