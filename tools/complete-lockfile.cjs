#!/usr/bin/env node
// Adds the lockfile entries npm leaves out when the registry has no metadata for another platform's optional
// native binary (here: newer @nx/nx-* and @swc/core-* builds for darwin/win32/musl). `npm ci` validates that every
// optional dependency is in the lock, even ones it would skip for this platform, so without these entries it
// refuses a lock that `npm install` itself just wrote. Each stub names the version, marks it optional and gives
// os/cpu/libc from the package name, so npm ci skips it on any other platform without fetching anything.
// Run after `npm install`:  node tools/complete-lockfile.cjs
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const lockFile = path.resolve(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8'));
const OS = { darwin: 'darwin', linux: 'linux', win32: 'win32', freebsd: 'freebsd', android: 'android' };
const CPU = { arm64: 'arm64', x64: 'x64', ia32: 'ia32', arm: 'arm', ppc64: 'ppc64', s390x: 's390x', riscv64: 'riscv64' };

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS[p]);
  const cpu = parts.find((p) => CPU[p]);
  if (!os || !cpu) return null;
  const platform = { os: [os], cpu: [cpu] };
  if (os === 'linux') platform.libc = [parts.includes('musl') ? 'musl' : 'glibc'];
  return platform;
}

let added = 0;
for (const [location, entry] of Object.entries(lock.packages)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${location ? `${location}/` : ''}node_modules/${dep}`;
    if (lock.packages[nested] || lock.packages[`node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (!platform) continue; // not a platform binary: leave it to npm
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(range)) throw new Error(`${dep}: expected an exact version, got ${range}`);
    lock.packages[`node_modules/${dep}`] = { version: range, optional: true, ...platform };
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
lock.packages = sorted;
fs.writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: ${added} platform stub(s) added`);
