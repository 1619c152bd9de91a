#!/usr/bin/env node
// `prepare` builds dist/ on install. A project made by `faustgen init` links this package with a
// file: dependency, and npm runs prepare on every install of it: skip the ~20 s build when dist/ is
// newer than every source file. A published package ships dist/ and no sources, so it skips too.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let latest = 0;
  if (!existsSync(dir)) return latest;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    latest = Math.max(latest, stat.isDirectory() ? newest(path) : stat.mtimeMs);
  }
  return latest;
}

const marker = 'dist/runtime/src/index.js';
const sources = Math.max(newest('runtime/src'), newest('generator/src'), existsSync('tsconfig.build.json') ? statSync('tsconfig.build.json').mtimeMs : 0);
if (sources === 0) process.exit(0);
if (existsSync(marker) && statSync(marker).mtimeMs >= sources && newest('dist') >= sources) {
  console.error('faustgen: dist/ is up to date, skipping the build');
  process.exit(0);
}
execFileSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
