import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import avro from 'avsc';
import type { AvroModelCodec } from '../../../../runtime/src/codegen/codecs.js';
import { FaustgenError } from '../../../../runtime/src/core/errors.js';
import { crc64Avro, fingerprintBytes } from '../../../../runtime/src/registry/fingerprint.js';
import { canonicalForm, singleObjectAvroCodec } from '../../../../runtime/src/registry/single-object.js';
import { generateProject, type GeneratedProject } from '../../generator/models/harness.js';
import { codecs } from '../../../../runtime/src/serde/codecs.js';
import { testApp, waitFor } from '../helpers.js';

const v1 = {
  type: 'record',
  name: 'Payment',
  namespace: 'hist',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'int' },
    { name: 'legacy_note', type: 'string' },
  ],
};
const v2 = {
  type: 'record',
  name: 'Payment',
  namespace: 'hist',
  doc: 'current version',
  fields: [
    { name: 'payment_id', type: 'string', aliases: ['id'] },
    { name: 'amount', type: 'long' },
    { name: 'currency', type: 'string', default: 'EUR' },
  ],
};

interface Payment {
  readonly payment_id: string;
  readonly amount: number;
  readonly currency: string;
}

describe('evolution without a registry: Avro single-object encoding with history versions', () => {
  let dir: string;
  let project: GeneratedProject;
  let codec: AvroModelCodec<Payment>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faustgen-history-'));
    writeFileSync(join(dir, 'payment.avsc'), JSON.stringify(v2));
    project = await generateProject([join(dir, 'payment.avsc')]);
    codec = (await project.load<{ PaymentAvroCodec: AvroModelCodec<Payment> }>('models/hist/payment.ts')).PaymentAvroCodec;
  });
  after(() => {
    project?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('CRC-64-AVRO matches the Avro specification test vectors', () => {
    const signed = (fp: bigint): bigint => BigInt.asIntN(64, fp);
    assert.equal(signed(crc64Avro('"null"')), 7195948357588979594n);
    assert.equal(signed(crc64Avro('"boolean"')), -6970731678124411036n);
    assert.equal(signed(crc64Avro('"int"')), 8247732601305521295n);
    assert.equal(signed(crc64Avro('{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}')), 7843277075252814651n);
    assert.equal(canonicalForm(avro.Type.forSchema({ type: 'record', name: 'foo', doc: 'x', fields: [{ name: 'f1', type: 'boolean', default: true }] })), '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}');
  });

  test('records written with an older version in a file read as the current generated type', () => {
    const single = singleObjectAvroCodec(codec, [v1]);
    const writer = avro.Type.forSchema(v1 as avro.Schema);
    const old = Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprintBytes(crc64Avro(canonicalForm(writer))), writer.toBuffer({ id: 'p1', amount: 42, legacy_note: 'x' })]);
    const read = single.decode(old);
    assert.deepEqual({ payment_id: read.payment_id, amount: read.amount, currency: read.currency }, { payment_id: 'p1', amount: 42, currency: 'EUR' });
    assert.equal(read.constructor.name, 'Payment');
    // Written with the current schema: the header names it, and it round-trips.
    const current = single.encode(read);
    assert.deepEqual([...current.subarray(0, 2)], [0xc3, 0x01]);
    assert.deepEqual(current.subarray(2, 10), fingerprintBytes(crc64Avro(canonicalForm(codec.avroType))));
    assert.deepEqual(single.decode(current), read);
  });

  test('an unknown fingerprint, bad framing and an unreadable history version are coded errors', () => {
    const single = singleObjectAvroCodec(codec, []);
    const writer = avro.Type.forSchema(v1 as avro.Schema);
    const old = Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprintBytes(crc64Avro(canonicalForm(writer))), writer.toBuffer({ id: 'p1', amount: 42, legacy_note: 'x' })]);
    assert.throws(() => single.decode(old), (error: unknown) => FaustgenError.hasCode(error, 'FG_SCHEMA_UNKNOWN_ID') && /fingerprint [0-9a-f]{16}/.test(error.message));
    assert.throws(() => single.decode(Buffer.from([0, 0, 0, 0, 1, 2])), (error: unknown) => FaustgenError.hasCode(error, 'FG_SCHEMA_FRAMING'));
    const unreadable = { ...v1, fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'string' }] };
    assert.throws(() => singleObjectAvroCodec(codec, [unreadable]), (error: unknown) => FaustgenError.hasCode(error, 'FG_SCHEMA_INCOMPATIBLE') && error.kind === 'user' && /history schema #1/.test(error.message));
  });

  test('on memory://: an agent reads records written with v1 (from a file) and v2 into the v2 type', async () => {
    const { app } = testApp({ id: 'history-reader' });
    const payments = app.topic('payments', { key: codecs.string, value: singleObjectAvroCodec(codec, [v1]), partitions: 1 });
    const got: Payment[] = [];
    app.agent('read', { source: payments }, async (stream) => {
      for await (const payment of stream) got.push(payment);
    });
    await app.start();
    try {
      const writer = avro.Type.forSchema(v1 as avro.Schema);
      const old = Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprintBytes(crc64Avro(canonicalForm(writer))), writer.toBuffer({ id: 'p1', amount: 42, legacy_note: 'x' })]);
      await app.sendRaw('payments', Buffer.from('p1'), old);
      const current = codec.fromAvro({ payment_id: 'p2', amount: 7, currency: 'USD' });
      await payments.send({ key: 'p2', value: current });
      await waitFor(() => got.length === 2, 'two payments');
      assert.deepEqual(got.map((p) => [p.constructor.name, p.payment_id, p.amount, p.currency]), [['Payment', 'p1', 42, 'EUR'], ['Payment', 'p2', 7, 'USD']]);
    } finally {
      await app.stop();
    }
  });
});
