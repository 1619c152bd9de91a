import type { Kafka } from 'kafkajs';
import { partitionForKey } from 'faustgen';
import { bulkProduce } from '../../lib/kafka.js';
import { progressCounter } from '../../lib/progress.js';
import { nowMs, perSecond } from '../../lib/stats.js';

export function tableKey(i: number): string {
  return `key-${String(i).padStart(8, '0')}`;
}

/**
 * Fills a table changelog as faustgen writes it: string keys, JSON values, each key on the
 * partition murmur2 gives it (the table's own placement). One record per key.
 */
export async function fillChangelog(kafka: Kafka, topic: string, keys: number, partitions: number): Promise<number> {
  return bulkProduce(kafka, {
    topic,
    count: keys,
    label: `pre-producing ${topic}`,
    inFlight: 6,
    record: (i) => {
      const key = Buffer.from(tableKey(i));
      const value = JSON.stringify({ count: i, updatedAt: 1_700_000_000_000 + i, label: `item ${i}` });
      return { key, value, partition: partitionForKey(key, partitions) };
    },
  });
}

export interface ReadFigures {
  readonly records: number;
  readonly ms: number;
  readonly recordsPerSec: number;
}

/**
 * The replay baseline: a plain kafkajs consumer (fresh group, from the beginning) reading the
 * whole changelog and doing nothing with it. Timed from run() (so it includes one group join, as
 * faustgen's replay includes its reader's) until the last record.
 */
export async function readWithKafkajs(kafka: Kafka, topic: string, expected: number, partitions: number, groupId: string): Promise<ReadFigures> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500, maxBytesPerPartition: 1_048_576, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const tick = progressCounter('kafkajs changelog read', expected);
  let seen = 0;
  let end = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const start = nowMs();
  try {
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: partitions,
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length;
        tick(seen);
        if (seen >= expected && end === 0) {
          end = nowMs();
          finish();
        }
      },
    });
    await done;
  } finally {
    await consumer.disconnect();
  }
  const ms = end - start;
  return { records: seen, ms, recordsPerSec: perSecond(seen, ms) };
}
