/**
 * The generated JSON codec's compiled path against the general one (fromJsonValue / toJsonValue):
 * the same models and the same JSON text for the JSON Schema corpus and the codec benchmark's
 * record, and invalid values refused with the same coded errors naming the field.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypeDesc } from '../../../../runtime/src/codegen/descriptors.js';
import type { ValidationIssue } from '../../../../runtime/src/codegen/issues.js';
import { fromJsonValue, toJsonValue } from '../../../../runtime/src/codegen/json.js';
import { corpus } from '../../../fixtures/jsonschema-corpus/corpus.js';
import { jsonOrderJson } from '../../../../bench/scenarios/codec/record.js';
import { fixtureFiles, fixturesDir, generateProject, repoRoot } from './harness.js';
import type { GeneratedProject } from './harness.js';

interface Codec {
  encode(value: unknown): Buffer;
  decode(bytes: Buffer): unknown;
}

let dir: string;
let project: GeneratedProject;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faustgen-compiled-json-'));
  const files = corpus.map((c) => {
    const file = join(dir, `${c.name}.schema.json`);
    writeFileSync(file, JSON.stringify(c.schema));
    return file;
  });
  project = await generateProject([...files, ...fixtureFiles('jsonschema', /\.schema\.json$/), join(repoRoot, 'bench/schemas/codec/order.schema.json')]);
  assert.deepEqual(project.result.diagnostics, []);
});
after(() => {
  project.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function load(fullName: string): Promise<{ codec: Codec; desc: TypeDesc }> {
  const entry = project.result.catalog.entries.find((e) => e.fullName === fullName);
  assert.ok(entry !== undefined, fullName);
  const module = await project.load<Record<string, unknown>>(entry.modulePath.replace(/\.js$/, '.ts'));
  const named = module[entry.className] as { model?: TypeDesc } | undefined;
  const desc = (named?.model ?? module[`${entry.className}Model`]) as TypeDesc;
  return { codec: module[`${entry.className}JsonCodec`] as Codec, desc };
}

/** The general path: fromJsonValue, then JSON.stringify(toJsonValue(...)). */
function general(desc: TypeDesc, json: unknown): { value: unknown; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  return { value: fromJsonValue(desc, json, '$', issues), issues };
}

/** A FaustgenError (the codec runs from dist/, so compare by code) whose message mentions `text`. */
function coded(code: string, text: string): (error: unknown) => boolean {
  return (error) => {
    const e = error as { code?: unknown; message?: unknown };
    return e.code === code && typeof e.message === 'string' && e.message.includes(text);
  };
}

