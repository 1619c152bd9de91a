/**
 * The schema `false` (draft-07 and 2020-12 core §4.3.2 "Boolean JSON Schemas") and an empty `enum`
 * (validation §6.1.2) accept no value. Where it is written decides what that means: a property that
 * may only be absent (2020-12 core §10.3.2.1 `properties`), an array that must be empty (§10.3.1.2
 * `items`), no tuple item at or after it (§10.3.1.1 `prefixItems`), a union branch that never matches
 * (§10.2.1.2 `anyOf`, §10.2.1.3 `oneOf`), an `allOf` (§10.2.1.1) or a whole model that rejects
 * everything. The cases are written from those sections in order and payment terms, plus a required
 * property whose schema is `false`, which is reported.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateModels } from '../../../../generator/src/models/index.js';
import { outDir, repoRoot, typecheck } from './harness.js';
import type { GeneratedProject } from './harness.js';
import { assertCaseHolds, generateCases, type SchemaCase } from './schema-cases.js';

const DRAFT7 = 'http://json-schema.org/draft-07/schema#';
const DRAFT2020 = 'https://json-schema.org/draft/2020-12/schema';
/** One value of every JSON type, in order vocabulary. */
const anything: readonly unknown[] = [1250, 'EUR', true, null, { orderId: 'A-1' }, [], {}, ['A-1']];

const cases: Record<string, SchemaCase> = {
  // A whole document that is `false`: a retired event type accepts nothing.
  retired: { schema: false, tests: anything.map((v) => [v, false] as const) },
  // A property whose schema is `false` may only be absent: card numbers must no longer be sent.
  'payment-note': {
    schema: { $schema: DRAFT2020, properties: { note: true, legacyCardNumber: false } },
    tests: [[{}, true], [{ note: 'gift' }, true], [{ legacyCardNumber: '4111111111111111' }, false], [{ note: 'gift', legacyCardNumber: 4111 }, false]],
  },
  // An anyOf with a `false` branch next to a `true` one accepts everything.
  metadata: { schema: { $schema: DRAFT2020, anyOf: [false, true] }, tests: anything.map((v) => [v, true] as const) },
  // A `false` oneOf branch never matches, so it never makes a second match (draft-07 validation §6.7.3).
  'payment-reference': {
    schema: { $schema: DRAFT7, oneOf: [{ type: 'string', pattern: '^PAY-' }, false, { type: 'integer', minimum: 1 }] },
    tests: [['PAY-7', true], [42, true], [4.2, false], [null, false], ['REF-7', false], [0, false]],
  },
  // An allOf with a `false` member rejects everything, even an otherwise well-formed order.
  'frozen-order': {
    schema: { $schema: DRAFT2020, allOf: [{ type: 'object', properties: { orderId: { type: 'string' } } }, false] },
    tests: [...anything.map((v) => [v, false] as const), [{ orderId: 'A-2' }, false]],
  },
  // `items: false`: a list of refunds on a closed account must be empty; other types are not arrays.
  'closed-refunds': {
    schema: { $schema: DRAFT2020, items: false },
    tests: [[[], true], [['R-1', 'R-2'], false], ['none', true], [0, true]],
  },
  // A tuple whose second position is retired: the item after a `false` one cannot be present.
  'order-line': {
    schema: { $schema: DRAFT2020, prefixItems: [{ type: 'string' }, false], minItems: 0 },
    tests: [[['A-1'], true], [[], true], [['A-1', 2], false], [['A-1', null], false], [[5], false]],
  },
  // A `$ref` to a `false` definition (2020-12 core §8.2.3.1): a discontinued product accepts nothing.
  discontinued: {
    schema: { $schema: DRAFT2020, $ref: '#/$defs/Discontinued', $defs: { Discontinued: false } },
    tests: [['SKU-1', false], [0, false], [{}, false]],
  },
  // An empty enum (2020-12 validation §6.1.2): a suspended merchant accepts no currency.
  'suspended-currencies': { schema: { $schema: DRAFT2020, enum: [] }, tests: anything.map((v) => [v, false] as const) },
};

let project: GeneratedProject;

before(async () => {
  project = await generateCases(cases);
});
after(() => project.cleanup());

describe('the schema false', () => {
  test('generates without diagnostics; a false property is typed `never` and may only be left out', () => {
    assert.deepEqual(project.result.diagnostics, []);
    const note = [...project.result.files.values()].find((f) => f.path.endsWith('models/payment-note.ts'))?.content ?? '';
    assert.match(note, /readonly legacyCardNumber\?: never;/);
    writeFileSync(
      join(project.dir, outDir, 'use.ts'),
      [
        "import { PaymentNote } from './models/payment-note.js';",
        "export const ok = new PaymentNote({ note: 'gift' });",
        '// @ts-expect-error legacyCardNumber accepts no value',
        "export const wrong = new PaymentNote({ legacyCardNumber: '4111111111111111' });",
      ].join('\n'),
    );
    assert.deepEqual(typecheck(project.dir), []);
  });

  test('validate() and decoding reject exactly what the spec rejects', async () => {
    for (const [name, c] of Object.entries(cases)) await assertCaseHolds(project, name, c);
  });

  test('a required property whose schema is false is reported with its pointer', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'faustgen-false-req-'));
    try {
      const file = join(tmp, 'req.schema.json');
      writeFileSync(file, JSON.stringify({ $schema: DRAFT7, type: 'object', properties: { pin: false }, required: ['pin'] }));
      const result = await generateModels({ schemaFiles: [file], projectRoot: repoRoot, outDir });
      assert.deepEqual(
        result.diagnostics.map((d) => [d.where.pointer, d.message]),
        [['/properties/pin', 'required property "pin" accepts no value (its schema is `false`): no object is valid']],
      );
      assert.equal(result.files.size, 0);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
