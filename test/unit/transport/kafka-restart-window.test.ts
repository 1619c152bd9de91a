// Between a crash and kafkajs's restart of the consumer (a broker failure) kafkajs has no consumer
// group and refuses seeks and pauses. An exactly-once start-up seek in that window crashed the worker
// (issue 9, a 3-broker exactly-once run: "Rebalance callbacks failed: Consumer group was not
// initialized, consumer#run must be called first"). The position and the pause are kept and applied
// again when the restarted consumer joins. No broker: the kafkajs consumer is a stand-in that refuses
// as kafkajs does while restarting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { KafkaGroupConsumer } from '../../../runtime/src/transport/kafka/group-consumer.js';
import { resolveKafkaOptions } from '../../../runtime/src/transport/kafka/config.js';

interface ConsumerInternals {
  consumer: unknown;
  rebalance: { onGroupJoin(memberId: string, assignment: Readonly<Record<string, number[]>>): void };
}

function restartingConsumer(): { restarting: boolean; seeks: string[]; pauses: string[] } & Record<string, unknown> {
  const refuse = (): never => {
    throw new kafkajs.KafkaJSNonRetriableError('Consumer group was not initialized, consumer#run must be called first');
  };
  const state = {
    restarting: true,
    seeks: [] as string[],
    pauses: [] as string[],
    seek: ({ topic, partition, offset }: { topic: string; partition: number; offset: string }) => (state.restarting ? refuse() : state.seeks.push(`${topic}[${partition}]@${offset}`)),
    pause: (list: { topic: string; partitions: number[] }[]) => (state.restarting ? refuse() : state.pauses.push(...list.map((t) => `${t.topic}${JSON.stringify(t.partitions)}`))),
    resume: () => (state.restarting ? refuse() : undefined),
  };
  return state;
}

function groupConsumer(): { group: KafkaGroupConsumer; internals: ConsumerInternals } {
  const driver = resolveKafkaOptions(['127.0.0.1:9'], { consumer: { sessionTimeoutMs: 60_000, heartbeatIntervalMs: 1_000 } });
  const group = new KafkaGroupConsumer(driver, {
    groupId: 'g',
    topics: ['orders'],
    metadata: { version: 1, changelogTopics: [], globalTopics: [], standbyReplicas: 0, url: '' },
    autoOffsetReset: 'earliest',
  });
  return { group, internals: group as unknown as ConsumerInternals };
}

test('a seek while kafkajs restarts its consumer is kept and applied when the consumer joins again', () => {
  const { group, internals } = groupConsumer();
  const consumer = restartingConsumer();
  internals.consumer = consumer;
  group.seek({ topic: 'orders', partition: 3, offset: 1595 });
  assert.deepEqual(consumer.seeks, []);
  consumer.restarting = false;
  internals.rebalance.onGroupJoin('m1', { orders: [3] });
  assert.deepEqual(consumer.seeks, ['orders[3]@1595']);
});

test('a pause while kafkajs restarts its consumer is applied again when the consumer joins', () => {
  const { group, internals } = groupConsumer();
  const consumer = restartingConsumer();
  internals.consumer = consumer;
  group.pause([{ topic: 'orders', partition: 1 }]);
  consumer.restarting = false;
  internals.rebalance.onGroupJoin('m1', { orders: [1, 2] });
  assert.deepEqual(consumer.pauses, ['orders[1]']);
});

test('other refusals of kafkajs still fail the call', () => {
  const { group, internals } = groupConsumer();
  internals.consumer = {
    seek: () => {
      throw new kafkajs.KafkaJSNonRetriableError('Offset must not be a negative number');
    },
  };
  assert.throws(() => group.seek({ topic: 'orders', partition: 0, offset: 7 }), /Cannot seek orders\[0\] to 7/);
});
