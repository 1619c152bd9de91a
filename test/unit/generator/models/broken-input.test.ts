import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { formatDiagnostic } from '../../../../generator/src/ir/diagnostics.js';
import type { Diagnostic } from '../../../../generator/src/ir/diagnostics.js';
import { generateModels } from '../../../../generator/src/models/index.js';
import { fixtureFiles, outDir, repoRoot } from './harness.js';

const files = [...fixtureFiles('broken/avro', /\.avsc$/), ...fixtureFiles('broken/jsonschema', /\.json$/)];

/** [file, line, pointer, message] for problems the broken corpus must report, all in one run. */
const expected: readonly (readonly [string, number, string, RegExp])[] = [
  ['unknown-ref.avsc', 6, '/fields/0/type', /unknown type "com\.acme\.Missing"/],
  ['unknown-ref.avsc', 7, '/fields/1/type', /unknown type "strin"/],
  ['unknown-ref.avsc', 9, '/fields/3/type', /unknown type "Address"/],
  ['duplicate-b.avsc', 3, '/name', /duplicate type name com\.acme\.dup\.Same \(first defined at .*duplicate-a\.avsc:1\)/],
  ['dupe-title.schema.json', 1, '', /duplicate model name com\.acme\.dup\.Same/],
  ['bad-names.avsc', 3, '/name', /type name "class" is a reserved word/],
  ['bad-names.avsc', 6, '/fields/0/name', /field name "my-field" must match/],
  ['bad-names.avsc', 7, '/fields/1/name', /field name "constructor" is reserved/],
  ['bad-names.avsc', 8, '/fields/2/name', /field name "toJSON" is reserved/],
  ['bad-names.avsc', 10, '/fields/4/name', /duplicate field name ok/],
  ['bad-names.avsc', 11, '/fields/5/type/symbols/1', /enum symbol "1a" must match/],
  ['bad-names.avsc', 11, '/fields/5/type/symbols/2', /duplicate enum symbol A/],
  ['bad-names.avsc', 11, '/fields/5/type/symbols/3', /enum symbol constructor is a built-in object property name/],
  ['bad-names.avsc', 12, '/fields/6/type/name', /invalid Avro name "com\.acme\.names\.Has-Dash"/],
  ['bad-logical.avsc', 5, '/fields/0/type/scale', /decimal "scale" must be an integer from 0 to the precision \(4\), got 5/],
  ['bad-logical.avsc', 6, '/fields/1/type/precision', /decimal "precision" must be a positive integer/],
  ['bad-logical.avsc', 7, '/fields/2/type/logicalType', /logical type date needs an underlying int, not string/],
  ['bad-logical.avsc', 8, '/fields/3/type/size', /duration needs a fixed of size 12, not 8/],
  ['bad-logical.avsc', 9, '/fields/4/type/precision', /precision 9 does not fit in a fixed of 2 bytes/],
  ['bad-logical.avsc', 10, '/fields/5/type/size', /logical type uuid on a fixed needs size 16, not 8/],
  ['bad-logical.avsc', 11, '/fields/6/type/size', /positive integer "size", got 0/],
  ['bad-defaults.avsc', 5, '/fields/0/default', /invalid default for field count: expected a 32-bit integer, got "seven"/],
  ['bad-defaults.avsc', 6, '/fields/1/default', /secondBranch: expected null/],
  ['bad-defaults.avsc', 7, '/fields/2/type/default', /enum default "HI" is not one of its symbols/],
  ['bad-defaults.avsc', 8, '/fields/3/default', /record default lacks field a/],
  ['bad-defaults.avsc', 9, '/fields/4/default', /expected days since 1970-01-01/],
  ['bad-defaults.avsc', 10, '/fields/5/default', /expected a 32-bit integer, got 3000000000/],
  ['bad-unions.avsc', 5, '/fields/0/type/1', /union branches 0 and 1 are both string/],
  ['bad-unions.avsc', 6, '/fields/1/type/1', /cannot directly contain another union/],
  ['bad-unions.avsc', 7, '/fields/2/type', /both are strings in JSON/],
  ['bad-unions.avsc', 8, '/fields/3/type/1', /union branches 0 and 1 are both int/],
  ['bad-unions.avsc', 9, '/fields/4/type', /empty union/],
  ['never-ending.avsc', 1, '', /record com\.acme\.loop\.Loop can never be built: its required field\(s\) next/],
  ['never-ending.avsc', 6, '/fields/0/type', /record com\.acme\.loop\.Step can never be built/],
  ['syntax-error.avsc', 4, '', /invalid JSON: unexpected character "\]"/],
  ['top-level.avsc', 1, '', /the top-level type is named after the file, TopLevel, but TopLevel \(.*top-level\.avsc\) has that name/],
  ['unsupported.schema.json', 5, '/patternProperties', /keyword "patternProperties" is not supported/],
  ['unsupported.schema.json', 7, '/properties/conditional/if', /keyword "if" is not supported/],
  ['unsupported.schema.json', 7, '/properties/conditional/then', /keyword "then" is not supported/],
  ['unsupported.schema.json', 8, '/properties/noValue/enum', /enum must be an array/],
  ['unsupported.schema.json', 9, '/properties/unique/uniqueItems', /uniqueItems/],
  ['unsupported.schema.json', 10, '/properties/counted/minProperties', /keyword "minProperties" is not supported/],
  ['unsupported.schema.json', 11, '/properties/__proto__', /field name "__proto__" is reserved/],
  ['unsupported.schema.json', 12, '/properties/badPattern/pattern', /invalid pattern/],
  ['unsupported.schema.json', 13, '/properties/badType/type', /unknown type "text"/],
  ['cycles.schema.json', 6, '/properties/a', /\$ref cycle through a schema that is not in \$defs/],
  ['cycles.schema.json', 7, '/properties/b', /\$ref cycle through a schema that is not in \$defs/],
  ['cycles.schema.json', 12, '/$defs/A', /Cycles\.A refers only to itself/],
  ['cycles.schema.json', 13, '/$defs/B', /Cycles\.B refers only to itself/],
  ['cycles.schema.json', 14, '/$defs/SelfExtends', /allOf refers back to itself/],
  ['refs.schema.json', 6, '/properties/otherFile/$ref', /names a document that is not among the schema files/],
  ['refs.schema.json', 7, '/properties/badPointer/$ref', /points to nothing/],
  ['refs.schema.json', 8, '/properties/conflict/allOf', /incompatible types "string" and "integer"/],
  ['refs.schema.json', 9, '/properties/disagree/allOf', /disagree on "format"/],
  ['draft04.schema.json', 2, '/$schema', /unsupported \$schema/],
  ['draft04.schema.json', 6, '/properties/n/exclusiveMinimum', /boolean exclusive bounds are draft-04 syntax/],
];

