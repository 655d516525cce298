import fs from 'node:fs';
import path from 'node:path';
import type { HubConfig } from '../config/config';
import { runningHubs, type RunningHubRecord } from '../platform/runtime/running-hubs';

export class SettingsMismatchError extends Error {}

/**
 * Before the CLI opens the embedded database: compares its settings with the hubs running on this
 * machine. When none of them uses this HUB_DATA_DIR and EMBEDDED_PG_PORT, and the command would
 * create a database there (no cluster yet), it stops before creating anything, naming the running
 * hub's settings, unless `newDatabase` (`--new-database`) says that is the intent. When the folder
 * already holds a database, it warns and goes on. Returns the warning, if any.
 */
export function checkAgainstRunningHubs(config: HubConfig, options: { newDatabase: boolean }, hubs: RunningHubRecord[] = runningHubs()): string | undefined {
  if (config.databaseUrl || hubs.length === 0) return undefined;
  const mine = { dataDir: path.resolve(config.dataDir), port: config.embeddedPgPort };
  if (hubs.some((hub) => path.resolve(hub.dataDir) === mine.dataDir && hub.embeddedPgPort === mine.port)) return undefined;

  const settings = (dataDir: string, port: number) => `HUB_DATA_DIR=${dataDir} EMBEDDED_PG_PORT=${port}`;
  const running = hubs
    .map((hub) => `  pid ${hub.pid} (${hub.role}, from ${hub.projectRoot}${hub.apiUrl ? `, API ${hub.apiUrl}` : ''}): ${settings(hub.dataDir, hub.embeddedPgPort)}`)
    .join('\n');
  const sameFolder = hubs.find((hub) => path.resolve(hub.dataDir) === mine.dataDir);
  const example = sameFolder ?? hubs[0]!;
  const advice = `Give this command the hub's settings, e.g.:\n  ${settings(example.dataDir, example.embeddedPgPort)} npm run hub -- ...`;
  if (sameFolder) {
    // The running hub's server owns this folder on another port: nothing here can work.
    throw new SettingsMismatchError(
      `A hub runs on ${mine.dataDir} with EMBEDDED_PG_PORT=${sameFolder.embeddedPgPort}, but this command has EMBEDDED_PG_PORT=${mine.port}.\n${advice}`,
    );
  }
  const wouldCreate = !fs.existsSync(path.join(mine.dataDir, 'postgres', 'PG_VERSION'));
  const head = `A hub is running with other settings than this command's:\n${running}\nThis command: ${settings(mine.dataDir, mine.port)}`;
  if (wouldCreate && !options.newDatabase) {
    throw new SettingsMismatchError(
      `${head}\nIt would create a new, empty database in ${mine.dataDir}: the running hub would not see what this command does ` +
        `(a key created there is refused by the hub). Nothing was created.\n${advice}\nOr add --new-database to create a separate database on purpose.`,
    );
  }
  return `note: ${head}\nIt uses the database in ${mine.dataDir}, not the running hub's.`;
}
