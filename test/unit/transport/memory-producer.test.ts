import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryTransport, getMemoryBroker, resetMemoryBroker, memoryBrokerName } from '../../../runtime/src/transport/memory/transport.js';
import { partitionForKey } from '../../../runtime/src/transport/partitioner.js';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import type { DeliveryListener, Producer, RecordMetadata } from '../../../runtime/src/types/transport.js';
import { text } from './memory-helpers.js';

const BROKER = 'producer-tests';
afterEach(() => resetMemoryBroker(BROKER));

async function setup(partitions = 4): Promise<{ transport: MemoryTransport; send: Producer }> {
  const transport = new MemoryTransport(`memory://${BROKER}`);
  const admin = transport.createAdmin();
  await admin.start();
  await admin.ensureTopic({ name: 'events', partitions, replicationFactor: 1 });
  const producer = transport.createProducer();
  await producer.start();
  return { transport, send: producer };
}

describe('memory broker: producer and admin', () => {
  test('produce() reports to its listener with the tag, only after it returned; a stopped producer reports a failure', async () => {
    const { send } = await setup(1);
    const outcomes: string[] = [];
    const listener: DeliveryListener<string> = {
      delivered: (tag: string, metadata: RecordMetadata) => outcomes.push(`${tag}@${metadata.partition}:${metadata.offset}`),
      failed: (tag: string, error: Error) => outcomes.push(`${tag}!${FaustgenError.is(error) ? error.code : 'other'}`),
    };
    send.produce({ topic: 'events', key: null, value: text('a') }, listener, 'a');
    send.produce({ topic: 'events', key: null, value: text('b') }, listener, 'b');
    assert.deepEqual(outcomes, [], 'nothing is reported synchronously');
    await send.flush();
    assert.deepEqual(outcomes, ['a@0:0', 'b@0:1']);
    await send.stop();
    send.produce({ topic: 'events', key: null, value: text('c') }, listener, 'c');
    assert.equal(outcomes.length, 2);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(outcomes.slice(2), ['c!FG_APP_STATE']);
  });

  test('records of one partition get consecutive offsets in send order', async () => {
    const { transport, send } = await setup(1);
    const offsets: number[] = [];
    for (let i = 0; i < 20; i++) offsets.push((await send.send({ topic: 'events', key: null, value: text(`v${i}`) })).offset);
    assert.deepEqual(offsets, [...Array(20).keys()]);
    const values = transport.broker.log('events', 0).read(0, 100).map((r) => r.value?.toString());
    assert.deepEqual(values, [...Array(20).keys()].map((i) => `v${i}`));
  });

  test('keyed records go to partitionForKey, null keys round-robin, explicit partition wins', async () => {
    const { send } = await setup(5);
    for (const key of ['a', 'user-42', '"foo"', 'ключ', '']) {
      const meta = await send.send({ topic: 'events', key: text(key), value: null });
      assert.equal(meta.partition, partitionForKey(text(key), 5), key);
    }
    const spread = [];
    for (let i = 0; i < 10; i++) spread.push((await send.send({ topic: 'events', key: null, value: null })).partition);
    assert.deepEqual(spread, [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    assert.equal((await send.send({ topic: 'events', partition: 3, key: text('a'), value: null })).partition, 3);
  });

  test('headers, keys, values and producer timestamps are preserved; missing timestamps get the time of append', async () => {
    const { transport, send } = await setup(1);
    await send.send({ topic: 'events', key: text('k'), value: text('v'), timestamp: 1234, headers: { h: text('x') } });
    const before = Date.now();
    const meta = await send.send({ topic: 'events', key: null, value: null });
    const after = Date.now();
    const [first, second] = transport.broker.log('events', 0).read(0, 10);
    assert.equal(first?.timestamp, 1234);
    assert.equal(first?.key?.toString(), 'k');
    assert.equal(first?.value?.toString(), 'v');
    assert.equal(first?.headers['h']?.toString(), 'x');
    assert.ok(second !== undefined && second.timestamp >= before && second.timestamp <= after);
    assert.equal(meta.timestamp, second.timestamp);
    assert.deepEqual(second.headers, {});
    assert.equal(second.key, null);
  });

  test('sending to a missing topic or partition fails with FG_TOPIC_MISSING; unstarted producer fails', async () => {
    const { transport, send } = await setup(2);
    await assert.rejects(send.send({ topic: 'nope', key: null, value: null }), (e) => FaustgenError.hasCode(e, 'FG_TOPIC_MISSING'));
    await assert.rejects(send.send({ topic: 'events', partition: 2, key: null, value: null }), (e) => FaustgenError.hasCode(e, 'FG_TOPIC_MISSING'));
    const idle = transport.createProducer();
    await assert.rejects(idle.send({ topic: 'events', key: null, value: null }), (e) => FaustgenError.hasCode(e, 'FG_APP_STATE'));
  });

  test('admin: ensureTopic keeps an existing topic, fetchOffsets reports high-water marks, deleteTopic removes', async () => {
    const { transport, send } = await setup(3);
    const admin = transport.createAdmin();
    await admin.start();
    assert.deepEqual(await admin.ensureTopic({ name: 'events', partitions: 9, replicationFactor: 3 }), { name: 'events', partitions: 3 });
    await send.send({ topic: 'events', partition: 1, key: null, value: null });
    await send.send({ topic: 'events', partition: 1, key: null, value: null });
    assert.deepEqual(await admin.fetchOffsets('events'), [
      { partition: 0, low: 0, high: 0 },
      { partition: 1, low: 0, high: 2 },
      { partition: 2, low: 0, high: 0 },
    ]);
    assert.deepEqual(await admin.fetchCommitted('group', 'events'), []);
    await admin.deleteTopic('events');
    assert.equal(await admin.describeTopic('events'), undefined);
    await assert.rejects(admin.fetchOffsets('events'), (e) => FaustgenError.hasCode(e, 'FG_TOPIC_MISSING'));
    await assert.rejects(admin.ensureTopic({ name: 'bad', partitions: 0, replicationFactor: 1 }), (e) => FaustgenError.hasCode(e, 'FG_SETTING_INVALID'));
  });

  test('transports with the same URL share a broker; other names are separate', async () => {
    const a = new MemoryTransport(`memory://${BROKER}`);
    const b = new MemoryTransport(`memory://${BROKER}`);
    assert.equal(a.broker, b.broker);
    assert.equal(a.broker, getMemoryBroker(BROKER));
    assert.notEqual(a.broker, new MemoryTransport('memory://other-producer-tests').broker);
    resetMemoryBroker('other-producer-tests');
    assert.equal(memoryBrokerName('memory://'), '');
    assert.equal(memoryBrokerName('memory://shared-name'), 'shared-name');
    assert.throws(() => memoryBrokerName('kafka://localhost:9092'), (e) => FaustgenError.hasCode(e, 'FG_BROKER_URL_INVALID'));
    const reset = getMemoryBroker(BROKER);
    resetMemoryBroker(BROKER);
    assert.notEqual(getMemoryBroker(BROKER), reset);
  });
});