describe('compiled JSON codec', () => {
  test('decodes and encodes every valid instance of every model as the general path does', async () => {
    let compared = 0;
    for (const entry of project.result.catalog.entries) {
      const { codec, desc } = await load(entry.fullName);
      const corpusCase = corpus.find((c) => entry.location.file.endsWith(`/${c.name}.schema.json`) && entry.location.pointer === '');
      const samples = corpusCase?.tests.filter((t) => t.valid).map((t) => t.data) ?? [];
      if (entry.fullName === 'JsonOrder') samples.push(jsonOrderJson());
      // The fixtures' valid examples (test/fixtures/schemas/jsonschema/examples), for their root models.
      const fixture = /^test\/fixtures\/schemas\/jsonschema\/([a-z]+)\.schema\.json$/.exec(entry.location.file)?.[1];
      const examples = join(fixturesDir, 'jsonschema/examples', `${fixture ?? ''}.valid.json`);
      if (fixture !== undefined && entry.location.pointer === '' && existsSync(examples)) samples.push(...(JSON.parse(readFileSync(examples, 'utf8')) as unknown[]));
      for (const data of samples) {
        const reference = general(desc, data);
        assert.deepEqual(reference.issues, [], `${entry.fullName}: ${JSON.stringify(data).slice(0, 80)}`);
        const decoded = codec.decode(Buffer.from(JSON.stringify(data)));
        assert.deepEqual(decoded, reference.value, `${entry.fullName}: decode ${JSON.stringify(data).slice(0, 80)}`);
        assert.equal(codec.encode(decoded).toString('utf8'), JSON.stringify(toJsonValue(desc, decoded)), `${entry.fullName}: encode`);
        compared++;
      }
    }
    assert.ok(compared >= 33, `compared ${compared}`);
  });

  test('the bench record and its edge cases: same model, same text', async () => {
    const { codec, desc } = await load('JsonOrder');
    const variants: Record<string, unknown>[] = [
      { ...jsonOrderJson(), shippedAt: '2026-12-06T08:00:00+01:00', note: undefined },
      { ...jsonOrderJson(), attributes: { '2': 'b', '10': 'a', z: '', __proto__x: 'y', 'é€😀': '\ud800' } },
      { ...jsonOrderJson(), weightKg: 1e-7, total: 0, priority: 9 },
    ];
    const withProto = jsonOrderJson();
    Object.defineProperty(withProto['attributes'], '__proto__', { value: 'own', enumerable: true, writable: true, configurable: true });
    variants.push(withProto);
    for (const json of variants) {
      const text = JSON.stringify(json);
      const reference = general(desc, JSON.parse(text));
      assert.deepEqual(reference.issues, []);
      const decoded = codec.decode(Buffer.from(text));
      assert.deepEqual(decoded, reference.value);
      assert.equal(codec.encode(decoded).toString('utf8'), JSON.stringify(toJsonValue(desc, decoded)));
    }
  });

  test('invalid values and documents are refused with the coded errors of the general path, naming the field', async () => {
    const { codec } = await load('JsonOrder');
    const item = (json: Record<string, unknown>): Record<string, unknown> => (json['items'] as Record<string, unknown>[])[1] as Record<string, unknown>;
    const bad: [string, (json: Record<string, unknown>) => void][] = [
      ['$.items[1].sku', (j) => (item(j)['sku'] = 'sku-1')],
      ['$.items[1].quantity', (j) => (item(j)['quantity'] = 0)],
      ['$.customer.email', (j) => ((j['customer'] as Record<string, unknown>)['email'] = 'nobody')],
      ['$.placedAt', (j) => (j['placedAt'] = '2026-12-05 21:58')],
      ['$.status', (j) => (j['status'] = 'LOST')],
      ['$.currency', (j) => (j['currency'] = 'POUND')],
      ['$.items', (j) => (j['items'] = [])],
      ['$.weightKg', (j) => (j['weightKg'] = 0)],
      ['$.attributes.channel', (j) => ((j['attributes'] as Record<string, unknown>)['channel'] = 1)],
      ['$.orderId', (j) => delete j['orderId']],
    ];
    for (const [path, change] of bad) {
      const json = jsonOrderJson();
      change(json);
      assert.throws(() => codec.decode(Buffer.from(JSON.stringify(json))), coded('FG_VALIDATION', `${path}: `), `decode ${path}`);
      assert.throws(() => codec.encode(json), coded('FG_ENCODE', `${path}: `), `encode ${path}`);
    }
    assert.throws(() => codec.decode(Buffer.from('{"orderId":')), coded('FG_DECODE', 'not JSON'));
  });

  test('a field found only on a polluted Object.prototype is missing, not present (decode and encode)', async () => {
    const { codec } = await load('JsonOrder');
    const polluted = Object.prototype as Record<string, unknown>;
    const json = jsonOrderJson();
    const valid = Buffer.from(JSON.stringify(json));
    delete json['currency'];
    const missing = Buffer.from(JSON.stringify(json));
    polluted['currency'] = 'GBP';
    try {
      assert.throws(() => codec.decode(missing), coded('FG_VALIDATION', '$.currency: '));
      // The same value as the polluted one, own this time: present.
      assert.equal((codec.decode(valid) as Record<string, unknown>)['currency'], 'GBP');
      assert.throws(() => codec.encode(json), coded('FG_ENCODE', '$.currency: '));
    } finally {
      delete polluted['currency'];
    }
    assert.equal((codec.decode(valid) as Record<string, unknown>)['currency'], 'GBP');
  });
});
