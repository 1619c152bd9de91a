import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { scaffold } from '../../../../generator/src/cli/scaffold.js';
import { generate } from '../../../../generator/src/pipeline.js';
import { parseTopology } from '../../../../generator/src/topology/load.js';
import { fakeModels, repoRoot, tempProject, typecheckScaffold } from './project.js';

/** Faust's word count beside a Faust app: app-wide faustCompat, a topic that opts out, and tasks. */
const topology = `app: words
faustCompat: true
topics:
  - name: words
    key: string
    value: string
    partitions: 2
  - name: greetings
    key: string
    value: Greeting
    partitions: 2
  - name: plain-lines
    value: string
    faustCompat: false
agents:
  - name: count-words
    source: words
    tables: [word-counts]
tables:
  - name: word-counts
    key: string
    value: long
    default: 0
    partitions: 2
  - name: per-minute
    key: string
    value: long
    window: { type: tumbling, size: 1m }
tasks:
  - name: warm-up
    tables: [word-counts]
    topics: [words]
  - name: announce
    onLeader: true
    topics: [plain-lines]
`;

const run = (root: string) => generate({ projectRoot: root }, { generateModels: fakeModels });

function snapshot(folder: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.set(join(entry.parentPath, entry.name), readFileSync(join(entry.parentPath, entry.name), 'utf8'));
  }
  return files;
}

