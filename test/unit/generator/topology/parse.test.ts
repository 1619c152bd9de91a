import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { topologyKeys } from '../../../../generator/src/topology/keys.js';
import { parseTopology } from '../../../../generator/src/topology/load.js';
import { parseDuration } from '../../../../generator/src/topology/durations.js';
import { camelCase, kebabCase, pascalCase } from '../../../../generator/src/topology/names.js';
import { checkTypes } from '../../../../generator/src/topology/check-types.js';
import { fakeCatalog } from '../app/fake-catalog.js';
import { fixtures, repoRoot } from '../app/project.js';

const validText = readFileSync(join(fixtures, 'valid/greetings.yaml'), 'utf8');

describe('topology parsing', () => {
  test('the valid fixture has no diagnostics and resolves every reference', () => {
    const loaded = parseTopology(validText, '/p/faustgen.yaml', 'faustgen.yaml');
    assert.deepEqual(loaded.diagnostics, []);
    const topology = loaded.topology;
    assert.ok(topology && loaded.document);
    assert.deepEqual(checkTypes(topology, fakeCatalog(), loaded.document), []);
    assert.equal(topology.settings.id, 'greetings');
    assert.deepEqual(topology.paths, { schemas: ['schemas'], output: 'src/generated', handlers: 'src/agents', tests: 'test/agents' });
    assert.deepEqual(topology.topics.map((topic) => topic.id), ['greetings', 'greetingLines', 'deadGreetings']);
    const forward = topology.agents.find((agent) => agent.name === 'forward');
    assert.equal(forward?.source?.kind, 'channel');
    assert.equal(forward?.sinks[0]?.kind, 'agent');
    const perMinute = topology.tables.find((table) => table.name === 'per-minute');
    assert.deepEqual(perMinute?.window, { type: 'tumbling', sizeMs: 60_000, expiresMs: 3_600_000, pointer: '/tables/1/window' });
    assert.deepEqual(topology.timers[0]?.intervalMs, 5000);
  });

  test('processingGuarantee: exactly_once reaches the settings; an unknown value is refused at its line', () => {
    const ok = parseTopology('app: demo\nprocessingGuarantee: exactly_once\n', '/p/faustgen.yaml', 'faustgen.yaml');
    assert.deepEqual(ok.diagnostics, []);
    assert.equal(ok.topology?.settings.processingGuarantee, 'exactly_once');
    const bad = parseTopology('app: demo\nprocessingGuarantee: exactly-once\n', '/p/faustgen.yaml', 'faustgen.yaml');
    assert.equal(bad.diagnostics.length, 1);
    assert.equal(bad.diagnostics[0]?.where.line, 2);
    assert.match(bad.diagnostics[0]?.message ?? '', /exactly-once/);
  });

    test('JSON topologies parse too, with line numbers in diagnostics', () => {
    const json = JSON.stringify({ app: 'demo', topics: [{ name: 'orders', value: 'json', partitionz: 3 }] }, null, 2);
    const loaded = parseTopology(json, '/p/faustgen.json', 'faustgen.json');
    assert.equal(loaded.diagnostics.length, 1);
    const [diagnostic] = loaded.diagnostics;
    assert.equal(diagnostic?.where.file, 'faustgen.json');
    assert.equal(diagnostic?.where.line, 7);
    assert.equal(diagnostic?.where.pointer, '/topics/0/partitionz');
    assert.equal(diagnostic?.hint, 'did you mean "partitions"?');
  });

  test('all problems of a file are reported in one run', () => {
    const text = ['app: demo', 'topics:', '  - name: a', '    value: json', '    partitons: 2', 'agents:', '  - name: b', '    source: c', 'tables:', '  - name: t', '    value: long', '    window: { type: hopping, size: 1m, step: 2m }'].join('\n');
    const loaded = parseTopology(text, '/p/faustgen.yaml', 'faustgen.yaml');
    assert.deepEqual(loaded.diagnostics.map((d) => d.where.line).sort(), [12, 5, 8].sort());
  });

  test('durations need a unit and must be positive', () => {
    assert.deepEqual(parseDuration('1.5s'), { ok: true, ms: 1500 });
    assert.deepEqual(parseDuration('5m'), { ok: true, ms: 300_000 });
    assert.deepEqual(parseDuration('2d'), { ok: true, ms: 172_800_000 });
    assert.equal(parseDuration(60).ok, false);
    assert.equal(parseDuration('0s').ok, false);
    assert.equal(parseDuration('-1s').ok, false);
    assert.equal(parseDuration('soon').ok, false);
  });

  test('names become identifiers', () => {
    assert.equal(camelCase('print-greetings'), 'printGreetings');
    assert.equal(camelCase('orders.v1'), 'ordersV1');
    assert.equal(camelCase('page_views'), 'pageViews');
    assert.equal(pascalCase('count-by-recipient'), 'CountByRecipient');
    assert.equal(kebabCase('sendGreeting'), 'send-greeting');
  });

  test('the JSON Schema for editors accepts exactly the keys the checker accepts', () => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas/faustgen.schema.json'), 'utf8')) as {
      $schema: string;
      properties: Record<string, unknown>;
      $defs: Record<string, { properties?: Record<string, { properties?: Record<string, unknown> }> }>;
    };
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    const keys = (properties: Record<string, unknown> | undefined): string[] => Object.keys(properties ?? {}).sort();
    assert.deepEqual(keys(schema.properties), [...topologyKeys.root].sort());
    for (const kind of ['topic', 'channel', 'agent', 'table', 'timer', 'crontab', 'task', 'page'] as const) {
      assert.deepEqual(keys(schema.$defs[kind]?.properties), [...topologyKeys[kind]].sort(), kind);
    }
    assert.deepEqual(keys(schema.$defs['table']?.properties?.['window']?.properties), [...topologyKeys.window].sort());
    assert.deepEqual(keys(schema.$defs['agent']?.properties?.['groupBy']?.properties), [...topologyKeys.groupBy].sort());
    const onWindowClose = schema.$defs['table']?.properties?.['onWindowClose'] as { oneOf: { properties?: Record<string, unknown> }[] } | undefined;
    assert.deepEqual(keys(onWindowClose?.oneOf[1]?.properties), [...topologyKeys.windowClose].sort());
  });
});
