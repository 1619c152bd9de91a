/**
 * faustgen's generated Avro codecs against Apache Avro Java (test/avro-java/): for each datum, the
 * bytes faustgen writes equal the bytes Java writes for the same datum (given to Java in Avro's JSON
 * encoding, which names every union branch), faustgen decodes Java's bytes to the same model value,
 * and Java decodes faustgen's bytes to the same datum. Needs Java 17 and Maven (jars fetched once).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureAvroJava, runAvroJava, stringifyExact } from '../../avro-java/avro-java.js';
import type { AvroJava, AvroJavaRequest } from '../../avro-java/avro-java.js';
import { generateProject } from '../../unit/generator/models/harness.js';
import type { GeneratedProject } from '../../unit/generator/models/harness.js';
import type { Codec } from '../../../runtime/src/types/codec.js';

/** One Avro type (wrapped in a record field `v` unless `topLevel`) and datums in both forms. */
interface Case {
  readonly name: string;
  readonly type: unknown;
  /** Also generate the type as a topic-level schema of its own (a top-level non-record schema). */
  readonly datums: readonly { readonly model: unknown; readonly avroJson: unknown }[];
}

const ts = (iso: string, ms: number): { model: unknown; avroJson: unknown } => ({ model: { branch: 'long', value: iso }, avroJson: { long: ms } });

