import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

test('npm run demo generates examples/greetings, prints greetings from the worker and stops cleanly', () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', '--silent', 'demo'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, FAUSTGEN_DEMO_SECONDS: '4', NO_COLOR: '1' },
    timeout: 120_000,
  });
  const output = `${result.stdout}${result.stderr}`;
  assert.equal(result.status, 0, output);
  assert.match(result.stdout, /(up to date|unchanged)/, 'codegen ran on the example');
  assert.match(result.stdout, /^Hello from (Faust|Gretchen|Mephisto|Wagner) to (Faust|Gretchen|Mephisto|Wagner) \(\w+ has sent \d+\)$/m);
  assert.match(output, /stopping gracefully/);
  assert.match(output, /\] stopped/);
  assert.doesNotMatch(output, /again: exiting now/);
});
