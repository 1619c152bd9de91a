/**
 * Registry-framed Avro against a real Kafka broker and a real schema registry (Apicurio), with a
 * serializer nobody here wrote (@confluentinc/schemaregistry): its v1 and v2 records reach a
 * faustgen agent as the generated v2 type; faustgen's records read back equal through its
 * deserializer; an unknown schema id and a stopped registry take the agent's onError path.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AvroDeserializer, AvroSerializer, JsonDeserializer, JsonSerializer, SchemaRegistryClient as ConfluentClient, SerdeType } from '@confluentinc/schemaregistry';
import type { App } from '../../../runtime/src/app/app.js';
import type { AvroModelCodec, ModelCodec } from '../../../runtime/src/codegen/codecs.js';
import { registryAvro, registryJsonSchema, schemaRegistryOf } from '../../../runtime/src/registry/index.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { startKafkaCluster, type KafkaCluster } from '../../kafka/broker.js';
import { createTopics, testKafkaClient } from '../../kafka/global.js';
import { startSchemaRegistry, type SchemaRegistryProcess } from '../../registry/registry.js';
import { generateProject, type GeneratedProject } from '../../unit/generator/models/harness.js';
import { committedOffsets, kafkaApp, readAll, uniqueName, waitFor } from '../app/app-helpers.js';

const v1 = {
  type: 'record',
  name: 'Payment',
  namespace: 'interop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'int' },
    { name: 'legacy_note', type: 'string' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID', 'LEGACY'] } },
  ],
};
/** v2: `id` renamed (alias), amount promoted int→long, legacy_note removed, currency added with a default, enum default. */
const v2 = {
  type: 'record',
  name: 'Payment',
  namespace: 'interop',
  fields: [
    { name: 'payment_id', type: 'string', aliases: ['id'] },
    { name: 'amount', type: 'long' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID'], default: 'NEW' } },
    { name: 'currency', type: 'string', default: 'EUR' },
  ],
};

/**
 * Awaits one step of a test, failing with its name if it hangs: a CI run once waited here for 15
 * minutes with no request in flight and the registry still up, and the file timeout names nothing.
 */
async function step<T>(what: string, work: Promise<T>, timeoutMs = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`step "${what}" did not finish within ${timeoutMs} ms`)), timeoutMs)));
  try {
    return await Promise.race([work, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The Confluent client as a service would configure it: with a request timeout. Its default has none,
 * and Apicurio now and then leaves a request unanswered (about one run in seven: the request
 * acknowledged on the socket, no answer for 15 minutes); with a timeout the call fails and `peer`
 * asks again.
 */
function confluentClient(url: string): ConfluentClient {
  return new ConfluentClient({ baseURLs: [url], createAxiosDefaults: { timeout: 5_000 }, maxRetries: 3, retriesWaitMs: 200, retriesMaxWaitMs: 1_000 });
}

/**
 * A call of the Confluent client, asked again when the registry left its request unanswered (the
 * client's own retry does not retry a timed-out request). What is checked is unchanged: the same
 * call with the same bytes.
 */
async function peer<T>(what: string, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ECONNABORTED' || attempt >= 4) throw error;
      process.stderr.write(`[registry] ${what}: no answer within 5 s; asking again (attempt ${attempt + 1})\n`);
    }
  }
}

/** Polls an async check until it gives a value. */
async function poll<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const jsonV1 = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Transfer',
  type: 'object',
  properties: { id: { type: 'string' }, cents: { type: 'integer' }, legacy_note: { type: 'string' } },
  required: ['id', 'cents', 'legacy_note'],
};
/** v2: legacy_note removed, currency added (optional); extra keys of older records tolerated. */
const jsonV2 = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Transfer',
  type: 'object',
  properties: { id: { type: 'string' }, cents: { type: 'integer' }, currency: { type: 'string' } },
  required: ['id', 'cents'],
};

interface Transfer {
  readonly id: string;
  readonly cents: number;
  readonly currency?: string;
}

interface Payment {
  readonly payment_id: string;
  readonly amount: number;
  readonly status: string;
  readonly currency: string;
}

