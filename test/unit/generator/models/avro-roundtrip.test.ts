import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Type } from 'avsc';
import { FaustgenError } from '../../../../runtime/src/core/errors.js';
import type { Codec } from '../../../../runtime/src/types/codec.js';
import { fixtureFiles, generateProject } from './harness.js';
import type { GeneratedProject } from './harness.js';

interface AvroCodecLike<T> extends Codec<T> {
  readonly avroType: Type;
}

const SAMPLES = 200;
let project: GeneratedProject;

before(async () => {
  project = await generateProject(fixtureFiles('avro', /\.avsc$/));
  assert.deepEqual(project.result.diagnostics, []);
});
after(() => project.cleanup());

describe('Avro fixtures round-trip through the generated codecs', () => {
  test('every Avro named type got a module with JSON and Avro codecs', () => {
    const avroEntries = project.result.catalog.entries.filter((e) => e.format === 'avro');
    assert.ok(avroEntries.length >= 20, `only ${avroEntries.length} models`);
    for (const entry of avroEntries) {
      assert.equal(entry.codecs.avro, `${entry.className}AvroCodec`);
      assert.equal(entry.codecs.json, `${entry.className}JsonCodec`);
    }
  });

  test('random values: avsc bytes == generated encode, decode(encode(x)) == x, JSON round-trip == x', async () => {
    let checked = 0;
    for (const entry of project.result.catalog.entries) {
      const module = await project.load(entry.modulePath.replace(/\.js$/, '.ts'));
      const avro = module[entry.codecs.avro ?? ''] as AvroCodecLike<unknown>;
      const json = module[entry.codecs.json ?? ''] as Codec<unknown>;
      for (let i = 0; i < SAMPLES; i++) {
        const random: unknown = (avro.avroType as unknown as { random(): unknown }).random();
        const reference = avro.avroType.toBuffer(random);
        const model = avro.decode(reference);
        const encoded = avro.encode(model);
        assert.deepEqual(encoded, reference, `${entry.fullName}: generated encoding differs from avsc's`);
        assert.deepEqual(avro.decode(encoded), model, `${entry.fullName}: Avro round-trip`);
        const text = json.encode(model);
        assert.deepEqual(json.decode(text), model, `${entry.fullName}: JSON round-trip of ${text.toString('utf8').slice(0, 200)}`);
        checked++;
      }
    }
    assert.ok(checked >= 20 * SAMPLES);
  });

  test('decoded records are instances of the generated classes, nested ones too', async () => {
    const { Order, OrderAvroCodec } = await project.load<{ Order: new (...args: never[]) => unknown; OrderAvroCodec: AvroCodecLike<{ customer: unknown; items: unknown[] }> }>('models/com/acme/order.ts');
    const { Customer } = await project.load<{ Customer: new (...args: never[]) => unknown }>('models/com/acme/customer.ts');
    const { LineItem } = await project.load<{ LineItem: new (...args: never[]) => unknown }>('models/com/acme/line-item.ts');
    for (let i = 0; i < 20; i++) {
      const random: unknown = (OrderAvroCodec.avroType as unknown as { random(): unknown }).random();
      const order = OrderAvroCodec.decode(OrderAvroCodec.avroType.toBuffer(random));
      assert.ok(order instanceof Order);
      assert.ok(order.customer instanceof Customer);
      for (const item of order.items) assert.ok(item instanceof LineItem);
    }
  });

  test('truncated Avro bytes raise FG_DECODE; invalid values raise FG_ENCODE with the path', async () => {
    const { ChainAvroCodec, Chain } = await project.load<{ ChainAvroCodec: Codec<unknown>; Chain: new (f: object) => unknown }>('models/com/acme/cycle/chain.ts');
    const bytes = ChainAvroCodec.encode(new Chain({ value: 1, next: new Chain({ value: 2 }) }));
    assert.throws(() => ChainAvroCodec.decode(bytes.subarray(0, bytes.length - 1)), (e: unknown) => FaustgenError.hasCode(e, 'FG_DECODE'));
    const bad = new Chain({ value: 1, next: new Chain({ value: 2.5 }) });
    assert.throws(
      () => ChainAvroCodec.encode(bad),
      (e: unknown) => FaustgenError.hasCode(e, 'FG_ENCODE') && e.details['path'] === '$.next.value',
    );
  });
});
