import type { ApiDomain } from '../api-domain';
import { StatisticsResolver } from './statistics.resolver';

/** The statistics domain's part of the API (src/domains/api-domain.ts). */
export const statisticsDomain: ApiDomain = {
  name: 'statistics',
  resolvers: [StatisticsResolver],
};
