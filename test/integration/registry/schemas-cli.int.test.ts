/**
 * `faustgen schemas push|check|pull` against a real schema registry (Apicurio), run as a user runs
 * the built CLI; plus the client's single flight per schema id under concurrency.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchemaRegistryClient } from '../../../runtime/src/registry/client.js';
import { startSchemaRegistry, type SchemaRegistryProcess } from '../../registry/registry.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

function faustgen(args: readonly string[], cwd: string, registryUrl: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/run.js'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1', FAUSTGEN_SCHEMA_REGISTRY_URL: registryUrl } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

const order = (fields: readonly object[]): string => JSON.stringify({ type: 'record', name: 'Order', namespace: 'shop', fields }, null, 2);
const v1Fields = [
  { name: 'id', type: 'string' },
  { name: 'amount', type: 'long' },
];

describe('faustgen schemas push | check | pull', () => {
  let registry: SchemaRegistryProcess;
  let root: string;

  before(async () => {
    registry = await startSchemaRegistry();
    root = mkdtempSync(join(tmpdir(), 'faustgen-schemas-cli-'));
    mkdirSync(join(root, 'schemas'));
    writeFileSync(join(root, 'schemas/order.avsc'), order(v1Fields));
    writeFileSync(join(root, 'faustgen.yaml'), 'app: shop\nschemas: [schemas]\ntopics:\n  - name: orders\n    value: Order\n    registry: true\nagents:\n  - name: read\n    source: orders\n');
  });

  after(async () => {
    await registry?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('push registers v1; check passes a compatible change and fails an incompatible one under BACKWARD, naming the field', async () => {
    const pushed = await faustgen(['schemas', 'push', '--json'], root, registry.url);
    assert.equal(pushed.status, 0, pushed.stderr);
    const { subjects } = JSON.parse(pushed.stdout) as { subjects: { subject: string; id: number }[] };
    assert.equal(subjects[0]?.subject, 'orders-value');
    const rule = await fetch(`${registry.url}/config/orders-value`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ compatibility: 'BACKWARD' }) });
    assert.equal(rule.status, 200);

    // Compatible under BACKWARD: a field added with a default.
    writeFileSync(join(root, 'schemas/order.avsc'), order([...v1Fields, { name: 'currency', type: 'string', default: 'EUR' }]));
    const ok = await faustgen(['schemas', 'check'], root, registry.url);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /ok {3}orders-value/);

    // Incompatible: a field added without a default (v2 cannot read v1 records).
    writeFileSync(join(root, 'schemas/order.avsc'), order([...v1Fields, { name: 'channel', type: 'string' }]));
    const bad = await faustgen(['schemas', 'check'], root, registry.url);
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /FAIL orders-value/);
    assert.match(bad.stdout + bad.stderr, /channel/, 'the message names the field');
    assert.match(bad.stderr, /error FG_SCHEMA_INCOMPATIBLE: /);
    const json = await faustgen(['schemas', 'check', '--json'], root, registry.url);
    assert.equal(json.status, 1);
    assert.equal((JSON.parse(json.stdout) as { error: { code: string } }).error.code, 'FG_SCHEMA_INCOMPATIBLE');
  });

  test('pull writes the subjects as schema files that codegen compiles from', async () => {
    const pulled = await faustgen(['schemas', 'pull', 'orders-value', '--out', 'schemas/registry', '--json'], root, registry.url);
    assert.equal(pulled.status, 0, pulled.stderr);
    const written = JSON.parse(readFileSync(join(root, 'schemas/registry/orders-value.avsc'), 'utf8')) as { name: string; fields: { name: string }[] };
    assert.deepEqual(written.fields.map((f) => f.name), ['id', 'amount']);
    // Generate from the registry's schema alone.
    rmSync(join(root, 'schemas/order.avsc'));
    const generated = await faustgen(['codegen'], root, registry.url);
    assert.equal(generated.status, 0, generated.stdout + generated.stderr);
    const topics = readFileSync(join(root, 'src/generated/topics.ts'), 'utf8');
    assert.match(topics, /registryAvro\(app, OrderAvroCodec, \{ topic: 'orders' \}\)/);
    // `faustgen send` frames through the registry too: the schema id is looked up, then only the broker is missing.
    mkdirSync(join(root, 'node_modules'), { recursive: true });
    symlinkSync(repoRoot, join(root, 'node_modules', 'faustgen'), 'dir');
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'shop', private: true, type: 'module' }));
    const sent = await faustgen(['send', 'orders', '{"id":"o1","amount":5}', '--broker', 'kafka://127.0.0.1:1'], root, registry.url);
    assert.equal(sent.status, 1);
    assert.match(sent.stderr, /error FG_TRANSPORT: cannot send to orders/, sent.stderr);
    const noRegistry = await faustgen(['send', 'orders', '{"id":"o1","amount":5}', '--broker', 'kafka://127.0.0.1:1'], root, 'http://127.0.0.1:1');
    assert.match(noRegistry.stderr, /error FG_SCHEMA_REGISTRY_UNREACHABLE: /, noRegistry.stderr);
    const check = await faustgen(['codegen', '--check'], root, 'http://127.0.0.1:1');
    assert.equal(check.status, 0, `codegen --check stays offline: ${check.stdout}${check.stderr}`);
  });

  test('the client asks once per schema id however many records wait for it', async () => {
    const client = new SchemaRegistryClient({ url: registry.url });
    const { id } = await new SchemaRegistryClient({ url: registry.url }).register('single-flight-value', order(v1Fields), 'AVRO');
    const schemas = await Promise.all(Array.from({ length: 50 }, () => client.schemaById(id)));
    assert.equal(client.requests, 1);
    assert.ok(schemas.every((s) => s.id === id && s.schemaType === 'AVRO'));
    await assert.rejects(client.schemaById(987_654), (error: { code?: string }) => error.code === 'FG_SCHEMA_UNKNOWN_ID');
  });
});
