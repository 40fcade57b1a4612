#!/usr/bin/env node
// The npm mirror this project is built on serves only some per-platform builds of packages such as rollup,
// so `npm install` leaves the other platforms' optional dependencies out of package-lock.json, and `npm ci`
// then refuses the lock as out of sync. This adds each missing platform package as an optional entry with
// its os/cpu/libc, which `npm ci` skips on any other platform, exactly as a lock written elsewhere would.
// Run it after `npm install` changes the lock: node scripts/lockfile-platform-stubs.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const OSES = ['android', 'darwin', 'freebsd', 'linux', 'openbsd', 'openharmony', 'win32', 'netbsd', 'sunos', 'aix'];
const CPUS = ['arm', 'arm64', 'x64', 'ia32', 'loong64', 'ppc64', 's390x', 'riscv64', 'mips64el'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  for (let i = 0; i < parts.length - 1; i++) {
    if (OSES.includes(parts[i]) && CPUS.includes(parts[i + 1])) {
      const abi = parts[i + 2] ?? '';
      const libc = parts[i] !== 'linux' ? undefined : abi.startsWith('musl') ? 'musl' : 'glibc';
      return { os: parts[i], cpu: parts[i + 1], libc };
    }
  }
  return undefined;
}

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const depKey = `node_modules/${dep}`;
    if (lock.packages[depKey] || lock.packages[`${key}/${depKey}`]) continue;
    const platform = platformOf(dep);
    if (!platform || !/^\d+\.\d+\.\d+/.test(version)) {
      console.warn(`left alone: ${dep}@${version} (not a platform build with an exact version)`);
      continue;
    }
    lock.packages[depKey] = {
      version,
      cpu: [platform.cpu],
      ...(entry.dev ? { dev: true } : {}),
      ...(platform.libc ? { libc: [platform.libc] } : {}),
      optional: true,
      os: [platform.os],
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} platform entries`);
