import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { App } from '../../../runtime/src/app/app.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import type { Event } from '../../../runtime/src/streams/event.js';
import { partitionForKey } from '../../../runtime/src/transport/partitioner.js';
import { startKafkaCluster, type KafkaCluster } from '../../kafka/broker.js';
import { kafkaApp, readAll, uniqueName, waitFor } from './app-helpers.js';

/** Shaped like a generated record: typed fields, Faust's JSON (snake_case, `__faust` marker) on the wire. */
class Order {
  constructor(readonly id: string, readonly amount: number, readonly placedAt: Date, readonly tags: readonly string[]) {}

  toJSON(): Record<string, unknown> {
    return { id: this.id, amount: this.amount, placed_at: this.placedAt.toISOString(), tags: this.tags, __faust: { ns: 'shop.Order' } };
  }

  static fromJSON(raw: unknown): Order {
    const o = raw as { id?: unknown; amount?: unknown; placed_at?: unknown; tags?: unknown };
    if (typeof o.id !== 'string' || typeof o.amount !== 'number' || typeof o.placed_at !== 'string' || !Array.isArray(o.tags)) {
      throw new Error(`not an Order: ${JSON.stringify(raw)}`);
    }
    return new Order(o.id, o.amount, new Date(o.placed_at), o.tags.map(String));
  }
}

class Quote {
  constructor(readonly sku: string, readonly total: number) {}
  toJSON(): Record<string, unknown> {
    return { sku: this.sku, total: this.total, __faust: { ns: 'shop.Quote' } };
  }
  static fromJSON(raw: unknown): Quote {
    const o = raw as { sku?: unknown; total?: unknown };
    if (typeof o.sku !== 'string' || typeof o.total !== 'number') throw new Error(`not a Quote: ${JSON.stringify(raw)}`);
    return new Quote(o.sku, o.total);
  }
}

describe('typed records over kafka://', () => {
  let cluster: KafkaCluster;
  let app: App;
  const received: Event<string, Order>[] = [];
  let ordersTopic: string;
  const askedOn: number[] = [];

  before(async () => {
    cluster = await startKafkaCluster({ nodes: 1 });
  });

  after(async () => {
    await app?.stop().catch(() => undefined);
    await cluster?.stop();
  });

  test('keys, headers, timestamps and typed values survive send → agent; ask() replies through a reply topic', async () => {
    ordersTopic = uniqueName('orders');
    ({ app } = kafkaApp(cluster.bootstrap, { id: uniqueName('typed') }));
    const orders = app.topic(ordersTopic, { key: codecs.string, value: codecs.json<Order>(Order.fromJSON), partitions: 4 });
    app.agent('collect', { source: orders }, async (stream) => {
      for await (const event of stream.events()) received.push(event);
    });
    const pricer = app.agent<string, { sku: string; qty: number; unit: number }, Quote>(
      'pricer',
      { key: codecs.string, value: codecs.json<{ sku: string; qty: number; unit: number }>(), partitions: 3, replyDecode: Quote.fromJSON },
      async function* (stream) {
        for await (const event of stream.events()) {
          askedOn.push(event.partition);
          yield new Quote(event.value.sku, event.value.qty * event.value.unit);
        }
      },
    );
    await app.start();

    const sent = Array.from({ length: 24 }, (_, i) => ({
      key: `customer-${i % 7}`,
      value: new Order(`o-${i}`, i * 1.25, new Date(Date.UTC(2024, 0, 1, 12, 0, i)), i % 2 === 0 ? ['gift'] : []),
      timestamp: 1_700_000_000_000 + i * 1000,
      headers: { 'trace-id': Buffer.from(`trace-${i}`), bin: Buffer.from([0, 255, i, 0x80]) },
    }));
    const metadata = await Promise.all(sent.map((m) => orders.send(m)));
    await waitFor(() => received.length >= sent.length, () => `${sent.length} orders received (got ${received.length})`);
    assert.equal(received.length, sent.length, 'each order delivered once');

    for (const [i, m] of sent.entries()) {
      const event = received.find((e) => e.value.id === m.value.id);
      assert.ok(event, `order ${m.value.id} received`);
      assert.ok(event.value instanceof Order, 'the codec revived a typed Order');
      assert.deepEqual(event.value, m.value);
      assert.equal(event.key, m.key);
      assert.equal(event.timestamp, m.timestamp, `timestamp of ${m.value.id}`);
      assert.deepEqual(event.headers['trace-id'], m.headers['trace-id']);
      assert.deepEqual(event.headers['bin'], m.headers.bin, 'binary header bytes unchanged');
      // Keys land where Java's / Faust's murmur2 partitioner puts them.
      assert.equal(event.partition, partitionForKey(Buffer.from(m.key), 4), `partition of key ${m.key}`);
      assert.equal(event.partition, metadata[i]?.partition);
      assert.equal(event.offset, metadata[i]?.offset, 'offset reported by send() is the record offset');
    }
    // Per key, the order of sends is kept.
    for (const key of new Set(sent.map((m) => m.key))) {
      assert.deepEqual(
        received.filter((e) => e.key === key).map((e) => e.value.id),
        sent.filter((m) => m.key === key).map((m) => m.value.id),
      );
    }

    // On the wire: Faust's JSON, with the record's namespace marker.
    const raw = await readAll(cluster.bootstrap, ordersTopic);
    assert.equal(raw.length, sent.length);
    const first = raw.find((r) => r.key?.toString() === 'customer-0');
    assert.ok(first?.value);
    const wire = JSON.parse(first.value.toString()) as Record<string, unknown>;
    assert.deepEqual(wire['__faust'], { ns: 'shop.Order' });
    assert.equal(typeof wire['placed_at'], 'string');

    // ask(): concurrent requests each get their own reply (correlation ids), typed by replyDecode.
    const asks = ['apple', 'pear', 'plum', 'fig', 'kiwi', 'lime'].map((sku, i) => ({ sku, qty: i + 1, unit: 3 }));
    const replies = await Promise.all(asks.map((a) => pricer.ask(a, { key: a.sku, timeoutMs: 30_000 })));
    for (const [i, reply] of replies.entries()) {
      assert.ok(reply instanceof Quote, 'reply decoded to a Quote');
      assert.equal(reply.sku, asks[i]?.sku);
      assert.equal(reply.total, (asks[i]?.qty ?? 0) * 3);
    }
    assert.equal(askedOn.length, asks.length, 'each ask handled once');
    assert.ok(new Set(askedOn).size > 1, 'asks spread over the agent topic partitions');
  });
});
