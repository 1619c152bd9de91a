import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { generate } from '../../../generator/src/pipeline.js';

/**
 * Every example under examples/ is a faustgen project whose generated code is committed. Each must be
 * in sync with its topology and schemas, type-check under the strict base config (resolving `faustgen`
 * to this package through the package.json "exports" self-reference, i.e. to dist/), and pass its own
 * tests, which drive it with faustgen/testing.
 */
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const examples = readdirSync(join(repoRoot, 'examples'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(repoRoot, 'examples', entry.name, 'faustgen.yaml')))
  .map((entry) => entry.name)
  .sort();

function run(args: readonly string[], cwd: string): Promise<{ status: number | null; output: string }> {
  // NODE_TEST_CONTEXT would make an inner test runner report to ours instead of printing.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_TEST_CONTEXT'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

function testFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.test.ts')).map((name) => join(folder, name)).sort();
}

describe('examples', () => {
  test('the four examples exist', () => {
    assert.deepEqual(examples, ['greetings', 'orders', 'page-views', 'word-count']);
    assert.ok(existsSync(join(repoRoot, 'dist/runtime/src/index.d.ts')), 'run `npm run build` first: examples import faustgen from dist/');
  });

  for (const name of examples) {
    describe(name, { concurrency: 2 }, () => {
      const root = join(repoRoot, 'examples', name);

      test('generated code is committed and up to date (codegen --check)', async () => {
        const result = await generate({ projectRoot: root, check: true });
        assert.deepEqual(result.diagnostics, []);
        assert.deepEqual(result.stale, [], `stale generated files in examples/${name}: run \`node ../../bin/run.js codegen\` there`);
        assert.deepEqual(result.userStubsAdded, [], `missing handler or test files in examples/${name}`);
        assert.deepEqual(result.orphanedStubs, []);
      });

      test('type-checks under the strict config', async () => {
        const result = await run([join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], root);
        assert.equal(result.status, 0, result.output);
      });

      test('its own tests pass', async () => {
        const files = testFiles(join(root, 'test'));
        assert.ok(files.length > 0, `examples/${name} has no tests`);
        const result = await run(['--import', 'tsx', '--test', ...files], root);
        assert.equal(result.status, 0, result.output);
        assert.match(result.output, /^# fail 0$/m);
        assert.doesNotMatch(result.output, /^# pass 0$/m);
      });
    });
  }
});
