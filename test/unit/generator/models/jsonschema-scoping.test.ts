/**
 * JSON Schema scoping and applicator cases written from the specifications, in the project's own
 * vocabulary (orders, payments, accounts): a `type` next to `anyOf`/`oneOf` holds together with them;
 * draft-07 ignores an `$id` next to `$ref`; an anchor (draft-07 `$id: "#name"`, 2020-12 `$anchor`)
 * belongs to the schema resource of its nearest `$id`; schemas that refer to each other across
 * resources or files generate code that compiles under the strict config and round-trips. The
 * official test suite stays the acceptance measure (scripts/jsonschema-suite.ts, ADR 0007).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateModels } from '../../../../generator/src/models/index.js';
import { outDir, repoRoot, typecheck } from './harness.js';
import type { GeneratedProject } from './harness.js';
import { assertCaseHolds, generateCases, rootJsonCodec, type JsonCodecUnderTest, type SchemaCase } from './schema-cases.js';

const DRAFT7 = 'http://json-schema.org/draft-07/schema#';
const DRAFT2020 = 'https://json-schema.org/draft/2020-12/schema';


const cases: Record<string, SchemaCase> = {
  // 2020-12 validation §6.1.1 `type` and core §10.2.1.2 `anyOf` are evaluated independently: a
  // payment reference is a string that is either a short branch code or a long ledger id.
  'payment-ref': {
    schema: { $schema: DRAFT2020, type: 'string', anyOf: [{ maxLength: 3 }, { minLength: 8 }] },
    tests: [[4711, false], [null, false], ['LEDGER-0042', true], ['NY', true], ['BRANCH', false]],
  },
  // The same in draft-07 (validation §6.1.1 `type`, §6.7.2 `anyOf`).
  'payment-ref07': {
    schema: { $schema: DRAFT7, type: 'string', anyOf: [{ maxLength: 3 }, { minLength: 8 }] },
    tests: [[4711, false], ['LEDGER-0042', true], ['BRANCH', false]],
  },
  // 2020-12 core §10.2.1.3 `oneOf` next to `type: integer`: an order quantity is either bulk (at
  // least 100) or anything up to the `maxLength` branch, which constrains only strings and so matches
  // every integer; a bulk quantity matches both branches. A string fails the type even where exactly
  // one branch would match it ("123456" fails maxLength, passes the untyped minimum).
  quantity: {
    schema: { $schema: DRAFT2020, type: 'integer', oneOf: [{ minimum: 100 }, { maxLength: 5 }] },
    tests: [[20, true], [250, false], ['12', false], ['123456', false], [null, false]],
  },
  // A branch whose own type the base type excludes matches nothing (validation §6.1.1); the others
  // still apply: a coupon code is a short string or null, never a number.
  coupon: {
    schema: { $schema: DRAFT2020, type: ['string', 'null'], anyOf: [{ type: 'number' }, { maxLength: 8 }, { type: 'null' }] },
    tests: [['SAVE10', true], [null, true], [10, false], ['WELCOME2024', false], [false, false]],
  },
  // A type next to both allOf and anyOf: an account id starts with "ACC-" and is short or long.
  'account-id': {
    schema: { $schema: DRAFT2020, type: 'string', allOf: [{ pattern: '^ACC-' }], anyOf: [{ maxLength: 6 }, { minLength: 10 }] },
    tests: [['ACC-12', true], ['ACC-123', false], ['ACC-123456', true], ['ORD-12', false], [1234, false]],
  },
  // allOf, anyOf and oneOf side by side all apply (core §10.2.1): pallet sizes are multiples of 4
  // and of 6 (so of 12, their least common multiple, not of their product 24) and of 5, i.e. of 60.
  // Only numbers are constrained (validation §6.2.1 `multipleOf`).
  'pallet-size': {
    schema: { $schema: DRAFT2020, allOf: [{ multipleOf: 4 }], anyOf: [{ multipleOf: 6 }], oneOf: [{ multipleOf: 5 }] },
    tests: [[60, true], [180, true], [120, true], [12, false], [20, false], [30, false], [24, false], [7, false], ['pallet', true]],
  },
  // Branches that are named models of the base type stay references to those models.
  payment: {
    schema: {
      $schema: DRAFT2020,
      type: 'object',
      oneOf: [{ $ref: '#/$defs/Card' }, { $ref: '#/$defs/Transfer' }],
      $defs: {
        Card: { type: 'object', properties: { method: { const: 'card' }, last4: { type: 'integer' } }, required: ['method'] },
        Transfer: { properties: { method: { const: 'transfer' } }, required: ['method'] },
      },
    },
    tests: [[{ method: 'card', last4: 4242 }, true], [{ method: 'transfer' }, true], [{ method: 'cash' }, false], ['card', false]],
  },
  // Draft-07 core §8.3: all other properties in a `$ref` object are ignored, `$id` included, so the
  // `$ref` resolves against the base in force around it (…/billing/v1/), where currency.json is the
  // numeric ISO 4217 code.
  'currency07': {
    schema: {
      $schema: DRAFT7,
      $id: 'https://schemas.example.com/billing07/v1/',
      definitions: {
        alpha: { $id: 'https://schemas.example.com/billing07/currency.json', type: 'string' },
        numeric: { $id: 'currency.json', type: 'integer' },
      },
      allOf: [{ $id: 'https://schemas.example.com/billing07/', $ref: 'currency.json' }],
    },
    tests: [['EUR', false], [978, true]],
  },
  // 2020-12 core §8.2.1: `$id` sets the base of its schema object, `$ref` (§8.2.3.1) included, so the
  // same shape resolves to the alphabetic code.
  'currency2020': {
    schema: {
      $schema: DRAFT2020,
      $id: 'https://schemas.example.com/billing2020/v1/',
      $defs: {
        alpha: { $id: 'https://schemas.example.com/billing2020/currency.json', type: 'string' },
        numeric: { $id: 'currency.json', type: 'integer' },
      },
      allOf: [{ $id: 'https://schemas.example.com/billing2020/', $ref: 'currency.json' }],
    },
    tests: [['EUR', true], [978, false]],
  },
  // Draft-07 core §8.2.3: `$id: "#name"` gives a subschema a location-independent identifier.
  'cents07': {
    schema: { $schema: DRAFT7, allOf: [{ $ref: '#cents' }], definitions: { Cents: { $id: '#cents', type: 'integer', minimum: 0 } } },
    tests: [[1250, true], ['12.50', false], [-5, false]],
  },
  // Draft-07 core §8.2.2/§8.2.3: an anchor under a nested `$id` belongs to that resource and is
  // reached through its URI; the root resource has an anchor of the same name that must not be taken.
  'ledger-entry07': {
    schema: {
      $schema: DRAFT7,
      $id: 'https://schemas.example.com/ledger07/entry',
      allOf: [{ $ref: 'https://schemas.example.com/ledger07/amounts.json#cents' }],
      definitions: {
        Amounts: { $id: 'amounts.json', definitions: { Cents: { $id: '#cents', type: 'integer' } } },
        Label: { $id: '#cents', type: 'string' },
      },
    },
    tests: [[1250, true], ['1250', false]],
  },
  // Draft-07: a URN `$id` (core §8.2.1) with a plain-name fragment anchor.
  'market07': {
    schema: {
      $schema: DRAFT7,
      $id: 'urn:uuid:3f0c8a52-7d1e-4b6a-9c2f-5e8d1a0b7c07',
      properties: { currency: { $ref: 'urn:uuid:3f0c8a52-7d1e-4b6a-9c2f-5e8d1a0b7c07#currency' } },
      definitions: { Currency: { $id: '#currency', type: 'string', pattern: '^[A-Z]{3}$' } },
    },
    tests: [[{ currency: 'EUR' }, true], [{ currency: 978 }, false], [{ currency: 'eur' }, false]],
  },
  // 2020-12 core §8.2.2: `$anchor` names a plain-name fragment within the resource of its nearest
  // `$id` (§8.2.1). The root's `$ref: "#limit"` is resolved in the root resource (refund.json), not in
  // the embedded cards/ resource that defines an anchor of the same name.
  'refund-limit': {
    schema: {
      $schema: DRAFT2020,
      $id: 'https://schemas.example.com/payments/refund.json',
      $ref: '#limit',
      $defs: {
        RefundLimit: { $anchor: 'limit', maximum: 500 },
        CardLimit: { $id: 'https://schemas.example.com/payments/cards/', $anchor: 'limit', maximum: 50 },
      },
    },
    tests: [[30, true], [120, true], [800, false]],
  },
  // 2020-12 core §8.2.2: an anchor reached by the absolute URI of its resource plus the fragment.
  balance: {
    schema: {
      $schema: DRAFT2020,
      $ref: 'https://schemas.example.com/accounts/balance#minor-units',
      $defs: { Balance: { $id: 'https://schemas.example.com/accounts/balance', $anchor: 'minor-units', type: 'integer' } },
    },
    tests: [[10000, true], ['100.00', false]],
  },
  // 2020-12 core §8.2.1/§8.2.2: an anchor under a nested relative `$id` (resolved against the root's);
  // the root resource's own `count` anchor is a different schema.
  'order-line': {
    schema: {
      $schema: DRAFT2020,
      $id: 'https://schemas.example.com/orders/line',
      $ref: 'https://schemas.example.com/orders/quantities.json#count',
      $defs: {
        Quantities: { $id: 'quantities.json', $defs: { Count: { $anchor: 'count', type: 'integer', minimum: 1 } } },
        Label: { $anchor: 'count', type: 'string' },
      },
    },
    tests: [[3, true], ['3', false], [0, false]],
  },
  // 2020-12: a URN `$id` with an `$anchor`.
  'bank-account': {
    schema: {
      $schema: DRAFT2020,
      $id: 'urn:uuid:9b2e4c61-0a3f-4d8e-b7c5-2f6a1e9d3c20',
      properties: { iban: { $ref: 'urn:uuid:9b2e4c61-0a3f-4d8e-b7c5-2f6a1e9d3c20#iban' } },
      $defs: { Iban: { $anchor: 'iban', type: 'string', minLength: 15 } },
    },
    tests: [[{ iban: 'DE89370400440532013000' }, true], [{ iban: 12 }, false], [{ iban: 'DE89' }, false]],
  },
  // Draft-07 core §8.2.2: two resources in one document that refer to each other by relative URI. The
  // product's module (models/category/product) lives under the category's (models/category) and
  // imports it back.
  category: {
    schema: {
      $schema: DRAFT7,
      $id: 'https://schemas.example.com/catalog/category',
      type: 'object',
      properties: { name: { type: 'string' }, products: { type: 'array', items: { $ref: 'product' } } },
      required: ['name', 'products'],
      definitions: {
        product: {
          $id: 'https://schemas.example.com/catalog/product',
          type: 'object',
          properties: { price: { type: 'number' }, subcategory: { $ref: 'category' } },
          required: ['price'],
        },
      },
    },
    tests: [
      [{ name: 'drinks', products: [{ price: 3.5, subcategory: { name: 'teas', products: [{ price: 2.1 }, { price: 2.4 }] } }, { price: 4 }] }, true],
      [{ name: 'drinks', products: [{ price: 3.5, subcategory: { name: 'teas', products: [{ price: 'free' }] } }] }, false],
    ],
  },
  // The same shape across two files: Org (models/org) and Org.Team (models/org/team) refer to each other.
  org: {
    schema: { $schema: DRAFT2020, title: 'Org', type: 'object', properties: { name: { type: 'string' }, teams: { type: 'array', items: { $ref: 'org-team.schema.json' } } }, required: ['name'] },
    tests: [[{ name: 'acme', teams: [{ lead: 'ann', parent: { name: 'sub' } }] }, true], [{ name: 'acme', teams: [{ lead: 1 }] }, false]],
  },
  'org-team': {
    schema: { $schema: DRAFT2020, title: 'Org.Team', type: 'object', properties: { lead: { type: 'string' }, parent: { $ref: 'org.schema.json' } }, required: ['lead'] },
    tests: [[{ lead: 'bob', parent: { name: 'acme', teams: [] } }, true], [{ lead: 'bob', parent: {} }, false]],
  },
};

let project: GeneratedProject;

before(async () => {
  project = await generateCases(cases);
});
after(() => project.cleanup());

const rootCodec = (name: string): Promise<JsonCodecUnderTest> => rootJsonCodec(project, name);

async function check(name: string): Promise<void> {
  const c = cases[name];
  assert.ok(c !== undefined);
  await assertCaseHolds(project, name, c);
}

describe('JSON Schema resources, anchors and applicators next to type', () => {
  test('every case generates without diagnostics and type-checks under the strict config', () => {
    assert.deepEqual(project.result.diagnostics, []);
    assert.deepEqual(typecheck(project.dir), []);
  });

  test('a type next to anyOf / oneOf / allOf holds together with them', async () => {
    for (const name of ['payment-ref', 'payment-ref07', 'quantity', 'coupon', 'account-id', 'pallet-size', 'payment']) await check(name);
    // Named branches of the base type are not copied into inline models.
    const payment = project.result.catalog.entries.filter((e) => e.location.file.endsWith('/payment.schema.json')).map((e) => e.fullName);
    assert.deepEqual(payment.sort(), ['Payment', 'Payment.Card', 'Payment.Transfer']);
  });

  test('multipleOf values that are not both integers still cannot be merged, and are reported', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'faustgen-multiple-'));
    try {
      const file = join(tmp, 'halves.schema.json');
      writeFileSync(file, JSON.stringify({ $schema: DRAFT2020, allOf: [{ multipleOf: 0.5 }, { multipleOf: 0.3 }] }));
      const result = await generateModels({ schemaFiles: [file], projectRoot: repoRoot, outDir });
      assert.deepEqual(result.diagnostics.map((d) => [d.where.pointer, d.message]), [['/allOf', 'allOf members disagree on "multipleOf" (0.5 vs 0.3)']]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('draft-07 ignores an $id next to $ref; 2020-12 lets it change the base', async () => {
    await check('currency07');
    await check('currency2020');
  });

  test('an anchor belongs to the schema resource of its nearest $id', async () => {
    for (const name of ['cents07', 'ledger-entry07', 'market07', 'refund-limit', 'balance', 'order-line', 'bank-account']) await check(name);
  });

  test('schemas that refer to each other across resources and files load and round-trip', async () => {
    for (const name of ['category', 'org', 'org-team']) await check(name);
    const files = [...project.result.files.values()];
    const product = files.find((f) => f.path.endsWith('models/category/product.ts'))?.content ?? '';
    assert.match(product, /from "\.\.\/category\.js"/);
    const team = files.find((f) => f.path.endsWith('models/org/team.ts'))?.content ?? '';
    assert.match(team, /from "\.\.\/org\.js"/);
    for (const [name, sample] of [['category', cases['category']?.tests[0]?.[0]], ['org', cases['org']?.tests[0]?.[0]]] as const) {
      const codec = await rootCodec(name);
      const bytes = Buffer.from(JSON.stringify(sample));
      const model = codec.decode(bytes);
      // Encoding adds Faust's "__faust" record metadata (docs/type-mapping.md); the data is unchanged.
      const encoded: unknown = JSON.parse(codec.encode(model).toString(), (key, value: unknown) => (key === '__faust' ? undefined : value));
      assert.deepEqual(encoded, sample, `${name} round-trips`);
      assert.deepEqual(codec.decode(codec.encode(model)), model);
    }
  });
});
