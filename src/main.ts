import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { HUB_ROLES, startHub, type HubRole } from './app/hub';
import { ConfigError, PROJECT_ROOT } from './config/config';
import { loadHubConfig } from './app/config';
import { registerRunningHub } from './platform/runtime/running-hubs';
import { createRootLogger } from './platform/logging/logger';

/** A signal this soon after the first is the same request to stop, delivered twice. */
const REPEATED_SIGNAL_MS = 1000;

/** The hub process: `--role=all` (default: API, worker and simulator), `--role=api` or `--role=worker`. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { role: { type: 'string', default: 'all' } } });
  const role = values.role as HubRole;
  if (!HUB_ROLES.includes(role)) {
    process.stderr.write(`--role must be one of ${HUB_ROLES.join(', ')}, got "${values.role}"\n`);
    process.exit(2);
  }
  let config;
  try {
    config = loadHubConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createRootLogger(config.logLevel, { format: config.logFormat }).child({ role });
  const hub = await startHub(config, role, logger);
  // So a CLI given other embedded settings can say so instead of creating a second, empty database.
  const unregister = config.databaseUrl
    ? () => undefined
    : registerRunningHub({ role, projectRoot: PROJECT_ROOT, dataDir: config.dataDir, embeddedPgPort: config.embeddedPgPort, apiUrl: hub.apiUrl });
  process.once('exit', unregister);

  let stoppingSince: number | undefined;
  const shutdown = (signal: string): void => {
    if (stoppingSince !== undefined) {
      // One Ctrl+C can arrive twice within milliseconds (from the terminal to the whole process
      // group, and again through npm): only a later signal means "exit now".
      if (Date.now() - stoppingSince < REPEATED_SIGNAL_MS) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stoppingSince = Date.now();
    logger.info({ signal }, 'stopping: letting in-flight work finish');
    hub.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`i-Industry Hub failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