const CASES: readonly Case[] = [
  {
    name: 'StringOrTimestamp',
    type: ['string', { type: 'long', logicalType: 'timestamp-millis' }],
    datums: [ts('2024-01-02T03:04:05.123Z', 1704164645123), { model: { branch: 'string', value: 'hello' }, avroJson: { string: 'hello' } }],
  },
  {
    name: 'FloatOrInt',
    type: ['float', 'int'],
    datums: [
      { model: { branch: 'int', value: 7 }, avroJson: { int: 7 } },
      { model: { branch: 'float', value: 1.5 }, avroJson: { float: 1.5 } },
    ],
  },
  {
    name: 'StringOrEnum',
    type: ['string', { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN'] }],
    datums: [
      { model: { branch: 'java.cases.Color', value: 'RED' }, avroJson: { 'java.cases.Color': 'RED' } },
      { model: { branch: 'string', value: 'RED' }, avroJson: { string: 'RED' } },
    ],
  },
  {
    name: 'NullFloatDouble',
    type: ['null', 'float', 'double'],
    datums: [
      { model: { branch: 'double', value: 0.1 }, avroJson: { double: 0.1 } },
      { model: { branch: 'float', value: 0.5 }, avroJson: { float: 0.5 } },
      { model: null, avroJson: null },
    ],
  },
  {
    name: 'IntLong',
    type: ['int', 'long', 'string'],
    datums: [
      { model: { branch: 'long', value: 5 }, avroJson: { long: 5 } },
      { model: { branch: 'int', value: -3 }, avroJson: { int: -3 } },
      { model: 'plain', avroJson: { string: 'plain' } },
    ],
  },
  {
    name: 'BytesOrFixed',
    type: ['bytes', { type: 'fixed', name: 'Four', size: 4 }, 'null'],
    datums: [
      { model: { branch: 'java.cases.Four', value: Buffer.from('abcd') }, avroJson: { 'java.cases.Four': 'abcd' } },
      { model: { branch: 'bytes', value: Buffer.from('abcd') }, avroJson: { bytes: 'abcd' } },
    ],
  },
  {
    name: 'StringOrDecimal',
    type: ['string', { type: 'bytes', logicalType: 'decimal', precision: 5, scale: 2 }],
    datums: [{ model: { branch: 'bytes', value: '1.23' }, avroJson: { bytes: '{' } }],
  },
  {
    name: 'NullableString',
    type: ['null', 'string'],
    datums: [
      { model: 'x', avroJson: { string: 'x' } },
      { model: null, avroJson: null },
    ],
  },
  {
    name: 'StringIntNull',
    type: ['string', 'int', 'null', { type: 'array', items: 'string' }, { type: 'map', values: 'long' }],
    datums: [
      { model: 12, avroJson: { int: 12 } },
      { model: 'twelve', avroJson: { string: 'twelve' } },
      { model: ['a', 'b'], avroJson: { array: ['a', 'b'] } },
      { model: { k: 3 }, avroJson: { map: { k: 3 } } },
    ],
  },
  {
    name: 'Nanos',
    type: { type: 'long', logicalType: 'timestamp-nanos' },
    datums: [
      { model: '2024-01-02T03:04:05.123456789Z', avroJson: 1_704_164_645_123_456_789n },
      { model: '2262-04-11T23:47:16.854775807Z', avroJson: 2n ** 63n - 1n },
      { model: '1677-09-21T00:12:43.145224192Z', avroJson: -(2n ** 63n) },
      { model: '1969-12-31T23:59:59.999999999Z', avroJson: -1 },
    ],
  },
  {
    name: 'LocalNanos',
    type: ['null', { type: 'long', logicalType: 'local-timestamp-nanos' }],
    datums: [{ model: '2024-01-02T03:04:05.123456789', avroJson: { long: 1_704_164_645_123_456_789n } }],
  },
  {
    name: 'Micros',
    type: { type: 'long', logicalType: 'timestamp-micros' },
    datums: [
      { model: '+294247-01-10T04:00:54.775807Z', avroJson: 2n ** 63n - 1n },
      { model: '-290308-12-21T19:59:05.224192Z', avroJson: -(2n ** 63n) },
      { model: '2024-01-02T03:04:05.123456Z', avroJson: 1_704_164_645_123_456 },
    ],
  },
  {
    name: 'Millis',
    type: { type: 'long', logicalType: 'timestamp-millis' },
    datums: [
      { model: '-000001-12-31T23:59:59.999Z', avroJson: -62_167_219_200_001 },
      { model: '+275760-09-13T00:00:00.001Z', avroJson: 8_640_000_000_000_001n },
    ],
  },
  {
    name: 'LocalMicros',
    type: { type: 'long', logicalType: 'local-timestamp-micros' },
    datums: [{ model: '9999-12-31T23:59:59.999999', avroJson: 253_402_300_799_999_999n }],
  },
  {
    name: 'FixedUuid',
    type: ['string', { type: 'fixed', name: 'Id16', size: 16, logicalType: 'uuid' }],
    datums: [
      {
        model: { branch: 'java.cases.Id16', value: '123e4567-e89b-12d3-a456-426614174000' },
        avroJson: { 'java.cases.Id16': Buffer.from('123e4567e89b12d3a456426614174000', 'hex').toString('latin1') },
      },
      { model: { branch: 'string', value: 'not a uuid' }, avroJson: { string: 'not a uuid' } },
    ],
  },
];

/** Parses Java's JSON answer with integers beyond 2^53 kept exact (as bigints), to compare with the cases. */
function parseExact(text: string): unknown {
  const marked = text.replace(/([:[,])(-?\d{16,})(?=[,\]}])/g, '$1"@@$2"');
  return JSON.parse(marked, (_key, v: unknown) => {
    if (typeof v !== 'string' || !v.startsWith('@@')) return v;
    const big = BigInt(v.slice(2));
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  });
}

/** Top-level schemas that are not named types: each file defines a type named after it. */
const TOP_LEVEL: readonly { readonly name: string; readonly schema: unknown; readonly datums: readonly { readonly model: (m: Record<string, unknown>) => unknown; readonly avroJson: unknown }[] }[] = [
  {
    name: 'TopItems',
    schema: { type: 'array', items: { type: 'record', name: 'Item', namespace: 'java.top', fields: [{ name: 'sku', type: 'string' }, { name: 'qty', type: 'int' }] } },
    datums: [
      { model: (m) => [new (m['Item'] as RecordCtorOf)({ sku: 'a', qty: 1 }), new (m['Item'] as RecordCtorOf)({ sku: 'b', qty: 2 })], avroJson: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }] },
      { model: () => [], avroJson: [] },
    ],
  },
  { name: 'TopMap', schema: { type: 'map', values: ['null', 'double'] }, datums: [{ model: () => ({ a: 1.25, b: null }), avroJson: { a: { double: 1.25 }, b: null } }] },
  { name: 'TopString', schema: 'string', datums: [{ model: () => 'héllo', avroJson: 'héllo' }] },
  {
    name: 'TopUnion',
    schema: ['string', 'long', 'null'],
    datums: [
      { model: () => 5, avroJson: { long: 5 } },
      { model: () => 'five', avroJson: { string: 'five' } },
      { model: () => null, avroJson: null },
    ],
  },
  { name: 'TopTimestamp', schema: { type: 'long', logicalType: 'timestamp-millis' }, datums: [{ model: () => '2024-01-02T03:04:05.123Z', avroJson: 1704164645123 }] },
];

type RecordCtorOf = new (fields: Record<string, unknown>) => unknown;

const NAMESPACE = 'java.cases';

function recordSchema(c: Case): unknown {
  return { type: 'record', name: c.name, namespace: NAMESPACE, fields: [{ name: 'v', type: c.type }] };
}

let java: AvroJava;
let project: GeneratedProject;
let schemaDir: string;

