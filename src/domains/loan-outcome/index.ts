import type { ApiDomain } from '../api-domain';
import { LoanOutcomeResolver } from './loan-outcome.resolver';
import { loanOutcomeNodeTypes } from './loan-outcome.loaders';

/** The loan outcome domain's part of the API (src/domains/api-domain.ts). */
export const loanOutcomeDomain: ApiDomain = {
  name: 'loan-outcome',
  resolvers: [LoanOutcomeResolver],
  nodeTypes: loanOutcomeNodeTypes,
};
