/**
 * The generated Avro codec's compiled path on the codec benchmark's record (bench/schemas/codec):
 * the bytes avsc writes through the general path, the same model back, and invalid values and
 * bytes refused with the same coded errors, naming the field.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Type } from 'avsc';
import { fromAvroValue, toAvroValue } from '../../../../runtime/src/codegen/avro-convert.js';
import type { TypeDesc } from '../../../../runtime/src/codegen/descriptors.js';
import { avroOrderJson } from '../../../../bench/scenarios/codec/record.js';
import { generateProject, repoRoot } from './harness.js';
import type { GeneratedProject } from './harness.js';

interface Codec {
  encode(value: unknown): Buffer;
  decode(bytes: Buffer): unknown;
  validate(value: unknown): { path: string; message: string }[];
  readonly avroType: Type;
}
interface OrderClass {
  new (...args: never[]): unknown;
  readonly model: TypeDesc;
  fromJSON(json: unknown): Record<string, unknown>;
}

let project: GeneratedProject;
let codec: Codec;
let Order: OrderClass;

before(async () => {
  project = await generateProject([join(repoRoot, 'bench/schemas/codec/order.avsc')]);
  assert.deepEqual(project.result.diagnostics, []);
  const module = await project.load<{ Order: OrderClass; OrderAvroCodec: Codec }>('models/bench/codec/order.ts');
  codec = module.OrderAvroCodec;
  Order = module.Order;
});
after(() => project.cleanup());

/** The bytes of the general path: avsc (model logical types, wrapped unions) on the converted value. */
function avscBytes(value: unknown): Buffer {
  return codec.avroType.toBuffer(toAvroValue(Order.model, value));
}

/** What the general path decodes (canonical timestamps, classes). */
function avscDecode(bytes: Buffer): unknown {
  return fromAvroValue(Order.model, codec.avroType.fromBuffer(bytes));
}

/** A FaustgenError (the codec runs from dist/, so compare by code, not class) whose message mentions `text`. */
function coded(code: string, text: string | RegExp): (error: unknown) => boolean {
  return (error) => {
    const e = error as { code?: unknown; message?: unknown };
    return e.code === code && typeof e.message === 'string' && (typeof text === 'string' ? e.message.includes(text) : text.test(e.message));
  };
}

function variant(change: (json: Record<string, unknown>) => void): Record<string, unknown> {
  const json = avroOrderJson();
  change(json);
  return Order.fromJSON(json);
}

function customer(json: Record<string, unknown>): Record<string, unknown> {
  return json['customer'] as Record<string, unknown>;
}

function item(json: Record<string, unknown>, i: number): Record<string, unknown> {
  return (json['items'] as Record<string, unknown>[])[i] as Record<string, unknown>;
}

