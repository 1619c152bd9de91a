import type { Batch, IHeaders, KafkaMessage } from 'kafkajs';
import type { ConsumedRecord, Headers } from '../../types/transport.js';

/** kafkajs batch -> faustgen records: numeric offsets and timestamps, Buffer-only headers. */
export function toConsumedRecords(batch: Batch): ConsumedRecord[] {
  return batch.messages.map((message) => toConsumedRecord(batch.topic, batch.partition, message));
}

export function toConsumedRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    key: message.key ?? null,
    value: message.value ?? null,
    headers: toHeaders(message.headers),
  };
}

/** Most records carry no headers: they share one frozen empty object. */
const noHeaders: Headers = Object.freeze({});

/** Kafka allows a header name twice; the faustgen model keeps one value per name: the last one. */
function toHeaders(headers: IHeaders | undefined): Headers {
  let result: Record<string, Buffer> | undefined;
  for (const name in headers) {
    const value = headers[name];
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last === undefined) continue;
    (result ??= {})[name] = typeof last === 'string' ? Buffer.from(last) : last;
  }
  return result ?? noHeaders;
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** [{topic, partition}] -> kafkajs's [{topic, partitions: [...]}]. */
export function groupByTopic(partitions: readonly { readonly topic: string; readonly partition: number }[]): Array<{ topic: string; partitions: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    let list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, (list = []));
    list.push(partition);
  }
  return [...byTopic].map(([topic, list]) => ({ topic, partitions: list }));
}
