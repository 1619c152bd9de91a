import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../runtime/src/core/clock.js';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { partitionForKey } from '../../../runtime/src/transport/partitioner.js';
import { brokerOf, testApp, waitFor } from './helpers.js';

test('ask() returns the value the agent yielded; an unanswered ask() fails with FG_ASK_TIMEOUT', async () => {
  const { app } = testApp({});
  const doubler = app.agent<string, number, number>('doubler', { key: codecs.string, value: codecs.number }, async function* (stream) {
    for await (const n of stream) yield n * 2;
  });
  const silent = app.agent<string, number>('silent', { value: codecs.number }, async (stream) => {
    for await (const _ of stream) void _;
  });
  await app.start();
  try {
    assert.equal(await doubler.ask(21, { key: 'k' }), 42);
    assert.deepEqual(await Promise.all([1, 2, 3].map((n) => doubler.ask(n))), [2, 4, 6]);
    const started = Date.now();
    await assert.rejects(silent.ask(1, { timeoutMs: 150 }), (e: unknown) => FaustgenError.hasCode(e, 'FG_ASK_TIMEOUT') && /silent/.test(e.message));
    assert.ok(Date.now() - started >= 140);
  } finally {
    await app.stop();
  }
});

test('take(100, 50) yields partial batches when fewer than 100 arrive within 50 ms', async () => {
  const clock = new ManualClock(0);
  const { app } = testApp({}, { clock });
  const source = app.topic('in', { value: codecs.number, partitions: 1 });
  const batches: number[][] = [];
  app.agent('batcher', { source }, async (stream) => {
    for await (const batch of stream.take(100, 50)) batches.push(batch);
  });
  await app.start();
  try {
    for (let i = 0; i < 30; i++) await source.send({ value: i });
    await waitFor(() => app.positions().some((p) => p.position === 30), 'delivery');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(batches.length, 0, 'no batch before the deadline');
    await clock.advance(50);
    await waitFor(() => batches.length === 1, 'first partial batch');
    assert.deepEqual(batches[0], Array.from({ length: 30 }, (_, i) => i));
    for (let i = 0; i < 250; i++) await source.send({ value: 1000 + i });
    await waitFor(() => batches.length === 3, 'two full batches');
    assert.equal(batches[1]?.length, 100);
    assert.equal(batches[2]?.length, 100);
    await clock.advance(50);
    await waitFor(() => batches.length === 4, 'the rest');
    assert.equal(batches[3]?.length, 50);
  } finally {
    await app.stop();
  }
});

test('groupBy sends each event to the partition murmur2 gives for the new key and reads it back', async () => {
  const { app } = testApp({});
  const orders = app.topic('orders', { key: codecs.string, value: codecs.json<{ id: number; user: string }>(), partitions: 3 });
  const byUser = new Map<string, number[]>();
  app.agent('per-user', { source: orders }, async (stream) => {
    const grouped = stream.groupBy((order) => order.user, { name: 'user', key: codecs.string, partitions: 5 });
    for await (const event of grouped.events()) {
      assert.equal(event.key, event.value.user);
      assert.equal(event.timestamp, 1_000_000 + event.value.id, 'the original event time survives repartitioning');
      byUser.set(event.key, [...(byUser.get(event.key) ?? []), event.value.id]);
    }
  });
  await app.start();
  try {
    const users = ['ann', 'bob', 'cy', 'dee', 'eve', 'fay', 'gus'];
    for (let id = 0; id < 70; id++) await orders.send({ key: `order-${id}`, value: { id, user: users[id % users.length] as string }, timestamp: 1_000_000 + id });
    await waitFor(() => [...byUser.values()].reduce((n, ids) => n + ids.length, 0) === 70, 'grouped events');
    const topicName = `${app.id}-orders-user-repartition`;
    const broker = brokerOf(app);
    let checked = 0;
    for (let partition = 0; partition < 5; partition++) {
      const log = broker.log(topicName, partition);
      for (const record of log.read(0, log.high)) {
        assert.equal(partition, partitionForKey(record.key as Buffer, 5), `key ${String(record.key)} on its murmur2 partition`);
        checked++;
      }
    }
    assert.equal(checked, 70);
    // Orders of one user come from several source partitions, so only completeness is guaranteed.
    for (const [index, user] of users.entries()) {
      assert.deepEqual([...(byUser.get(user) ?? [])].sort((a, b) => a - b), Array.from({ length: 10 }, (_, i) => index + i * users.length));
    }
  } finally {
    await app.stop();
  }
});

test('stream operators: filter, map, enumerate, items, echo, through, noack', async () => {
  const { app } = testApp({});
  const input = app.topic('ops-in', { key: codecs.string, value: codecs.number, partitions: 1 });
  const echoed = app.topic('ops-echo', { key: codecs.string, value: codecs.number, partitions: 1 });
  const middle = app.topic('ops-middle', { key: codecs.string, value: codecs.number, partitions: 1 });
  const seen: unknown[] = [];
  const through: number[] = [];
  app.agent('ops', { source: input }, async (stream) => {
    for await (const [i, value] of stream.filter((n) => n % 2 === 0).echo(echoed).map(async (n) => n * 10).enumerate()) seen.push([i, value]);
  });
  app.agent('via', { source: echoed }, async (stream) => {
    for await (const value of stream.through(middle)) through.push(value);
  });
  await app.start();
  try {
    for (let n = 0; n < 6; n++) await input.send({ key: `k${n}`, value: n });
    await waitFor(() => seen.length === 3 && through.length === 3 && app.idle(), 'operators');
    assert.deepEqual(seen, [[0, 0], [1, 20], [2, 40]]);
    assert.deepEqual(through, [0, 2, 4]);
    await app.commit();
    assert.equal(brokerOf(app).group(app.id).committedOffset('ops-in', 0), 6, 'filtered-out events are acked too');
  } finally {
    await app.stop();
  }
});

test('noack(): the commit waits for explicit acks', async () => {
  const { app } = testApp({});
  const input = app.topic('manual', { value: codecs.number, partitions: 1 });
  const held: { ack(): void }[] = [];
  app.agent('manual-acks', { source: input }, async (stream) => {
    for await (const event of stream.noack().events()) held.push(event);
  });
  await app.start();
  try {
    for (let n = 0; n < 4; n++) await input.send({ value: n });
    await waitFor(() => held.length === 4, 'delivery');
    await app.commit();
    const group = brokerOf(app).group(app.id);
    assert.equal(group.committedOffset('manual', 0) ?? 0, 0);
    held[0]?.ack();
    held[1]?.ack();
    held[3]?.ack();
    await app.commit();
    assert.equal(group.committedOffset('manual', 0), 2, 'stops at the unacked offset 2');
    held[2]?.ack();
    await app.commit();
    assert.equal(group.committedOffset('manual', 0), 4);
  } finally {
    await app.stop();
  }
});
