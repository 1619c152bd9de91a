import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { App } from '../../../runtime/src/app/app.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { openTableStore } from '../../../runtime/src/stores/index.js';
import { Event } from '../../../runtime/src/streams/event.js';
import { TablePartition } from '../../../runtime/src/tables/table-partition.js';
import type { ConsumedRecord, DeliveryListener, Producer, ProducerRecord, RecordMetadata } from '../../../runtime/src/types/transport.js';
import { brokerOf, brokerUrl, testApp, waitFor } from './helpers.js';

// Changelog coalescing (Kafka Streams' record cache): a table partition keeps one unsent changelog
// write per key until the commit, which sends the last value before committing the offsets.

/** Commits only when the test stops the app: every write of the test falls within one commit. */
const ONE_COMMIT = 3_600_000;

function declare(broker: string, changelogBufferSize?: number) {
  const { app } = testApp({ id: 'coalesce', broker, commitIntervalMs: ONE_COMMIT, ...(changelogBufferSize === undefined ? {} : { changelogBufferSize }) });
  const ops = app.topic('ops', { key: codecs.string, value: codecs.string, partitions: 1 });
  const totals = app.table('totals', { key: codecs.string, value: codecs.number, default: () => 0, partitions: 1 });
  const seen: number[] = [];
  let processed = 0;
  app.agent('apply', { source: ops, tables: [totals] }, async (stream) => {
    for await (const event of stream.events()) {
      const [op, amount] = event.value.split(':');
      if (op === 'del') totals.delete(event.key);
      else {
        totals.update(event.key, (n) => n + Number(amount));
        // The table's own reads see the newest value at once, before anything reached the changelog.
        seen.push(totals.get(event.key));
      }
      processed++;
    }
  });
  return { app, ops, totals, seen, processed: () => processed };
}

function changelog(app: App, topic: string): readonly ConsumedRecord[] {
  const log = brokerOf(app).log(topic, 0);
  return log.read(0, log.high);
}

function feed(app: App, ops: readonly [string, string][]): void {
  const log = brokerOf(app).log('ops', 0);
  for (const [key, value] of ops) log.append({ timestamp: Date.now(), key: Buffer.from(key), value: Buffer.from(value), headers: {} });
}

test('a key written N times within one commit has one changelog record, its last value; a delete coalesces to its tombstone', async () => {
  const broker = brokerUrl();
  const first = declare(broker);
  await first.app.start();
  const ops: [string, string][] = [];
  for (let i = 1; i <= 100; i++) ops.push(['k', `add:${i}`]);
  ops.push(['gone', 'add:5'], ['gone', 'add:6'], ['gone', 'del:'], ['back', 'add:1'], ['back', 'del:'], ['back', 'add:7']);
  feed(first.app, ops);
  await waitFor(() => first.processed() === ops.length && first.app.idle(), 'processing');
  assert.equal(first.totals.get('k'), 5050);
  assert.deepEqual(first.seen.slice(0, 3), [1, 3, 6], 'reads see each new value at once');
  assert.equal(changelog(first.app, first.totals.changelogTopic).length, 0, 'nothing sent before the commit');
  await first.app.stop();

  const records = changelog(first.app, first.totals.changelogTopic).map((r) => [r.key?.toString(), r.value?.toString() ?? null]);
  assert.deepEqual(records, [['k', '5050'], ['gone', null], ['back', '7']], 'one record per key, in first-written order, last value wins');
  const committed = brokerOf(first.app).group('coalesce').committedOffset('ops', 0);
  assert.equal(committed, ops.length, 'the commit covers every event');

  // A new instance (and so a standby or a failover) rebuilds the final values from the changelog.
  const second = declare(broker);
  await second.app.start();
  try {
    assert.equal(second.totals.get('k'), 5050);
    assert.equal(second.totals.has('gone'), false);
    assert.equal(second.totals.get('back'), 7);
  } finally {
    await second.app.stop();
  }
});

test('a full changelog buffer is sent before the commit', async () => {
  const { app, totals, processed } = declare(brokerUrl(), 4);
  await app.start();
  try {
    const ops: [string, string][] = [];
    for (let i = 0; i < 10; i++) ops.push([`key${i}`, 'add:1']);
    feed(app, ops);
    await waitFor(() => processed() === ops.length && app.idle(), 'processing');
    await waitFor(() => changelog(app, totals.changelogTopic).length === 8, 'two full buffers sent');
  } finally {
    await app.stop();
  }
  assert.equal(changelog(app, totals.changelogTopic).length, 10, 'the rest at the commit');
});

