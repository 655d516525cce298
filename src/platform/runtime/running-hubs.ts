import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Hub processes running on the embedded PostgreSQL on this machine, for this user: each writes
 * one small file while it runs, so the CLI can tell when its own settings would open another,
 * empty database than the running hub's (a key created there would be refused by the hub). The
 * place is the same whatever HUB_DATA_DIR says; a file whose process is gone is ignored and removed.
 */
export interface RunningHubRecord {
  pid: number;
  role: string;
  startedAt: string;
  /** The checkout it runs from. */
  projectRoot: string;
  dataDir: string;
  embeddedPgPort: number;
  apiUrl: string | undefined;
}

export function runningHubsDir(): string {
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : os.userInfo().username;
  return path.join(os.tmpdir(), `i-industry-hub-${user}`, 'running');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Registers this process; returns the function that removes the record (at stop). */
export function registerRunningHub(record: Omit<RunningHubRecord, 'pid' | 'startedAt'>, dir = runningHubsDir()): () => void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${process.pid}.json`);
  const full: RunningHubRecord = { pid: process.pid, startedAt: new Date().toISOString(), ...record };
  fs.writeFileSync(file, `${JSON.stringify(full)}\n`, { mode: 0o600 });
  return () => fs.rmSync(file, { force: true });
}

/** The hubs that run now (their records, with those of stopped processes removed). */
export function runningHubs(dir = runningHubsDir()): RunningHubRecord[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const hubs: RunningHubRecord[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const record = JSON.parse(fs.readFileSync(file, 'utf8')) as RunningHubRecord;
      if (Number.isInteger(record.pid) && alive(record.pid)) hubs.push(record);
      else fs.rmSync(file, { force: true });
    } catch {
      // A record half written, or removed as it was read: not a hub to compare with.
    }
  }
  return hubs;
}
