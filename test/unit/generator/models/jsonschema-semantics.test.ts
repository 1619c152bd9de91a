/**
 * JSON Schema keywords with the spec's semantics (draft-07 and 2020-12), on schemas written for
 * these tests: required without properties, additionalProperties in validate() and decode alike,
 * $ref siblings (ignored in draft-07, applied in 2020-12), format (asserted in draft-07, an
 * annotation in 2020-12) and defaults applied on construction and decode.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProject, typecheck } from './harness.js';
import type { GeneratedProject } from './harness.js';

const DRAFT7 = 'http://json-schema.org/draft-07/schema#';
const DRAFT2020 = 'https://json-schema.org/draft/2020-12/schema';

const schemas: Record<string, unknown> = {
  'needs-a.schema.json': { $schema: DRAFT2020, type: 'object', required: ['a'] },
  'closed.schema.json': { $schema: DRAFT2020, type: 'object', properties: { id: { type: 'string' } }, additionalProperties: false },
  'refs07.schema.json': {
    $schema: DRAFT7,
    type: 'object',
    definitions: { Short: { type: 'string', maxLength: 3 } },
    properties: { code: { $ref: '#/definitions/Short', minLength: 10 }, when: { type: 'string', format: 'date-time' } },
  },
  'refs2020.schema.json': {
    $schema: DRAFT2020,
    type: 'object',
    $defs: { Short: { type: 'string', maxLength: 3 } },
    properties: { code: { $ref: '#/$defs/Short', minLength: 2 }, when: { type: 'string', format: 'date-time' } },
  },
  'applicability.schema.json': {
    $schema: DRAFT2020,
    type: 'object',
    properties: {
      pattern: { pattern: '^a' },
      minimum: { minimum: 10 },
      items: { items: { type: 'integer' } },
      counted: { minItems: 2, maxItems: 3 },
      format: { format: 'date' },
      typed: { type: ['string', 'integer'], minimum: 5, maxLength: 2 },
    },
  },
  'nested-id.schema.json': {
    $schema: DRAFT2020,
    $id: 'https://example.com/schemas/root.json',
    type: 'object',
    $defs: {
      Inner: {
        $id: 'inner.json',
        type: 'object',
        properties: { b: { $ref: '#/$defs/B' } },
        $defs: { B: { type: 'string' } },
      },
      B: { type: 'integer' },
    },
    properties: { viaId: { $ref: 'inner.json' }, rootB: { $ref: '#/$defs/B' }, inInner: { $ref: 'https://example.com/schemas/inner.json#/$defs/B' } },
  },
  'closed-base.schema.json': {
    $schema: DRAFT2020,
    allOf: [{ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false }, { properties: { b: { type: 'integer' } } }],
  },
  'scoped-extra.schema.json': {
    $schema: DRAFT2020,
    allOf: [{ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: ['string', 'integer'], maximum: 10 } }, { properties: { b: { type: 'integer' } } }],
  },
  'payment.schema.json': {
    $schema: DRAFT2020,
    type: 'object',
    required: ['id'],
    properties: {
      id: { type: 'string' },
      amount: { type: 'number', default: 1.0 },
      tags: { type: 'array', items: { type: 'string' }, default: ['new'] },
      currency: { enum: ['EUR', 'USD'], default: 'EUR' },
    },
  },
};

interface ModelClass {
  new (fields: Record<string, unknown>): Record<string, unknown>;
  validate(value: unknown): { path: string; message: string }[];
  fromJSON(json: unknown): Record<string, unknown>;
}

let dir: string;
let project: GeneratedProject;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faustgen-jsonschema-'));
  const files = Object.entries(schemas).map(([name, schema]) => {
    writeFileSync(join(dir, name), JSON.stringify(schema));
    return join(dir, name);
  });
  project = await generateProject(files);
  assert.deepEqual(project.result.diagnostics, []);
});
after(() => {
  project.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function model(file: string, name: string): Promise<ModelClass> {
  return (await project.load<Record<string, unknown>>(`models/${file}.ts`))[name] as ModelClass;
}

describe('JSON Schema semantics', () => {
  test('the generated code type-checks under the strict config', () => {
    assert.deepEqual(typecheck(project.dir), []);
  });

  test('required without properties: the key must be there, with any value', async () => {
    const NeedsA = await model('needs-a', 'NeedsA');
    assert.deepEqual(NeedsA.validate({}), [{ path: '$.a', message: 'missing required field' }]);
    assert.deepEqual(NeedsA.validate({ a: [1, 'x'] }), []);
    assert.throws(() => NeedsA.fromJSON({ b: 1 }), /missing required field/);
    assert.deepEqual(NeedsA.fromJSON({ a: null })['a'], null);
  });

  test('additionalProperties: false is enforced by validate() as by decoding', async () => {
    const Closed = await model('closed', 'Closed');
    const extra = { id: 'x', other: 1 };
    assert.deepEqual(Closed.validate(extra), [{ path: '$.other', message: 'unexpected property in Closed' }]);
    assert.throws(() => Closed.fromJSON(extra), /unexpected property/);
    assert.deepEqual(Closed.validate({ id: 'x' }), []);
  });

  test('draft-07 ignores the keywords next to $ref; 2020-12 applies them', async () => {
    const Refs07 = await model('refs07', 'Refs07');
    assert.deepEqual(Refs07.validate({ code: 'abc' }), [], 'minLength: 10 next to $ref is ignored in draft-07');
    assert.equal(Refs07.validate({ code: 'abcd' }).length, 1, 'the target still applies');
    const Refs2020 = await model('refs2020', 'Refs2020');
    assert.deepEqual(Refs2020.validate({ code: 'a' }).map((i) => i.path), ['$.code'], 'minLength: 2 next to $ref applies in 2020-12');
    assert.deepEqual(Refs2020.validate({ code: 'abc' }), []);
  });

  test('format is asserted in draft-07 and an annotation in 2020-12; both type it as IsoTimestamp', async () => {
    const Refs07 = await model('refs07', 'Refs07');
    assert.deepEqual(Refs07.validate({ when: 'yesterday' }).map((i) => i.path), ['$.when']);
    const Refs2020 = await model('refs2020', 'Refs2020');
    assert.deepEqual(Refs2020.validate({ when: 'yesterday' }), []);
    for (const file of ['refs07', 'refs2020']) {
      const content = [...project.result.files.values()].find((f) => f.path.endsWith(`models/${file}.ts`))?.content ?? '';
      assert.match(content, /readonly when\?: \$fg\.IsoTimestamp;/);
    }
  });

  test('a keyword constrains only its own JSON type; without "type" every other type passes', async () => {
    const A = await model('applicability', 'Applicability');
    const ok = (value: Record<string, unknown>): void => assert.deepEqual(A.validate(value), [], JSON.stringify(value));
    const bad = (value: Record<string, unknown>, path: string): void => assert.deepEqual(A.validate(value).map((i) => i.path), [path], JSON.stringify(value));
    ok({ pattern: 'abc' });
    ok({ pattern: 5 });
    ok({ pattern: null });
    bad({ pattern: 'bcd' }, '$.pattern');
    ok({ minimum: 'x' });
    ok({ minimum: 11 });
    bad({ minimum: 9 }, '$.minimum');
    ok({ items: 'not an array' });
    ok({ items: [1, 2] });
    bad({ items: [1.5] }, '$.items[0]');
    ok({ counted: [1, 2] });
    ok({ counted: { a: 1 } });
    ok({ counted: 'abcd' });
    bad({ counted: [1] }, '$.counted');
    bad({ counted: [1, 2, 3, 4] }, '$.counted');
    ok({ format: 12 });
    ok({ typed: 'ab' });
    ok({ typed: 7 });
    bad({ typed: 'abc' }, '$.typed');
    bad({ typed: 4 }, '$.typed');
    bad({ typed: true }, '$.typed');
    // Decoding agrees.
    assert.deepEqual(A.fromJSON({ pattern: 5, counted: { a: 1 } })['pattern'], 5);
    assert.throws(() => A.fromJSON({ counted: [1] }));
  });

  test('a nested $id changes the base of the $refs inside it, and can itself be referenced', async () => {
    const NestedId = await model('nested-id', 'NestedId');
    assert.deepEqual(NestedId.validate({ viaId: { b: 'text' }, rootB: 3, inInner: 'x' }), []);
    assert.deepEqual(NestedId.validate({ viaId: { b: 3 } }).map((i) => i.path), ['$.viaId.b'], '#/$defs/B inside inner.json is its own B (a string)');
    assert.deepEqual(NestedId.validate({ rootB: 'x' }).map((i) => i.path), ['$.rootB'], "the root's B is an integer");
    assert.deepEqual(NestedId.validate({ inInner: 3 }).map((i) => i.path), ['$.inInner']);
  });

  test("allOf keeps each member's additionalProperties to that member's own properties", async () => {
    const ClosedBase = await model('closed-base', 'ClosedBase');
    assert.deepEqual(ClosedBase.validate({ a: 'x' }), []);
    assert.deepEqual(ClosedBase.validate({ a: 'x', b: 1 }).map((i) => i.path), ['$.b'], 'the first member forbids b');
    const ScopedExtra = await model('scoped-extra', 'ScopedExtra');
    assert.deepEqual(ScopedExtra.validate({ a: 'x', b: 5, c: 'y' }), []);
    assert.deepEqual(ScopedExtra.validate({ b: 11 }).map((i) => i.path), ['$.b'], "b is extra to the first member: its maximum applies");
    assert.deepEqual(ScopedExtra.validate({ c: 11 }).map((i) => i.path), ['$.c']);
  });

  test('defaults are applied by the constructor and by decoding', async () => {
    const Payment = await model('payment', 'Payment');
    const made = new Payment({ id: 'p1' });
    assert.equal(made['amount'], 1);
    assert.deepEqual(made['tags'], ['new']);
    assert.equal(made['currency'], 'EUR');
    const decoded = Payment.fromJSON({ id: 'p2', amount: 2.5 });
    assert.equal(decoded['amount'], 2.5);
    assert.equal(decoded['currency'], 'EUR');
    const content = [...project.result.files.values()].find((f) => f.path.endsWith('models/payment.ts'))?.content ?? '';
    assert.match(content, /readonly amount: number;/, 'a property with a default is always present');
    assert.match(content, /readonly amount\?: number;/, 'and may be left out when constructing');
  });
});
