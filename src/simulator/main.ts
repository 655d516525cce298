/** Runs the agency simulator on its own: `npm run simulator`. Settings come from SIMULATOR_* variables. */
import { loadConfig } from '../config/config';
import { createRootLogger } from '../platform/logging/logger';
import { startSimulator } from './simulator';

async function main(): Promise<void> {
  const config = loadConfig(process.env, []);
  const logger = createRootLogger(config.logLevel, { format: config.logFormat }).child({ component: 'agency-simulator' });
  const { port, host, seed, scale, quirkRate, badRowRate } = config.simulator;
  const simulator = await startSimulator({ port, host, seed, scale, quirkRate, badRowRate });
  logger.info({ url: simulator.url, seed, scale, quirkRate, badRowRate }, 'agency simulator listening');

  const stop = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'agency simulator stopping');
    simulator.close().then(
      () => logger.info('agency simulator stopped'),
      (error: unknown) => {
        logger.error({ err: error }, 'agency simulator did not stop cleanly');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`agency simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