before(async () => {
  java = ensureAvroJava();
  schemaDir = mkdtempSync(join(tmpdir(), 'faustgen-avro-java-'));
  const files = CASES.map((c) => {
    const file = join(schemaDir, `${c.name}.avsc`);
    writeFileSync(file, JSON.stringify(recordSchema(c)));
    return file;
  });
  for (const t of TOP_LEVEL) {
    const file = join(schemaDir, `${kebab(t.name)}.avsc`);
    writeFileSync(file, JSON.stringify(t.schema));
    files.push(file);
  }
  project = await generateProject(files);
  assert.deepEqual(project.result.diagnostics, []);
});
after(() => {
  project.cleanup();
  rmSync(schemaDir, { recursive: true, force: true });
});

type RecordCtor = new (fields: { v: unknown }) => { v: unknown };

describe('Avro unions: faustgen and Apache Avro Java write and read the same bytes', () => {
  test('every datum: same bytes both ways, same model value, same datum', async () => {
    const rows: { c: Case; model: unknown; avroJson: unknown; ours: string; codec: Codec<{ v: unknown }> }[] = [];
    for (const c of CASES) {
      const module = await project.load<Record<string, unknown>>(`models/java/cases/${kebab(c.name)}.ts`);
      const Ctor = module[c.name] as RecordCtor;
      const codec = module[`${c.name}AvroCodec`] as Codec<{ v: unknown }>;
      for (const d of c.datums) rows.push({ c, ...d, ours: codec.encode(new Ctor({ v: d.model })).toString('hex'), codec });
    }
    const requests: AvroJavaRequest[] = rows.flatMap((r) => [
      { op: 'encode', schema: recordSchema(r.c), json: { v: r.avroJson } },
      { op: 'decode', schema: recordSchema(r.c), hex: r.ours },
    ]);
    const answers = await runAvroJava(java, requests);
    rows.forEach((r, i) => {
      const what = `${r.c.name} ${stringifyExact(r.avroJson)}`;
      const encoded = answers[2 * i];
      const decoded = answers[2 * i + 1];
      assert.ok(encoded?.ok === true, `${what}: Java cannot encode: ${JSON.stringify(encoded)}`);
      assert.equal(r.ours, encoded.result, `${what}: faustgen's bytes differ from Java's`);
      assert.deepEqual(r.codec.decode(Buffer.from(encoded.result, 'hex')).v, r.model, `${what}: faustgen reads Java's bytes differently`);
      assert.ok(decoded?.ok === true, `${what}: Java cannot decode faustgen's bytes: ${JSON.stringify(decoded)}`);
      assert.deepEqual(parseExact(decoded.result), parseExact(stringifyExact({ v: r.avroJson })), `${what}: Java reads faustgen's bytes differently`);
    });
    assert.ok(rows.length >= 20);
  });
});

describe('top-level schemas that are not named types: faustgen and Apache Avro Java agree', () => {
  test('array of records, map, primitive, union, logical type', async () => {
    const item = await project.load<Record<string, unknown>>('models/java/top/item.ts');
    const rows: { name: string; schema: unknown; model: unknown; avroJson: unknown; ours: string; codec: Codec<unknown> }[] = [];
    for (const t of TOP_LEVEL) {
      const module = await project.load<Record<string, unknown>>(`models/${kebab(t.name)}.ts`);
      const codec = module[`${t.name}AvroCodec`] as Codec<unknown>;
      for (const d of t.datums) {
        const model = d.model(item);
        rows.push({ name: t.name, schema: t.schema, model, avroJson: d.avroJson, ours: codec.encode(model).toString('hex'), codec });
      }
    }
    const answers = await runAvroJava(
      java,
      rows.flatMap((r): AvroJavaRequest[] => [
        { op: 'encode', schema: r.schema, json: r.avroJson },
        { op: 'decode', schema: r.schema, hex: r.ours },
      ]),
    );
    rows.forEach((r, i) => {
      const what = `${r.name} ${JSON.stringify(r.avroJson)}`;
      const encoded = answers[2 * i];
      const decoded = answers[2 * i + 1];
      assert.ok(encoded?.ok === true, `${what}: Java cannot encode: ${JSON.stringify(encoded)}`);
      assert.equal(r.ours, encoded.result, `${what}: faustgen's bytes differ from Java's`);
      assert.deepEqual(r.codec.decode(Buffer.from(encoded.result, 'hex')), r.model, `${what}: faustgen reads Java's bytes differently`);
      assert.ok(decoded?.ok === true, `${what}: Java cannot decode faustgen's bytes: ${JSON.stringify(decoded)}`);
      assert.deepEqual(JSON.parse(decoded.result), r.avroJson, `${what}: Java reads faustgen's bytes differently`);
    });
  });
});

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
