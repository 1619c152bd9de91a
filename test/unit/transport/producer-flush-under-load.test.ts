// A producer's flush waits for the records handed over before it, not for an empty producer. Both
// drivers waited until nothing was pending or in flight; under steady load (a stateful benchmark
// worker writing changelog records without pause) that never happened, so no commit finished, no
// offset was committed and no table write reached its store until the load stopped. No broker here:
// the client's send is a stand-in that answers each batch after a few milliseconds, and every record
// that lands is followed by a new one, so the producer is never empty while the load runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Producer as KafkaJsProducer, ProducerBatch, RecordMetadata as KafkaJsRecordMetadata } from 'kafkajs';
import { KafkaProducer } from '../../../runtime/src/transport/kafka/producer.js';
import { resolveKafkaOptions } from '../../../runtime/src/transport/kafka-options.js';
import { PlatformaticKafkaProducer } from '../../../runtime/src/transport/platformatic/producer.js';
import type { Producer, RecordMetadata } from '../../../runtime/src/types/transport.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** The load stops by itself after this many records, flushed or not. */
const LOAD_LIMIT = 3_000;

class SlowKafkaJs extends KafkaProducer {
  private nextOffset = 0;
  constructor() {
    super(resolveKafkaOptions(['127.0.0.1:9'], { producer: { lingerMs: 0 } }));
    this.producer = {} as KafkaJsProducer;
  }
  protected override async transmit(_producer: KafkaJsProducer, batch: ProducerBatch): Promise<KafkaJsRecordMetadata[]> {
    await sleep(3);
    const results: KafkaJsRecordMetadata[] = [];
    for (const { topic, messages } of batch.topicMessages ?? []) {
      results.push({ topicName: topic, partition: 0, errorCode: 0, baseOffset: String(this.nextOffset) });
      this.nextOffset += messages.length;
    }
    return results;
  }
}

function slowPlatformatic(): PlatformaticKafkaProducer {
  const producer = new PlatformaticKafkaProducer(resolveKafkaOptions(['fake:9092'], { producer: { lingerMs: 0 } }));
  let nextOffset = 0n;
  (producer as unknown as { producer: unknown }).producer = {
    metadata: () => Promise.resolve({ topics: new Map([['changelog', { partitionsCount: 1 }]]) }),
    clearMetadata: () => undefined,
    send: async (options: { messages: readonly unknown[] }) => {
      await sleep(3);
      const offset = nextOffset;
      nextOffset += BigInt(options.messages.length);
      return { offsets: [{ topic: 'changelog', partition: 0, offset }] };
    },
  };
  return producer;
}

/** Sends records without pause: each one that lands is replaced by a new one, up to LOAD_LIMIT. */
function steadyLoad(producer: Producer): { sent: () => number; delivered: Set<number>; done: Promise<void> } {
  let sent = 0;
  const delivered = new Set<number>();
  let finish = (): void => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const sendOne = (): void => {
    if (sent >= LOAD_LIMIT) return finish();
    const id = sent++;
    producer.send({ topic: 'changelog', partition: 0, key: Buffer.from(`k${id}`), value: Buffer.from('1') }).then(
      (_metadata: RecordMetadata) => {
        delivered.add(id);
        sendOne();
      },
      () => sendOne(),
    );
  };
  for (let i = 0; i < 50; i++) sendOne();
  return { sent: () => sent, delivered, done };
}

for (const [driver, make] of [
  ['kafkajs', () => new SlowKafkaJs()],
  ['platformatic', slowPlatformatic],
] as const) {
  test(`${driver}: flush under steady load returns once the records sent before it landed`, async () => {
    const producer = make();
    const load = steadyLoad(producer);
    await sleep(20);
    const before = load.sent();
    await producer.flush();
    const sentWhenFlushed = load.sent();
    for (let id = 0; id < before; id++) assert.ok(load.delivered.has(id), `record ${id}, sent before the flush, is delivered when it returns`);
    assert.ok(sentWhenFlushed < LOAD_LIMIT, `the flush returned while the load still ran (${sentWhenFlushed} of ${LOAD_LIMIT} sent), not only once it stopped`);
    await load.done;
    await producer.flush();
    assert.equal(load.delivered.size, LOAD_LIMIT, 'a flush after the load sees every record delivered');
  });
}
