import type { ApiDomain } from '../api-domain';
import { EligibilityResolver, CompanyEligibilityResolver } from './eligibility.resolver';
import { eligibilityNodeTypes } from './eligibility.loaders';
import { eligibilityFeedRoute } from './eligibility-feed.http';

/** The eligibility domain's part of the API (src/domains/api-domain.ts). */
export const eligibilityDomain: ApiDomain = {
  name: 'eligibility',
  resolvers: [EligibilityResolver, CompanyEligibilityResolver],
  nodeTypes: eligibilityNodeTypes,
  routes: [eligibilityFeedRoute],
};
