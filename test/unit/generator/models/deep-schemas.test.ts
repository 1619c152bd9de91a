import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatDiagnostic } from '../../../../generator/src/ir/diagnostics.js';
import { maxNesting } from '../../../../generator/src/models/json-locate.js';
import { generateModels } from '../../../../generator/src/models/index.js';

// Issue 13: 300 nested records or 2,000 nested arrays ended in `RangeError: Maximum call stack size
// exceeded`. Now a diagnostic with the file and the line where the nesting passes the limit.

function nestedRecords(depth: number): string {
  let type: unknown = 'string';
  for (let i = depth; i > 0; i--) type = { type: 'record', name: `com.acme.deep.R${i}`, fields: [{ name: 'inner', type }] };
  return JSON.stringify(type, null, 1);
}

function nestedArrays(depth: number): string {
  let items: unknown = { type: 'string' };
  for (let i = 0; i < depth; i++) items = { type: 'array', items };
  return JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'Deep', type: 'object', properties: { grid: items } }, null, 1);
}

async function diagnosticsFor(name: string, text: string) {
  const root = mkdtempSync(join(tmpdir(), 'faustgen-deep-'));
  try {
    writeFileSync(join(root, name), text);
    return await generateModels({ schemaFiles: [join(root, name)], projectRoot: root, outDir: 'src/generated' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('300 nested Avro records: a diagnostic with file and line, no stack overflow', async () => {
  const result = await diagnosticsFor('deep.avsc', nestedRecords(300));
  assert.equal(result.files.size, 0);
  assert.equal(result.diagnostics.length, 1, result.diagnostics.map(formatDiagnostic).join('\n'));
  const [diagnostic] = result.diagnostics;
  assert.equal(diagnostic?.where.file, 'deep.avsc');
  assert.ok((diagnostic?.where.line ?? 0) > 1);
  assert.match(diagnostic?.message ?? '', new RegExp(`nested deeper than ${maxNesting} levels`));
});

test('2,000 nested JSON Schema arrays: a diagnostic with file and line, no stack overflow', async () => {
  const result = await diagnosticsFor('deep.schema.json', nestedArrays(2000));
  assert.equal(result.diagnostics.length, 1, result.diagnostics.map(formatDiagnostic).join('\n'));
  assert.match(result.diagnostics[0]?.message ?? '', /nested deeper than/);
});

test('nesting within the limit still generates (40 nested records)', async () => {
  const result = await diagnosticsFor('fine.avsc', nestedRecords(40));
  assert.deepEqual(result.diagnostics.map(formatDiagnostic), []);
  assert.ok(result.files.size > 0);
});

test('a JSON Schema with 10,000 properties is a diagnostic naming the record, not generated code that fails with TS2563', async () => {
  const properties = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`p${i}`, { type: 'string' }]));
  const result = await diagnosticsFor('wide.schema.json', JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'Wide', type: 'object', properties }));
  assert.equal(result.files.size, 0);
  assert.equal(result.diagnostics.length, 1, result.diagnostics.map(formatDiagnostic).join('\n'));
  assert.equal(result.diagnostics[0]?.where.file, 'wide.schema.json');
  assert.equal(result.diagnostics[0]?.where.line, 1);
  assert.match(result.diagnostics[0]?.message ?? '', /has 10000 fields, more than the 1000 faustgen generates code for/);
});
