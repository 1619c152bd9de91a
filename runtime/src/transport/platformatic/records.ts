import type { RecordsBatch, fetchV17 } from '@platformatic/kafka';
import type { ConsumedRecord, Headers } from '../../types/transport.js';

export type FetchResponsePartition = fetchV17.FetchResponsePartition;
export type FetchResponse = fetchV17.FetchResponse;
export type FetchRequestTopic = fetchV17.FetchRequestTopic;

const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;
const noHeaders: Headers = Object.freeze({});

export interface DecodedPartition {
  readonly records: ConsumedRecord[];
  /** Last offset the fetched batches cover (markers and aborted records included); -1 when none. */
  readonly through: number;
}

/**
 * Records of one fetched partition at or after `from`, in offset order, as a read-committed Java
 * consumer sees them: control batches (transaction markers) and batches of aborted transactions are
 * left out, but still count in `through` so that the position moves past them.
 */
export function decodePartition(topic: string, partition: FetchResponsePartition, from: number): DecodedPartition {
  const batches: readonly RecordsBatch[] = partition.records ?? [];
  // 2.x already drops the batches of aborted transactions whose abort marker is in the same answer
  // (read committed); the rest (a marker beyond this answer) is left out here. Null: none.
  const aborted = [...(partition.abortedTransactions ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  const abortedProducers = new Set<bigint>();
  const records: ConsumedRecord[] = [];
  let through = -1;
  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    through = Number(lastOffset);
    while (aborted.length > 0 && (aborted[0]?.firstOffset ?? lastOffset + 1n) <= lastOffset) abortedProducers.add(aborted.shift()?.producerId ?? -1n);
    const transactional = (batch.attributes & TRANSACTIONAL) !== 0;
    if ((batch.attributes & CONTROL) !== 0) {
      if (transactional && isAbortMarker(batch)) abortedProducers.delete(batch.producerId);
      continue;
    }
    if (transactional && abortedProducers.has(batch.producerId)) continue;
    const base = Number(batch.firstOffset);
    const firstTimestamp = Number(batch.firstTimestamp);
    for (const record of batch.records) {
      const offset = base + record.offsetDelta;
      if (offset < from) continue;
      records.push({
        topic,
        partition: partition.partitionIndex,
        offset,
        timestamp: firstTimestamp + Number(record.timestampDelta),
        key: record.key,
        value: record.value,
        headers: toHeaders(record.headers),
      });
    }
  }
  return { records, through };
}

/** A control record's key is (version int16, type int16); type 0 ends a transaction with an abort. */
function isAbortMarker(batch: RecordsBatch): boolean {
  const key = batch.records[0]?.key;
  return key !== null && key !== undefined && key.length >= 4 && key.readInt16BE(2) === 0;
}

/** Kafka allows a header name twice; the faustgen model keeps the last value. */
function toHeaders(headers: readonly [Buffer | null, Buffer | null][]): Headers {
  if (headers.length === 0) return noHeaders;
  const result: Record<string, Buffer> = {};
  for (const [name, value] of headers) if (name !== null) result[name.toString('utf8')] = value ?? Buffer.alloc(0);
  return result;
}
