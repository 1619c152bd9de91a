import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// No bound from the caller's environment leaks into these runs.
const { FAUSTGEN_DEMO_SECONDS: _seconds, FAUSTGEN_DEMO_GREETINGS: _greetings, ...callerEnv } = process.env;
// Tests may run side by side: the demo's worker serves its pages on a free port here.
const baseEnv = { ...callerEnv, FAUSTGEN_WEB_PORT: '0' };

test('npm run demo ends by itself with exit 0 after a bounded number of greetings, then summarises what happened', () => {
  const result = spawnSync(npm, ['run', '--silent', 'demo'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...baseEnv, FAUSTGEN_DEMO_GREETINGS: '3', NO_COLOR: '1' },
    timeout: 120_000,
  });
  const output = `${result.stdout}${result.stderr}`;
  assert.equal(result.status, 0, output);
  assert.match(result.stdout, /(up to date|unchanged)/, 'codegen ran on the example');
  const greetings = result.stdout.match(/^Hello from (Faust|Gretchen|Mephisto|Wagner) to (Faust|Gretchen|Mephisto|Wagner) \(\w+ has sent \d+\)$/gm) ?? [];
  assert.ok(greetings.length >= 3, output);
  assert.match(output, /stopping gracefully/);
  assert.match(output, /\] stopped/);
  assert.doesNotMatch(output, /again: exiting now/);
  assert.match(result.stdout, /^demo: summary \(.*stopped after 3 greetings\)$/m);
  assert.match(result.stdout, new RegExp(`agent print-greetings printed ${greetings.length}$`, 'm'));
  // The summary's counts are the last count the agent read back from its table for each sender.
  assert.match(result.stdout, /table greetings-sent counted per sender: Faust \d+, Gretchen \d+/);
  assert.match(result.stdout, /the worker stopped cleanly/);
});

test('npm run demo with FAUSTGEN_DEMO_SECONDS stops after that many seconds with exit 0', () => {
  const result = spawnSync(npm, ['run', '--silent', 'demo'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...baseEnv, FAUSTGEN_DEMO_GREETINGS: '0', FAUSTGEN_DEMO_SECONDS: '3', NO_COLOR: '1' },
    timeout: 120_000,
  });
  const output = `${result.stdout}${result.stderr}`;
  // Under load the worker may not have printed a greeting within 3 s: then the demo says so and fails.
  if (/printed no greeting/.test(output)) assert.equal(result.status, 1, output);
  else assert.equal(result.status, 0, output);
  assert.match(result.stdout, /^demo: summary \(.*stopped after the 3 s bound\)$/m);
});

test('Ctrl-C on npm run demo (SIGINT to the whole terminal process group) stops it cleanly and npm exits 0', { skip: process.platform === 'win32' ? 'no process groups on Windows' : false }, async () => {
  const child = spawn(npm, ['run', '--silent', 'demo'], {
    cwd: repoRoot,
    env: { ...baseEnv, FAUSTGEN_DEMO_GREETINGS: '0', FAUSTGEN_DEMO_SECONDS: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const pid = child.pid;
  assert.ok(pid !== undefined);
  const safety = setTimeout(() => process.kill(-pid, 'SIGKILL'), 120_000);
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    const first = !/Hello from/.test(output);
    output += chunk.toString();
    // As a terminal does: the signal goes to npm, its shell and the demo alike.
    if (first && /Hello from/.test(output)) process.kill(-pid, 'SIGINT');
  });
  const code = await exited;
  clearTimeout(safety);
  assert.equal(code, 0, output);
  assert.match(output, /stopped after Ctrl-C/);
  assert.match(output, /the worker stopped cleanly/);
});
