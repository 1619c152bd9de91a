/**
 * End to end, as a new user would go: `faustgen init` into an empty folder, the next steps it prints
 * (npm install, which links this package through `file:`), `faustgen codegen`, then `faustgen worker`
 * against a real Kafka broker, `faustgen send` of one greeting that the worker prints, and SIGTERM →
 * exit 0. Also `faustgen send`'s one-line errors for an unknown topic and a value that does not fit
 * the topic's schema.
 *
 *   npm run build && node --import tsx --test test/integration/cli/init-to-worker.int.test.ts
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { startKafkaCluster, type KafkaCluster } from '../../kafka/broker.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(repoRoot, 'bin/run.js');

// NODE_TEST_CONTEXT would make a child test runner report to ours; FAUSTGEN_* would override flags.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_TEST_CONTEXT' && !key.startsWith('FAUSTGEN_')));

interface Finished {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Finished> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, ms: Date.now() - started }));
  });
}

/** stderr lines of the command itself, without npm's own warnings (npx prints those about the user's npmrc). */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('npm warn'));
}

/** A long-running child whose combined output can be waited on. */
class Running {
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    const collect = (chunk: Buffer): void => {
      this.output += chunk.toString();
      for (const wake of this.waiters.splice(0)) wake();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  async waitFor(pattern: RegExp, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`the worker exited before ${what}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms:\n${this.output}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

test('init → npm install → codegen → worker on Kafka → send → SIGTERM', { timeout: 600_000 }, async (t) => {
  assert.ok(existsSync(join(repoRoot, 'dist/generator/src/commands/init.js')), 'run `npm run build` first: the CLI runs from dist/');
  // The broker starts while the project is scaffolded and installed.
  const clusterStarting = startKafkaCluster({ nodes: 1 });
  clusterStarting.catch(() => undefined);
  const parent = mkdtempSync(join(tmpdir(), 'faustgen-e2e-'));
  let cluster: KafkaCluster | undefined;
  let worker: Running | undefined;
  try {
    const init = await run(process.execPath, [bin, 'init', 'shop'], parent);
    assert.equal(init.status, 0, init.stderr);
    assert.equal(init.stderr, '');
    // The printed next step, e.g. "cd shop && npm install && npx faustgen worker", run as printed
    // (npm install gets flags that only make it quieter and faster).
    const step = /^ {2}cd (\S+) && npm install && npx faustgen worker$/m.exec(init.stdout);
    assert.ok(step?.[1], `no "cd ... && npm install && npx faustgen worker" step in:\n${init.stdout}`);
    const project = join(parent, step[1]);
    assert.ok(existsSync(join(project, 'src/generated/main.ts')), 'init ran codegen');

    const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], project);
    assert.equal(install.status, 0, `${install.stdout}${install.stderr}`);
    t.diagnostic(`npm install in the scaffold: ${install.ms} ms`);
    assert.ok(existsSync(join(project, 'node_modules/faustgen/package.json')), 'faustgen is installed (linked) in the project');

    const codegen = await run('npx', ['faustgen', 'codegen'], project);
    assert.equal(codegen.status, 0, `${codegen.stdout}${codegen.stderr}`);
    assert.match(codegen.stdout, /0 written, \d+ unchanged, 0 deleted/);

    cluster = await clusterStarting;
    const broker = `kafka://${cluster.bootstrap}`;
    const workerStarted = Date.now();
    // The installed bin itself rather than `npx faustgen worker`: npx dies of a SIGTERM without
    // passing it on, while the worker must get it to stop gracefully.
    const installedBin = join(project, 'node_modules/.bin/faustgen');
    // --web-port 0: any free port, so that another worker on this machine (6066) cannot collide.
    worker = new Running(spawn(installedBin, ['worker', '--broker', broker, '--web-port', '0'], { cwd: project, env: { ...env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] }));
    await worker.waitFor(/worker ready/, 120_000, '"worker ready" line');
    t.diagnostic(`worker ready on Kafka after ${Date.now() - workerStarted} ms`);

    const send = await run('npx', ['faustgen', 'send', 'greetings', '{"from_name":"Kafka","to_name":"Integration"}', '--key', 'kafka', '--broker', broker], project);
    assert.equal(send.status, 0, `${send.stdout}${send.stderr}`);
    assert.match(send.stdout, /^sent to greetings\[\d+\] at offset \d+$/m);
    await worker.waitFor(/^Kafka → Integration$/m, 60_000, 'printed greeting "Kafka → Integration"');
    // The scaffold's timer greets too, through the same topic.
    await worker.waitFor(/^(Ada|Grace|Alan|Barbara) → (Ada|Grace|Alan|Barbara)$/m, 30_000, 'greeting from the timer');

    const unknown = await run('npx', ['faustgen', 'send', 'nope', '{}', '--broker', broker], project);
    assert.equal(unknown.status, 1);
    assert.deepEqual(errorLines(unknown.stderr), ['error FG_TOPIC_MISSING: "nope" is neither a topic nor an agent fed by a topic (known: greetings, print-greetings)']);

    const invalid = await run('npx', ['faustgen', 'send', 'greetings', '{"from_name":"Ada","to_name":5}', '--broker', broker], project);
    assert.equal(invalid.status, 1);
    const lines = errorLines(invalid.stderr);
    assert.equal(lines.length, 1, invalid.stderr);
    assert.match(lines[0] ?? '', /^error FG_VALIDATION: value does not fit topic "greetings" \(codec [^)]+\): .*\$\.to_name/);

    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, worker.output);
    assert.match(worker.output, /stopping gracefully/);
    // kafkajs may log transient metadata errors while topics are created; faustgen's own log has none.
    assert.doesNotMatch(worker.output, /ERROR \[shop\]|crashed/);
    // The project's own test, as `npm test` runs it.
    const tests = await run('npm', ['test', '--silent'], project);
    assert.equal(tests.status, 0, `${tests.stdout}${tests.stderr}`);
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.equal(manifest.dependencies['faustgen'], `file:${repoRoot}`);
  } finally {
    if (worker !== undefined && worker.child.exitCode === null && worker.child.signalCode === null) {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
    await (cluster ?? (await clusterStarting.catch(() => undefined)))?.stop({ graceMs: 0 });
    rmSync(parent, { recursive: true, force: true });
  }
});
