/** Checks a finished run's changelog: the last count of every key must add up to the events counted. */
import type { Kafka } from 'kafkajs';
import { sleep } from '../../lib/stats.js';

/**
 * A count as each contender writes it: faustgen and the raw loop as JSON text ("42"), Kafka Streams'
 * timestamped store as 8 bytes of timestamp then the 8-byte big-endian long.
 */
export function decodeCount(value: Buffer): number {
  const text = value.toString('latin1');
  if (/^\d+$/.test(text)) return Number(text);
  if (value.length >= 8) return Number(value.readBigInt64BE(value.length - 8));
  throw new Error(`changelog value ${value.toString('hex')} is not a count`);
}

/**
 * Reads `topic` from the beginning (read committed: aborted transactions do not count) until it
 * saw `records` records (or nothing more came), and returns the sum over keys of their last count.
 */
export async function finalCountSum(kafka: Kafka, topic: string, records: number, timeoutMs = 60_000): Promise<{ sum: number; keys: number; read: number }> {
  const consumer = kafka.consumer({ groupId: `bench-verify-${topic}`, maxWaitTimeInMs: 100, maxBytesPerPartition: 1_048_576 });
  const last = new Map<string, number>();
  let read = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          read++;
          if (message.key === null) continue;
          const key = message.key.toString('latin1');
          if (message.value === null) last.delete(key);
          else last.set(key, decodeCount(message.value));
        }
      },
    });
    // Transaction markers take offsets too: under exactly-once `records` (high-water marks) is more
    // than the records there are, so reading also ends once nothing more came for two seconds.
    const deadline = Date.now() + timeoutMs;
    let seen = -1;
    let quietSince = Date.now();
    while (read < records && Date.now() < deadline) {
      if (read !== seen) {
        seen = read;
        quietSince = Date.now();
      } else if (read > 0 && Date.now() - quietSince > 2_000) break;
      await sleep(100);
    }
    await sleep(500);
  } finally {
    await consumer.disconnect();
  }
  let sum = 0;
  for (const count of last.values()) sum += count;
  return { sum, keys: last.size, read };
}
