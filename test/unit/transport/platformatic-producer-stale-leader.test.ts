// @platformatic/kafka 1.35 fails inside its own code with a TypeError ("Cannot read properties of
// undefined (reading 'host')") when a partition's leader is missing from its cached metadata — a
// killed broker. The driver took that for a final failure, and a 3-broker broker-fault run stopped a
// worker ("a record sent without awaiting it was not delivered"). It is stale metadata: the send is
// retried after the metadata is cleared. No broker: the client is a stand-in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveKafkaOptions } from '../../../runtime/src/transport/kafka-options.js';
import { PlatformaticKafkaProducer } from '../../../runtime/src/transport/platformatic/producer.js';

test('a TypeError from the client on a stale leader is retried with fresh metadata', async () => {
  const producer = new PlatformaticKafkaProducer(resolveKafkaOptions(['fake:9092'], { producer: { lingerMs: 0 } }));
  let sends = 0;
  let cleared = 0;
  (producer as unknown as { producer: unknown }).producer = {
    metadata: () => Promise.resolve({ topics: new Map([['out', { partitionsCount: 1 }]]) }),
    clearMetadata: () => void cleared++,
    send: () => {
      sends++;
      if (sends === 1) return Promise.reject(new TypeError("Cannot read properties of undefined (reading 'host')"));
      return Promise.resolve({ offsets: [{ topic: 'out', partition: 0, offset: 41n }] });
    },
  };
  const metadata = await producer.send({ topic: 'out', partition: 0, key: null, value: Buffer.from('x') });
  assert.equal(metadata.offset, 41);
  assert.equal(sends, 2);
  assert.equal(cleared, 1, 'the metadata was asked for again');
});
