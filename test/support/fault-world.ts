import type { ConfigEnv } from '../../src/config/config';
import { NO_SCHEDULES } from './hub-process';

/**
 * The world of the fault tests (a worker killed, PostgreSQL restarted, Redis away during a run):
 * 1200 firms; at epoch 3, 32 records changed (2 bad, 1 item repeated: 4 pages of 10), so today's
 * incremental DBD run has pages to be interrupted between.
 */
export const FAULT_WORLD = { seed: 7, scale: 1200, quirkRate: 0.02, badRowRate: 0.03 };
export const TODAY_EPOCH = 3;
export const PAGE_SIZE = 10;
/** Yesterday's loads, in order; the DBD listings at epoch 0. */
export const YESTERDAY = ['smed-products', 'exim-products', 'diw', 'dbd-financials', 'dbd-companies'];
/** The run each fault interrupts. */
export const FAULT_SOURCE = 'dbd-companies';

/** A hub's settings for runs against `databaseUrl` reading the simulator's DBD listing of `epoch`. */
export function faultRunEnv(databaseUrl: string, simulatorUrl: string, epoch: number): ConfigEnv {
  return {
    DATABASE_URL: databaseUrl,
    SIMULATOR_URL: simulatorUrl,
    DBD_COMPANIES_FEED_URL: `${simulatorUrl}/dbd/juristic-persons?epoch=${epoch}`,
    DBD_PAGE_SIZE: String(PAGE_SIZE),
    INGEST_ON_START: 'false',
    FEED_TIMEOUT_MS: '10000',
    LOG_LEVEL: 'silent',
    ...NO_SCHEDULES,
  };
}