describe('registry-framed Avro: interop with @confluentinc/schemaregistry', () => {
  let cluster: KafkaCluster;
  let registry: SchemaRegistryProcess;
  let project: GeneratedProject;
  let codec: AvroModelCodec<Payment>;
  let transferCodec: ModelCodec<Transfer>;
  let schemaDir: string;
  let app: App | undefined;

  before(async () => {
    schemaDir = mkdtempSync(join(tmpdir(), 'faustgen-interop-'));
    writeFileSync(join(schemaDir, 'payment.avsc'), JSON.stringify(v2));
    writeFileSync(join(schemaDir, 'transfer.schema.json'), JSON.stringify(jsonV2));
    [cluster, registry, project] = await Promise.all([startKafkaCluster({ nodes: 1 }), startSchemaRegistry(), generateProject([join(schemaDir, 'payment.avsc'), join(schemaDir, 'transfer.schema.json')])]);
    const module = await project.load<{ PaymentAvroCodec: AvroModelCodec<Payment> }>('models/interop/payment.ts');
    codec = module.PaymentAvroCodec;
    const jsonEntry = project.result.catalog.entries.find((entry) => entry.fullName === 'Transfer');
    assert.ok(jsonEntry);
    transferCodec = (await project.load<Record<string, ModelCodec<Transfer>>>(jsonEntry.modulePath.replace(/\.js$/, '.ts')))[jsonEntry.codecs.json ?? ''] as ModelCodec<Transfer>;
    process.stderr.write(`[registry] started in ${registry.startMs} ms, RSS ${((registry.rssBytes() ?? 0) / 2 ** 20).toFixed(0)} MiB\n`);
  });

  after(async () => {
    await app?.stop().catch(() => undefined);
    await Promise.all([cluster?.stop(), registry?.stop()]);
    project?.cleanup();
    rmSync(schemaDir, { recursive: true, force: true });
  });

  test('JSON Schema: v1 and v2 records from the Confluent serializer → generated v2 type; faustgen records → Confluent deserializer', async () => {
    const topic = uniqueName('transfers');
    const subject = `${topic}-value`;
    await createTopics(cluster.bootstrap, [{ topic, numPartitions: 1 }]);
    const confluent = confluentClient(registry.url);
    const config = await fetch(`${registry.url}/config/${subject}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ compatibility: 'NONE' }) });
    assert.equal(config.status, 200, await config.text());
    const id1 = await peer('register v1', () => confluent.register(subject, { schemaType: 'JSON', schema: JSON.stringify(jsonV1) }));
    const id2 = await peer('register v2', () => confluent.register(subject, { schemaType: 'JSON', schema: JSON.stringify(jsonV2) }));
    const writeV1 = new JsonSerializer(confluent, SerdeType.VALUE, { useSchemaId: id1, validate: true });
    const writeV2 = new JsonSerializer(confluent, SerdeType.VALUE, { useSchemaId: id2, validate: true });
    const producer = testKafkaClient(cluster.bootstrap, 'interop-json-producer').producer();
    await producer.connect();
    const thirdParty = [await peer('serialize t1', () => writeV1.serialize(topic, { id: 't1', cents: 100, legacy_note: 'old' })), await peer('serialize t2', () => writeV2.serialize(topic, { id: 't2', cents: 250, currency: 'USD' }))];
    assert.equal(thirdParty[0]?.readInt32BE(1), id1);
    await producer.send({ topic, messages: thirdParty.map((value) => ({ value })) });
    await producer.disconnect();

    const received: Transfer[] = [];
    const { app: jsonApp } = kafkaApp(cluster.bootstrap, { id: uniqueName('interop-json'), schemaRegistryUrl: registry.url });
    const transfers = jsonApp.topic(topic, { key: codecs.string, value: registryJsonSchema(jsonApp, transferCodec, JSON.stringify(jsonV2), { topic }) });
    jsonApp.agent('collect', { source: transfers }, async (stream) => {
      for await (const value of stream) received.push(value);
    });
    await jsonApp.start();
    try {
      await waitFor(() => received.length === 2, () => `2 transfers (got ${received.length})`, 60_000);
      assert.deepEqual(received.map((t) => ({ id: t.id, cents: t.cents, currency: t.currency })), [
        { id: 't1', cents: 100, currency: undefined },
        { id: 't2', cents: 250, currency: 'USD' },
      ]);
      const Transfer = received[0]?.constructor as new (fields: Transfer) => Transfer;
      await transfers.send({ key: 'f1', value: new Transfer({ id: 'f1', cents: 7, currency: 'CHF' }) });
      await waitFor(() => received.length === 3, () => `3 transfers (got ${received.length})`, 60_000);
      const ours = (await readAll(cluster.bootstrap, topic))[2];
      assert.equal(ours?.value?.readInt32BE(1), id2, 'faustgen frames with the id of its (v2) schema');
      const decoded = await peer('deserialize', () => new JsonDeserializer(confluent, SerdeType.VALUE, { validate: true }).deserialize(topic, ours?.value as Buffer));
      assert.deepEqual(decoded, { id: 'f1', cents: 7, currency: 'CHF' });
    } finally {
      await jsonApp.stop();
    }
  });

  test('v1 and v2 records from the Confluent serializer → generated v2 type; faustgen records → Confluent deserializer; unknown id and a stopped registry → dead letter', async () => {
    const topic = uniqueName('payments');
    const deadLetters = uniqueName('payments-dlq');
    const subject = `${topic}-value`;
    await createTopics(cluster.bootstrap, [{ topic, numPartitions: 1 }, { topic: deadLetters }]);

    const confluent = confluentClient(registry.url);
    // The rule under test here is resolution, not the registry's check (that is `faustgen schemas check`).
    const config = await fetch(`${registry.url}/config/${subject}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ compatibility: 'NONE' }) });
    assert.equal(config.status, 200, await config.text());
    const id1 = await peer('register v1', () => confluent.register(subject, { schemaType: 'AVRO', schema: JSON.stringify(v1) }));
    const id2 = await peer('register v2', () => confluent.register(subject, { schemaType: 'AVRO', schema: JSON.stringify(v2) }));
    assert.notEqual(id1, id2);
    const writeV1 = new AvroSerializer(confluent, SerdeType.VALUE, { useSchemaId: id1 });
    const writeV2 = new AvroSerializer(confluent, SerdeType.VALUE, { useSchemaId: id2 });
    const reader = new AvroDeserializer(confluent, SerdeType.VALUE, {});

    const producer = testKafkaClient(cluster.bootstrap, 'interop-producer').producer();
    await producer.connect();
    const thirdParty = [
      await peer('serialize p1', () => writeV1.serialize(topic, { id: 'p1', amount: 100, legacy_note: 'old', status: 'PAID' })),
      await peer('serialize p2', () => writeV1.serialize(topic, { id: 'p2', amount: 2_000_000_000, legacy_note: '', status: 'LEGACY' })),
      await peer('serialize p3', () => writeV2.serialize(topic, { payment_id: 'p3', amount: 5_000_000_000, status: 'NEW', currency: 'USD' })),
    ];
    assert.equal(thirdParty[0]?.readInt32BE(1), id1, 'the Confluent serializer frames with the registry id');
    await producer.send({ topic, messages: thirdParty.map((value, i) => ({ key: `k${i}`, value })) });

    const received: Payment[] = [];
    const { app: built } = kafkaApp(cluster.bootstrap, { id: uniqueName('interop'), schemaRegistryUrl: registry.url });
    app = built;
    const payments = app.topic(topic, { key: codecs.string, value: registryAvro(app, codec, { topic }) });
    app.agent('collect', { source: payments, onError: { deadLetter: deadLetters } }, async (stream) => {
      for await (const value of stream) received.push(value);
    });
    await step('start the app', app.start());
    await waitFor(() => received.length === 3, () => `3 payments (got ${received.length})`, 60_000);
    const plain = received.map((p) => ({ payment_id: p.payment_id, amount: p.amount, status: p.status, currency: p.currency }));
    assert.deepEqual(plain, [
      { payment_id: 'p1', amount: 100, status: 'PAID', currency: 'EUR' },
      { payment_id: 'p2', amount: 2_000_000_000, status: 'NEW', currency: 'EUR' },
      { payment_id: 'p3', amount: 5_000_000_000, status: 'NEW', currency: 'USD' },
    ]);
    assert.equal(received[0]?.constructor.name, 'Payment', 'decoded into the generated class');
    const client = schemaRegistryOf(app);
    const requestsAfterDecode = client.requests;

    // faustgen writes (its v2 schema is already registered: looked up, not registered) → the Confluent deserializer reads it back.
    const sent = [
      { payment_id: 'f1', amount: 7, status: 'PAID', currency: 'CHF' },
      { payment_id: 'f2', amount: 8_000_000_000, status: 'NEW', currency: 'EUR' },
    ];
    const Payment = received[0]?.constructor as new (fields: Payment) => Payment;
    for (const value of sent) await step(`send ${value.payment_id} from faustgen`, payments.send({ key: value.payment_id, value: new Payment(value) }));
    await waitFor(() => received.length === 5, () => `5 payments (got ${received.length})`, 60_000);
    const all = await step('read the topic back', readAll(cluster.bootstrap, topic));
    const ours = all.slice(3, 5);
    for (const [i, record] of ours.entries()) {
      assert.equal(record.value?.readInt32BE(1), id2, 'faustgen frames with the id of its (v2) schema');
      const decoded = (await step('deserialize with the Confluent deserializer', peer('deserialize', () => reader.deserialize(topic, record.value as Buffer)))) as Record<string, unknown>;
      assert.deepEqual({ ...decoded, amount: Number(decoded['amount']) }, sent[i]);
    }

    // An unknown id: a coded error through onError; the dead letter keeps the original bytes.
    const unknown = Buffer.concat([Buffer.from([0, 0, 0, 0x27, 0x0f]), Buffer.from('junk')]);
    await step('send a record with an unknown schema id', producer.send({ topic, messages: [{ key: 'bad', value: unknown }] }));
    // The registry stops mid-run: a record with a schema id not cached yet cannot be decoded.
    const v3 = { ...v2, fields: [...v2.fields, { name: 'note', type: 'string', default: '' }] };
    const id3 = await step('register v3 with the Confluent client', peer('register v3', () => confluent.register(subject, { schemaType: 'AVRO', schema: JSON.stringify(v3) })));
    const v3Bytes = await step('serialize a v3 record with the Confluent serializer', peer('serialize v3', () => new AvroSerializer(confluent, SerdeType.VALUE, { useSchemaId: id3 }).serialize(topic, { payment_id: 'p9', amount: 1, status: 'NEW', currency: 'EUR', note: 'n' })));
    await step('stop the registry', registry.stop());
    await step('send the record the stopped registry cannot resolve', producer.send({ topic, messages: [{ key: 'unreachable', value: v3Bytes }] }));
    await step('disconnect the test producer', producer.disconnect());

    const letters = await poll(async () => {
      const records = await readAll(cluster.bootstrap, deadLetters);
      return records.length === 2 ? records : undefined;
    }, 'two dead letters');
    const codes = letters.map((r) => r.headers['faustgen-error-code']?.toString());
    assert.deepEqual(codes, ['FG_SCHEMA_UNKNOWN_ID', 'FG_SCHEMA_REGISTRY_UNREACHABLE']);
    assert.deepEqual(letters[0]?.value, unknown, 'original bytes kept');
    assert.deepEqual(letters[1]?.value, v3Bytes, 'original bytes kept');
    for (const letter of letters) {
      const message = letter.headers['faustgen-error-message']?.toString() ?? '';
      assert.match(message, new RegExp(`topic "${topic}" partition 0 offset \\d+`));
      assert.match(message, /schema id \d+|schemaId/);
      assert.equal(letter.headers['faustgen-origin-topic']?.toString(), topic);
    }
    assert.match(letters[0]?.headers['faustgen-error-message']?.toString() ?? '', /schema id 9999/);
    assert.equal(received.length, 5, 'nothing undecodable reached the handler');
    // One request per writer id: v1 and v2 were each fetched at most once for the three records.
    assert.ok(requestsAfterDecode <= 3, `registry requests while decoding: ${requestsAfterDecode}`);
    const groupId = app.settings.id;
    await poll(async () => ((await committedOffsets(cluster.bootstrap, groupId, topic)).get(0) === 7 ? true : undefined), 'offsets to advance past the dead letters');
  });
});
