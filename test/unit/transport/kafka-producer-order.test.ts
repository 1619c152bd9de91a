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

/** A broker as the producer sees it: requests for `slowPartition` time out (retriable) once, after a while; the rest succeed. */
class FlakyFirstSend extends KafkaProducer {
  readonly written: string[] = [];
  private failedOnce = false;
  private readonly nextOffset = new Map<number, number>();

  constructor(private readonly slowPartition = 0) {
    super(resolveKafkaOptions(['127.0.0.1:9'], { producer: { lingerMs: 0 } }));
    this.producer = {} as KafkaJsProducer;
  }

  protected override async transmit(_producer: KafkaJsProducer, batch: ProducerBatch): Promise<KafkaJsRecordMetadata[]> {
    const messages = (batch.topicMessages ?? []).flatMap(({ topic, messages }) => messages.map((m) => ({ topic, partition: m.partition ?? 0, value: String(m.value) })));
    const slow = !this.failedOnce && messages.some((m) => m.partition === this.slowPartition);
    await sleep(slow ? 60 : 5);
    if (slow) {
      this.failedOnce = true;
      throw Object.assign(new Error('Request timed out'), { name: 'KafkaJSRequestTimeoutError', retriable: true });
    }
    const results: KafkaJsRecordMetadata[] = [];
    for (const m of messages) {
      const offset = this.nextOffset.get(m.partition) ?? 0;
      if (!results.some((r) => r.topicName === m.topic && r.partition === m.partition)) results.push({ topicName: m.topic, partition: m.partition, errorCode: 0, baseOffset: String(offset) });
      this.nextOffset.set(m.partition, offset + 1);
      this.written.push(m.value);
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

test('a partition whose batch is retried holds back only its own records: another partition goes on', async () => {
  const producer = new FlakyFirstSend(0);
  const first = producer.send({ topic: 'orders', partition: 0, key: Buffer.from('a'), value: Buffer.from('p0-first') });
  await sleep(15);
  const other = producer.send({ topic: 'orders', partition: 1, key: Buffer.from('b'), value: Buffer.from('p1') });
  const second = producer.send({ topic: 'orders', partition: 0, key: Buffer.from('a'), value: Buffer.from('p0-second') });
  await Promise.all([first, other, second]);
  assert.deepEqual(producer.written, ['p1', 'p0-first', 'p0-second'], 'partition 1 did not wait for the retry of partition 0, which kept its order');
});
