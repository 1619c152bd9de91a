// @platformatic/kafka takes `acks` per send and defaults it to 1 (the leader alone) for a producer
// that is not idempotent, whatever the constructor was given: the second driver's `acks: -1` (the
// default) went out as acks 1, and a 3-broker fault run lost 3 outputs that a leader acknowledged
// alone just before it was paused (docs/faults.md, "Session 21"). Every send must carry the setting.
// No broker: the client is a stand-in that records what each send asks for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveKafkaOptions } from '../../../runtime/src/transport/kafka-options.js';
import { PlatformaticKafkaProducer } from '../../../runtime/src/transport/platformatic/producer.js';

function recordingProducer(acks?: -1 | 0 | 1): { producer: PlatformaticKafkaProducer; asked: unknown[] } {
  const producer = new PlatformaticKafkaProducer(resolveKafkaOptions(['fake:9092'], { producer: { lingerMs: 0, ...(acks === undefined ? {} : { acks }) } }));
  const asked: unknown[] = [];
  (producer as unknown as { producer: unknown }).producer = {
    metadata: () => Promise.resolve({ topics: new Map([['out', { partitionsCount: 1 }]]) }),
    clearMetadata: () => undefined,
    send: (options: { acks?: unknown }) => {
      asked.push(options.acks);
      return Promise.resolve({ offsets: [{ topic: 'out', partition: 0, offset: 7n }] });
    },
  };
  return { producer, asked };
}

test('every send asks for the configured acks: -1 by default, 1 or 0 when set', async () => {
  for (const [setting, expected] of [[undefined, -1], [-1, -1], [1, 1], [0, 0]] as const) {
    const { producer, asked } = recordingProducer(setting);
    await producer.send({ topic: 'out', partition: 0, key: null, value: Buffer.from('x') });
    assert.deepEqual(asked, [expected], `acks setting ${String(setting)}`);
  }
});
