import type { DataSource } from 'typeorm';
import { ApiClientRepository } from '../access/api-client.repository';
import { ApiClientService } from '../access/api-client.service';
import { CompanyRepository } from '../domains/company/company.repository';
import { CompanyService } from '../domains/company/company.service';
import { FactoryRepository } from '../domains/factory/factory.repository';
import { FactoryService } from '../domains/factory/factory.service';
import { DataSourceService } from '../domains/data-source/data-source.service';
import { IngestionRunService } from '../domains/ingestion-run/ingestion-run.service';
import { StatisticsRepository } from '../domains/statistics/statistics.repository';
import { StatisticsService } from '../domains/statistics/statistics.service';
import type { IngestionQueue } from '../ingestion/ingestion.queue';
import { IngestionRunRepository } from '../ingestion/ingestion-run.repository';
import { SourceStatusService } from '../ingestion/source-status.service';
import type { HubConfig } from '../config/config';
import type { SourceRegistry } from '../sources/registry';

/** The services resolvers and the CLI call; each gets only the repositories it needs. */
export interface HubServices {
  clients: ApiClientService;
  companies: CompanyService;
  factories: FactoryService;
  ingestionRuns: IngestionRunService;
  dataSources: DataSourceService;
  statistics: StatisticsService;
}

export function createServices(dataSource: DataSource, queue: IngestionQueue, sources: SourceRegistry, config: HubConfig): HubServices {
  const runs = new IngestionRunRepository(dataSource);
  const companies = new CompanyService(new CompanyRepository(dataSource));
  return {
    clients: new ApiClientService(new ApiClientRepository(dataSource)),
    companies,
    factories: new FactoryService(new FactoryRepository(dataSource)),
    ingestionRuns: new IngestionRunService(runs, queue, sources),
    dataSources: new DataSourceService(new SourceStatusService(runs, sources, config)),
    statistics: new StatisticsService(new StatisticsRepository(dataSource), companies),
  };
}
