import type { ApiClientService } from '../access/api-client.service';
import type { ReadAuditLog } from '../access/audit/read-audit';
import type { TrustedDocuments } from '../access/trusted-documents';
import type { CertificationService } from './certification/certification.service';
import type { CompanyService } from './company/company.service';
import type { ConsentService } from './consent/consent.service';
import type { DataSourceService } from './data-source/data-source.service';
import type { EligibilityService } from './eligibility/eligibility.service';
import type { FactoryService } from './factory/factory.service';
import type { GeographyService } from './geography/geography.service';
import type { IndustrialIndexService } from './industrial-index/industrial-index.service';
import type { IngestionRunService } from './ingestion-run/ingestion-run.service';
import type { LoanOutcomeService } from './loan-outcome/loan-outcome.service';
import type { ProgrammeService } from './programme/programme.service';
import type { ReferenceService } from './reference/reference.service';
import type { RegistryChangesService } from './registry-changes/registry-changes.service';
import type { StatisticsService } from './statistics/statistics.service';

/** The services resolvers and the CLI call; each gets only the repositories it needs (src/app/services.ts builds them). */
export interface ApiServices {
  clients: ApiClientService;
  companies: CompanyService;
  factories: FactoryService;
  certifications: CertificationService;
  programmes: ProgrammeService;
  ingestionRuns: IngestionRunService;
  dataSources: DataSourceService;
  /** TSIC classes and target industries. */
  reference: ReferenceService;
  /** Provinces and regions. */
  geography: GeographyService;
  industrialIndex: IndustrialIndexService;
  statistics: StatisticsService;
  /** Loan products, stored eligibility and its event feed, scoped by bank. */
  eligibility: EligibilityService;
  /** The banks' loan outcome reports and take-up. */
  loanOutcomes: LoanOutcomeService;
  /** Companies' consents to the banks, and the log of consented reads. */
  consents: ConsentService;
  /** Operations registered by hash (`documents:add`), for trusted-document clients. */
  trustedDocuments: TrustedDocuments;
  /** The registry change feed and bulk exports, scoped by registry-changes/registry-records.ts. */
  registryChanges: RegistryChangesService;
  /** The read audit: every response carrying firm-level data, hash-chained (docs/access-and-audit.md). */
  readAudit: ReadAuditLog;
}
