/**
 * Secure Kafka from configuration alone: a broker with a SASL_SSL listener on loopback (certificates
 * made by openssl for this test, SCRAM and PLAIN users), and a copy of examples/word-count whose
 * faustgen.yaml says `security: sasl_ssl` with the test CA; the password comes from the environment.
 * `faustgen worker` connects and counts, `faustgen send` reaches the broker the same way, and a wrong
 * password makes both fail with an authentication error and a non-zero exit.
 *
 *   export FAUSTGEN_KAFKA_CACHE=/work/main/.cache/kafka
 *   npm run build && node --import tsx --test test/integration/cli/secure-kafka.int.test.ts
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { makeTestCertificates, type TestCertificates } from '../../kafka/certs.js';
import { startKafkaCluster, type KafkaCluster } from '../../kafka/broker.js';
import { waitFor } from '../support/wait.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(repoRoot, 'bin/run.js');
const PASSWORD = 'alice-secret-1';

function cli(cwd: string, args: readonly string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a worker until `until` matches its output or it exits; resolves with the output and exit code. */
function runWorker(cwd: string, env: Record<string, string>): { output: () => string; exited: Promise<number | null>; stop: () => void } {
  const child = spawn(process.execPath, [bin, 'worker', '--web-port', '0'], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { output: () => output, exited, stop: () => child.kill('SIGTERM') };
}

describe('secure Kafka from faustgen.yaml and the environment (SASL_SSL on loopback)', () => {
  let certs: TestCertificates;
  let cluster: KafkaCluster | undefined;
  let project = '';

  before(async () => {
    certs = makeTestCertificates();
    cluster = await startKafkaCluster({ nodes: 1, secureListener: { keystore: certs.keystore, keystorePassword: certs.keystorePassword, users: { alice: PASSWORD } } });
    // A copy of examples/word-count that resolves `faustgen` to this repository.
    project = mkdtempSync(join(tmpdir(), 'faustgen-secure-'));
    for (const part of ['faustgen.yaml', 'schemas', 'src']) cpSync(join(repoRoot, 'examples/word-count', part), join(project, part), { recursive: true });
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(repoRoot, join(project, 'node_modules/faustgen'), 'dir');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'secure-word-count', private: true, type: 'module' }));
    const yaml = readFileSync(join(project, 'faustgen.yaml'), 'utf8')
      .replace('$schema=../../schemas/', `$schema=${repoRoot}/schemas/`)
      .replace('broker: memory://', `broker: kafka://${cluster.secureBootstrap ?? ''}\nsecurity:\n  protocol: sasl_ssl\n  ssl:\n    ca: ${certs.caFile}\n  sasl:\n    mechanism: scram-sha-256\n    username: alice`);
    writeFileSync(join(project, 'faustgen.yaml'), yaml);
    const codegen = cli(project, ['codegen'], {});
    assert.equal(codegen.status, 0, codegen.stderr + codegen.stdout);
  });

  after(async () => {
    await cluster?.stop({ graceMs: 0 });
    if (project !== '') rmSync(project, { recursive: true, force: true });
    if (certs !== undefined) rmSync(certs.dir, { recursive: true, force: true });
  });

  test('the worker connects with SCRAM-SHA-256 over TLS, faustgen send reaches the broker, the word is counted', { timeout: 300_000 }, async () => {
    const worker = runWorker(project, { FAUSTGEN_KAFKA_SASL_PASSWORD: PASSWORD });
    try {
      await waitFor(() => /worker ready/.test(worker.output()) || /stopped|failed/.test(worker.output()), 'worker ready', 180_000);
      assert.match(worker.output(), /worker ready/);
      assert.doesNotMatch(worker.output(), /"level":"ERROR"|ERROR \[word-count kafka/, 'no kafkajs errors in the log');
      const url = /web server listening url=(http:\/\/\S+)/.exec(worker.output())?.[1] ?? '';
      // PLAIN through the environment alone, for the CLI's own connection.
      const sent = cli(project, ['send', 'lines', '{"text": "secure words, secure"}'], { FAUSTGEN_KAFKA_SASL_PASSWORD: PASSWORD, FAUSTGEN_KAFKA_SASL_MECHANISM: 'plain' });
      assert.equal(sent.status, 0, sent.stderr);
      assert.match(sent.stdout, /sent to lines\[\d+\] at offset \d+/);
      let value = '';
      await waitFor(() => (value = cli(project, ['table', 'get', 'word-counts', 'secure', '--worker', url], {}).stdout.trim()) === '2', () => `"secure" counted twice (got ${value})`, 120_000);
    } finally {
      worker.stop();
    }
    assert.equal(await worker.exited, 0, worker.output());
  });

  test('a wrong password: the worker and faustgen send fail with an authentication error and a non-zero exit', { timeout: 180_000 }, async () => {
    const worker = runWorker(project, { FAUSTGEN_KAFKA_SASL_PASSWORD: 'not-the-password' });
    const code = await worker.exited;
    assert.notEqual(code, 0);
    assert.match(worker.output(), /FG_BROKER_AUTH/);
    assert.match(worker.output(), /authentication to Kafka brokers .* failed \(SASL SCRAM-SHA-256 as \\?"alice\\?"\)/);
    const sent = cli(project, ['send', 'lines', '{"text": "x"}'], { FAUSTGEN_KAFKA_SASL_PASSWORD: 'wrong', FAUSTGEN_KAFKA_SASL_MECHANISM: 'scram-sha-512' });
    assert.equal(sent.status, 1);
    assert.match(sent.stderr, /FG_BROKER_AUTH.*authentication to Kafka brokers .* failed \(SASL SCRAM-SHA-512 as "alice"\)/);
    const missing = runWorker(project, {});
    assert.equal(await missing.exited, 2, 'a missing password is a user error');
    assert.match(missing.output(), /FAUSTGEN_KAFKA_SASL_PASSWORD/);
  });
});