/** A producer that fails every record: the worker dies before its buffered writes reach the broker. */
class FailingProducer implements Producer {
  constructor(private readonly inner: Producer) {}
  start(): Promise<void> {
    return this.inner.start();
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
  send(): Promise<RecordMetadata> {
    return Promise.reject(new Error('broker gone'));
  }
  produce<T>(_record: ProducerRecord, listener: DeliveryListener<T>, tag: T): void {
    queueMicrotask(() => listener.failed(tag, new Error('broker gone')));
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
}

test('a worker that dies with coalesced writes unsent commits nothing: the next one processes those events again, nothing lost', async () => {
  const broker = brokerUrl();
  const first = declare(broker);
  await first.app.start();
  const ops: [string, string][] = [];
  for (let i = 1; i <= 40; i++) ops.push([`k${i % 4}`, `add:${i}`]);
  feed(first.app, ops);
  await waitFor(() => first.processed() === ops.length && first.app.idle(), 'processing');
  const expected = new Map(first.totals.entries());
  const host = (first.app as unknown as { parts: { lifecycle: { producer: Producer } } }).parts.lifecycle;
  host.producer = new FailingProducer(host.producer);
  await first.app.stop();
  assert.equal(changelog(first.app, first.totals.changelogTopic).length, 0, 'no buffered write reached the changelog');
  assert.equal(brokerOf(first.app).group('coalesce').committedOffset('ops', 0), undefined, 'and no offset was committed');

  const second = declare(broker);
  await second.app.start();
  try {
    await waitFor(() => second.processed() === ops.length && second.app.idle(), 'processing again');
    assert.deepEqual(new Map(second.totals.entries()), expected, 'every event counted, once');
  } finally {
    await second.app.stop();
  }
  assert.equal(changelog(second.app, second.totals.changelogTopic).length, 4, 'one record per key');
});

test('a table partition keeps one unsent write per key and source partition, in first-written order', async () => {
  const store = await openTableStore('memory://', { appId: 'parts', table: 't', datadir: '/unused' });
  const partition = new TablePartition(0, await store.openPartition(0), false, 3);
  const event = (topic: string, offset: number): Event<unknown, unknown> =>
    new Event(null, null, { topic, partition: 0, offset, timestamp: 0, key: null, value: null, headers: {} }, undefined, undefined);
  const b = (text: string): Buffer => Buffer.from(text);
  const sent: [string, string | null, string][] = [];
  const send = (key: Buffer, value: Buffer | null, origin: Event<unknown, unknown>): void => void sent.push([key.toString(), value?.toString() ?? null, `${origin.topic}@${origin.offset}`]);

  assert.equal(partition.buffer(b('a'), b('1'), event('orders', 0)), false);
  assert.equal(partition.buffer(b('a'), b('2'), event('orders', 1)), false, 'same key, same source: coalesced');
  assert.equal(partition.buffer(b('a'), b('3'), event('refunds', 0)), false, 'another source partition: a record of its own');
  assert.equal(partition.get(b('a'))?.toString(), '3', 'reads see the newest value');
  assert.equal(partition.buffer(b('z'), null, event('orders', 2)), true, 'the third unsent entry fills the buffer');
  assert.equal(partition.sendUnsent(send), 3);
  assert.deepEqual(sent, [['a', '2', 'orders@1'], ['a', '3', 'refunds@0'], ['z', null, 'orders@2']]);
  assert.equal(partition.hasUnsent(), false);

  sent.length = 0;
  partition.buffer(b('a'), b('4'), event('refunds', 1));
  partition.flush();
  partition.buffer(b('a'), b('5'), event('refunds', 2));
  partition.sendUnsent(send);
  assert.deepEqual(sent, [['a', '4', 'refunds@1'], ['a', '5', 'refunds@2']], 'a value moved to the store before it was sent still goes out, before the newer one');
  partition.buffer(b('q'), b('1'), event('orders', 3));
  partition.discardPending();
  assert.equal(partition.hasUnsent(), false, 'a partition given up forgets its unsent writes');
  await store.close();
});
