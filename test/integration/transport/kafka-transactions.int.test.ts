import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import type { GroupConsumer, Producer, TransactionalProducer, Transport } from '../../../runtime/src/types/transport.js';
import { startKafkaCluster, type KafkaCluster } from '../../kafka/broker.js';
import { testKafkaClient } from '../../kafka/global.js';
import { RecordingListener, groupOptions, kafkaClients, testTransport, uniqueName } from './kafka-helpers.js';

/**
 * Values of `topic` as a read_committed consumer sees them (kafkajs's, not the driver's own reader),
 * read until `last` arrives: a record of an aborted transaction before it would show up before it.
 */
async function committedValues(bootstrap: string, topic: string, last: string): Promise<string[]> {
  const consumer = testKafkaClient(bootstrap, 'tx-reader').consumer({ groupId: uniqueName('tx-reader'), readUncommitted: false });
  const seen: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out reading ${topic} read_committed: ${JSON.stringify(seen)}`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const value = message.value?.toString() ?? '';
          seen.push(value);
          if (value === last) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

function isAbortedOrFenced(error: unknown): boolean {
  return FaustgenError.hasCode(error, 'FG_TRANSACTION_ABORTED') || FaustgenError.hasCode(error, 'FG_FENCED');
}

for (const client of kafkaClients) {
  describe(`kafka:// transactions against a real broker (${client})`, () => {
    let cluster: KafkaCluster;
    let transport: Transport;
    let feeder: Producer;
    const closers: Array<{ stop(): Promise<void> }> = [];

    before(async () => {
      cluster = await startKafkaCluster({ nodes: 1 });
      transport = testTransport(cluster.bootstrap, {}, client);
      feeder = testTransport(cluster.bootstrap, {}, client).createProducer();
      await feeder.start();
    });

    after(async () => {
      for (const c of closers.reverse()) await c.stop().catch(() => undefined);
      await feeder?.stop();
      await cluster?.stop();
    });

    async function topics(...names: string[]): Promise<void> {
      const admin = transport.createAdmin();
      await admin.start();
      try {
        for (const name of names) await admin.ensureTopic({ name, partitions: 1, replicationFactor: 1 });
      } finally {
        await admin.stop();
      }
    }

    /** A member of `groupId` holding the source topic, as the app has one while it commits transactions. */
    async function member(groupId: string, source: string): Promise<GroupConsumer> {
      const listener = new RecordingListener();
      const consumer = transport.createGroupConsumer(groupOptions(groupId, [source]));
      closers.push(consumer);
      await consumer.start(listener);
      await listener.waitFor(() => (listener.lastAssignment()?.assignment.actives.length ?? 0) > 0, 'an assignment');
      return consumer;
    }

    function transactional(id: string, broken: Error[] = []): TransactionalProducer {
      const create = transport.createTransactionalProducer?.bind(transport);
      assert.ok(create !== undefined, `${client} has transactions`);
      const producer = create(id, { broken: (error) => broken.push(error) });
      closers.push(producer);
      return producer;
    }

    const send = (producer: Producer, topic: string, value: string): Promise<unknown> => producer.send({ topic, key: Buffer.from('k'), value: Buffer.from(value) });

    test('a commit makes records and the offset visible together; an aborted transaction shows neither', async () => {
      const source = uniqueName('tx-in');
      const sink = uniqueName('tx-out');
      await topics(source, sink);
      const groupId = uniqueName('tx-group');
      await member(groupId, source);
      const producer = transactional(`${groupId}-${source}-0`);
      await producer.start();

      await send(producer, sink, 'one');
      await send(producer, sink, 'two');
      await producer.commitTransaction(groupId, [{ topic: source, partition: 0, offset: 2 }]);

      await send(producer, sink, 'aborted');
      await producer.abortTransaction();

      await send(producer, sink, 'three');
      await producer.commitTransaction(groupId, [{ topic: source, partition: 0, offset: 3 }]);

      assert.deepEqual(await committedValues(cluster.bootstrap, sink, 'three'), ['one', 'two', 'three']);
      const admin = transport.createAdmin();
      await admin.start();
      try {
        assert.deepEqual(await admin.fetchCommitted(groupId, source), [{ topic: source, partition: 0, offset: 3 }]);
      } finally {
        await admin.stop();
      }
    });

    test("a second producer of the same transactional id fences the first: the first's open transaction never commits", async () => {
      const source = uniqueName('fence-in');
      const sink = uniqueName('fence-out');
      await topics(source, sink);
      const groupId = uniqueName('fence-group');
      await member(groupId, source);
      const id = `${groupId}-${source}-0`;
      const brokenZombie: Error[] = [];
      const zombie = transactional(id, brokenZombie);
      await zombie.start();
      await send(zombie, sink, 'zombie');

      const successor = transactional(id);
      await successor.start();
      await send(successor, sink, 'successor');
      await successor.commitTransaction(groupId, [{ topic: source, partition: 0, offset: 1 }]);

      await assert.rejects(
        (async () => {
          await send(zombie, sink, 'zombie-again');
          await zombie.commitTransaction(groupId, [{ topic: source, partition: 0, offset: 5 }]);
        })(),
        (error: unknown) => isAbortedOrFenced(error),
      );
      assert.equal(brokenZombie.length, 1, 'the zombie tells its owner once');
      assert.deepEqual(await committedValues(cluster.bootstrap, sink, 'successor'), ['successor']);
    });

    test('a discarded producer fails later sends and commits as FG_PARTITION_REVOKED, and commits nothing', async () => {
      const source = uniqueName('discard-in');
      const sink = uniqueName('discard-out');
      await topics(source, sink);
      const groupId = uniqueName('discard-group');
      await member(groupId, source);
      const id = `${groupId}-${source}-0`;
      const producer = transactional(id);
      await producer.start();
      await send(producer, sink, 'discarded');
      await producer.discard();
      await assert.rejects(send(producer, sink, 'after'), (error: unknown) => FaustgenError.hasCode(error, 'FG_PARTITION_REVOKED') || FaustgenError.hasCode(error, 'FG_APP_STATE'));
      await assert.rejects(producer.commitTransaction(groupId, [{ topic: source, partition: 0, offset: 1 }]), (error: unknown) => FaustgenError.hasCode(error, 'FG_PARTITION_REVOKED'));

      const next = transactional(id);
      await next.start();
      await send(next, sink, 'next');
      await next.commitTransaction(groupId, [{ topic: source, partition: 0, offset: 1 }]);
      assert.deepEqual(await committedValues(cluster.bootstrap, sink, 'next'), ['next']);
    });
  });
}
