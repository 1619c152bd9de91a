/**
 * A user's day without Kafka: `faustgen worker` of examples/word-count on the embedded broker serves
 * its web pages by default; `faustgen send` reaches it through them, `faustgen table get` reads the
 * counted word and `faustgen status` reports it ready. Real processes, real HTTP.
 *
 *   npm run build && node --import tsx --test test/integration/cli/worker-web.int.test.ts
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { waitFor } from '../support/wait.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(repoRoot, 'bin/run.js');
const example = join(repoRoot, 'examples/word-count');

function cli(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: example, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('faustgen send / table get / status talk to a memory:// worker through its web server', { timeout: 180_000 }, async () => {
  // --web-port 0: any free port, so that this test never collides with another worker on 6066.
  const worker = spawn(process.execPath, [bin, 'worker', '--web-port', '0', '--store', 'memory://'], { cwd: example, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => worker.on('exit', (code) => resolve(code)));
  let url: string | undefined;
  try {
    await waitFor(() => /worker ready/.test(output) || worker.exitCode !== null, 'worker ready', 120_000);
    const found = /web server listening url=(http:\/\/\S+)/.exec(output)?.[1];
    assert.ok(found, `no web server line in:\n${output}`);
    url = found;

    const sent = cli(['send', 'lines', '{"text": "Hello web, hello worker"}', '--worker', found]);
    assert.equal(sent.status, 0, sent.stderr);
    assert.match(sent.stdout, /sent to lines\[\d+\] at offset \d+ through the worker/);

    let value = '';
    await waitFor(() => {
      const got = cli(['table', 'get', 'word-counts', 'hello', '--worker', found]);
      value = got.stdout.trim();
      return got.status === 0 && value === '2';
    }, '"hello" counted twice', 60_000);
    assert.equal(value, '2');

    const missing = cli(['table', 'get', 'no-such-table', 'x', '--worker', found]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no table "no-such-table"/);

    const status = cli(['status', '--worker', found, '--json']);
    assert.equal(status.status, 0, status.stderr);
    const report = JSON.parse(status.stdout) as { ready: boolean; stats: { app: string } };
    assert.equal(report.ready, true);
    assert.equal(report.stats.app, 'word-count');

    const metrics = await (await fetch(`${found}/metrics`)).text();
    assert.match(metrics, /^faustgen_messages_received_total\{[^}]*topic="lines"[^}]*\} 1$/m);
  } finally {
    worker.kill('SIGTERM');
  }
  assert.equal(await exited, 0, output);

  // The worker is gone: its port refuses connections now.
  const nobody = cli(['status', '--worker', url ?? '']);
  assert.equal(nobody.status, 1);
  assert.match(nobody.stderr, /no worker answers at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
});
