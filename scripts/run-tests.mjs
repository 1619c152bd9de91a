#!/usr/bin/env node
// Runs one tier of tests with node's test runner: `unit` (test/unit/**/*.test.ts, no network) or
// `integration` (test/integration/**/*.int.test.ts, against a real Kafka broker the tests start).
// Node 20's --test takes no globs, so the files are listed here.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const tier = process.argv[2];
const extra = process.argv.slice(3);
const tiers = {
  unit: { dir: 'test/unit', match: (f) => f.endsWith('.test.ts') && !f.endsWith('.int.test.ts'), concurrency: 2 },
  // A test that hangs (a client without a request timeout, say) fails after 15 minutes instead of
  // holding the run until CI's limit.
  integration: { dir: 'test/integration', match: (f) => f.endsWith('.int.test.ts'), concurrency: 1, timeout: 900_000 },
};
const chosen = tiers[tier];
if (chosen === undefined) {
  console.error(`usage: run-tests.mjs unit|integration [node --test options]`);
  process.exit(2);
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (chosen.match(name)) out.push(path);
  }
  return out;
}

const files = walk(chosen.dir).map((f) => relative(process.cwd(), f));
if (files.length === 0) {
  console.error(`no ${tier} tests found under ${chosen.dir}`);
  process.exit(1);
}
console.error(`running ${files.length} ${tier} test files`);
const timeout = chosen.timeout === undefined ? [] : [`--test-timeout=${chosen.timeout}`];
const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${chosen.concurrency}`, ...timeout, ...extra, ...files], { stdio: 'inherit' });
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
