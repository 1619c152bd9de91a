/**
 * Raw throughput of the kafka:// producer batching vs naive per-record kafkajs send(), on a fresh
 * single local broker: `node --import tsx test/integration/transport/kafka-producer-throughput.ts`.
 * A measurement, not a test: it asserts nothing.
 */
import { Kafka, logLevel } from 'kafkajs';
import { startKafkaCluster } from '../../kafka/broker.js';
import { createKafkaTransport } from '../../../runtime/src/transport/kafka/index.js';

const N = 100_000;
const value = Buffer.alloc(100, 'x');

async function main(): Promise<void> {
  const cluster = await startKafkaCluster({ nodes: 1 });
  try {
    const transport = createKafkaTransport(`kafka://${cluster.bootstrap}`, { logLevel: 'nothing' });
    const admin = transport.createAdmin();
    await admin.start();
    for (const t of ['warm', 'batched', 'naive-concurrent', 'naive-sequential']) await admin.ensureTopic({ name: t, partitions: 4, replicationFactor: 1 });

    const producer = transport.createProducer();
    await producer.start();
    // Warm the broker JVM and Node's JIT with a full round first; the second round is measured.
    await Promise.all(Array.from({ length: N }, () => producer.send({ topic: 'warm', key: null, value })));

    let t = performance.now();
    await Promise.all(Array.from({ length: N }, () => producer.send({ topic: 'batched', key: null, value })));
    const batchedMs = performance.now() - t;
    console.log(`faustgen KafkaProducer (tick batching -> sendBatch): ${N} records in ${batchedMs.toFixed(0)} ms = ${Math.round(N / (batchedMs / 1000))} rec/s`);
    await producer.stop();

    const kafka = new Kafka({ clientId: 'bench', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING });
    const raw = kafka.producer();
    await raw.connect();
    // Sequential first: the concurrent run below leaves kafkajs retrying in the background.
    const M = 2_000;
    for (const acks of [-1, 1]) {
      t = performance.now();
      for (let i = 0; i < M; i++) await raw.send({ topic: 'naive-sequential', acks, messages: [{ key: null, value }] });
      const sequentialMs = performance.now() - t;
      console.log(`kafkajs send() per record, awaited one by one, acks=${acks}: ${M} records in ${sequentialMs.toFixed(0)} ms = ${Math.round(M / (sequentialMs / 1000))} rec/s`);
    }

    t = performance.now();
    try {
      await Promise.all(Array.from({ length: N }, () => raw.send({ topic: 'naive-concurrent', acks: -1, messages: [{ key: null, value }] })));
      const concurrentMs = performance.now() - t;
      console.log(`kafkajs send() per record, all concurrent: ${N} records in ${concurrentMs.toFixed(0)} ms = ${Math.round(N / (concurrentMs / 1000))} rec/s`);
    } catch (error) {
      console.log(`kafkajs send() per record, all concurrent: FAILED after ${(performance.now() - t).toFixed(0)} ms: ${String(error)} / ${String((error as { cause?: unknown }).cause)}`);
    }
    await raw.disconnect();

    for (const topic of ['batched']) {
      const offsets = await admin.fetchOffsets(topic);
      console.log(topic, 'high-water marks', offsets.map((o) => o.high).join(','), 'sum', offsets.reduce((s, o) => s + o.high, 0));
    }
    await admin.stop();
  } finally {
    await cluster.stop();
  }
}
void main();
