// A producer started while a broker restarts rides the outage out (exactly-once broker-fault run of
// issue 9: a partition's transactional producer, created on a reassignment 0.5 s before the killed
// broker listened again, failed its connect with ECONNREFUSED from the transaction coordinator, and
// the worker stopped). No broker here: the kafkajs connect is replaced at the producer's own seams.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Producer as KafkaJsProducer } from 'kafkajs';
import { KafkaProducer } from '../../../runtime/src/transport/kafka/producer.js';
import { resolveKafkaOptions } from '../../../runtime/src/transport/kafka/config.js';
import { FaustgenError } from '../../../runtime/src/core/errors.js';

/** kafkajs's own shape of a refused connection: a KafkaJSConnectionError, retriable. */
function refused(): Error {
  return Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:39187'), { name: 'KafkaJSConnectionError', retriable: true });
}

class ConnectsAfter extends KafkaProducer {
  attempts = 0;

  constructor(private readonly failures: number, private readonly failure: () => Error, readonly lines: string[] = []) {
    super({ ...resolveKafkaOptions(['127.0.0.1:9'], { producer: { lingerMs: 0 } }), log: { debug: () => undefined, info: (message) => lines.push(message), warn: (message) => lines.push(message) } });
  }

  protected override async awaitBrokers(): Promise<void> {}

  protected override async connectClient(_producer: KafkaJsProducer): Promise<void> {
    this.attempts++;
    if (this.attempts <= this.failures) throw this.failure();
  }
}

test('a producer whose first connects are refused (a broker restarting) starts once the broker answers', async () => {
  const producer = new ConnectsAfter(2, refused);
  await producer.start();
  assert.equal(producer.attempts, 3);
  // One warning for the outage and one line when it is over, not one per attempt.
  assert.equal(producer.lines.length, 2);
  assert.match(producer.lines[0] ?? '', /could not connect yet/);
  assert.match(producer.lines[1] ?? '', /connected after retrying/);
});

test('a connect failure that waiting cannot fix fails start at once, wrapped with what and where', async () => {
  const producer = new ConnectsAfter(1, () => Object.assign(new Error('Topic authorization failed'), { name: 'KafkaJSProtocolError', type: 'TOPIC_AUTHORIZATION_FAILED', retriable: false }));
  await assert.rejects(producer.start(), (error: unknown) => {
    assert.ok(FaustgenError.is(error));
    assert.equal(error.code, 'FG_TRANSPORT');
    assert.match(error.message, /Kafka producer could not connect to 127\.0\.0\.1:9: .*TOPIC_AUTHORIZATION_FAILED/);
    return true;
  });
  assert.equal(producer.attempts, 1);
});
