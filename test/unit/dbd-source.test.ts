import { ConfigError } from '../../src/config/config';
import { loadHubConfig } from '../../src/app/config';
import {
  DBD_COMPANIES_DEFAULT_SCHEDULE,
  DBD_DEFAULT_PAGE_SIZE,
  DBD_FINANCIALS_DEFAULT_SCHEDULE,
  dbdCompanySource,
  dbdFinancialStatementSource,
} from '../../src/sources/dbd/dbd.source';
import { hubSources } from '../../src/sources/registry';

describe('DBD sources: registration and configuration', () => {
  test('both sources are registered, incremental, with their schedules and staleness', () => {
    const registry = hubSources();
    expect(registry.get('dbd-companies')).toBe(dbdCompanySource);
    expect(registry.get('dbd-financials')).toBe(dbdFinancialStatementSource);
    for (const source of [dbdCompanySource, dbdFinancialStatementSource]) {
      expect(source.mode).toBe('incremental');
      expect(source.staleAfterHours).toBeGreaterThan(24);
      expect(source.reparse).toBeDefined();
    }
  });

  test('defaults: the simulator\'s listings, the named default schedules, 1000 items a page', () => {
    const config = loadHubConfig({});
    expect(config.feeds[dbdCompanySource.id]).toEqual({
      url: 'http://127.0.0.1:4100/dbd/juristic-persons',
      schedule: DBD_COMPANIES_DEFAULT_SCHEDULE,
      settings: { DBD_PAGE_SIZE: DBD_DEFAULT_PAGE_SIZE },
    });
    expect(config.feeds[dbdFinancialStatementSource.id]).toEqual({
      url: 'http://127.0.0.1:4100/dbd/financial-statements',
      schedule: DBD_FINANCIALS_DEFAULT_SCHEDULE,
      settings: { DBD_PAGE_SIZE: DBD_DEFAULT_PAGE_SIZE },
    });
    expect(config.feeds[dbdFinancialStatementSource.id]!.schedule).toBe('30 3 * * *');
  });

  test('set values are used as given; bad ones stop start-up naming the variable', () => {
    const config = loadHubConfig({
      DBD_COMPANIES_FEED_URL: 'https://api.dbd.go.th/v1/juristic-persons?apiKey=x',
      DBD_FINANCIALS_SCHEDULE: '0 5 * * 0',
      DBD_PAGE_SIZE: '250',
    });
    expect(config.feeds[dbdCompanySource.id]!.url).toBe('https://api.dbd.go.th/v1/juristic-persons?apiKey=x');
    expect(config.feeds[dbdFinancialStatementSource.id]).toMatchObject({ schedule: '0 5 * * 0', settings: { DBD_PAGE_SIZE: 250 } });
    expect(() => loadHubConfig({ DBD_PAGE_SIZE: '0' })).toThrow(ConfigError);
    expect(() => loadHubConfig({ DBD_COMPANIES_FEED_URL: 'ftp://dbd' })).toThrow(/DBD_COMPANIES_FEED_URL="ftp:\/\/dbd"/);
  });
});
