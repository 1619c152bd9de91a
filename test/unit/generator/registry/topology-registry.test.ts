import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emitAppFiles } from '../../../../generator/src/app/index.js';
import { checkTypes } from '../../../../generator/src/topology/check-types.js';
import { parseTopology } from '../../../../generator/src/topology/load.js';
import { fakeCatalog, greetingEntry } from '../app/fake-catalog.js';

const yaml = (topic: string, root = 'schemaRegistry: { url: "http://localhost:8081", autoRegister: true }\n'): string =>
  `app: reg\n${root}topics:\n${topic}\nagents:\n  - name: read\n    source: greetings\n`;

describe('topology: schemaRegistry and per-topic registry framing', () => {
  test('registry: true frames values with the topic strategy; settings carry url and autoRegister', () => {
    const loaded = parseTopology(yaml('  - name: greetings\n    value: Greeting\n    registry: true'), '/p/faustgen.yaml', 'faustgen.yaml');
    assert.deepEqual(loaded.diagnostics, []);
    const topology = loaded.topology;
    assert.ok(topology);
    assert.equal(topology.settings.schemaRegistryUrl, 'http://localhost:8081');
    assert.equal(topology.settings.schemaRegistryAutoRegister, true);
    assert.deepEqual(topology.topics[0]?.registry, { key: false, value: true, subjectStrategy: 'topic', pointer: '/topics/0/registry' });
    const files = emitAppFiles(topology, fakeCatalog()).files;
    const topics = files.get('src/generated/topics.ts')?.content ?? '';
    assert.match(topics, /value: registryAvro\(app, GreetingAvroCodec, \{ topic: 'greetings' \}\)/);
    assert.match(topics, /key: codecs\.string,/);
    assert.match(topics, /import \{ codecs, registryAvro \} from 'faustgen';/);
    const registry = files.get('src/generated/registry.ts')?.content ?? '';
    assert.match(registry, /const app = \{ settings: \{ \.\.\.settings, \.\.\.settingsFromEnv\(process\.env\) \} \};/);
    assert.match(registry, /get 'greetings'\(\) \{\n {4}return \{ key: codecs\.string, value: registryAvro\(app, GreetingAvroCodec, \{ topic: 'greetings' \}\) \};\n {2}\},/);
    const settings = files.get('src/generated/settings.ts')?.content ?? '';
    assert.match(settings, /schemaRegistryUrl: 'http:\/\/localhost:8081'/);
    assert.match(settings, /schemaRegistryAutoRegister: true/);
  });

  test('key framing and a record subject strategy', () => {
    const loaded = parseTopology(yaml('  - name: greetings\n    key: Greeting\n    value: Greeting\n    registry: { key: true, subjectStrategy: topic-record }'), '/p/faustgen.yaml', 'faustgen.yaml');
    assert.deepEqual(loaded.diagnostics, []);
    assert.ok(loaded.topology);
    const topics = emitAppFiles(loaded.topology, fakeCatalog()).files.get('src/generated/topics.ts')?.content ?? '';
    assert.match(topics, /key: registryAvro\(app, GreetingAvroCodec, \{ topic: 'greetings', isKey: true, subjectStrategy: 'topic-record' \}\)/);
    assert.match(topics, /value: registryAvro\(app, GreetingAvroCodec, \{ topic: 'greetings', subjectStrategy: 'topic-record' \}\)/);
  });

  test('a root JSON Schema model is framed with registryJsonSchema and its schema text', () => {
    const line = { ...greetingEntry, fullName: 'Line', aliases: [], className: 'Line', modulePath: 'models/line.js', codecs: { json: 'LineJsonCodec' }, format: 'jsonschema' as const, jsonSchema: '{"title":"Line","type":"object"}' };
    const loaded = parseTopology(yaml('  - name: greetings\n    value: Line\n    registry: true'), '/p/faustgen.yaml', 'faustgen.yaml');
    assert.ok(loaded.topology && loaded.document);
    assert.deepEqual(checkTypes(loaded.topology, fakeCatalog([line]), loaded.document), []);
    const topics = emitAppFiles(loaded.topology, fakeCatalog([line])).files.get('src/generated/topics.ts')?.content ?? '';
    assert.match(topics, /value: registryJsonSchema\(app, LineJsonCodec, "\{\\"title\\":\\"Line\\",\\"type\\":\\"object\\"\}", \{ topic: 'greetings' \}\)/);
  });

  test('mistakes are located: unknown strategy, credentials in the URL, framing a non-Avro type', () => {
    const strategy = parseTopology(yaml('  - name: greetings\n    value: Greeting\n    registry: { subjectStrategy: subject }'), '/p/faustgen.yaml', 'faustgen.yaml');
    assert.match(strategy.diagnostics[0]?.message ?? '', /unknown subject name strategy "subject"/);
    const secret = parseTopology(yaml('  - name: greetings\n    value: Greeting', 'schemaRegistry: { url: "https://me:pw@registry:8081" }\n'), '/p/faustgen.yaml', 'faustgen.yaml');
    assert.match(secret.diagnostics[0]?.message ?? '', /must not carry credentials/);
    const loaded = parseTopology(yaml('  - name: greetings\n    key: string\n    value: Greeting\n    registry: { key: true }'), '/p/faustgen.yaml', 'faustgen.yaml');
    assert.ok(loaded.topology && loaded.document);
    const diagnostics = checkTypes(loaded.topology, fakeCatalog([greetingEntry]), loaded.document);
    assert.match(diagnostics[0]?.message ?? '', /frames its key through the schema registry, but its key type string is not an Avro model nor a JSON Schema/);
  });
});
