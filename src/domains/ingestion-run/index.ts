import type { ApiDomain } from '../api-domain';
import { IngestionRunResolver } from './ingestion-run.resolver';
import { QuarantinedRowRunResolver } from './quarantined-row-relations.resolver';
import { ingestionRunNodeTypes } from './ingestion-run.loaders';

/** The ingestion run domain's part of the API (src/domains/api-domain.ts). */
export const ingestionRunDomain: ApiDomain = {
  name: 'ingestion-run',
  resolvers: [IngestionRunResolver, QuarantinedRowRunResolver],
  nodeTypes: ingestionRunNodeTypes,
};
