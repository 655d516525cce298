import { P } from '../../access/permissions';
import { keyedLoader } from '../request-loaders';
import { nodeType, type DomainNodeType } from '../node/node-type';
import type { LoanOutcome } from './loan-outcome.type';

/** Who may read individual reports: the roles of `loanOutcomes` (analysts see take-up only). */

/** Reports by id, limited to the caller's bank: another bank's report loads as nothing. */
export const loanOutcomeById = keyedLoader<LoanOutcome>('loanOutcomeById', (o) => o.outcomeId, (ctx, ids) =>
  ctx.services.loanOutcomes.findByIds(ids, ctx.services.eligibility.bankScope(ctx.client)),
);

/** The types of this domain `node(id)` fetches. */
export const loanOutcomeNodeTypes: readonly DomainNodeType[] = [
  nodeType('LoanOutcome', { permission: P.loanOutcomesRead, load: (ctx, key) => loanOutcomeById(ctx).load(key) }),
];
