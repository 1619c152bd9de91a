import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import avro from 'avsc';
import { crc64Avro, fingerprintBytes } from '../../../../runtime/src/registry/fingerprint.js';
import { canonicalForm } from '../../../../runtime/src/registry/single-object.js';
import { describe, test } from 'node:test';
import { emitAppFiles } from '../../../../generator/src/app/index.js';
import { scaffold } from '../../../../generator/src/cli/scaffold.js';
import { formatDiagnostic } from '../../../../generator/src/ir/diagnostics.js';
import { generate } from '../../../../generator/src/pipeline.js';
import { parseTopology } from '../../../../generator/src/topology/load.js';
import { repoRoot, typecheckScaffold } from '../app/project.js';
import { fakeCatalog } from '../app/fake-catalog.js';

const yaml = (topic: string, root = ''): string => `app: hist\n${root}topics:\n${topic}\nagents:\n  - name: read\n    source: greetings\n`;

/** The scaffold's Greeting with a field since removed (v1), and a version the current one cannot read. */
const v1 = { type: 'record', name: 'Greeting', namespace: 'example', fields: [{ name: 'from_name', type: 'string' }, { name: 'mood', type: 'string' }, { name: 'to_name', type: 'string' }] };
/** Runs the generated app on memory://: a record written with v1 (bytes in argv) and one sent by the app itself; prints what the agent printed. */
const runScript = `import { buildApp } from './src/generated/app.js';
import { Greeting } from './src/generated/models.js';
const lines: string[] = [];
const print = console.log;
console.log = (...args: unknown[]) => { lines.push(args.join(' ')); };
const { app, topics } = buildApp({ settings: { broker: 'memory://history-e2e', store: 'memory://', webEnabled: false } });
await app.start();
await app.sendRaw('greetings', Buffer.from('v1-sender'), Buffer.from(process.argv[2] ?? '', 'hex'));
await topics.greetings.send({ key: 'v2-sender', value: new Greeting({ from_name: 'v2-sender', to_name: 'bob' }) });
const deadline = Date.now() + 20_000;
while (Date.now() < deadline && !(lines.some((l) => l.startsWith('v1-sender')) && lines.some((l) => l.startsWith('v2-sender')))) await new Promise((r) => setTimeout(r, 20));
await app.stop();
print(JSON.stringify(lines.filter((l) => /^v[12]-sender/.test(l)).sort()));
process.exit(0);
`;

const incompatible = { type: 'record', name: 'Greeting', namespace: 'example', fields: [{ name: 'from_name', type: 'int' }, { name: 'to_name', type: 'string' }] };

