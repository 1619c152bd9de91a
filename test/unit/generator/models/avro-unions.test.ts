import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProject, typecheck } from './harness.js';
import type { GeneratedProject } from './harness.js';

const schema = {
  type: 'record',
  name: 'Reading',
  namespace: 'u',
  fields: [
    { name: 'at', type: ['string', { type: 'long', logicalType: 'timestamp-millis' }] },
    { name: 'level', type: ['float', 'int'], default: 1.5 },
    { name: 'kind', type: ['null', 'string', { type: 'enum', name: 'Kind', symbols: ['A', 'B'] }], default: null },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};

let project: GeneratedProject;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faustgen-unions-'));
  writeFileSync(join(dir, 'reading.avsc'), JSON.stringify(schema));
  project = await generateProject([join(dir, 'reading.avsc')]);
  assert.deepEqual(project.result.diagnostics, []);
});
after(() => {
  project.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('Avro unions whose branches share a TypeScript type are tagged', () => {
  test('the generated types say which branches are tagged; unambiguous unions stay plain', () => {
    const file = [...project.result.files.values()].find((f) => f.path.endsWith('models/u/reading.ts'));
    assert.ok(file !== undefined);
    assert.match(file.content, /readonly at: \$fg\.Branch<"string", string> \| \$fg\.Branch<"long", \$fg\.IsoTimestamp>;/);
    assert.match(file.content, /readonly level: \$fg\.Branch<"float", number> \| \$fg\.Branch<"int", number>;/);
    assert.match(file.content, /readonly kind: null \| \$fg\.Branch<"string", string> \| \$fg\.Branch<"u\.Kind", Kind>;/);
    assert.match(file.content, /readonly note: null \| string;/);
    assert.deepEqual(typecheck(project.dir), []);
  });

  test('a union default of a tagged first branch is tagged; JSON travels plain and comes back tagged', async () => {
    const { Reading, ReadingJsonCodec, ReadingAvroCodec } = await project.load<{
      Reading: new (fields: Record<string, unknown>) => Record<string, unknown>;
      ReadingJsonCodec: { encode(v: unknown): Buffer; decode(b: Buffer): unknown };
      ReadingAvroCodec: { encode(v: unknown): Buffer; decode(b: Buffer): unknown };
    }>('models/u/reading.ts');
    const reading = new Reading({ at: { branch: 'long', value: '2024-01-02T03:04:05.123Z' } });
    assert.deepEqual(reading['level'], { branch: 'float', value: 1.5 });
    const json = JSON.parse(ReadingJsonCodec.encode(reading).toString('utf8')) as Record<string, unknown>;
    assert.equal(json['at'], '2024-01-02T03:04:05.123Z');
    assert.equal(json['level'], 1.5);
    assert.deepEqual(ReadingAvroCodec.decode(ReadingAvroCodec.encode(reading)), reading);
    // Faust's JSON names no branch: the first branch that fits is taken.
    const decoded = ReadingJsonCodec.decode(Buffer.from(JSON.stringify({ at: '2024-01-02T03:04:05.123Z', level: 2 }))) as Record<string, unknown>;
    assert.deepEqual(decoded['at'], { branch: 'string', value: '2024-01-02T03:04:05.123Z' });
    assert.deepEqual(decoded['level'], { branch: 'float', value: 2 });
  });
});
