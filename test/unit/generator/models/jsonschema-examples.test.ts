import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FaustgenError } from '../../../../runtime/src/core/errors.js';
import type { Codec } from '../../../../runtime/src/types/codec.js';
import { fixtureFiles, fixturesDir, generateProject } from './harness.js';
import type { GeneratedProject } from './harness.js';

const schemaFiles = fixtureFiles('jsonschema', /\.schema\.json$/);
let project: GeneratedProject;

before(async () => {
  project = await generateProject(schemaFiles);
  assert.deepEqual(project.result.diagnostics, []);
});
after(() => project.cleanup());

function readExamples<T>(name: string, kind: 'valid' | 'invalid'): T[] {
  return JSON.parse(readFileSync(join(fixturesDir, 'jsonschema/examples', `${name}.${kind}.json`), 'utf8')) as T[];
}

/** The JSON codec of the model generated for a fixture file's root schema. */
async function rootCodec(name: string): Promise<Codec<unknown>> {
  const entry = project.result.catalog.entries.find((e) => e.location.pointer === '' && basename(e.location.file) === `${name}.schema.json`);
  assert.ok(entry !== undefined, `no root model for ${name}`);
  const module = await project.load(entry.modulePath.replace(/\.js$/, '.ts'));
  return module[entry.codecs.json ?? ''] as Codec<unknown>;
}

const fixtures = schemaFiles.map((f) => basename(f).replace(/\.schema\.json$/, ''));

describe('JSON Schema fixtures: examples', () => {
  test('every fixture has valid and invalid examples', () => {
    assert.deepEqual(fixtures.sort(), ['catalog', 'injection', 'person', 'shapes']);
  });

  for (const name of fixtures) {
    test(`${name}: valid examples decode, and re-encoding round-trips`, async () => {
      const codec = await rootCodec(name);
      const examples = readExamples<unknown>(name, 'valid');
      assert.ok(examples.length >= 2);
      for (const example of examples) {
        const value = codec.decode(Buffer.from(JSON.stringify(example)));
        const again = codec.decode(codec.encode(value));
        assert.deepEqual(again, value);
      }
    });

    test(`${name}: invalid examples are rejected at the failing path`, async () => {
      const codec = await rootCodec(name);
      const examples = readExamples<{ path: string; value: unknown }>(name, 'invalid');
      assert.ok(examples.length >= 5);
      for (const { path, value } of examples) {
        let caught: unknown;
        try {
          codec.decode(Buffer.from(JSON.stringify(value)));
        } catch (error) {
          caught = error;
        }
        assert.ok(FaustgenError.hasCode(caught, 'FG_VALIDATION'), `${name}: ${JSON.stringify(value)} was accepted`);
        const issues = caught.details['issues'] as { path: string; message: string }[];
        assert.equal(caught.details['path'], path, `${name}: issues ${JSON.stringify(issues)}`);
        assert.equal(issues.length, 1, `${name}: exactly one issue expected, got ${JSON.stringify(issues)}`);
      }
    });
  }

  test('extra keys and __faust are tolerated on decode; records encode with __faust.ns', async () => {
    const codec = await rootCodec('person');
    const [, full] = readExamples<Record<string, unknown>>('person', 'valid');
    const encoded = JSON.parse(codec.encode(codec.decode(Buffer.from(JSON.stringify(full)))).toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(encoded['__faust'], { ns: 'com.acme.people.Person' });
    assert.equal(encoded['unknownKey'], undefined);
    assert.deepEqual(encoded['scores'], { math: 9.5, ['__proto__']: 1 });
    assert.ok(Object.hasOwn(encoded['scores'] as object, '__proto__'));
    // additionalProperties: false → no __faust key, or the output would fail its own schema.
    assert.equal((encoded['address'] as Record<string, unknown>)['__faust'], undefined);
  });

  test('one decode reports every issue of a payload, not just the first', async () => {
    const codec = await rootCodec('person');
    const bad = { id: 'x', name: '', age: -1, address: { street: 1 }, tags: [1, 2] };
    try {
      codec.decode(Buffer.from(JSON.stringify(bad)));
      assert.fail('accepted');
    } catch (error) {
      assert.ok(FaustgenError.hasCode(error, 'FG_VALIDATION'));
      const paths = (error.details['issues'] as { path: string }[]).map((i) => i.path);
      assert.deepEqual(paths, ['$.id', '$.name', '$.age', '$.tags[0]', '$.tags[1]', '$.address.street', '$.address.city']);
    }
  });

  test('non-JSON bytes raise FG_DECODE', async () => {
    const codec = await rootCodec('shapes');
    assert.throws(() => codec.decode(Buffer.from('{"kind": ')), (e: unknown) => FaustgenError.hasCode(e, 'FG_DECODE'));
  });
});
