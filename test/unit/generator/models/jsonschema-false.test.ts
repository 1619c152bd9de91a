/**
 * The schema `false` (and an empty `enum`) accepts no value. Where it is written decides what that
 * means: a property that may only be absent, an array that must be empty, a union branch that never
 * matches, an `allOf` (or a whole model) that rejects everything. Cases from the official suite's
 * boolean_schema.json, properties.json, items.json, anyOf/oneOf/allOf.json and ref.json, plus a
 * required property whose schema is `false`, which is reported.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateModels } from '../../../../generator/src/models/index.js';
import { generateProject, outDir, repoRoot, typecheck } from './harness.js';
import type { GeneratedProject } from './harness.js';

const DRAFT7 = 'http://json-schema.org/draft-07/schema#';
const DRAFT2020 = 'https://json-schema.org/draft/2020-12/schema';
const anything: readonly unknown[] = [1, 'foo', true, null, { foo: 'bar' }, [], {}, ['foo']];

const cases: Record<string, { schema: unknown; tests: readonly (readonly [unknown, boolean])[] }> = {
  // Suite "boolean schema 'false'" (a document that is just `false`).
  nothing: { schema: false, tests: anything.map((v) => [v, false] as const) },
  // Suite "properties with boolean schema".
  props: {
    schema: { $schema: DRAFT2020, properties: { foo: true, bar: false } },
    tests: [[{}, true], [{ foo: 1 }, true], [{ bar: 2 }, false], [{ foo: 1, bar: 2 }, false]],
  },
  // Suite "anyOf with boolean schemas, some true" / "oneOf with boolean schemas, one true".
  'any-some': { schema: { $schema: DRAFT2020, anyOf: [true, false] }, tests: anything.map((v) => [v, true] as const) },
  'one-of': {
    schema: { $schema: DRAFT7, oneOf: [{ type: 'string' }, false, { type: 'integer' }] },
    tests: [['a', true], [1, true], [1.5, false], [null, false]],
  },
  // Suite "allOf with boolean schemas, some false".
  'all-some': { schema: { $schema: DRAFT2020, allOf: [true, false] }, tests: anything.map((v) => [v, false] as const) },
  // Suite "items with boolean schema (false)".
  'no-items': { schema: { $schema: DRAFT2020, items: false }, tests: [[[], true], [[1, 'foo', true], false], ['foo', true]] },
  // Suite "prefixItems with boolean schemas": the item after a `false` one cannot be present.
  prefix: {
    schema: { $schema: DRAFT2020, prefixItems: [true, false], minItems: 0 },
    tests: [[[1], true], [[1, 'foo'], false], [[], true]],
  },
  // Suite "$ref to boolean schema false".
  'ref-false': { schema: { $schema: DRAFT2020, $ref: '#/$defs/bool', $defs: { bool: false } }, tests: [['foo', false]] },
  // Suite (2020-12) "empty enum".
  'empty-enum': { schema: { $schema: DRAFT2020, enum: [] }, tests: anything.map((v) => [v, false] as const) },
};

interface Codec {
  decode(bytes: Buffer): unknown;
  validate(value: unknown): unknown[];
}

let dir: string;
let project: GeneratedProject;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faustgen-false-'));
  const files = Object.entries(cases).map(([name, c]) => {
    writeFileSync(join(dir, `${name}.schema.json`), JSON.stringify(c.schema));
    return join(dir, `${name}.schema.json`);
  });
  project = await generateProject(files);
});
after(() => {
  project.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('the schema false', () => {
  test('generates without diagnostics; a false property is typed `never` and may only be left out', () => {
    assert.deepEqual(project.result.diagnostics, []);
    const props = [...project.result.files.values()].find((f) => f.path.endsWith('models/props.ts'))?.content ?? '';
    assert.match(props, /readonly bar\?: never;/);
    writeFileSync(
      join(project.dir, outDir, 'use.ts'),
      [
        "import { Props } from './models/props.js';",
        'export const ok = new Props({ foo: 1 });',
        '// @ts-expect-error bar accepts no value',
        'export const wrong = new Props({ bar: 2 });',
      ].join('\n'),
    );
    assert.deepEqual(typecheck(project.dir), []);
  });

  test('validate() and decoding reject exactly what the spec rejects', async () => {
    for (const [name, c] of Object.entries(cases)) {
      const entry = project.result.catalog.entries.find((e) => e.location.file.endsWith(`/${name}.schema.json`) && e.location.pointer === '');
      assert.ok(entry !== undefined, name);
      const codec = (await project.load<Record<string, Codec>>(entry.modulePath.replace(/\.js$/, '.ts')))[`${entry.className}JsonCodec`];
      assert.ok(codec !== undefined, name);
      for (const [data, valid] of c.tests) {
        let decoded = true;
        try {
          codec.decode(Buffer.from(JSON.stringify(data)));
        } catch {
          decoded = false;
        }
        assert.equal(decoded, valid, `${name}: decode ${JSON.stringify(data)}`);
        assert.equal(codec.validate(data).length === 0, valid, `${name}: validate() ${JSON.stringify(data)}`);
      }
    }
  });

  test('a required property whose schema is false is reported with its pointer', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'faustgen-false-req-'));
    try {
      const file = join(tmp, 'req.schema.json');
      writeFileSync(file, JSON.stringify({ $schema: DRAFT7, type: 'object', properties: { gone: false }, required: ['gone'] }));
      const result = await generateModels({ schemaFiles: [file], projectRoot: repoRoot, outDir });
      assert.deepEqual(
        result.diagnostics.map((d) => [d.where.pointer, d.message]),
        [['/properties/gone', 'required property "gone" accepts no value (its schema is `false`): no object is valid']],
      );
      assert.equal(result.files.size, 0);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
