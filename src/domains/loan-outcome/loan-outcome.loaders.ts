import { keyedLoader } from '../../platform/graphql/loaders';
import { registerNodeType } from '../../platform/graphql/node';
import type { LoanOutcome } from './loan-outcome.type';

/** Who may read individual reports: the roles of `loanOutcomes` (analysts see take-up only). */
export const OUTCOME_ROLES = ['admin', 'ministry', 'bank'] as const;

/** Reports by id, limited to the caller's bank: another bank's report loads as nothing. */
export const loanOutcomeById = keyedLoader<LoanOutcome>('loanOutcomeById', (o) => o.outcomeId, (ctx, ids) =>
  ctx.services.loanOutcomes.repository.findByIds(ids, ctx.services.eligibility.bankScope(ctx.client)),
);

registerNodeType('LoanOutcome', { roles: OUTCOME_ROLES, load: (ctx, key) => loanOutcomeById(ctx).load(key) });
