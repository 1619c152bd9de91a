import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Message } from 'kafkajs';
import { murmur2, partitionForKey, toPositive } from '../../../runtime/src/transport/partitioner.js';

interface Vector {
  readonly label: string;
  readonly keyHex: string;
  readonly murmur2: number;
  readonly positive: number;
  readonly partitions: Readonly<Record<string, number>>;
}

// Produced by scripts/Murmur2Vectors.java with the Kafka Java client (kafka-clients 3.9.1).
const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/murmur2-vectors.json', import.meta.url), 'utf8'),
) as { partitionCounts: number[]; vectors: Vector[] };

describe('murmur2 partitioner', () => {
  test('fixture covers every tail length and both hash signs', () => {
    const tails = new Set(fixture.vectors.map((v) => (v.keyHex.length / 2) % 4));
    assert.deepEqual([...tails].sort(), [0, 1, 2, 3]);
    assert.ok(fixture.vectors.some((v) => v.murmur2 < 0));
    assert.ok(fixture.vectors.some((v) => v.murmur2 > 0));
    assert.ok(fixture.vectors.length >= 40);
  });

  for (const vector of fixture.vectors) {
    test(`matches Java for ${vector.label} (${vector.keyHex.length / 2} bytes)`, () => {
      const key = Buffer.from(vector.keyHex, 'hex');
      assert.equal(murmur2(key), vector.murmur2);
      assert.equal(toPositive(murmur2(key)), vector.positive);
      for (const count of fixture.partitionCounts) {
        assert.equal(partitionForKey(key, count), vector.partitions[String(count)], `${count} partitions`);
      }
    });
  }

  test('toPositive clears the sign bit instead of negating', () => {
    assert.equal(toPositive(-1), 0x7fffffff);
    assert.equal(toPositive(-2147483648), 0);
    assert.equal(toPositive(5), 5);
  });
});

describe('kafkajs partitioner', () => {
  test('writes its choice into the message, so a retried batch keeps each record where it went', async () => {
    const { createFaustgenPartitioner } = await import('../../../runtime/src/transport/kafka/partitioning.js');
    const partitioner = createFaustgenPartitioner();
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    const nullKeys: Message[] = [0, 1, 2, 3].map(() => ({ key: null, value: Buffer.from('v') }));
    const first = nullKeys.map((message) => partitioner({ topic: 't', partitionMetadata, message }));
    assert.deepEqual(first, [0, 1, 2, 0], 'null keys go round-robin');
    assert.deepEqual(nullKeys.map((m) => m.partition), first);
    // A retry partitions the same messages again: nothing moves although the round-robin moved on.
    assert.deepEqual(nullKeys.map((message) => partitioner({ topic: 't', partitionMetadata, message })), first);
    const keyed: Message = { key: Buffer.from('user-42'), value: null };
    assert.equal(partitioner({ topic: 't', partitionMetadata, message: keyed }), partitionForKey(Buffer.from('user-42'), 3));
    assert.equal(partitioner({ topic: 't', partitionMetadata, message: { key: null, value: null, partition: 2 } }), 2, 'an explicit partition wins');
  });
});
