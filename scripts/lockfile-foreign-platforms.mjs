// Restores package-lock.json entries for other platforms' optional native binaries.
//
// This workplace's npm registry mirror serves only the linux-x64 builds of packages such as
// @swc/core, msgpackr-extract and unrs-resolver, so `npm install` here leaves the other platforms'
// optional binaries out of the lockfile, and `npm ci` then refuses the lockfile as out of sync.
// A lockfile written with full registry access records each of them with its `os`/`cpu`, and
// `npm ci` skips those that do not match the machine. This script adds the same entries, deriving
// `os`, `cpu` and `libc` from the package name. Run it after `npm install`:
//   node scripts/lockfile-foreign-platforms.mjs
import fs from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(fs.readFileSync(LOCK, 'utf8'));
const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony', 'netbsd', 'openbsd', 'sunos', 'aix'];
const CPU = { x64: 'x64', arm64: 'arm64', arm: 'arm', ia32: 'ia32', ppc64: 'ppc64', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', wasm32: 'wasm32' };

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.map((p) => CPU[p]).find(Boolean);
  if (!cpu) return undefined;
  const entry = { cpu: [cpu] };
  if (os) entry.os = [os];
  if (os === 'linux') {
    if (parts.some((p) => p.startsWith('musl'))) entry.libc = ['musl'];
    else if (parts.some((p) => p === 'gnu' || p.startsWith('gnueabi'))) entry.libc = ['glibc'];
  }
  return entry;
}

let added = 0;
for (const [location, pkg] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const base = location === '' ? '' : `${location}/`;
    if (lock.packages[`${base}node_modules/${name}`] || lock.packages[`node_modules/${name}`]) continue;
    const platform = platformOf(name);
    if (!platform) continue; // not a platform binary: leave it to npm
    lock.packages[`node_modules/${name}`] = { version: version.replace(/^[\^~=]/, ''), optional: true, ...platform };
    added += 1;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
fs.writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} optional platform entries to package-lock.json`);
