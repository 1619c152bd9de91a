import type { TopicPartition } from '../../types/transport.js';

/** A Map key for a topic partition (NUL cannot occur in Kafka topic names). */
export function tpKey(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

export function describeTp(tp: TopicPartition): string {
  return `${tp.topic}[${tp.partition}]`;
}
