import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emitAppFiles } from '../../../../generator/src/app/index.js';
import { parseTopology } from '../../../../generator/src/topology/load.js';
import { fakeCatalog } from './fake-catalog.js';

const yaml = (lines: readonly string[]): ReturnType<typeof parseTopology> => parseTopology(lines.join('\n') + '\n', '/p/faustgen.yaml', 'faustgen.yaml');

test('liveness settings in faustgen.yaml reach the generated app settings', () => {
  const loaded = yaml(['app: live', 'commitIntervalMs: 500', 'sessionTimeoutMs: 6000', 'heartbeatIntervalMs: 500', 'rebalanceTimeoutMs: 20000']);
  assert.deepEqual(loaded.diagnostics, []);
  assert.ok(loaded.topology);
  const settings = emitAppFiles(loaded.topology, fakeCatalog()).files.get('src/generated/settings.ts')?.content ?? '';
  for (const entry of ['commitIntervalMs: 500', 'sessionTimeoutMs: 6000', 'heartbeatIntervalMs: 500', 'rebalanceTimeoutMs: 20000']) assert.ok(settings.includes(entry), `${entry} in:\n${settings}`);
});

test('a heartbeat not below the session timeout, or a non-integer, is reported with its line', () => {
  const loaded = yaml(['app: live', 'sessionTimeoutMs: 6000', 'heartbeatIntervalMs: 6000', 'rebalanceTimeoutMs: 1.5']);
  assert.deepEqual(loaded.diagnostics.map((d) => [d.where.pointer, d.where.line]).sort(), [['/heartbeatIntervalMs', 3], ['/rebalanceTimeoutMs', 4]]);
});

test('output back-pressure and changelog coalescing settings in faustgen.yaml reach the generated app settings', () => {
  const loaded = yaml(['app: flow', 'maxOutputsInFlight: 5000', 'changelogBufferSize: 0']);
  assert.deepEqual(loaded.diagnostics, []);
  assert.ok(loaded.topology);
  const settings = emitAppFiles(loaded.topology, fakeCatalog()).files.get('src/generated/settings.ts')?.content ?? '';
  for (const entry of ['maxOutputsInFlight: 5000', 'changelogBufferSize: 0']) assert.ok(settings.includes(entry), `${entry} in:\n${settings}`);
  const bad = yaml(['app: flow', 'maxOutputsInFlight: 0', 'changelogBufferSize: -1']);
  assert.deepEqual(bad.diagnostics.map((d) => d.where.pointer).sort(), ['/changelogBufferSize', '/maxOutputsInFlight']);
});
