import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { scaffold } from '../../../../generator/src/cli/scaffold.js';
import { generate } from '../../../../generator/src/pipeline.js';
import { typecheckScaffold } from '../app/project.js';

test('an app with registry-framed Avro and JSON Schema topics type-checks against the built runtime', async () => {
  const root = mkdtempSync(join(tmpdir(), 'faustgen-registry-compile-'));
  try {
    await scaffold({ dir: root, appId: 'greetings' });
    const topology = readFileSync(join(root, 'faustgen.yaml'), 'utf8')
      .replace('schemas:\n', 'schemaRegistry: { url: "http://localhost:8081", autoRegister: true }\nschemas:\n')
      .replace('    value: Greeting\n', '    value: Greeting\n    registry: { key: false, value: true, subjectStrategy: topic-record }\n')
      .replace('agents:\n', '  - name: lines\n    value: Line\n    registry: true\n\nagents:\n');
    writeFileSync(join(root, 'faustgen.yaml'), topology);
    writeFileSync(join(root, 'schemas/line.schema.json'), JSON.stringify({ title: 'Line', type: 'object', properties: { text: { type: 'string' } }, required: ['text'] }));
    const result = await generate({ projectRoot: root });
    assert.deepEqual(result.diagnostics, []);
    const topics = readFileSync(join(root, 'src/generated/topics.ts'), 'utf8');
    assert.match(topics, /registryAvro\(app, GreetingAvroCodec, \{ topic: 'greetings', subjectStrategy: 'topic-record' \}\)/);
    assert.match(topics, /registryJsonSchema\(app, LineJsonCodec, "/);
    const compiled = typecheckScaffold(root);
    assert.equal(compiled.status, 0, compiled.output);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
