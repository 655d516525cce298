import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { CompanyCertificationsResolver, FactoryLicencesResolver } from '../../domains/certification/certification-relations.resolver';
import { TisLicenseResolver, TisStandardResolver } from '../../domains/certification/certification.resolver';
import { CompanyResolver, FinancialStatementCompanyResolver } from '../../domains/company/company.resolver';
import { ConsentResolver, DataAccessLogEntryResolver } from '../../domains/consent/consent.resolver';
import { DataSourceResolver } from '../../domains/data-source/data-source.resolver';
import { CompanyFactoriesResolver, FactoryCompanyResolver } from '../../domains/factory/factory-relations.resolver';
import { CompanyEligibilityResolver, EligibilityResolver } from '../../domains/eligibility/eligibility.resolver';
import { FactoryResolver } from '../../domains/factory/factory.resolver';
import { DataSourceRunsResolver } from '../../domains/data-source/data-source-runs.resolver';
import { CompanyGeographyResolver, FactoryGeographyResolver } from '../../domains/geography/company-geography.resolver';
import { ProvinceResolver, RegionResolver } from '../../domains/geography/geography.resolver';
import { IndustrialIndexMonthResolver, IndustrialIndexResolver } from '../../domains/industrial-index/industrial-index.resolver';
import { IngestionRunResolver } from '../../domains/ingestion-run/ingestion-run.resolver';
import { LoanOutcomeResolver } from '../../domains/loan-outcome/loan-outcome.resolver';
import { QuarantinedRowRunResolver } from '../../domains/ingestion-run/quarantined-row-relations.resolver';
import { NodeResolver } from '../../domains/node/node.resolver';
import { CompanyIndustryResolver } from '../../domains/reference/company-industry.resolver';
import { IndustryClassResolver } from '../../domains/reference/industry-class.resolver';
import { TargetIndustryResolver } from '../../domains/reference/target-industry.resolver';
import {
  CompanyProgrammesResolver,
  Industry40AssessmentCompanyResolver,
  ProgrammeParticipationCompanyResolver,
} from '../../domains/programme/programme-relations.resolver';
import { StatisticsResolver } from '../../domains/statistics/statistics.resolver';
import { roleAuthChecker } from './auth-checker';
import { connectionResolvers } from './connection';

/** Every resolver of the API. A test fails when a root field has no @Authorized roles. */
export const RESOLVERS = [
  NodeResolver,
  CompanyResolver,
  FinancialStatementCompanyResolver,
  DataSourceResolver,
  FactoryResolver,
  FactoryCompanyResolver,
  CompanyFactoriesResolver,
  IngestionRunResolver,
  QuarantinedRowRunResolver,
  DataSourceRunsResolver,
  IndustryClassResolver,
  TargetIndustryResolver,
  CompanyIndustryResolver,
  ProvinceResolver,
  RegionResolver,
  CompanyGeographyResolver,
  FactoryGeographyResolver,
  IndustrialIndexResolver,
  IndustrialIndexMonthResolver,
  TisStandardResolver,
  TisLicenseResolver,
  CompanyCertificationsResolver,
  FactoryLicencesResolver,
  CompanyProgrammesResolver,
  ProgrammeParticipationCompanyResolver,
  Industry40AssessmentCompanyResolver,
  StatisticsResolver,
  EligibilityResolver,
  CompanyEligibilityResolver,
  LoanOutcomeResolver,
  ConsentResolver,
  DataAccessLogEntryResolver,
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
