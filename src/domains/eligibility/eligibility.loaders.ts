import { P } from '../../access/permissions';
import { groupedLoader, keyedLoader } from '../request-loaders';
import { nodeType, type DomainNodeType } from '../node/node-type';
import { productKey } from './eligibility.repository';
import type { LoanProduct, ProductEligibility } from './eligibility.type';

/** Stored results of a page of firms in one statement, limited to the caller's bank. */
export const eligibilityOfCompany = groupedLoader<ProductEligibility & { juristicId: string }>('eligibilityOfCompany', (r) => r.juristicId, (ctx, ids) =>
  ctx.services.eligibility.resultsOf(ids, ctx.services.eligibility.bankScope(ctx.client)),
);

/**
 * Published products by `productKey` (`SMED:SMED-SMALL-1M`), limited to the caller's bank: to a bank
 * client another bank's product loads as nothing, exactly like a product that does not exist.
 */
export const loanProductByKey = keyedLoader<LoanProduct>('loanProductByKey', (p) => productKey(p.bank, p.code), (ctx, keys) =>
  ctx.services.eligibility.productsByKeys(keys, ctx.services.eligibility.bankScope(ctx.client)),
);

/** The types of this domain `node(id)` fetches. */
export const eligibilityNodeTypes: readonly DomainNodeType[] = [
  nodeType('LoanProduct', { permission: P.referenceRead, load: (ctx, key) => loanProductByKey(ctx).load(key) }),
];