describe('faustCompat and tasks in faustgen.yaml', () => {
  test('the editor schema accepts faustCompat (app, topic, table) and tasks, and refuses their wrong shapes', () => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas/faustgen.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ strict: false }).compile(schema);
    assert.equal(validate(parseYaml(topology)), true, JSON.stringify(validate.errors));
    assert.equal(validate({ app: 'a', faustCompat: 'yes' }), false);
    assert.equal(validate({ app: 'a', tasks: [{ name: 't', interval: '1s' }] }), false, 'a task has no interval');
    assert.equal(validate({ app: 'a', tasks: [{ onLeader: true }] }), false, 'a task needs a name');
    assert.equal(validate({ app: 'a', topics: [{ name: 't', value: 'string', faustCompat: 1 }] }), false);
  });

  test('the checker reads faustCompat and tasks, and refuses Faust format where faustgen cannot give it', () => {
    const loaded = parseTopology(topology, '/p/faustgen.yaml', 'faustgen.yaml');
    assert.deepEqual(loaded.diagnostics, []);
    assert.equal(loaded.topology?.settings.faustCompat, true);
    assert.equal(loaded.topology?.topics[2]?.faustCompat, false);
    assert.deepEqual(loaded.topology?.tasks.map((task) => [task.name, task.id, task.onLeader, task.tables.map((t) => t.name)]), [
      ['warm-up', 'warmUp', false, ['word-counts']],
      ['announce', 'announce', true, []],
    ]);
    const bad = parseTopology(
      [
        'app: a',
        'topics:',
        '  - { name: framed, value: string, registry: true, faustCompat: true }',
        'tables:',
        '  - { name: members, kind: set, key: string, value: string, faustCompat: true }',
        '  - { name: windows, key: string, value: long, window: { type: tumbling, size: 1m }, faustCompat: true }',
        'tasks:',
        '  - { name: t, interval: 1s, tables: [nope] }',
        '  - { name: print-greetings }',
        'agents:',
        '  - { name: print-greetings, source: framed }',
        '',
      ].join('\n'),
      '/p/faustgen.yaml',
      'faustgen.yaml',
    );
    const messages = bad.diagnostics.map((d) => `${d.where.line ?? '?'}: ${d.message}`);
    assert.ok(messages.some((m) => /^3: topic "framed" cannot be both registry-framed and in Faust's format/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^5: a set table cannot use Faust's changelog format/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^6: a windowed table cannot use Faust's changelog format/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^8: unknown key "interval" in task/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^8: unknown table "nope"/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /duplicate agent, timer, crontab, task, page or window close handler name "print-greetings"/.test(m)), messages.join('\n'));
    const streamInTask = parseTopology('app: a\ntopics:\n  - { name: clicks, value: string }\ntasks:\n  - name: drain\n    source: clicks\n', '/p/faustgen.yaml', 'faustgen.yaml');
    assert.deepEqual(
      streamInTask.diagnostics.map((d) => [d.where.line, d.message, d.hint]),
      [[6, 'a task does not consume a topic: in faustgen a stream is read by an agent', "declare an agent with `source: clicks` (Faust's app.stream(topic) iterated in a task); the task can send to it through `agents:`"]],
    );
  });

  test('generated codecs follow Faust\'s serializers; tasks are wired with onLeader; a stub is written once', async () => {
    const project = tempProject(topology);
    try {
      const first = await run(project.root);
      assert.deepEqual(first.diagnostics, []);
      const read = (file: string) => readFileSync(join(project.root, file), 'utf8');
      const topics = read('src/generated/topics.ts');
      assert.match(topics, /app\.topic\('words', \{ key: codecs\.string, value: faustCodecs\.string, partitions: 2 \}\)/, 'raw str key, JSON str value');
      assert.match(topics, /app\.topic\('greetings', \{ key: codecs\.string, value: GreetingJsonCodec, partitions: 2 \}\)/, 'an Avro model travels as Faust JSON');
      assert.match(topics, /app\.topic\('plain-lines', \{ key: codecs\.string, value: codecs\.string \}\)/, 'a topic that opts out keeps native codecs');
      const tables = read('src/generated/tables.ts');
      assert.match(tables, /app\.table\('word-counts', \{ key: faustCodecs\.string, value: codecs\.json<number>\(\), default: \(\) => 0, partitions: 2 \}\)/);
      assert.match(tables, /app\.windowedTable<string, number>\('per-minute', \{ key: codecs\.string,/, 'windowed tables keep their own format');
      assert.match(read('src/generated/registry.ts'), /'words': \{ key: codecs\.string, value: faustCodecs\.string \}/, '`faustgen send` encodes as the worker reads');
      const schedules = read('src/generated/schedules.ts');
      assert.match(schedules, /app\.task\('warm-up', \(\) => handleWarmUp\(warmUpContext\)\);/);
      assert.match(schedules, /app\.task\('announce', \(\) => handleAnnounce\(announceContext\), \{ onLeader: true \}\);/);
      assert.match(schedules, /const warmUpContext: WarmUpContext = \{ app, topics: \{ words: topics\.words \}, tables: \{ wordCounts: tables\.wordCounts \}, agents: \{\} \};/);
      assert.match(read('src/generated/handlers.ts'), /export type WarmUpHandler = \(ctx: WarmUpContext\) => Promise<void>;/);
      assert.ok(first.userStubsAdded.includes('src/agents/warm-up.ts') && first.userStubsAdded.includes('src/agents/announce.ts'));
      assert.match(read('src/agents/warm-up.ts'), /^\/\/ faustgen:stub task warm-up\n/);

      const stub = join(project.root, 'src/agents/warm-up.ts');
      const edited = `${read('src/agents/warm-up.ts')}\n// mine\n`;
      writeFileSync(stub, edited);
      const before = snapshot(project.root);
      const second = await run(project.root);
      assert.deepEqual(second.written, [], 'regenerating gives identical bytes');
      assert.deepEqual(snapshot(project.root), before);
      assert.equal(readFileSync(stub, 'utf8'), edited, 'a task stub is never overwritten');

      writeFileSync(join(project.root, 'faustgen.yaml'), topology.replace(/tasks:[\s\S]*$/, ''));
      const third = await run(project.root);
      assert.deepEqual([...third.orphanedStubs].sort(), ['src/agents/announce.ts', 'src/agents/warm-up.ts'], 'a removed task\'s stub is reported, not deleted');
      assert.equal(readFileSync(stub, 'utf8'), edited);
    } finally {
      project.cleanup();
    }
  });

  test('a faustCompat project with tasks type-checks against the built runtime', async () => {
    assert.ok(existsSync(join(repoRoot, 'dist/runtime/src/index.d.ts')), 'run `npm run build` first');
    const root = mkdtempSync(join(tmpdir(), 'faustgen-faust-'));
    try {
      await scaffold({ dir: root, appId: 'words' });
      const yaml = readFileSync(join(root, 'faustgen.yaml'), 'utf8');
      const withFaust = `${yaml.replace(/^app: .*$/m, (line) => `${line}\nfaustCompat: true`)}\ntasks:\n  - { name: warm-up, tables: [greeting-counts] }\n  - { name: announce, onLeader: true, topics: [greetings] }\n`;
      writeFileSync(join(root, 'faustgen.yaml'), withFaust);
      const result = await generate({ projectRoot: root });
      assert.deepEqual(result.diagnostics, []);
      assert.match(readFileSync(join(root, 'src/generated/tables.ts'), 'utf8'), /faustCodecs/);
      const compiled = typecheckScaffold(root);
      assert.equal(compiled.status, 0, compiled.output);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