describe('compiled Avro codec', () => {
  test('writes the bytes avsc writes and reads the same model back, for the bench record and its edge cases', () => {
    const cases = [
      Order.fromJSON(avroOrderJson()),
      variant((j) => Object.assign(j, { shippedAt: '2026-12-06T08:00:00Z', note: null, items: [item(j, 0)], attributes: {}, status: 'CANCELLED' })),
      variant((j) => Object.assign(j, { total: '-999999999999.99', placedAt: '0001-01-01T00:00:00.001Z', priority: -2_147_483_648, weightKg: Number.NaN })),
      variant((j) => Object.assign(customer(j), { id: -9_007_199_254_740_990 + 2 ** 53 - 2 ** 52, name: 'Zoë 😀 \u00e9\u20ac', tags: [] })),
      variant((j) => Object.assign(j, { placedAt: '2026-12-05T23:58:03+02:00', attributes: { ['é'.repeat(40)]: 'x'.repeat(300), '': '' } })),
      variant((j) => Object.assign(item(j, 1), { unitPrice: '0.00', discount: 0.5 })),
    ];
    for (const value of cases) {
      const bytes = codec.encode(value);
      assert.deepEqual(bytes, avscBytes(value));
      const decoded = codec.decode(bytes);
      assert.deepEqual(decoded, avscDecode(bytes));
      assert.ok(decoded instanceof Order);
    }
  });

  test('a long below -2^52 round-trips exactly (avsc alone wrote it as a positive number)', () => {
    const value = variant((j) => Object.assign(customer(j), { id: -(2 ** 52) - 12_345 }));
    const decoded = codec.decode(codec.encode(value)) as { customer: { id: number } };
    assert.equal(decoded.customer.id, -(2 ** 52) - 12_345);
  });

  test('invalid values are refused with FG_ENCODE naming the field, as validation reports them', () => {
    const bad: [string, (j: Record<string, unknown>) => void][] = [
      ['$.items[2].quantity', (j) => (item(j, 2)['quantity'] = 1.5)],
      ['$.status', (j) => (j['status'] = 'LOST')],
      ['$.orderId', (j) => (j['orderId'] = 'not-a-uuid')],
      ['$.placedAt', (j) => (j['placedAt'] = '2026-02-30T00:00:00Z')],
      ['$.total', (j) => (j['total'] = '1.234')],
      ['$.customer.address.latitude', (j) => ((customer(j)['address'] as Record<string, unknown>)['latitude'] = 'north')],
      ['$.attributes.channel', (j) => ((j['attributes'] as Record<string, unknown>)['channel'] = 7)],
      ['$.customer.id', (j) => (customer(j)['id'] = 2 ** 53)],
    ];
    for (const [path, change] of bad) {
      // Plain objects are model values too (validation checks shapes, not classes).
      const value = avroOrderJson();
      change(value);
      const issues = codec.validate(value);
      assert.ok(issues.some((i) => i.path === path), `${path}: ${JSON.stringify(issues)}`);
      assert.throws(() => codec.encode(value), coded('FG_ENCODE', `${path}: `), path);
    }
  });

  test('a missing or inherited field is refused as validation refuses it', () => {
    const value = { ...Order.fromJSON(avroOrderJson()) };
    delete value['currency'];
    assert.throws(() => codec.encode(value), coded('FG_ENCODE', '$.currency: missing required field'));
    const inherited = Object.assign(Object.create({ currency: 'GBP' }) as object, value);
    assert.throws(() => codec.encode(inherited), coded('FG_ENCODE', '$.currency: missing required field'));
    // An object whose prototype is the generated class's, the field found only there (own-property check's fast case).
    const prototype = Object.getPrototypeOf(Order.fromJSON(avroOrderJson())) as Record<string, unknown>;
    const instance = Object.assign(Object.create(prototype) as object, value);
    prototype['currency'] = 'GBP';
    try {
      assert.throws(() => codec.encode(instance), coded('FG_ENCODE', '$.currency: missing required field'));
      assert.ok(codec.encode(Object.assign(Object.create(prototype) as object, value, { currency: 'GBP' })).length > 0);
    } finally {
      delete prototype['currency'];
    }
  });

  test('truncated, trailing and corrupt bytes are refused with FG_DECODE', () => {
    const bytes = codec.encode(Order.fromJSON(avroOrderJson()));
    for (const broken of [bytes.subarray(0, bytes.length - 1), bytes.subarray(0, 40), Buffer.concat([bytes, Buffer.from([0])]), Buffer.alloc(0)]) {
      assert.throws(() => codec.decode(broken), coded('FG_DECODE', 'cannot decode'), `${broken.length} bytes`);
    }
    // The enum index after the uuid (1 + 36 bytes) and the timestamp varint.
    const corrupt = Buffer.from(bytes);
    let at = 37;
    while ((corrupt[at] ?? 0) & 0x80) at++;
    corrupt[at + 1] = 0x7e; // enum index 63
    assert.throws(() => codec.decode(corrupt), coded('FG_DECODE', /enum/));
  });

  test('decoded bytes and fixed values never alias the input buffer', () => {
    const bytes = codec.encode(Order.fromJSON(avroOrderJson()));
    const decoded = codec.decode(bytes) as { orderId: string };
    bytes.fill(0);
    assert.equal(decoded.orderId, '3f0c8f5e-2b7a-4c1d-9e8f-0a1b2c3d4e5f');
  });
});
