/**
 * `const` and `enum` with object and array values (JSON Schema compares them by JSON equality: key
 * order does not matter, `false` is not `0`, `[1]` is not `[true]`), with cases from the official
 * suite's const.json and enum.json: they generate literal types that type-check, and validate() and
 * decoding agree with the spec.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProject, outDir, typecheck } from './harness.js';
import type { GeneratedProject } from './harness.js';

const DRAFT7 = 'http://json-schema.org/draft-07/schema#';
const DRAFT2020 = 'https://json-schema.org/draft/2020-12/schema';

const cases: Record<string, { schema: unknown; tests: readonly (readonly [unknown, boolean])[] }> = {
  // Suite "const with object".
  'const-object': {
    schema: { $schema: DRAFT2020, const: { foo: 'bar', baz: 'bax' } },
    tests: [[{ foo: 'bar', baz: 'bax' }, true], [{ baz: 'bax', foo: 'bar' }, true], [{ foo: 'bar' }, false], [[1, 2], false]],
  },
  // Suite "const with [false] does not match [0]".
  'const-array': {
    schema: { $schema: DRAFT7, const: [false] },
    tests: [[[false], true], [[0], false], [[0.0], false], [[false, false], false]],
  },
  // Suite "const with {"a": true} does not match {"a": 1}".
  'const-nested': {
    schema: { $schema: DRAFT2020, const: { a: true } },
    tests: [[{ a: true }, true], [{ a: 1 }, false], [{ a: 1.0 }, false]],
  },
  // Suite "heterogeneous enum validation".
  'enum-mixed': {
    schema: { $schema: DRAFT7, enum: [6, 'foo', [], true, { foo: 12 }] },
    tests: [[[], true], [null, false], [{ foo: false }, false], [{ foo: 12 }, true], [{ foo: 12, boo: 42 }, false], [6, true], [6.0, true]],
  },
  // Suite "enum with [1] does not match [true]"; duplicates by JSON equality count once.
  'enum-arrays': {
    schema: { $schema: DRAFT2020, enum: [[1], [1.0], { a: [1] }, { a: [1.0] }] },
    tests: [[[1], true], [[true], false], [{ a: [1] }, true], [{ a: [true] }, false]],
  },
  // In a record, with a default among the values and an empty object constant.
  shape: {
    schema: {
      $schema: DRAFT2020,
      type: 'object',
      properties: {
        origin: { const: { x: 0, y: 0 } },
        tags: { enum: [['a'], ['b', 'c']], default: ['a'] },
        empty: { const: {} },
      },
      required: ['origin'],
    },
    // `tags` is always present in the model (it has a default), so these instances carry it.
    tests: [
      [{ origin: { y: 0, x: 0 }, tags: ['a'] }, true],
      [{ origin: { x: 0, y: 0 }, tags: ['b', 'c'], empty: {} }, true],
      [{ origin: { x: 1, y: 0 }, tags: ['a'] }, false],
      [{ origin: { x: 0, y: 0 }, tags: ['c', 'b'] }, false],
      [{ origin: { x: 0, y: 0 }, tags: ['a'], empty: { a: 1 } }, false],
    ],
  },
};

interface Codec {
  decode(bytes: Buffer): unknown;
  validate(value: unknown): unknown[];
}

let dir: string;
let project: GeneratedProject;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faustgen-const-enum-'));
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

describe('const and enum with object and array values', () => {
  test('generate without diagnostics; the literal types type-check, with user code that uses them', () => {
    assert.deepEqual(project.result.diagnostics, []);
    writeFileSync(
      join(project.dir, outDir, 'use.ts'),
      [
        "import { Shape } from './models/shape.js';",
        "import type { ConstArray } from './models/const-array.js';",
        'const made = new Shape({ origin: { x: 0, y: 0 }, empty: {} });',
        "const tags: readonly ['a'] | readonly ['b', 'c'] = made.tags;",
        'const flags: ConstArray = [false];',
        'export const used = [tags, flags];',
        '// @ts-expect-error the constant is { x: 0, y: 0 }',
        'export const wrong = new Shape({ origin: { x: 1, y: 0 } });',
      ].join('\n'),
    );
    assert.deepEqual(typecheck(project.dir), []);
  });

  test('validate() and decoding compare by JSON equality', async () => {
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

  test('a default among object or array values is applied', async () => {
    const { Shape } = await project.load<{ Shape: new (fields: Record<string, unknown>) => Record<string, unknown> }>('models/shape.ts');
    assert.deepEqual(new Shape({ origin: { x: 0, y: 0 } })['tags'], ['a']);
  });
});
