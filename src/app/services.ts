import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import type { DataSource } from 'typeorm';
import { ReadAuditLog } from '../access/audit/read-audit';
import { pgPool } from '../platform/database/data-source';
import type { ApiServices } from '../domains/api-services';
import { ApiClientRepository } from '../access/api-client.repository';
import { ApiClientService } from '../access/api-client.service';
import { TrustedDocuments } from '../access/trusted-documents';
import { CertificationRepository } from '../domains/certification/certification.repository';
import { CertificationService } from '../domains/certification/certification.service';
import { CompanyRepository } from '../domains/company/company.repository';
import { CompanyService } from '../domains/company/company.service';
import { ConsentRepository } from '../domains/consent/consent.repository';
import { ConsentService } from '../domains/consent/consent.service';
import { FactoryRepository } from '../domains/factory/factory.repository';
import { FactoryService } from '../domains/factory/factory.service';
import { ProgrammeRepository } from '../domains/programme/programme.repository';
import { ProgrammeService } from '../domains/programme/programme.service';
import { EligibilityReadRepository } from '../domains/eligibility/eligibility.repository';
import { RegistryChangesRepository } from '../domains/registry-changes/registry-changes.repository';
import { RegistryChangesService } from '../domains/registry-changes/registry-changes.service';
import { EligibilityService } from '../domains/eligibility/eligibility.service';
import { DataSourceService } from '../domains/data-source/data-source.service';
import { GeographyService } from '../domains/geography/geography.service';
import { IndustrialIndexRepository } from '../domains/industrial-index/industrial-index.repository';
import { IndustrialIndexService } from '../domains/industrial-index/industrial-index.service';
import { IngestionRunService } from '../domains/ingestion-run/ingestion-run.service';
import { LoanOutcomeRepository } from '../domains/loan-outcome/loan-outcome.repository';
import { LoanOutcomeService } from '../domains/loan-outcome/loan-outcome.service';
import { ReferenceRepository } from '../domains/reference/reference.repository';
import { ReferenceService } from '../domains/reference/reference.service';
import { StatisticsRepository } from '../domains/statistics/statistics.repository';
import { StatisticsService } from '../domains/statistics/statistics.service';
import type { IngestionQueue } from '../ingestion/ingestion.queue';
import { IngestionRunRepository } from '../ingestion/ingestion-run.repository';
import { SourceStatusService } from '../ingestion/source-status.service';
import type { HubConfig } from '../config/config';
import type { SourceRegistry } from '../ingestion/source-registry';
import type { SqlReader } from '../platform/database/sql-reader';

/** The services resolvers and the CLI call (declared by the domains: src/domains/api-services.ts). */
export type { ApiServices as HubServices } from '../domains/api-services';


/**
 * The one wiring of the hub's services, for the API, the worker, the CLI and the benchmarks. A
 * process that queues no runs (the CLI's reports, the benchmarks) passes no queue.
 *
 * `registry`: where the registry reads go (companies, factories, certifications, programmes,
 * reference tables, indices, statistics): a read replica's data source, or the primary's. The rest
 * stays on the primary whatever it is: API keys and trusted documents (a key revoked or created
 * must count at once), consents and their read log, eligibility and its feed (a bank's cursor must
 * never skip an event a lagging standby has not replayed), loan outcomes (written), and the run
 * records (what an operator checks right after a run, and what freshness is measured against).
 */
export function createServices(dataSource: DataSource, sources: SourceRegistry, config: HubConfig, queue?: IngestionQueue, registry: SqlReader = dataSource): ApiServices {
  const runs = new IngestionRunRepository(dataSource);
  // One reader of the reference tables, so they are cached once per hub (per data source).
  const referenceTables = new ReferenceRepository(registry);
  const geography = new GeographyService(referenceTables);
  // Company filters name provinces the way `province(codeOrName)` reads them, and centres and groups.
  const companies = new CompanyService(new CompanyRepository(registry), geography);
  // Factory filters too; the registry writes Thai province names.
  const factories = new FactoryService(new FactoryRepository(registry), geography);
  const statistics = new StatisticsRepository(registry, referenceTables);
  const eligibility = new EligibilityService(new EligibilityReadRepository(dataSource));
  // One key for both audits: the read audit's checkpoints and each admin action's.
  const signer = auditSigningKey(config);
  return {
    clients: new ApiClientService(new ApiClientRepository(dataSource, signer)),
    companies,
    factories,
    certifications: new CertificationService(new CertificationRepository(registry)),
    programmes: new ProgrammeService(new ProgrammeRepository(registry)),
    ingestionRuns: new IngestionRunService(runs, sources, queue),
    dataSources: new DataSourceService(new SourceStatusService(runs, sources, config)),
    reference: new ReferenceService(referenceTables),
    geography,
    industrialIndex: new IndustrialIndexService(new IndustrialIndexRepository(registry)),
    statistics: new StatisticsService(statistics, companies, factories),
    eligibility,
    loanOutcomes: new LoanOutcomeService(new LoanOutcomeRepository(dataSource), eligibility, companies, statistics),
    consents: new ConsentService(new ConsentRepository(dataSource), companies),
    trustedDocuments: new TrustedDocuments(dataSource),
    registryChanges: new RegistryChangesService(new RegistryChangesRepository(dataSource)),
    readAudit: new ReadAuditLog(pgPool(dataSource), {
      enabled: config.audit.enabled,
      checkpointEvery: config.audit.checkpointEvery,
      checkpointIntervalMs: config.audit.checkpointMinutes * 60_000,
      ...signer,
    }),
  };
}

/**
 * The services of a request whose registry reads go to the read replica: the registry's services
 * built on the replica's reader (which runs a statement the standby cannot answer on the primary),
 * and the primary's own instances of everything else (the API key cache
 * and its change listener, consents, eligibility, runs), so nothing else is duplicated.
 */
export function servicesOnReplica(primary: ApiServices, replica: DataSource, reader: SqlReader, sources: SourceRegistry, config: HubConfig, queue?: IngestionQueue): ApiServices {
  const onReplica = createServices(replica, sources, config, queue, reader);
  return {
    ...primary,
    companies: onReplica.companies,
    factories: onReplica.factories,
    certifications: onReplica.certifications,
    programmes: onReplica.programmes,
    reference: onReplica.reference,
    geography: onReplica.geography,
    industrialIndex: onReplica.industrialIndex,
    statistics: onReplica.statistics,
  };
}

/** The checkpoints' Ed25519 key (AUDIT_SIGNING_KEY_FILE; the read audit's and the admin actions'), and the ID of its public half. */
export function auditSigningKey(config: HubConfig): { signingKey?: KeyObject; publicKey?: KeyObject; keyId?: string } {
  if (!config.audit.signingKeyFile) return {};
  const signingKey = createPrivateKey(fs.readFileSync(config.audit.signingKeyFile));
  if (signingKey.asymmetricKeyType !== 'ed25519') throw new Error(`AUDIT_SIGNING_KEY_FILE holds a ${signingKey.asymmetricKeyType ?? 'unknown'} key; the audit signs with Ed25519`);
  const publicKey = createPublicKey(signingKey);
  const keyId = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
  return { signingKey, publicKey, keyId };
}
