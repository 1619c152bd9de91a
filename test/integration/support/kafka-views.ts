/** Read-only kafkajs views of a topic or group, shared by the integration tests. */
import type { Kafka } from 'kafkajs';
import { testKafkaClient } from '../../kafka/global.js';

/** A quiet client that retries longer than kafkajs's default: some tests restart the broker. */
export function patientKafka(bootstrap: string, clientId: string): Kafka {
  return testKafkaClient(bootstrap, clientId, { retries: 10 });
}

/** High-water marks of a topic, by partition. */
export async function highWaterMarks(bootstrap: string, topic: string): Promise<Map<number, number>> {
  const admin = patientKafka(bootstrap, 'faustgen-test-offsets').admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** Committed offsets of a group on a topic, by partition (-1 when none). */
export async function committedOffsets(bootstrap: string, groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = patientKafka(bootstrap, 'faustgen-test-offsets').admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((result?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}
