import path from 'node:path';
import { ConfigError, PROJECT_ROOT } from '../../src/config/config';
import { loadHubConfig } from '../../src/app/config';

describe('configuration', () => {
  test('with nothing set, the hub runs on its embedded default', () => {
    const config = loadHubConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.port).toBe(4000);
    expect(config.dataDir).toBe(path.join(PROJECT_ROOT, '.data'));
    expect(config.feeds['diw']!.url).toBe('http://127.0.0.1:4100/diw/factories.csv');
    expect(config.feeds['diw']!.schedule).toBe('0 2 * * *');
  });

  test('set service URLs are used as given', () => {
    const config = loadHubConfig({ DATABASE_URL: 'postgres://hub@db:5432/hub', REDIS_URL: 'redis://cache:6379', DIW_FEED_URL: 'https://data.diw.go.th/x.csv' });
    expect(config.databaseUrl).toBe('postgres://hub@db:5432/hub');
    expect(config.redisUrl).toBe('redis://cache:6379');
    expect(config.feeds['diw']!.url).toBe('https://data.diw.go.th/x.csv');
  });

  test('invalid values stop start-up with a message naming each variable and what it expected', () => {
    let error: unknown;
    try {
      loadHubConfig({ PORT: 'eighty', REDIS_URL: 'localhost:6379', DIW_SCHEDULE: 'daily', SIMULATOR_QUIRK_RATE: '2' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect((error as ConfigError).problems).toHaveLength(4);
    expect(message).toMatch(/PORT="eighty"/);
    expect(message).toMatch(/REDIS_URL="localhost:6379": expected a URL starting with redis:\/\/ or rediss:\/\//);
    expect(message).toMatch(/DIW_SCHEDULE="daily": expected a cron pattern/);
    expect(message).toMatch(/SIMULATOR_QUIRK_RATE="2"/);
  });

  test('a refusal hold that is negative, fractional, huge or not a number stops start-up; 0 turns it off', () => {
    for (const value of ['-1', '1.5', '10001', '1e9', 'forever']) {
      expect(() => loadHubConfig({ RATE_LIMIT_HOLD_MS: value })).toThrow(/RATE_LIMIT_HOLD_MS/);
    }
    expect(loadHubConfig({}).limits.refusalHoldMs).toBe(1000);
    expect(loadHubConfig({ RATE_LIMIT_HOLD_MS: '0' }).limits.refusalHoldMs).toBe(0);
  });

  test('a request timeout that is zero, too short, fractional, huge or not a number stops start-up', () => {
    for (const value of ['0', '999', '1500.5', '600001', '1e12', 'never']) {
      expect(() => loadHubConfig({ HTTP_REQUEST_TIMEOUT_MS: value })).toThrow(/HTTP_REQUEST_TIMEOUT_MS/);
    }
    expect(loadHubConfig({}).limits.httpRequestTimeoutMs).toBe(30_000);
  });
});
