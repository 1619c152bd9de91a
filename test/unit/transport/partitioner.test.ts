import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
