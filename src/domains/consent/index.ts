import type { ApiDomain } from '../api-domain';
import { ConsentResolver, DataAccessLogEntryResolver } from './consent.resolver';
import { consentNodeTypes } from './consent.loaders';

/** The consent domain's part of the API (src/domains/api-domain.ts). */
export const consentDomain: ApiDomain = {
  name: 'consent',
  resolvers: [ConsentResolver, DataAccessLogEntryResolver],
  nodeTypes: consentNodeTypes,
};
