/**
 * Kafka's default partitioner for keyed records, bit-identical to the Java client's
 * `Utils.murmur2` + `toPositive`, so that a key lands on the same partition whether a record was
 * produced by faustgen, by Faust (aiokafka uses the same hash) or by a Java service. Co-partitioning
 * with topics written by other clients depends on this.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** 32-bit MurmurHash2 as Kafka computes it; returns a signed 32-bit integer like Java's `int`. */
export function murmur2(bytes: Buffer): number {
  const length = bytes.length;
  let h = (SEED ^ length) | 0;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The Java switch falls through from the longest tail to the shortest.
  const tail = length & 3;
  if (tail === 3) h ^= bytes[blocks + 2]! << 16;
  if (tail >= 2) h ^= bytes[blocks + 1]! << 8;
  if (tail >= 1) {
    h ^= bytes[blocks]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: clears the sign bit (not `Math.abs`, which differs for negatives). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Kafka's default partitioner picks for a non-null key. */
export function partitionForKey(keyBytes: Buffer, partitions: number): number {
  return toPositive(murmur2(keyBytes)) % partitions;
}
