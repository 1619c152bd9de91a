#!/usr/bin/env node
// Runs one tier of tests with node's test runner: `unit` (test/unit/**/*.test.ts, no network),
// `integration` (test/integration/**/*.int.test.ts, against a real Kafka broker the tests start) or
// `integration-kafkajs` (some of those again with the apps on kafkajs).
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
  // The tier above runs apps on the default client (kafka:// is @platformatic/kafka on this Node);
  // these run the apps again on kafkajs (kafka+kafkajs://), the other driver users can choose:
  // handoffs, broker restarts, standby failover and worker kills under both guarantees. The
  // transport tests already run on both clients in the tier above.
  'integration-kafkajs': {
    dir: 'test/integration',
    match: (f) => ['handoff.int.test.ts', 'failures.int.test.ts', 'standby-failover.int.test.ts', 'worker-kills.int.test.ts'].some((name) => f.endsWith(`/${name}`)),
    concurrency: 1,
    timeout: 900_000,
    env: { FAUSTGEN_TEST_KAFKA_CLIENT: 'kafkajs' },
  },
};
const chosen = tiers[tier];
if (chosen === undefined) {
  console.error(`usage: run-tests.mjs ${Object.keys(tiers).join('|')} [node --test options]`);
  process.exit(2);
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (chosen.match(path)) out.push(path);
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
const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${chosen.concurrency}`, ...timeout, ...extra, ...files], { stdio: 'inherit', env: { ...process.env, ...chosen.env } });
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
