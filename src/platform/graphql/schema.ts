import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { DataSourceResolver } from '../../domains/data-source/data-source.resolver';
import { FactoryResolver } from '../../domains/factory/factory.resolver';
import { FactoryConnection } from '../../domains/factory/factory.type';
import { IngestionRunResolver } from '../../domains/ingestion-run/ingestion-run.resolver';
import { IngestionRunConnection, QuarantinedRowConnection } from '../../domains/ingestion-run/ingestion-run.type';
import { roleAuthChecker } from './auth-checker';
import { totalCountResolver } from './connection';

/** Every resolver of the API. A test fails when a root field has no @Authorized roles. */
export const RESOLVERS = [
  DataSourceResolver,
  FactoryResolver,
  IngestionRunResolver,
  totalCountResolver(FactoryConnection),
  totalCountResolver(IngestionRunConnection),
  totalCountResolver(QuarantinedRowConnection),
] as const;

export async function buildHubSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    authChecker: roleAuthChecker,
    authMode: 'error',
    validate: false,
  });
}