describe('topology: avro single-object encoding with history versions', () => {
  test('avro: { history } is read with pointers; the value codec is wrapped in singleObjectAvroCodec', () => {
    const loaded = parseTopology(yaml('  - name: greetings\n    value: Greeting\n    avro: { history: [old/greeting.v1.avsc] }'), '/p/faustgen.yaml', 'faustgen.yaml');
    assert.deepEqual(loaded.diagnostics, []);
    assert.ok(loaded.topology);
    assert.deepEqual(loaded.topology.topics[0]?.avro, { framing: 'single-object', history: [{ path: 'old/greeting.v1.avsc', pointer: '/topics/0/avro/history/0' }], pointer: '/topics/0/avro' });
    const topics = emitAppFiles(loaded.topology, fakeCatalog()).files.get('src/generated/topics.ts')?.content ?? '';
    assert.match(topics, /value: singleObjectAvroCodec\(GreetingAvroCodec, \[\]\)/);
    assert.match(topics, /key: codecs\.string,/);
  });

  test('an app-wide faustCompat leaves a single-object topic alone; mistakes are located', () => {
    const faust = parseTopology(yaml('  - name: greetings\n    value: Greeting\n    avro: { history: [] }', 'faustCompat: true\n'), '/p/faustgen.yaml', 'faustgen.yaml');
    assert.ok(faust.topology);
    assert.match(emitAppFiles(faust.topology, fakeCatalog()).files.get('src/generated/topics.ts')?.content ?? '', /value: singleObjectAvroCodec\(GreetingAvroCodec, \[\]\)/);
    const framing = parseTopology(yaml('  - name: greetings\n    value: Greeting\n    avro: { framing: bare, history: [] }'), '/p/faustgen.yaml', 'faustgen.yaml');
    assert.match(framing.diagnostics[0]?.message ?? '', /unknown Avro framing "bare"/);
    assert.equal(framing.diagnostics[0]?.where.line, 5);
    const both = parseTopology(yaml('  - name: greetings\n    value: Greeting\n    registry: true\n    avro: { history: [] }', 'schemaRegistry: { url: "http://localhost:8081" }\n'), '/p/faustgen.yaml', 'faustgen.yaml');
    assert.match(both.diagnostics[0]?.message ?? '', /cannot frame its value both for the schema registry and in Avro single-object encoding/);
    const faustToo = parseTopology(yaml('  - name: greetings\n    value: Greeting\n    faustCompat: true\n    avro: { history: [] }'), '/p/faustgen.yaml', 'faustgen.yaml');
    assert.match(faustToo.diagnostics[0]?.message ?? '', /both in Faust's format and in Avro single-object encoding/);
    const item = parseTopology(yaml('  - name: greetings\n    value: Greeting\n    avro: { history: [3] }'), '/p/faustgen.yaml', 'faustgen.yaml');
    assert.match(item.diagnostics[0]?.message ?? '', /a history entry is the path of an older \.avsc file/);
    const key = parseTopology(yaml('  - name: greetings\n    value: Greeting\n    avro: { histroy: [] }'), '/p/faustgen.yaml', 'faustgen.yaml');
    assert.match(key.diagnostics[0]?.message ?? '', /unknown key "histroy" in topic avro/);
  });
});

describe('codegen: avro history files', () => {
  const project = async (history: Record<string, unknown>, value = 'Greeting'): Promise<string> => {
    const root = mkdtempSync(join(tmpdir(), 'faustgen-avro-history-'));
    await scaffold({ dir: root, appId: 'greetings' });
    mkdirSync(join(root, 'history'));
    for (const [file, schema] of Object.entries(history)) writeFileSync(join(root, 'history', file), typeof schema === 'string' ? schema : JSON.stringify(schema, null, 2));
    const list = Object.keys(history).map((file) => `history/${file}`).join(', ');
    const topology = readFileSync(join(root, 'faustgen.yaml'), 'utf8').replace('    value: Greeting\n', `    value: ${value}\n    avro: { history: [${list}] }\n`);
    writeFileSync(join(root, 'faustgen.yaml'), topology);
    return root;
  };

  test('the history schemas are checked, embedded in topics.ts and registry.ts, and the app type-checks', async () => {
    const root = await project({ 'greeting.v1.avsc': v1 });
    try {
      const result = await generate({ projectRoot: root });
      assert.deepEqual(result.diagnostics, []);
      const topics = readFileSync(join(root, 'src/generated/topics.ts'), 'utf8');
      assert.ok(topics.includes(`singleObjectAvroCodec(GreetingAvroCodec, [${JSON.stringify(v1)}])`), topics);
      assert.match(readFileSync(join(root, 'src/generated/registry.ts'), 'utf8'), /singleObjectAvroCodec\(GreetingAvroCodec, \[/);
      const again = await generate({ projectRoot: root, check: true });
      assert.deepEqual([again.diagnostics, again.stale], [[], []], 'regeneration is byte-identical');
      const compiled = typecheckScaffold(root);
      assert.equal(compiled.status, 0, compiled.output);
      // Run it: a record written with v1 in single-object encoding and one the app writes (v2) both reach the agent as Greeting.
      const writer = avro.Type.forSchema(v1 as avro.Schema);
      const old = Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprintBytes(crc64Avro(canonicalForm(writer))), writer.toBuffer({ from_name: 'v1-sender', mood: 'glad', to_name: 'ann' })]);
      writeFileSync(join(root, 'run.ts'), runScript);
      const loader = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;
      const run = spawnSync(process.execPath, ['--import', loader, 'run.ts', old.toString('hex')], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
      assert.deepEqual(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '[]'), ['v1-sender → ann', 'v2-sender → bob']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('a history version the current schema cannot read, a missing file and bad JSON are located errors', async () => {
    const root = await project({ 'greeting.v0.avsc': incompatible, 'broken.avsc': '{ "type": "record",', 'not-avro.avsc': { type: 'record', name: 'X' } });
    writeFileSync(join(root, 'faustgen.yaml'), readFileSync(join(root, 'faustgen.yaml'), 'utf8').replace('history/not-avro.avsc]', 'history/not-avro.avsc, history/missing.avsc]'));
    try {
      const result = await generate({ projectRoot: root });
      const lines = result.diagnostics.map(formatDiagnostic);
      assert.equal(lines.length, 4, lines.join('\n'));
      assert.match(lines[0] ?? '', /^faustgen\.yaml:15:\d+ \(\/topics\/0\/avro\/history\/0\): history schema history\/greeting\.v0\.avsc cannot be read as the current schema example\.Greeting of topic "greetings": field from_name: cannot read "int" as "string"/);
      assert.match(lines[1] ?? '', /\(\/topics\/0\/avro\/history\/1\): history schema history\/broken\.avsc of topic "greetings" cannot be read: .*JSON/);
      assert.match(lines[2] ?? '', /\(\/topics\/0\/avro\/history\/2\): history schema history\/not-avro\.avsc of topic "greetings" is not a usable Avro schema/);
      assert.match(lines[3] ?? '', /\(\/topics\/0\/avro\/history\/3\): history schema history\/missing\.avsc of topic "greetings" cannot be read: ENOENT/);
      assert.deepEqual(result.written, []);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('a history on a value that is not an Avro model is an error at avro', async () => {
    const root = await project({ 'greeting.v1.avsc': v1 }, 'string');
    try {
      const result = await generate({ projectRoot: root });
      const lines = result.diagnostics.map(formatDiagnostic);
      assert.ok(lines.some((line) => /\(\/topics\/0\/avro\): topic "greetings" reads its value in Avro single-object encoding, but its value type string is not an Avro model/.test(line)), lines.join('\n'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
