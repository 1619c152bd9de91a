import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryTransport, resetMemoryBroker } from '../../../runtime/src/transport/memory/transport.js';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import type { ConsumedRecord, GroupConsumer, Producer } from '../../../runtime/src/types/transport.js';
import { RecordingListener, consumerOptions, deferred, text, tick } from './memory-helpers.js';

const BROKER = 'group-tests';
afterEach(() => resetMemoryBroker(BROKER));

async function setup(topics: Record<string, number>): Promise<{ transport: MemoryTransport; producer: Producer }> {
  const transport = new MemoryTransport(`memory://${BROKER}`);
  const admin = transport.createAdmin();
  await admin.start();
  for (const [name, partitions] of Object.entries(topics)) await admin.ensureTopic({ name, partitions, replicationFactor: 1 });
  const producer = transport.createProducer();
  await producer.start();
  return { transport, producer };
}

async function produce(producer: Producer, topic: string, count: number, from = 0): Promise<void> {
  for (let i = from; i < from + count; i++) await producer.send({ topic, key: text(`k${i % 37}`), value: text(String(i)) });
}

const id = (r: ConsumedRecord): string => `${r.topic}/${r.partition}/${r.offset}`;

describe('memory broker: group consumer', () => {
  test('one member receives every partition, in offset order per partition', async () => {
    const { transport, producer } = await setup({ orders: 4 });
    await produce(producer, 'orders', 1000);
    const listener = new RecordingListener();
    const consumer = transport.createGroupConsumer(consumerOptions('g', ['orders']));
    await consumer.start(listener);
    await listener.until(() => listener.records.length === 1000, '1000 records');
    assert.equal(listener.assignment?.assignment.actives.length, 4);
    assert.deepEqual(listener.assignment?.distribution, { 'http://localhost:6066': { orders: [0, 1, 2, 3] } });
    for (let p = 0; p < 4; p++) {
      const offsets = listener.records.filter((r) => r.partition === p).map((r) => r.offset);
      assert.deepEqual(offsets, [...offsets.keys()], `partition ${p} in order without gaps`);
    }
    // Records produced later wake the consumer up.
    await produce(producer, 'orders', 10, 1000);
    await listener.until(() => listener.records.length === 1010, 'late records');
    await consumer.stop();
    assert.equal(listener.events.at(-1)?.kind, 'revoked');
  });

  test('autoOffsetReset latest skips what was produced before the assignment', async () => {
    const { transport, producer } = await setup({ orders: 1 });
    await produce(producer, 'orders', 5);
    const listener = new RecordingListener();
    const consumer = transport.createGroupConsumer(consumerOptions('g', ['orders'], { autoOffsetReset: 'latest' }));
    await consumer.start(listener);
    await listener.until(() => listener.assignment !== undefined, 'assignment');
    await produce(producer, 'orders', 3, 100);
    await listener.until(() => listener.records.length === 3, 'new records');
    assert.deepEqual(listener.records.map((r) => r.offset), [5, 6, 7]);
    await consumer.stop();
  });

  test('members split partitions; a third joining revokes all before assigning; nothing lost or delivered to two members at once', async () => {
    const { transport, producer } = await setup({ orders: 6 });
    const total = 3000;
    const owners = new Map<string, string>(); // topic/partition -> listener name currently inside onRecords or owning
    const seen = new Map<string, string>();
    const violations: string[] = [];
    const listeners: RecordingListener[] = [];
    const consumers: GroupConsumer[] = [];
    const join = async (name: string): Promise<void> => {
      const listener = new RecordingListener();
      const held = new Set<string>();
      listener.beforeAssigned = async (a) => {
        for (const tp of a.assignment.actives) {
          const key = `${tp.topic}/${tp.partition}`;
          if (owners.has(key)) violations.push(`${name} assigned ${key} still held by ${owners.get(key)}`);
          owners.set(key, name);
          held.add(key);
        }
      };
      listener.beforeRevoked = async () => {
        for (const key of held) owners.delete(key);
        held.clear();
      };
      listener.beforeRecords = async (records) => {
        for (const r of records) {
          if (owners.get(`${r.topic}/${r.partition}`) !== name) violations.push(`${name} got ${id(r)} without owning it`);
          const previous = seen.get(id(r));
          if (previous !== undefined) violations.push(`${id(r)} delivered to ${previous} and ${name}`);
          seen.set(id(r), name);
        }
        await tick();
        const last = records.at(-1);
        if (last !== undefined) await consumer.commit([{ topic: last.topic, partition: last.partition, offset: last.offset + 1 }]);
      };
      const consumer = transport.createGroupConsumer(consumerOptions('g', ['orders'], { metadata: { ...consumerOptions('g', []).metadata, url: name } }));
      listeners.push(listener);
      consumers.push(consumer);
      await consumer.start(listener);
    };
    await join('a');
    await join('b');
    await listeners[1]?.until(() => listeners[1]?.assignment !== undefined, 'b assigned');
    const a = listeners[0];
    const b = listeners[1];
    assert.ok(a !== undefined && b !== undefined);
    assert.equal(a.assignment?.assignment.actives.length, 3);
    assert.equal(b.assignment?.assignment.actives.length, 3);
    const producing = produce(producer, 'orders', total);
    await a.until(() => seen.size >= total / 3, 'some progress');
    await join('c');
    await producing;
    const c = listeners[2];
    assert.ok(c !== undefined);
    await c.until(() => seen.size === total, `all ${total} records`);
    assert.deepEqual(violations, []);
    for (const l of listeners) assert.equal(l.assignment?.assignment.actives.length, 2);
    // Eager protocol: a and b were revoked before c (and they) got the new generation.
    const aEvents = a.events.filter((e) => e.kind !== 'records').map((e) => e.kind);
    assert.deepEqual(aEvents, ['assigned', 'revoked', 'assigned']);
    assert.equal(a.assignment?.generation, c.assignment?.generation);
    assert.equal(listeners.reduce((n, l) => n + l.records.length, 0), total);
    for (const consumer of consumers) await consumer.stop();
  });

  test('commit, then a new member of the group resumes from the committed offsets', async () => {
    const { transport, producer } = await setup({ orders: 2 });
    await produce(producer, 'orders', 100);
    const first = new RecordingListener();
    const consumer = transport.createGroupConsumer(consumerOptions('g', ['orders']));
    first.beforeRecords = async (records) => {
      const last = records.at(-1);
      if (last !== undefined && last.offset >= 10) await consumer.commit([{ topic: 'orders', partition: last.partition, offset: 10 }]);
    };
    await consumer.start(first);
    await first.until(() => first.records.length === 100, 'first pass');
    await consumer.stop();
    const admin = transport.createAdmin();
    await admin.start();
    assert.deepEqual(await admin.fetchCommitted('g', 'orders'), [
      { topic: 'orders', partition: 0, offset: 10 },
      { topic: 'orders', partition: 1, offset: 10 },
    ]);
    const second = new RecordingListener();
    const restarted = transport.createGroupConsumer(consumerOptions('g', ['orders']));
    await restarted.start(second);
    const remaining = first.records.filter((r) => r.offset >= 10).length;
    await second.until(() => second.records.length === remaining, 'resumed records');
    assert.ok(second.records.every((r) => r.offset >= 10));
    await restarted.stop();
  });

  test('commit is refused for partitions the member does not own, also after revocation', async () => {
    const { transport } = await setup({ orders: 2, other: 1 });
    const listener = new RecordingListener();
    const consumer = transport.createGroupConsumer(consumerOptions('g', ['orders']));
    await consumer.start(listener);
    await listener.until(() => listener.assignment !== undefined, 'assignment');
    await consumer.commit([{ topic: 'orders', partition: 1, offset: 0 }]);
    await assert.rejects(consumer.commit([{ topic: 'other', partition: 0, offset: 1 }]), (e) => FaustgenError.hasCode(e, 'FG_TRANSPORT'));
    await consumer.stop();
    await assert.rejects(consumer.commit([{ topic: 'orders', partition: 1, offset: 1 }]), (e) => FaustgenError.hasCode(e, 'FG_TRANSPORT'));
  });

  test('seek moves the position; pause stops delivery until resume', async () => {
    const { transport, producer } = await setup({ orders: 1 });
    await produce(producer, 'orders', 10);
    const listener = new RecordingListener();
    const consumer = transport.createGroupConsumer(consumerOptions('g', ['orders']));
    const tp = { topic: 'orders', partition: 0 };
    listener.beforeAssigned = async () => {
      consumer.seek({ ...tp, offset: 7 });
    };
    await consumer.start(listener);
    await listener.until(() => listener.records.length === 3, 'records after seek');
    assert.deepEqual(listener.records.map((r) => r.offset), [7, 8, 9]);
    consumer.pause([tp]);
    await produce(producer, 'orders', 5, 10);
    for (let i = 0; i < 10; i++) await tick();
    assert.equal(listener.records.length, 3, 'nothing delivered while paused');
    consumer.resume([tp]);
    await listener.until(() => listener.records.length === 8, 'records after resume');
    consumer.seek({ ...tp, offset: 2 });
    await listener.until(() => listener.records.length === 21, 'replay after seeking back');
    assert.deepEqual(listener.records.slice(8).map((r) => r.offset), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    assert.throws(() => consumer.seek({ topic: 'other', partition: 0, offset: 0 }), (e) => FaustgenError.hasCode(e, 'FG_APP_STATE'));
    await consumer.stop();
  });

  test('back-pressure: the next batch of a partition waits for onRecords; other partitions keep flowing', async () => {
    const { transport, producer } = await setup({ orders: 2 });
    for (let i = 0; i < 1200; i++) await producer.send({ topic: 'orders', partition: 0, key: null, value: null });
    for (let i = 0; i < 10; i++) await producer.send({ topic: 'orders', partition: 1, key: null, value: null });
    const gate = deferred();
    const listener = new RecordingListener();
    let inFlight = 0;
    let maxInFlight = 0;
    listener.beforeRecords = async (records) => {
      if (records[0]?.partition !== 0) return;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await gate.promise;
      inFlight--;
    };
    const consumer = transport.createGroupConsumer(consumerOptions('g', ['orders']));
    await consumer.start(listener);
    await listener.until(() => listener.records.filter((r) => r.partition === 1).length === 10, 'partition 1');
    for (let i = 0; i < 10; i++) await tick();
    assert.equal(listener.records.filter((r) => r.partition === 0).length, 0, 'partition 0 blocked in its first batch');
    assert.equal(inFlight, 1);
    gate.resolve();
    await listener.until(() => listener.records.length === 1210, 'all records');
    assert.equal(maxInFlight, 1);
    const batches = listener.events.filter((e) => e.kind === 'records' && e.records[0]?.partition === 0);
    assert.ok(batches.every((e) => e.kind === 'records' && e.records.length <= 500));
    await consumer.stop();
  });

  test('revocation waits for the batch in flight and delivers nothing of revoked partitions afterwards', async () => {
    const { transport, producer } = await setup({ orders: 1 });
    await produce(producer, 'orders', 5);
    const gate = deferred();
    const listener = new RecordingListener();
    const order: string[] = [];
    listener.beforeRecords = async () => {
      order.push('records-start');
      await gate.promise;
      order.push('records-end');
    };
    listener.beforeRevoked = async () => {
      order.push('revoked');
    };
    const consumer = transport.createGroupConsumer(consumerOptions('g', ['orders']));
    await consumer.start(listener);
    await listener.until(() => order.length === 1, 'first batch in flight');
    const stopping = consumer.stop();
    await produce(producer, 'orders', 5, 5);
    for (let i = 0; i < 5; i++) await tick();
    assert.deepEqual(order, ['records-start']);
    gate.resolve();
    await stopping;
    assert.deepEqual(order, ['records-start', 'records-end', 'revoked']);
  });

  test('standbys of changelogs and all partitions of global topics are delivered alongside actives', async () => {
    const { transport, producer } = await setup({ orders: 2, 'app-t-changelog': 2, 'app-g-changelog': 3 });
    for (let p = 0; p < 2; p++) await producer.send({ topic: 'app-t-changelog', partition: p, key: text(`c${p}`), value: null });
    for (let p = 0; p < 3; p++) await producer.send({ topic: 'app-g-changelog', partition: p, key: text(`g${p}`), value: null });
    const metadata = { version: 1, changelogTopics: ['app-t-changelog'], globalTopics: ['app-g-changelog'], standbyReplicas: 1 };
    const listeners = [new RecordingListener(), new RecordingListener()];
    const consumers = listeners.map((_, i) =>
      transport.createGroupConsumer(
        consumerOptions('g', ['orders', 'app-t-changelog', 'app-g-changelog'], { autoOffsetReset: 'latest', metadata: { ...metadata, url: `w${i}` } }),
      ),
    );
    for (const [i, c] of consumers.entries()) await c.start(listeners[i] ?? new RecordingListener());
    for (const l of listeners) {
      // Actives start at 'latest'; standbys and global partitions are read from the beginning.
      await l.until(() => l.records.length === 4, 'standby + global records');
      const a = l.assignment?.assignment;
      assert.equal(a?.actives.filter((tp) => tp.topic === 'orders').length, 1);
      assert.deepEqual(a?.standbys.filter((tp) => tp.topic === 'app-g-changelog').map((tp) => tp.partition), [0, 1, 2]);
      const standby = a?.standbys.find((tp) => tp.topic === 'app-t-changelog');
      const active = a?.actives.find((tp) => tp.topic === 'app-t-changelog');
      assert.notEqual(standby?.partition, active?.partition);
      assert.deepEqual(l.records.filter((r) => r.topic === 'app-t-changelog').map((r) => r.partition), [standby?.partition]);
    }
    for (const c of consumers) await c.stop();
  });

  test('an onRecords failure is reported through onError and halts only that partition', async () => {
    const { transport, producer } = await setup({ orders: 2 });
    for (let p = 0; p < 2; p++) for (let i = 0; i < 3; i++) await producer.send({ topic: 'orders', partition: p, key: null, value: null });
    const listener = new RecordingListener();
    listener.beforeRecords = async (records) => {
      if (records[0]?.partition === 0) throw new Error('boom');
    };
    const consumer = transport.createGroupConsumer(consumerOptions('g', ['orders']));
    await consumer.start(listener);
    await listener.until(() => listener.errors.length === 1 && listener.records.length === 3, 'error and partition 1');
    assert.equal(listener.errors[0]?.message, 'boom');
    assert.ok(listener.records.every((r) => r.partition === 1));
    await consumer.stop();
  });
});
