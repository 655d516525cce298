// Runs a built entry point of the hub (dist/), building first only when the build is missing or
// older than what it is built from, so `npm run hub -- <command>` answers in about a second instead
// of waiting for the TypeScript compiler every time.
//
//   node scripts/run-built.mjs src/cli.js [args...]   build if needed, then run dist/src/cli.js
//   node scripts/run-built.mjs --build-if-stale       build if needed (npm test's pretest)
//   node scripts/run-built.mjs --build                build now (npm run build)
//
// "Older" compares modification times: every file and folder under src/, migrations/ and bench/
// (a folder's time changes when a file is added, removed or renamed in it), the tsconfig files and
// package-lock.json (an upgraded compiler or library), against dist/.build-stamp, which a build
// dates to the moment it started. Two commands starting at once build once: the second waits for
// the first's lock. The compiler's messages go to standard error, so standard output carries only
// what the command itself prints.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-stamp');
const LOCK = path.join(DIST, '.build-lock');
const INPUTS = ['src', 'migrations', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const LOCK_WAIT_MS = 10 * 60_000;

function newestInput() {
  let newest = 0;
  const visit = (file) => {
    let stat;
    try {
      stat = fs.statSync(file);
    } catch {
      return;
    }
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(file)) visit(path.join(file, entry));
  };
  for (const input of INPUTS) visit(path.join(ROOT, input));
  return newest;
}

function stampTime() {
  try {
    return fs.statSync(STAMP).mtimeMs;
  } catch {
    return -1;
  }
}

const isCurrent = () => stampTime() >= newestInput();

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Takes the build lock, or waits while another live process holds it; false when it waited. */
function lockOrWait() {
  fs.mkdirSync(DIST, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return true;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(fs.readFileSync(path.join(LOCK, 'pid'), { encoding: 'utf8', flag: 'a+' }), 10);
    if (!Number.isInteger(holder) || !processAlive(holder)) {
      // A build that died (or has only just taken the lock: then the pid file appears within moments).
      if (Number.isInteger(holder) || Date.now() - fs.statSync(LOCK).mtimeMs > 5000) fs.rmSync(LOCK, { recursive: true, force: true });
    } else if (Date.now() > deadline) {
      throw new Error(`another build (pid ${holder}) has held ${LOCK} for 10 minutes`);
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    if (!fs.existsSync(LOCK)) return false;
  }
}

function build(reason) {
  if (!lockOrWait()) {
    // Another process built while this one waited.
    if (isCurrent()) return;
    return build(reason);
  }
  try {
    process.stderr.write(`building the hub (${reason})…\n`);
    const started = new Date();
    const tsc = createRequire(path.join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: ['ignore', 2, 2] });
    if (result.status !== 0) {
      process.stderr.write(`the build failed (tsc exit ${result.status ?? result.signal}); fix the errors above and run the command again\n`);
      process.exit(result.status || 1);
    }
    fs.writeFileSync(STAMP, `built from the sources as of ${started.toISOString()}\n`);
    fs.utimesSync(STAMP, started, started);
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

const [target, ...rest] = process.argv.slice(2);
if (!target) {
  process.stderr.write('usage: node scripts/run-built.mjs <src/entry.js> [args...] | --build-if-stale | --build\n');
  process.exit(2);
}
if (target === '--build') {
  build('asked for');
} else {
  const stamp = stampTime();
  if (stamp < 0) build('first build');
  else if (stamp < newestInput()) build('sources changed since the last build');
  if (target !== '--build-if-stale') {
    // The entry runs in this process: signals, exit codes and standard streams are its own.
    process.argv = [process.argv[0], path.join(DIST, target), ...rest];
    await import(pathToFileURL(path.join(DIST, target)).href);
  }
}
