/** kafkajs helpers shared by the scenarios: a quiet client, bulk produce, topic record counts. */
import type { Admin, Kafka, Message } from 'kafkajs';
import { testKafkaClient } from '../../test/kafka/global.js';
import { progressCounter } from './progress.js';

export { createTopics } from '../../test/kafka/global.js';

/** A kafkajs client that logs nothing (FAUSTGEN_KAFKA_LOG turns logging on, as in the tests). */
export function benchKafka(bootstrap: string, clientId: string): Kafka {
  return testKafkaClient(bootstrap, clientId);
}

/** kafkajs groups a sendBatch per partition quadratically: keep requests at this many records. */
export const SEND_BATCH_RECORDS = 2_000;

export interface BulkProduceOptions {
  readonly topic: string;
  readonly count: number;
  /** Builds record i (with an explicit partition, so kafkajs's partitioner stays out of the way). */
  readonly record: (index: number) => Message & { partition: number };
  readonly label: string;
  /** Produce requests in flight at once. */
  readonly inFlight?: number;
}

/** Fills a topic fast (setup, not measured): sendBatch chunks, several in flight, acks=1. */
export async function bulkProduce(kafka: Kafka, options: BulkProduceOptions): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const tick = progressCounter(options.label, options.count);
  let next = 0;
  let done = 0;
  let bytes = 0;
  const worker = async (): Promise<void> => {
    while (next < options.count) {
      const start = next;
      const end = Math.min(options.count, start + SEND_BATCH_RECORDS);
      next = end;
      const messages: Message[] = [];
      for (let i = start; i < end; i++) {
        const message = options.record(i);
        bytes += byteLength(message.value) + byteLength(message.key);
        messages.push(message);
      }
      await producer.sendBatch({ acks: 1, topicMessages: [{ topic: options.topic, messages }] });
      done += end - start;
      tick(done);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.inFlight ?? 4 }, () => worker()));
  } finally {
    await producer.disconnect();
  }
  return bytes;
}

function byteLength(value: Message['value'] | Message['key']): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/**
 * The topic's partition offsets. A topic created a moment ago may not have its leaders known to
 * every broker connection yet (NOT_LEADER, UNKNOWN_TOPIC_OR_PARTITION): retried for a few seconds.
 */
async function topicOffsets(admin: Admin, topic: string): Promise<Awaited<ReturnType<Admin['fetchTopicOffsets']>>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      const retriable = typeof error === 'object' && error !== null && 'retriable' in error && error.retriable === true;
      if (!retriable || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Records a topic holds now: sum over partitions of (high-water mark - low-water mark). */
export async function topicRecordCount(admin: Admin, topic: string): Promise<number> {
  const offsets = await topicOffsets(admin, topic);
  return offsets.reduce((sum, o) => sum + (Number(o.high) - Number(o.low)), 0);
}

/** High-water mark per partition. */
export async function highWaterMarks(admin: Admin, topic: string): Promise<Map<number, number>> {
  const offsets = await topicOffsets(admin, topic);
  return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
}

/** Records a group committed on a topic (sum of committed offsets; 0 for partitions without one). */
export async function committedCount(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/**
 * Records a read-committed consumer gets from `topic` (transaction markers and aborted records do
 * not count, unlike high-water marks): read until `expected` arrived and one more second passed.
 */
export async function committedRecordCount(kafka: Kafka, topic: string, expected: number, timeoutMs = 60_000): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-count-${topic}-${Date.now().toString(36)}`, maxWaitTimeInMs: 100 });
  let count = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachBatch: async ({ batch }) => void (count += batch.messages.length) });
    const deadline = Date.now() + timeoutMs;
    while (count < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return count;
  } finally {
    await consumer.disconnect();
  }
}
