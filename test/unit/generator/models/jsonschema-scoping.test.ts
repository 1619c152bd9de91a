/**
 * JSON Schema cases the official test suite (json-schema-org/JSON-Schema-Test-Suite, see
 * scripts/jsonschema-suite.ts) found wrong, each with the suite group it comes from where there is
 * one: a `type` next to `anyOf`/`oneOf` holds together with them; draft-07 ignores an `$id` next to
 * `$ref`; an anchor (draft-07 `$id: "#foo"`, 2020-12 `$anchor`) belongs to the schema resource of its
 * nearest `$id`; schemas that refer to each other across resources or files generate code that
 * compiles under the strict config and round-trips.
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

interface Case {
  readonly schema: unknown;
  /** Instances with the spec's answer. */
  readonly tests: readonly (readonly [unknown, boolean])[];
}

const cases: Record<string, Case> = {
  // Suite anyOf.json "anyOf with base schema" (both drafts).
  'base-any-of': {
    schema: { $schema: DRAFT2020, type: 'string', anyOf: [{ maxLength: 2 }, { minLength: 4 }] },
    tests: [[3, false], ['foobar', true], ['foo', false], ['ab', true]],
  },
  'base-any-of07': {
    schema: { $schema: DRAFT7, type: 'string', anyOf: [{ maxLength: 2 }, { minLength: 4 }] },
    tests: [[3, false], ['foobar', true], ['foo', false]],
  },
  // oneOf: the untyped second branch would match any string; with the base type only integers pass.
  'base-one-of': {
    schema: { $schema: DRAFT2020, type: 'integer', oneOf: [{ minimum: 10 }, { maxLength: 3 }] },
    tests: [[5, true], [15, false], ['ab', false], [null, false]],
  },
  // A branch whose own type the base type excludes matches nothing; the others still apply.
  'base-types': {
    schema: { $schema: DRAFT2020, type: ['string', 'null'], anyOf: [{ type: 'integer' }, { maxLength: 2 }, { type: 'null' }] },
    tests: [['ab', true], [null, true], [5, false], ['abc', false], [true, false]],
  },
  // A type next to both allOf and anyOf.
  'base-all-any': {
    schema: { $schema: DRAFT2020, type: 'string', allOf: [{ pattern: '^f' }], anyOf: [{ maxLength: 2 }, { minLength: 4 }] },
    tests: [['fo', true], ['foo', false], ['fooo', true], ['bar', false], [7, false]],
  },
  // Suite allOf.json "allOf combined with anyOf, oneOf": integer multipleOf values merge to their least common multiple.
  'all-any-one': {
    schema: { $schema: DRAFT2020, allOf: [{ multipleOf: 2 }], anyOf: [{ multipleOf: 3 }], oneOf: [{ multipleOf: 5 }] },
    tests: [[1, false], [5, false], [3, false], [2, false], [30, true], [15, false], [10, false], [6, false], [60, true], ['x', true]],
  },
  // Branches that are named models of the base type stay references to those models.
  pets: {
    schema: {
      $schema: DRAFT2020,
      type: 'object',
      oneOf: [{ $ref: '#/$defs/Cat' }, { $ref: '#/$defs/Dog' }],
      $defs: {
        Cat: { type: 'object', properties: { kind: { const: 'cat' }, lives: { type: 'integer' } }, required: ['kind'] },
        Dog: { properties: { kind: { const: 'dog' } }, required: ['kind'] },
      },
    },
    tests: [[{ kind: 'cat', lives: 9 }, true], [{ kind: 'dog' }, true], [{ kind: 'cow' }, false], ['cat', false]],
  },
  // Suite draft7/ref.json "$ref prevents a sibling $id from changing the base uri".
  'sibling-id07': {
    schema: {
      $schema: DRAFT7,
      $id: 'http://localhost:1234/sibling_id/base/',
      definitions: {
        foo: { $id: 'http://localhost:1234/sibling_id/foo.json', type: 'string' },
        base_foo: { $id: 'foo.json', type: 'number' },
      },
      allOf: [{ $id: 'http://localhost:1234/sibling_id/', $ref: 'foo.json' }],
    },
    tests: [['a', false], [1, true]],
  },
  // The same schema in 2020-12, where the $id next to $ref does change the base.
  'sibling-id2020': {
    schema: {
      $schema: DRAFT2020,
      $id: 'http://localhost:1234/sibling_id2020/base/',
      $defs: {
        foo: { $id: 'http://localhost:1234/sibling_id2020/foo.json', type: 'string' },
        base_foo: { $id: 'foo.json', type: 'number' },
      },
      allOf: [{ $id: 'http://localhost:1234/sibling_id2020/', $ref: 'foo.json' }],
    },
    tests: [['a', true], [1, false]],
  },
  // Suite draft7/ref.json "Location-independent identifier".
  'anchor07': {
    schema: { $schema: DRAFT7, allOf: [{ $ref: '#foo' }], definitions: { A: { $id: '#foo', type: 'integer' } } },
    tests: [[1, true], ['a', false]],
  },
  // Suite draft7/ref.json "Location-independent identifier with base URI change in subschema".
  'anchor07-nested': {
    schema: {
      $schema: DRAFT7,
      $id: 'http://localhost:1234/root07',
      allOf: [{ $ref: 'http://localhost:1234/nested07.json#foo' }],
      definitions: { A: { $id: 'nested07.json', definitions: { B: { $id: '#foo', type: 'integer' } } } },
    },
    tests: [[1, true], ['a', false]],
  },
  // Suite draft7/ref.json "URN base URI with URN and anchor ref".
  'anchor07-urn': {
    schema: {
      $schema: DRAFT7,
      $id: 'urn:uuid:deadbeef-1234-ff00-00ff-4321feebda07',
      properties: { foo: { $ref: 'urn:uuid:deadbeef-1234-ff00-00ff-4321feebda07#something' } },
      definitions: { bar: { $id: '#something', type: 'string' } },
    },
    tests: [[{ foo: 'bar' }, true], [{ foo: 12 }, false]],
  },
  // Suite draft2020-12/ref.json "order of evaluation: $id and $anchor and $ref".
  'anchor-order': {
    schema: {
      $schema: DRAFT2020,
      $id: 'https://example.com/draft2020-12/ref-and-id2/base.json',
      $ref: '#bigint',
      $defs: {
        bigint: { $anchor: 'bigint', maximum: 10 },
        smallint: { $id: 'https://example.com/draft2020-12/ref-and-id2/', $anchor: 'bigint', maximum: 2 },
      },
    },
    tests: [[5, true], [50, false]],
  },
  // Suite draft2020-12/anchor.json "Location-independent identifier with absolute URI".
  'anchor-absolute': {
    schema: {
      $schema: DRAFT2020,
      $ref: 'http://localhost:1234/draft2020-12/bar#foo',
      $defs: { A: { $id: 'http://localhost:1234/draft2020-12/bar', $anchor: 'foo', type: 'integer' } },
    },
    tests: [[1, true], ['a', false]],
  },
  // Suite draft2020-12/anchor.json "Location-independent identifier with base URI change in subschema".
  'anchor-nested': {
    schema: {
      $schema: DRAFT2020,
      $id: 'http://localhost:1234/draft2020-12/root',
      $ref: 'http://localhost:1234/draft2020-12/nested.json#foo',
      $defs: { A: { $id: 'nested.json', $defs: { B: { $anchor: 'foo', type: 'integer' } } } },
    },
    tests: [[1, true], ['a', false]],
  },
  // Suite draft2020-12/ref.json "URN base URI with URN and anchor ref".
  'anchor-urn': {
    schema: {
      $schema: DRAFT2020,
      $id: 'urn:uuid:deadbeef-1234-ff00-00ff-4321feebdaed',
      properties: { foo: { $ref: 'urn:uuid:deadbeef-1234-ff00-00ff-4321feebdaed#something' } },
      $defs: { bar: { $anchor: 'something', type: 'string' } },
    },
    tests: [[{ foo: 'bar' }, true], [{ foo: 12 }, false]],
  },
  // Suite draft7/ref.json "Recursive references between schemas": the node's module (models/tree/node)
  // lives under the tree's (models/tree) and imports it back.
  tree: {
    schema: {
      $schema: DRAFT7,
      $id: 'http://localhost:1234/tree',
      type: 'object',
      properties: { meta: { type: 'string' }, nodes: { type: 'array', items: { $ref: 'node' } } },
      required: ['meta', 'nodes'],
      definitions: {
        node: {
          $id: 'http://localhost:1234/node',
          type: 'object',
          properties: { value: { type: 'number' }, subtree: { $ref: 'tree' } },
          required: ['value'],
        },
      },
    },
    tests: [
      [{ meta: 'root', nodes: [{ value: 1, subtree: { meta: 'child', nodes: [{ value: 1.1 }, { value: 1.2 }] } }, { value: 2 }] }, true],
      [{ meta: 'root', nodes: [{ value: 1, subtree: { meta: 'child', nodes: [{ value: 'string is invalid' }] } }] }, false],
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

interface Codec {
  decode(bytes: Buffer): unknown;
  encode(value: unknown): Buffer;
  validate(value: unknown): unknown[];
}

let dir: string;
let project: GeneratedProject;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faustgen-jsonscoping-'));
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

async function rootCodec(name: string): Promise<Codec> {
  const entry = project.result.catalog.entries.find((e) => e.location.file.endsWith(`/${name}.schema.json`) && e.location.pointer === '');
  assert.ok(entry !== undefined, `no root model for ${name}`);
  const codec = (await project.load<Record<string, Codec>>(entry.modulePath.replace(/\.js$/, '.ts')))[`${entry.className}JsonCodec`];
  assert.ok(codec !== undefined, `no JSON codec for ${name}`);
  return codec;
}

async function check(name: string): Promise<void> {
  const c = cases[name];
  assert.ok(c !== undefined);
  const codec = await rootCodec(name);
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

describe('JSON Schema resources, anchors and applicators next to type', () => {
  test('every case generates without diagnostics and type-checks under the strict config', () => {
    assert.deepEqual(project.result.diagnostics, []);
    assert.deepEqual(typecheck(project.dir), []);
  });

  test('a type next to anyOf / oneOf / allOf holds together with them', async () => {
    for (const name of ['base-any-of', 'base-any-of07', 'base-one-of', 'base-types', 'base-all-any', 'all-any-one', 'pets']) await check(name);
    // Named branches of the base type are not copied into inline models.
    const pets = project.result.catalog.entries.filter((e) => e.location.file.endsWith('/pets.schema.json')).map((e) => e.fullName);
    assert.deepEqual(pets.sort(), ['Pets', 'Pets.Cat', 'Pets.Dog']);
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
    await check('sibling-id07');
    await check('sibling-id2020');
  });

  test('an anchor belongs to the schema resource of its nearest $id', async () => {
    for (const name of ['anchor07', 'anchor07-nested', 'anchor07-urn', 'anchor-order', 'anchor-absolute', 'anchor-nested', 'anchor-urn']) await check(name);
  });

  test('schemas that refer to each other across resources and files load and round-trip', async () => {
    for (const name of ['tree', 'org', 'org-team']) await check(name);
    const files = [...project.result.files.values()];
    const node = files.find((f) => f.path.endsWith('models/tree/node.ts'))?.content ?? '';
    assert.match(node, /from "\.\.\/tree\.js"/);
    const team = files.find((f) => f.path.endsWith('models/org/team.ts'))?.content ?? '';
    assert.match(team, /from "\.\.\/org\.js"/);
    for (const [name, sample] of [['tree', cases['tree']?.tests[0]?.[0]], ['org', cases['org']?.tests[0]?.[0]]] as const) {
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
