// A batch kafkajs hands over after the consumer's generation ended (issue 9, broker-fault runs: after a
// broker pause every worker sat at full CPU with its web server silent, expelled from an empty group).
// The batch waited for its generation's gate, which had been superseded: its settled promise was
// awaited again and again without ever yielding to I/O, so the worker could never rejoin. No broker
// here: the consumer's batch handler is driven directly with the fields kafkajs passes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EachBatchPayload } from 'kafkajs';
import { KafkaGroupConsumer } from '../../../runtime/src/transport/kafka/group-consumer.js';
import { resolveKafkaOptions } from '../../../runtime/src/transport/kafka/config.js';
import type { ConsumedRecord, ConsumerListener } from '../../../runtime/src/types/transport.js';

interface ConsumerInternals {
  listener: ConsumerListener | undefined;
  rebalance: { gate: { supersede(): void }; owned: Set<string> };
  lease: { check(): void; joined(): boolean; readonly lost: boolean };
  delivery: { onBatch(payload: EachBatchPayload): Promise<void> };
}

function consumer(): { internals: ConsumerInternals; delivered: ConsumedRecord[] } {
  const driver = resolveKafkaOptions(['127.0.0.1:9'], { consumer: { sessionTimeoutMs: 100, heartbeatIntervalMs: 10 } });
  const group = new KafkaGroupConsumer(driver, {
    groupId: 'g',
    topics: ['orders'],
    metadata: { version: 1, changelogTopics: [], globalTopics: [], standbyReplicas: 0, url: '' },
    autoOffsetReset: 'earliest',
  });
  const internals = group as unknown as ConsumerInternals;
  const delivered: ConsumedRecord[] = [];
  internals.listener = {
    onRecords: (records) => {
      delivered.push(...records);
      return Promise.resolve();
    },
    onAssigned: () => Promise.resolve(),
    onRevoked: () => Promise.resolve(),
    onError: (error) => assert.fail(error),
  };
  internals.rebalance.owned.add('orders\u00000');
  return { internals, delivered };
}

function payload(heartbeat: () => Promise<void>): EachBatchPayload {
  const message = { offset: '5', key: null, value: Buffer.from('x'), timestamp: '0', headers: {}, attributes: 0 };
  return {
    batch: { topic: 'orders', partition: 0, messages: [message], firstOffset: () => '5', lastOffset: () => '5' },
    isRunning: () => true,
    isStale: () => false,
    heartbeat,
    resolveOffset: () => undefined,
  } as unknown as EachBatchPayload;
}

test('a batch of a superseded generation returns at once without delivering (kafkajs is rejoining)', { timeout: 10_000 }, async () => {
  const { internals, delivered } = consumer();
  internals.rebalance.gate.supersede();
  await internals.delivery.onBatch(payload(() => Promise.resolve()));
  assert.deepEqual(delivered, []);
});

test('after a lost lease a batch makes kafkajs rejoin: a rebalance error when the member is still in the group', { timeout: 10_000 }, async () => {
  const { internals, delivered } = consumer();
  // No heartbeat answered for longer than the session: the lease counts the membership as lost.
  await new Promise((resolve) => setTimeout(resolve, 150));
  internals.lease.check();
  assert.equal(internals.lease.lost, true);
  await assert.rejects(internals.delivery.onBatch(payload(() => Promise.resolve())), (error: { type?: string }) => error.type === 'REBALANCE_IN_PROGRESS');
  // Expelled after all: the heartbeat's own error goes to kafkajs, which rejoins as a new member.
  const expelled = Object.assign(new Error('unknown member'), { type: 'UNKNOWN_MEMBER_ID' });
  await assert.rejects(internals.delivery.onBatch(payload(() => Promise.reject(expelled))), (error) => error === expelled);
  assert.deepEqual(delivered, []);
});
