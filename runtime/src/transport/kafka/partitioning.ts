import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';
import { partitionForKey } from '../partitioner.js';

/**
 * A kafkajs partitioner that places keys exactly where the memory broker and Kafka's Java client
 * place them (murmur2 of the key bytes), and null keys round-robin per topic.
 *
 * The choice is written into the message (the producer's own object): kafkajs re-partitions a
 * batch when it retries, and a round-robin record must not move to another partition between
 * attempts; the producer also reads it back to know which partition, and so which offset, each
 * record got.
 */
export function createFaustgenPartitioner(partitionCounts?: Map<string, number>): ReturnType<ICustomPartitioner> {
  const nextByTopic = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    const explicit = message.partition;
    const count = partitionMetadata.length;
    // What kafkajs's metadata says, for whoever must place records before kafkajs does.
    if (count > 0 && partitionCounts?.get(topic) !== count) partitionCounts?.set(topic, count);
    if (explicit !== undefined && explicit !== null) return explicit;
    let partition: number;
    if (message.key === undefined || message.key === null) {
      const next = nextByTopic.get(topic) ?? 0;
      nextByTopic.set(topic, next + 1);
      partition = next % count;
    } else {
      const key = typeof message.key === 'string' ? Buffer.from(message.key) : message.key;
      partition = partitionForKey(key, count);
    }
    message.partition = partition;
    return partition;
  };
}
