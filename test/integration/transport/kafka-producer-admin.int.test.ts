import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { partitionForKey } from '../../../runtime/src/transport/partitioner.js';
import { parseKafkaUrl } from '../../../runtime/src/transport/kafka/index.js';
import type { Admin, Producer } from '../../../runtime/src/types/transport.js';
import { startKafkaCluster, type KafkaCluster } from '../../kafka/broker.js';
import { RecordingListener, createTestKafkaTransport, groupOptions, kafkaClients, testTransport, uniqueName } from './kafka-helpers.js';

for (const client of kafkaClients) {
  describe(`kafka:// producer and admin against a real broker (${client})`, () => {
    let cluster: KafkaCluster;
    let admin: Admin;
    let producer: Producer;

    before(async () => {
      cluster = await startKafkaCluster({ nodes: 1 });
      const transport = testTransport(cluster.bootstrap, {}, client);
      admin = transport.createAdmin();
      producer = transport.createProducer();
      await admin.start();
      await producer.start();
    });

    after(async () => {
      await producer?.stop();
      await admin?.stop();
      await cluster?.stop();
    });

    test('records round-trip with key, value, headers and timestamp', async () => {
      const topic = uniqueName('roundtrip');
      await admin.ensureTopic({ name: topic, partitions: 1, replicationFactor: 1 });
      const sent = await Promise.all([
        producer.send({ topic, key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: 1_700_000_000_000, headers: { trace: Buffer.from('abc') } }),
        producer.send({ topic, key: null, value: Buffer.from('v2'), timestamp: 1_700_000_000_001 }),
        producer.send({ topic, key: Buffer.from('k3'), value: null, timestamp: 1_700_000_000_002 }),
      ]);
      assert.deepEqual(sent.map((m) => [m.partition, m.offset]), [[0, 0], [0, 1], [0, 2]]);
      assert.equal(sent[0]?.timestamp, 1_700_000_000_000);

      const consumer = testTransport(cluster.bootstrap, {}, client).createGroupConsumer(groupOptions(uniqueName('rt-group'), [topic]));
      const listener = new RecordingListener();
      await consumer.start(listener);
      try {
        await listener.waitFor(() => listener.records().length >= 3, '3 records');
        const got = listener.records().map((r) => ({
          offset: r.offset,
          timestamp: r.timestamp,
          key: r.key?.toString() ?? null,
          value: r.value?.toString() ?? null,
          trace: r.headers['trace']?.toString(),
        }));
        assert.deepEqual(got, [
          { offset: 0, timestamp: 1_700_000_000_000, key: 'k1', value: 'v1', trace: 'abc' },
          { offset: 1, timestamp: 1_700_000_000_001, key: null, value: 'v2', trace: undefined },
          { offset: 2, timestamp: 1_700_000_000_002, key: 'k3', value: null, trace: undefined },
        ]);
      } finally {
        await consumer.stop();
      }
    });

    test('keyed records land on partitionForKey partitions; offsets count up per partition', async () => {
      const topic = uniqueName('keyed');
      await admin.ensureTopic({ name: topic, partitions: 6, replicationFactor: 1 });
      const keys = Array.from({ length: 200 }, (_, i) => Buffer.from(`key-${i}`));
      const sent = await Promise.all(keys.map((key) => producer.send({ topic, key, value: key })));
      const perPartition = new Map<number, number[]>();
      sent.forEach((metadata, i) => {
        assert.equal(metadata.partition, partitionForKey(keys[i]!, 6), `key-${i}`);
        perPartition.set(metadata.partition, [...(perPartition.get(metadata.partition) ?? []), metadata.offset]);
      });
      for (const [partition, offsets] of perPartition) {
        assert.deepEqual(offsets, offsets.map((_, i) => i), `offsets of partition ${partition}`);
      }
      const high = await admin.fetchOffsets(topic);
      for (const { partition, low, high: hw } of high) {
        assert.equal(low, 0);
        assert.equal(hw, perPartition.get(partition)?.length ?? 0, `high-water mark of partition ${partition}`);
      }
    });

    test('null keys spread round-robin; gzip compression round-trips', async () => {
      const topic = uniqueName('gzip');
      await admin.ensureTopic({ name: topic, partitions: 3, replicationFactor: 1 });
      const gzip = testTransport(cluster.bootstrap, { producer: { compression: 'gzip', lingerMs: 5 } }, client).createProducer();
      await gzip.start();
      try {
        const sent = await Promise.all(Array.from({ length: 30 }, (_, i) => gzip.send({ topic, key: null, value: Buffer.from(`value-${i}`.repeat(20)) })));
        const counts = [0, 1, 2].map((p) => sent.filter((m) => m.partition === p).length);
        assert.deepEqual(counts, [10, 10, 10]);
        await gzip.flush();
      } finally {
        await gzip.stop();
      }
      const offsets = await admin.fetchOffsets(topic);
      assert.deepEqual(offsets.map((o) => o.high), [10, 10, 10]);
    });

    test('ensureTopic creates a compacted topic once and returns the existing one afterwards', async () => {
      const topic = uniqueName('changelog');
      const spec = { name: topic, partitions: 4, replicationFactor: 1, config: { 'cleanup.policy': 'compact' } };
      const [first, racing] = await Promise.all([admin.ensureTopic(spec), admin.ensureTopic(spec)]);
      assert.deepEqual(first, { name: topic, partitions: 4 });
      assert.deepEqual(racing, { name: topic, partitions: 4 });
      assert.deepEqual(await admin.ensureTopic({ ...spec, partitions: 8 }), { name: topic, partitions: 4 });
      assert.deepEqual(await admin.describeTopic(topic), { name: topic, partitions: 4 });

      const kafka = new Kafka({ clientId: 'int-check', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
      const raw = kafka.admin();
      await raw.connect();
      try {
        const described = await raw.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ['cleanup.policy'] }], includeSynonyms: false });
        const entry = described.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy');
        assert.equal(entry?.configValue, 'compact');
      } finally {
        await raw.disconnect();
      }

      await admin.deleteTopic(topic);
      await waitUntil(async () => (await admin.describeTopic(topic)) === undefined, `topic ${topic} deleted`);
      assert.equal(await admin.describeTopic(uniqueName('never-created')), undefined);
    });

    test('fetchCommitted returns what a group committed', async () => {
      const topic = uniqueName('committed');
      await admin.ensureTopic({ name: topic, partitions: 2, replicationFactor: 1 });
      await Promise.all([0, 1, 2].map((i) => producer.send({ topic, partition: 1, key: null, value: Buffer.from(String(i)) })));
      const groupId = uniqueName('commit-group');
      const consumer = testTransport(cluster.bootstrap, {}, client).createGroupConsumer(groupOptions(groupId, [topic]));
      const listener = new RecordingListener();
      await consumer.start(listener);
      try {
        await listener.waitFor(() => listener.records().length >= 3, '3 records');
        await consumer.commit([{ topic, partition: 1, offset: 3 }]);
      } finally {
        await consumer.stop();
      }
      assert.deepEqual(await admin.fetchCommitted(groupId, topic), [{ topic, partition: 1, offset: 3 }]);
    });

    test('an unreachable broker fails start with FG_BROKER_UNREACHABLE within startupTimeoutMs', async () => {
      const port = await closedPort();
      const transport = createTestKafkaTransport(client, [`127.0.0.1:${port}`], { logLevel: 'nothing', startupTimeoutMs: 1_500, connectTimeoutMs: 500 });
      await assert.rejects(transport.createProducer().start(), (error: unknown) => {
        assert.ok(FaustgenError.hasCode(error, 'FG_BROKER_UNREACHABLE'), String(error));
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
        assert.equal(error.details['startupTimeoutMs'], 1_500);
        // It retried until the deadline rather than failing on the first refused connection.
        assert.ok(Number(error.details['waitedMs']) >= 1_500);
        return true;
      });
    });

    test('broker URLs parse with ; or , and a default port; bad ones name the bad part', () => {
      assert.deepEqual(parseKafkaUrl('kafka://h1:9093;h2'), ['h1:9093', 'h2:9092']);
      assert.deepEqual(parseKafkaUrl('kafka://h1,h2:1'), ['h1:9092', 'h2:1']);
      assert.throws(() => parseKafkaUrl('kafka://h1;h2:99999'), (error: unknown) => {
        assert.ok(FaustgenError.hasCode(error, 'FG_BROKER_URL_INVALID'));
        assert.match(error.message, /h2:99999/);
        return true;
      });
      assert.throws(() => parseKafkaUrl('memory://'), /kafka:\/\//);
    });
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
