import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(repoRoot, 'bin/run.js');
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_TEST_CONTEXT' && !key.startsWith('FAUSTGEN_')));

/**
 * A copy of examples/greetings under <repo>/tmp/ (git-ignored): two levels down like the examples,
 * so its tsconfig's `../../tsconfig.base.json` and the self-reference to `faustgen` resolve.
 */
function greetingsCopy(): { root: string; cleanup: () => void } {
  const root = join(repoRoot, 'tmp', `preflight-${randomUUID().slice(0, 8)}`);
  mkdirSync(dirname(root), { recursive: true });
  cpSync(join(repoRoot, 'examples/greetings'), root, { recursive: true });
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

function worker(root: string, args: readonly string[] = []): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [bin, 'worker', ...args], { cwd: root, encoding: 'utf8', env: { ...env, NO_COLOR: '1' }, timeout: 120_000 });
  return { status: result.status, stderr: result.stderr };
}

// Issue 13: `faustgen worker` started on stale generated code and on handlers that no longer type-check.
test('faustgen worker refuses a handler that does not type-check: exit 2, the first errors with file:line:column', () => {
  const project = greetingsCopy();
  try {
    const handler = join(project.root, 'src/agents/print-greetings.ts');
    const source = readFileSync(handler, 'utf8');
    writeFileSync(handler, source.replace('greeting.from_name, (count)', 'greeting.fromName, (count)'));
    const line = source.split('\n').findIndex((l) => l.includes('greeting.from_name, (count)')) + 1;
    const result = worker(project.root);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /^error FG_TYPECHECK: the project does not type-check \(1 error\); fix them, or start anyway with --no-check:$/m);
    assert.match(result.stderr, new RegExp(`^ {2}src/agents/print-greetings\\.ts:${line}:\\d+ TS\\d+: Property 'fromName' does not exist`, 'm'));
    assert.doesNotMatch(result.stderr, /worker ready/);
  } finally {
    project.cleanup();
  }
});

test('faustgen worker refuses generated code older than faustgen.yaml (exit 2, stale files listed); --no-check starts anyway', async () => {
  const project = greetingsCopy();
  try {
    const topology = join(project.root, 'faustgen.yaml');
    writeFileSync(topology, readFileSync(topology, 'utf8').replace('interval: 1s', 'interval: 2s'));
    const result = worker(project.root);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /^error FG_CODEGEN_STALE: the generated code is out of date with faustgen.yaml and the schemas \(\d+ file\(s\)\); run `faustgen codegen`/m);
    assert.match(result.stderr, /^ {2}stale: src\/generated\/\S+\.ts$/m);

    const child = spawn(process.execPath, [bin, 'worker', '--no-check'], { cwd: project.root, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const ready = new Promise<void>((resolve, reject) => {
      const seen = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('worker ready')) resolve();
      };
      child.stdout.on('data', seen);
      child.stderr.on('data', seen);
      child.on('exit', () => reject(new Error(`exited before ready:\n${output}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const safety = setTimeout(() => child.kill('SIGKILL'), 120_000);
    await ready;
    child.kill('SIGINT');
    assert.equal(await exited, 0, output);
    clearTimeout(safety);
  } finally {
    project.cleanup();
  }
});
