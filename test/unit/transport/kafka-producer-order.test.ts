// The Kafka producer keeps each partition's records in the order they were produced, even when a
// batch is retried (worker-kill fault runs of issue 9: a table's changelog ended on an older value of
// a key because a retried batch landed after the next one). No broker here: the kafkajs send is
// replaced at the producer's own seam (transmit) by one that fails its first attempt.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Producer as KafkaJsProducer, ProducerBatch, RecordMetadata as KafkaJsRecordMetadata } from 'kafkajs';
import { KafkaProducer } from '../../../runtime/src/transport/kafka/producer.js';
import { resolveKafkaOptions } from '../../../runtime/src/transport/kafka/config.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A broker as the producer sees it: the first request times out (retriable) after a while, the rest succeed. */
class FlakyFirstSend extends KafkaProducer {
  readonly written: string[] = [];
  private attempts = 0;
  private nextOffset = 0;

  constructor() {
    super(resolveKafkaOptions(['127.0.0.1:9'], { producer: { lingerMs: 0 } }));
    this.producer = {} as KafkaJsProducer;
  }

  protected override async transmit(_producer: KafkaJsProducer, batch: ProducerBatch): Promise<KafkaJsRecordMetadata[]> {
    this.attempts++;
    const attempt = this.attempts;
    await sleep(attempt === 1 ? 60 : 5);
    if (attempt === 1) throw Object.assign(new Error('Request timed out'), { name: 'KafkaJSRequestTimeoutError', retriable: true });
    const results: KafkaJsRecordMetadata[] = [];
    for (const { topic, messages } of batch.topicMessages ?? []) {
      results.push({ topicName: topic, partition: 0, errorCode: 0, baseOffset: String(this.nextOffset) });
      for (const message of messages) {
        this.written.push(String(message.value));
        this.nextOffset++;
      }
    }
    return results;
  }
}

test('a retried batch lands before the batches produced after it (per-partition order holds)', async () => {
  const producer = new FlakyFirstSend();
  const sends: Promise<unknown>[] = [];
  // Three writes of one key, in separate batches: the first batch's send fails once and is retried.
  for (const value of ['sum=237', 'sum=241', 'sum=248']) {
    sends.push(producer.send({ topic: 'sums-changelog', partition: 0, key: Buffer.from('k-641'), value: Buffer.from(value) }));
    await sleep(15);
  }
  await Promise.all(sends);
  await producer.flush();
  assert.deepEqual(producer.written, ['sum=237', 'sum=241', 'sum=248'], 'the log ends on the last value written');
});