describe('broken-input corpus', () => {
  test('one run reports every expected problem with file, line and pointer, and emits nothing', async () => {
    const result = await generateModels({ schemaFiles: files, projectRoot: repoRoot, outDir });
    assert.equal(result.files.size, 0);
    const show = (ds: readonly Diagnostic[]): string => ds.map(formatDiagnostic).join('\n');
    for (const [file, line, pointer, message] of expected) {
      const found = result.diagnostics.find(
        (d) => basename(d.where.file) === file && d.where.line === line && (d.where.pointer ?? '') === pointer && message.test(d.message),
      );
      assert.ok(found !== undefined, `missing ${file}:${line} (${pointer}) ${String(message)}\n--- got:\n${show(result.diagnostics)}`);
    }
    for (const d of result.diagnostics) {
      assert.ok(d.where.file.startsWith('test/fixtures/schemas/broken/'), formatDiagnostic(d));
      assert.ok((d.where.line ?? 0) >= 1 && (d.where.column ?? 0) >= 1, formatDiagnostic(d));
    }
    // Nothing unexpected either: each reported problem is one the corpus plants.
    assert.equal(result.diagnostics.length, expected.length, show(result.diagnostics));
  });

  test('every broken file is reported', async () => {
    const result = await generateModels({ schemaFiles: files, projectRoot: repoRoot, outDir });
    const reported = new Set(result.diagnostics.map((d) => basename(d.where.file)));
    for (const file of files.map((f) => basename(f)).filter((f) => f !== 'helpers.avsc' && f !== 'duplicate-a.avsc')) assert.ok(reported.has(file), `${file} produced no diagnostic`);
  });

  test('unsupported file extensions and unreadable files are diagnostics, not exceptions', async () => {
    const result = await generateModels({ schemaFiles: [`${repoRoot}/test/fixtures/schemas/nope.yaml`, `${repoRoot}/test/fixtures/schemas/missing.avsc`], projectRoot: repoRoot, outDir });
    assert.deepEqual(
      result.diagnostics.map((d) => [d.where.file, /unsupported schema file|cannot read schema file/.test(d.message)]),
      [
        ['test/fixtures/schemas/missing.avsc', true],
        ['test/fixtures/schemas/nope.yaml', true],
      ],
    );
  });
});
