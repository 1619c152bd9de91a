/**
 * Self-check of the real-Kafka test harness (test/kafka/): a 1-node broker starts, a topic is
 * created, a record with key, header and timestamp round-trips through kafkajs, and stop() leaves
 * no broker process or data dir behind.
 *
 *   node --import tsx --test test/integration/kafka-harness.int.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { isPidAlive, startKafkaCluster } from '../kafka/broker.js';
import { createTopic, testKafkaClient, uniqueName } from '../kafka/global.js';

test('kafka harness: 1-node broker, produce/consume round trip, clean stop', { timeout: 180_000 }, async () => {
  const cluster = await startKafkaCluster({ nodes: 1 });
  const broker = cluster.brokers[0];
  assert.ok(broker, 'one broker');
  const pid = broker.pid;
  assert.ok(pid !== undefined && isPidAlive(pid), 'broker JVM is running');
  assert.match(cluster.bootstrap, /^127\.0\.0\.1:\d+$/);

  try {
    const topic = uniqueName('harness');
    await createTopic(cluster.bootstrap, { topic, numPartitions: 1 });

    const kafka = testKafkaClient(cluster.bootstrap, 'harness-self-check');
    const producer = kafka.producer();
    await producer.connect();
    const timestamp = '1700000000123';
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: 'k1', value: 'hello kafka', headers: { 'x-trace': 'abc123' }, timestamp }],
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('harness-group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<{
      key: string | undefined;
      value: string | undefined;
      header: string | undefined;
      timestamp: string;
      partition: number;
      offset: string;
    }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message within 30 s')), 30_000);
      void consumer
        .run({
          eachMessage: async ({ message, partition }) => {
            clearTimeout(timer);
            const h = message.headers?.['x-trace'];
            resolve({
              key: message.key?.toString(),
              value: message.value?.toString(),
              header: h === undefined ? undefined : Buffer.isBuffer(h) ? h.toString() : String(h),
              timestamp: message.timestamp,
              partition,
              offset: message.offset,
            });
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();

    assert.deepEqual(received, {
      key: 'k1',
      value: 'hello kafka',
      header: 'abc123',
      timestamp,
      partition: 0,
      offset: '0',
    });
    assert.match(cluster.logTail(1, 200), /Kafka Server started/);
  } finally {
    await cluster.stop();
  }

  assert.equal(isPidAlive(pid), false, 'broker JVM is gone after stop()');
  assert.equal(cluster.brokers[0]?.pid, undefined);
  assert.equal(existsSync(cluster.dataDir), false, 'data dir removed');
});
