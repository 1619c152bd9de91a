// Inside a transaction, faustgen sends one kafkajs batch per partition (rolling restart under
// exactly_once: 134 outputs written twice). A kafkajs send that spans brokers re-sends a broker still
// in flight when another broker's request fails, with the next sequence numbers, so the broker keeps
// both copies. One partition per call means one broker per call. No broker needed to check the split.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProducerBatch } from 'kafkajs';
import { partitionForKey } from '../../../runtime/src/transport/partitioner.js';
import { onePartitionEach } from '../../../runtime/src/transport/kafka/transactional-producer.js';

test('a batch is split into one batch per partition, placing keyed records where the partitioner would', () => {
  const keys = ['k-1', 'k-2', 'k-3', 'k-4', 'k-5', 'k-6'];
  const batch: ProducerBatch = {
    acks: -1,
    topicMessages: [
      { topic: 'out', messages: keys.map((key) => ({ key: Buffer.from(key), value: key })) },
      { topic: 'sums-changelog', messages: [{ key: 'a', value: '1', partition: 3 }, { key: 'b', value: '2', partition: 3 }] },
      { topic: 'unknown', messages: [{ key: 'x', value: '1' }, { key: 'y', value: '2' }] },
    ],
  };
  const parts = onePartitionEach(batch, new Map([['out', 12], ['sums-changelog', 12]]), new Map());
  for (const part of parts) {
    assert.equal(part.acks, -1, 'the batch settings go with every part');
    assert.equal(part.topicMessages?.length, 1);
    const partitions = new Set(part.topicMessages?.[0]?.messages.map((m) => m.partition));
    assert.equal(partitions.size, 1, 'one partition per part');
  }
  const outParts = parts.filter((p) => p.topicMessages?.[0]?.topic === 'out');
  const placed = outParts.flatMap((p) => p.topicMessages?.[0]?.messages ?? []);
  assert.equal(placed.length, keys.length);
  for (const m of placed) assert.equal(m.partition, partitionForKey(m.key as Buffer, 12), 'Java-compatible murmur2 placement');
  assert.equal(parts.filter((p) => p.topicMessages?.[0]?.topic === 'sums-changelog').length, 1, 'explicit partitions are kept');
  const unknown = parts.filter((p) => p.topicMessages?.[0]?.topic === 'unknown');
  assert.equal(unknown.length, 1, 'a topic whose partition count is not known yet goes out as one call');
  assert.equal(unknown[0]?.topicMessages?.[0]?.messages[0]?.partition, undefined, 'left to kafkajs to place');
});

test('records without key or partition go round-robin per topic, in order', () => {
  const next = new Map<string, number>();
  const batch: ProducerBatch = { topicMessages: [{ topic: 'events', messages: [0, 1, 2, 3, 4].map((i) => ({ key: null, value: String(i) })) }] };
  const parts = onePartitionEach(batch, new Map([['events', 3]]), next);
  const byPartition = parts.map((p) => p.topicMessages?.[0]?.messages.map((m) => `${m.partition}:${String(m.value)}`).join(' '));
  assert.deepEqual(byPartition, ['0:0 0:3', '1:1 1:4', '2:2']);
  assert.equal(next.get('events'), 5);
});
