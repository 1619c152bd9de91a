import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { scaffold } from '../../../../generator/src/cli/scaffold.js';
import { generate } from '../../../../generator/src/pipeline.js';
import { fixtures, repoRoot } from './project.js';

/**
 * Generated code compiled with the user's strict tsconfig against the built runtime (dist/), as an
 * installed project would: node_modules/faustgen links to this package.
 */
function linkDependencies(root: string): void {
  assert.ok(existsSync(join(repoRoot, 'dist/runtime/src/index.d.ts')), 'run `npm run build` first: the compile tests use the built runtime');
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  symlinkSync(repoRoot, join(root, 'node_modules/faustgen'), 'dir');
  symlinkSync(join(repoRoot, 'node_modules/@types'), join(root, 'node_modules/@types'), 'dir');
  symlinkSync(join(repoRoot, 'node_modules/tsx'), join(root, 'node_modules/tsx'), 'dir');
}

function tsc(root: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], { cwd: root, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('generated code compiles against the runtime', () => {
  test('the init scaffold type-checks under its strict tsconfig and its example test passes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'faustgen-init-'));
    try {
      await scaffold({ dir: root, appId: 'greetings' });
      const result = await generate({ projectRoot: root });
      assert.deepEqual(result.diagnostics, []);
      linkDependencies(root);
      const compiled = tsc(root);
      assert.equal(compiled.status, 0, compiled.output);
      // NODE_TEST_CONTEXT would make the inner runner report to ours instead of printing.
      const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_TEST_CONTEXT'));
      const tests = spawnSync(process.execPath, ['--import', 'tsx', '--test', 'test/agents/print-greetings.test.ts'], { cwd: root, encoding: 'utf8', env });
      assert.equal(tests.status, 0, `${tests.stdout}${tests.stderr}`);
      assert.match(tests.stdout, /# pass 1/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('the full fixture (agents, channels, sinks, groupBy, windowed and set tables, timers, crontabs, pages) type-checks', async () => {
    const root = mkdtempSync(join(tmpdir(), 'faustgen-fixture-'));
    try {
      await scaffold({ dir: root, appId: 'greetings' });
      const topology = readFileSync(join(fixtures, 'valid/greetings.yaml'), 'utf8');
      writeFileSync(join(root, 'faustgen.yaml'), topology.replaceAll('value: Greeting', 'value: example.Greeting').replaceAll('yields: Greeting', 'yields: example.Greeting'));
      rmSync(join(root, 'src/agents'), { recursive: true });
      rmSync(join(root, 'test/agents'), { recursive: true });
      const result = await generate({ projectRoot: root });
      assert.deepEqual(result.diagnostics, []);
      linkDependencies(root);
      const compiled = tsc(root);
      assert.equal(compiled.status, 0, compiled.output);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('top-level Avro schemas that are not named types (array of records, union, map) are topic keys and values', async () => {
    const root = mkdtempSync(join(tmpdir(), 'faustgen-toplevel-'));
    try {
      await scaffold({ dir: root, appId: 'greetings' });
      writeFileSync(join(root, 'schemas/readings.avsc'), JSON.stringify({ type: 'array', items: { type: 'record', name: 'Reading', namespace: 'iot', fields: [{ name: 'at', type: ['string', { type: 'long', logicalType: 'timestamp-millis' }] }] } }));
      writeFileSync(join(root, 'schemas/device-id.avsc'), JSON.stringify(['string', 'long', 'null']));
      writeFileSync(join(root, 'schemas/totals.avsc'), JSON.stringify({ type: 'map', values: 'double' }));
      const topology = readFileSync(join(root, 'faustgen.yaml'), 'utf8').replace(
        'topics:\n',
        'topics:\n  - { name: readings, key: DeviceId, value: Readings, partitions: 4 }\n  - { name: totals, key: DeviceId, value: Totals }\n',
      ).replace('agents:\n', 'agents:\n  - { name: sum-readings, source: readings, sinks: [totals], yields: Totals }\n');
      writeFileSync(join(root, 'faustgen.yaml'), topology);
      const result = await generate({ projectRoot: root });
      assert.deepEqual(result.diagnostics, []);
      writeFileSync(
        join(root, 'src/agents/sum-readings.ts'),
        [
          '// faustgen:stub agent sum-readings',
          "import type { SumReadingsHandler } from '../generated/handlers.js';",
          "import type { Totals } from '../generated/models.js';",
          'export const sumReadings: SumReadingsHandler = async function* (stream) {',
          '  for await (const readings of stream) {',
          "    const stamped = readings.filter((r) => r.at.branch === 'long').length;",
          '    const totals: Totals = { stamped };',
          '    yield totals;',
          '  }',
          '};',
          '',
        ].join('\n'),
      );
      linkDependencies(root);
      const compiled = tsc(root);
      assert.equal(compiled.status, 0, compiled.output);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
