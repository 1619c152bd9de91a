/**
 * `const` and `enum` with object and array values. JSON Schema compares them by JSON equality
 * (draft-07 and 2020-12 core §4.2.2 "Instance Equality"; validation §6.1.2 `enum`, §6.1.3 `const`):
 * object key order does not matter, `false` is not `0`, `[1]` is not `[true]`. The cases are written
 * from those sections in payment terms; they generate literal types that type-check, and validate()
 * and decoding agree with the specs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { outDir, typecheck } from './harness.js';
import type { GeneratedProject } from './harness.js';
import { assertCaseHolds, generateCases, type SchemaCase } from './schema-cases.js';

const DRAFT7 = 'http://json-schema.org/draft-07/schema#';
const DRAFT2020 = 'https://json-schema.org/draft/2020-12/schema';

const cases: Record<string, SchemaCase> = {
  // An object constant: a fixed market. Same members in any order match; fewer or more do not.
  market: {
    schema: { $schema: DRAFT2020, const: { currency: 'EUR', country: 'DE' } },
    tests: [
      [{ currency: 'EUR', country: 'DE' }, true],
      [{ country: 'DE', currency: 'EUR' }, true],
      [{ currency: 'EUR' }, false],
      [{ currency: 'EUR', country: 'DE', vat: 19 }, false],
      [['EUR', 'DE'], false],
    ],
  },
  // An array constant (draft-07): capture flags [captured, retries]. Items compare by type and
  // position: `false` is not `0`, `0` is not `false`.
  'capture-flags': {
    schema: { $schema: DRAFT7, const: [false, 0] },
    tests: [[[false, 0], true], [[0, false], false], [[0, 0], false], [[false, false], false], [[false, 0, 0], false], [[false], false]],
  },
  // A nested boolean: `true` is not `1` nor `"true"` inside an object either.
  refundable: {
    schema: { $schema: DRAFT2020, const: { refundable: true } },
    tests: [[{ refundable: true }, true], [{ refundable: 1 }, false], [{ refundable: 'true' }, false]],
  },
  // Payment terms of every JSON type (draft-07): a number of days, a keyword, no instalments, no
  // terms at all (false), or an object.
  'payment-terms': {
    schema: { $schema: DRAFT7, enum: [30, 'on-receipt', [], false, { days: 60 }] },
    tests: [
      [30, true],
      [30.0, true],
      ['on-receipt', true],
      [[], true],
      [false, true],
      [{ days: 60 }, true],
      ['ON-RECEIPT', false],
      [0, false],
      [null, false],
      [[30], false],
      [{ days: false }, false],
      [{ days: 60, discount: 2 }, false],
    ],
  },
  // Instalment plans as arrays and objects; 1 and 1.0 are the same JSON number, so the duplicates
  // count once, while `true` is not `1`.
  instalments: {
    schema: { $schema: DRAFT2020, enum: [[1, 2], [1.0, 2.0], { split: [1] }, { split: [1.0] }] },
    tests: [[[1, 2], true], [[2, 1], false], [[true, 2], false], [{ split: [1] }, true], [{ split: [true] }, false]],
  },
  // In a record, with a default among the values and an empty object constant.
  shipment: {
    schema: {
      $schema: DRAFT2020,
      type: 'object',
      properties: {
        origin: { const: { country: 'DE', zone: 1 } },
        services: { enum: [['standard'], ['express', 'insured']], default: ['standard'] },
        extras: { const: {} },
      },
      required: ['origin'],
    },
    // `services` is always present in the model (it has a default), so these instances carry it.
    tests: [
      [{ origin: { zone: 1, country: 'DE' }, services: ['standard'] }, true],
      [{ origin: { country: 'DE', zone: 1 }, services: ['express', 'insured'], extras: {} }, true],
      [{ origin: { country: 'DE', zone: 2 }, services: ['standard'] }, false],
      [{ origin: { country: 'DE', zone: 1 }, services: ['insured', 'express'] }, false],
      [{ origin: { country: 'DE', zone: 1 }, services: ['standard'], extras: { gift: true } }, false],
    ],
  },
};

let project: GeneratedProject;

before(async () => {
  project = await generateCases(cases);
});
after(() => project.cleanup());

describe('const and enum with object and array values', () => {
  test('generate without diagnostics; the literal types type-check, with user code that uses them', () => {
    assert.deepEqual(project.result.diagnostics, []);
    writeFileSync(
      join(project.dir, outDir, 'use.ts'),
      [
        "import { Shipment } from './models/shipment.js';",
        "import type { CaptureFlags } from './models/capture-flags.js';",
        "const made = new Shipment({ origin: { country: 'DE', zone: 1 }, extras: {} });",
        "const services: readonly ['standard'] | readonly ['express', 'insured'] = made.services;",
        'const flags: CaptureFlags = [false, 0];',
        'export const used = [services, flags];',
        "// @ts-expect-error the constant is { country: 'DE', zone: 1 }",
        "export const wrong = new Shipment({ origin: { country: 'DE', zone: 2 } });",
      ].join('\n'),
    );
    assert.deepEqual(typecheck(project.dir), []);
  });

  test('validate() and decoding compare by JSON equality', async () => {
    for (const [name, c] of Object.entries(cases)) await assertCaseHolds(project, name, c);
  });

  test('a default among object or array values is applied', async () => {
    const { Shipment } = await project.load<{ Shipment: new (fields: Record<string, unknown>) => Record<string, unknown> }>('models/shipment.ts');
    assert.deepEqual(new Shipment({ origin: { country: 'DE', zone: 1 } })['services'], ['standard']);
  });
});
