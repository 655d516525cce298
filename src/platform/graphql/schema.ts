import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { CompanyResolver } from '../../domains/company/company.resolver';
import { DataSourceResolver } from '../../domains/data-source/data-source.resolver';
import { CompanyFactoriesResolver, FactoryCompanyResolver } from '../../domains/factory/factory-relations.resolver';
import { FactoryResolver } from '../../domains/factory/factory.resolver';
import { IngestionRunResolver } from '../../domains/ingestion-run/ingestion-run.resolver';
import { NodeResolver } from '../../domains/node/node.resolver';
import { StatisticsResolver } from '../../domains/statistics/statistics.resolver';
import { roleAuthChecker } from './auth-checker';
import { connectionResolvers } from './connection';

/** Every resolver of the API. A test fails when a root field has no @Authorized roles. */
export const RESOLVERS = [
  NodeResolver,
  CompanyResolver,
  DataSourceResolver,
  FactoryResolver,
  FactoryCompanyResolver,
  CompanyFactoriesResolver,
  IngestionRunResolver,
  StatisticsResolver,
] as const;

export async function buildHubSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    // The connection types' totalCount resolvers register themselves when their types are declared.
    resolvers: [RESOLVERS[0], ...RESOLVERS.slice(1), ...connectionResolvers()],
    authChecker: roleAuthChecker,
    authMode: 'error',
    validate: false,
  });
}
