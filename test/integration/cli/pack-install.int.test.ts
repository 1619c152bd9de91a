/**
 * Publish-readiness (issue 13): `npm pack` the package, install the tarball into an empty folder as a
 * user of the registry would, and from there run `faustgen init`, the printed `npm install`,
 * `faustgen codegen` and a short `faustgen worker` on the embedded broker (with its pre-start check:
 * generated code current, project type-checks), stopped with SIGINT → exit 0. No Kafka needed;
 * npm installs from its cache (the repository's own install filled it), the registry otherwise.
 *
 *   npm run build && node --import tsx --test test/integration/cli/pack-install.int.test.ts
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_TEST_CONTEXT' && !key.startsWith('FAUSTGEN_') && !key.startsWith('npm_')));

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

const quiet = ['--no-audit', '--no-fund', '--prefer-offline'];

test('npm pack → install the tarball in an empty folder → faustgen init, codegen and a worker run from there', { timeout: 900_000 }, async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'faustgen-pack-'));
  try {
    const pack = await run('npm', ['pack', '--pack-destination', parent], repoRoot);
    assert.equal(pack.status, 0, `${pack.stdout}${pack.stderr}`);
    const tarball = readdirSync(parent).find((name) => name.endsWith('.tgz'));
    assert.ok(tarball, `no tarball in ${parent}: ${pack.stdout}`);
    t.diagnostic(`npm pack: ${pack.ms} ms`);

    const consumer = join(parent, 'consumer');
    await run('mkdir', [consumer], parent);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
    const install = await run('npm', ['install', ...quiet, join(parent, tarball)], consumer);
    assert.equal(install.status, 0, `${install.stdout}${install.stderr}`);
    t.diagnostic(`npm install of the tarball: ${install.ms} ms`);
    const installed = join(consumer, 'node_modules/faustgen');
    assert.ok(existsSync(join(installed, 'dist/runtime/src/index.js')), 'dist/ ships in the package');
    assert.ok(existsSync(join(installed, 'templates/init/faustgen.yaml.hbs')), 'templates ship in the package');
    assert.equal(existsSync(join(installed, 'runtime/src')), false, 'sources stay out of the package');

    const init = await run('npx', ['faustgen', 'init', 'shop'], consumer);
    assert.equal(init.status, 0, `${init.stdout}${init.stderr}`);
    const step = /^ {2}cd (\S+) && npm install && npx faustgen worker$/m.exec(init.stdout);
    assert.ok(step?.[1], `no "cd ... && npm install && npx faustgen worker" step in:\n${init.stdout}`);
    const project = join(consumer, step[1]);

    const projectInstall = await run('npm', ['install', ...quiet], project);
    assert.equal(projectInstall.status, 0, `${projectInstall.stdout}${projectInstall.stderr}`);
    t.diagnostic(`npm install in the scaffold: ${projectInstall.ms} ms`);

    const codegen = await run('npx', ['faustgen', 'codegen'], project);
    assert.equal(codegen.status, 0, `${codegen.stdout}${codegen.stderr}`);

    // A short worker run: the pre-start check passes, the timer's greetings reach the agent. The
    // installed bin, as the README says for process managers: npx re-raises the SIGINT it forwards.
    const worker = spawn(join(project, 'node_modules/.bin/faustgen'), ['worker'], { cwd: project, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const exited = new Promise<number | null>((resolve) => worker.on('close', (code) => resolve(code)));
    const printed = new Promise<void>((resolve) => {
      const seen = (chunk: Buffer): void => {
        output += chunk.toString();
        if (/→/.test(output)) resolve();
      };
      worker.stdout.on('data', seen);
      worker.stderr.on('data', seen);
      void exited.then(() => resolve());
    });
    const pid = worker.pid;
    assert.ok(pid !== undefined);
    const safety = setTimeout(() => process.kill(-pid, 'SIGKILL'), 180_000);
    await printed;
    assert.match(output, /worker ready/, output);
    assert.match(output, /^\w+ → \w+$/m, 'the agent printed a greeting');
    process.kill(-pid, 'SIGINT');
    const code = await exited;
    clearTimeout(safety);
    assert.equal(code, 0, output);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
