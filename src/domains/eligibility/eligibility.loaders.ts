import { groupedLoader } from '../../platform/graphql/loaders';
import type { ProductEligibility } from './eligibility.type';

/** Stored results of a page of firms in one statement, limited to the caller's bank. */
export const eligibilityOfCompany = groupedLoader<ProductEligibility & { juristicId: string }>('eligibilityOfCompany', (r) => r.juristicId, (ctx, ids) =>
  ctx.services.eligibility.repository.resultsOf(ids, ctx.services.eligibility.bankScope(ctx.client)),
);
