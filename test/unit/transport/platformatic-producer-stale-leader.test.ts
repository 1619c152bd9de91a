// A partition's leader missing from the client's cached metadata (a killed broker): @platformatic/kafka
// 1.35 failed inside its own code with a TypeError ("reading 'host'"), and a 3-broker broker-fault
// run stopped a worker on it until the driver retried TypeErrors. 2.x's connection pool answers a
// missing broker with a retriable NetworkError (hasStaleMetadata) instead: the driver retries that
// after clearing the metadata, and no longer takes a TypeError (a bug) for a broker fault.
// No broker: the producing client is a stand-in; the error is the real connection pool's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionPool, type Broker } from '@platformatic/kafka';
import { resolveKafkaOptions } from '../../../runtime/src/transport/kafka-options.js';
import { PlatformaticKafkaProducer } from '../../../runtime/src/transport/platformatic/producer.js';

/** What @platformatic/kafka's connection pool answers for a broker that is not in the metadata. */
async function missingBrokerError(): Promise<unknown> {
  const pool = new ConnectionPool('stale-leader-test');
  try {
    await pool.get(undefined as unknown as Broker);
  } catch (error) {
    return error;
  } finally {
    await pool.close();
  }
  throw new Error('the connection pool gave a connection to a missing broker');
}

function producerFailingOnce(first: unknown): { producer: PlatformaticKafkaProducer; counts: { sends: number; cleared: number } } {
  const producer = new PlatformaticKafkaProducer(resolveKafkaOptions(['fake:9092'], { producer: { lingerMs: 0, deliveryTimeoutMs: 5_000 } }));
  const counts = { sends: 0, cleared: 0 };
  (producer as unknown as { producer: unknown }).producer = {
    metadata: () => Promise.resolve({ topics: new Map([['out', { partitionsCount: 1 }]]) }),
    clearMetadata: () => void counts.cleared++,
    send: () => {
      counts.sends++;
      if (counts.sends === 1) return Promise.reject(first);
      return Promise.resolve({ offsets: [{ topic: 'out', partition: 0, offset: 41n }] });
    },
  };
  return { producer, counts };
}

test('a send failed on a leader missing from the metadata is retried with fresh metadata', async () => {
  const error = await missingBrokerError();
  assert.ok(!(error instanceof TypeError), 'the client answers a missing broker with its own error');
  const { producer, counts } = producerFailingOnce(error);
  const metadata = await producer.send({ topic: 'out', partition: 0, key: null, value: Buffer.from('x') });
  assert.equal(metadata.offset, 41);
  assert.equal(counts.sends, 2);
  assert.equal(counts.cleared, 1, 'the metadata was asked for again');
});

test('a TypeError (a bug, not a broker fault) fails the send at once', async () => {
  const { producer, counts } = producerFailingOnce(new TypeError("Cannot read properties of undefined (reading 'host')"));
  await assert.rejects(producer.send({ topic: 'out', partition: 0, key: null, value: Buffer.from('x') }), { code: 'FG_TRANSPORT' });
  assert.equal(counts.sends, 1);
});
