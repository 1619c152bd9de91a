import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { App } from '../../../runtime/src/app/app.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import type { DeliveryListener, Producer, ProducerRecord, RecordMetadata } from '../../../runtime/src/types/transport.js';
import { brokerOf, testApp, waitFor } from './helpers.js';

/**
 * Wraps the app's producer: records reach the broker at once, but their acknowledgements are kept
 * until `release()`, and `flush()` waits for them, as a slow broker would.
 */
class HeldAcks implements Producer {
  private held: (() => void)[] = [];
  private releasing = false;
  private flushWaiters: (() => void)[] = [];
  peak = 0;

  constructor(private readonly inner: Producer) {}

  get holding(): number {
    return this.held.length;
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise((resolve, reject) => this.produce(record, { delivered: (_: null, m) => resolve(m), failed: (_: null, e) => reject(e) }, null));
  }

  produce<T>(record: ProducerRecord, listener: DeliveryListener<T>, tag: T): void {
    this.inner.produce(
      record,
      {
        delivered: (_: T, metadata: RecordMetadata) => this.keep(() => listener.delivered(tag, metadata)),
        failed: (_: T, error: Error) => this.keep(() => listener.failed(tag, error)),
      },
      tag,
    );
  }

  async flush(): Promise<void> {
    if (this.held.length > 0 || !this.releasing) await new Promise<void>((resolve) => this.flushWaiters.push(resolve));
  }

  /** From now on every acknowledgement goes through; the kept ones are told now. */
  release(): void {
    this.releasing = true;
    for (const ack of this.held.splice(0)) ack();
    for (const waiter of this.flushWaiters.splice(0)) waiter();
  }

  private keep(ack: () => void): void {
    if (this.releasing) {
      ack();
      return;
    }
    this.held.push(ack);
    if (this.held.length > this.peak) this.peak = this.held.length;
  }
}

function swapProducer(app: App): HeldAcks {
  const host = (app as unknown as { parts: { lifecycle: { producer: Producer } } }).parts.lifecycle;
  const held = new HeldAcks(host.producer);
  host.producer = held;
  return held;
}

test('at-least-once: events wait while the producer holds maxOutputsInFlight unacknowledged records, and nothing is lost or committed early', async () => {
  const limit = 50;
  const bufferSize = 8;
  const events = 1_000;
  const { app } = testApp({ maxOutputsInFlight: limit, streamBufferSize: bufferSize, changelogBufferSize: 0 });
  const source = app.topic('numbers', { key: codecs.string, value: codecs.number, partitions: 1 });
  const sink = app.topic('doubled', { key: codecs.string, value: codecs.number, partitions: 1 });
  const totals = app.table('totals', { key: codecs.string, value: codecs.number, default: () => 0, partitions: 1 });
  let processed = 0;
  app.agent('double', { source, sinks: [sink], tables: [totals] }, async function* (stream) {
    for await (const n of stream) {
      totals.update('sum', (sum) => sum + n);
      processed++;
      yield n * 2;
    }
  });
  await app.start();
  const producer = swapProducer(app);
  try {
    const broker = brokerOf(app);
    const log = broker.log('numbers', 0);
    for (let i = 0; i < events; i++) log.append({ timestamp: Date.now(), key: Buffer.from('k'), value: Buffer.from(String(i)), headers: {} });
    // Each event makes two outputs (a changelog write and a sink record): the window fills up.
    await waitFor(() => producer.holding >= limit, 'the window to fill');
    // The conductor stops handing out events; what it already queued for the agent still runs.
    const delivered = (): number | undefined => app.positions().find((p) => p.topic === 'numbers')?.position;
    await waitFor(() => processed > 0 && processed === delivered(), 'the agent to work off what it was given');
    assert.ok(processed < events, `processing waits for acknowledgements (${processed} of ${events} processed)`);
    const bound = limit + 2 * (bufferSize + 1);
    assert.ok(producer.peak <= bound, `records awaiting an ack stay within the window plus what queued events make: ${producer.peak} ≤ ${bound}`);
    assert.equal(app.outputWindow?.size, producer.holding, 'the window counts exactly the records the producer holds');
    const committed = app.positions().find((p) => p.topic === 'numbers')?.committed;
    assert.ok(committed === undefined || committed === 0, `no offset committed while outputs are unacknowledged (committed ${String(committed)})`);

    producer.release();
    await waitFor(() => processed === events && app.idle(), 'every event to be processed');
    await waitFor(() => app.positions().find((p) => p.topic === 'numbers')?.committed === events, 'the commit of every event');
    assert.equal(broker.log('doubled', 0).high, events, 'every sink record sent once');
    assert.equal(broker.log(totals.changelogTopic, 0).high, events, 'every table write reached the changelog (coalescing off)');
    assert.equal(totals.get('sum'), (events * (events - 1)) / 2);
    assert.equal(app.outputWindow?.size, 0);
    assert.ok(producer.peak <= bound, `and so it stayed: ${producer.peak} ≤ ${bound}`);
  } finally {
    producer.release();
    await app.stop();
  }
});

// The commit sends a table's whole coalesced changelog buffer at once. Counted against the window,
// that burst (tens of thousands of records in the stateful benchmark) held every event until most
// of it was acknowledged: the worker idled 18% of its time. The burst is bounded by the buffer and
// awaited by the commit, so it does not count; records the agents send still do.
test("at-least-once: a commit's coalesced changelog burst does not hold events back", async () => {
  const limit = 50;
  const firstKeys = 2_000;
  const more = 500;
  const { app } = testApp({ maxOutputsInFlight: limit, changelogBufferSize: 100_000, commitIntervalMs: 20 });
  const source = app.topic('words', { key: codecs.string, value: codecs.string, partitions: 1 });
  const seen = app.table('seen', { key: codecs.string, value: codecs.number, default: () => 0, partitions: 1 });
  let processed = 0;
  app.agent('count', { source, tables: [seen] }, async (stream) => {
    for await (const word of stream) {
      seen.set(word, seen.get(word) + 1);
      processed++;
    }
  });
  await app.start();
  const producer = swapProducer(app);
  try {
    const broker = brokerOf(app);
    const log = broker.log('words', 0);
    const append = (from: number, count: number): void => {
      for (let i = from; i < from + count; i++) log.append({ timestamp: Date.now(), key: null, value: Buffer.from(`w${i}`), headers: {} });
    };
    append(0, firstKeys);
    await waitFor(() => processed === firstKeys, 'the first events to be processed');
    // The next commit hands the buffer (one record per key) to the producer, which keeps the acks.
    await waitFor(() => producer.holding >= firstKeys, "the commit's changelog burst to be sent");
    append(firstKeys, more);
    await waitFor(() => processed === firstKeys + more, 'the later events to be processed while the burst is unacknowledged');
    assert.ok(producer.holding >= firstKeys, `the burst was still unacknowledged (${producer.holding} held)`);
    assert.equal(app.outputWindow?.size, 0, 'the window does not count the burst');
    producer.release();
    await waitFor(() => app.positions().find((p) => p.topic === 'words')?.committed === firstKeys + more, 'the commit of every event');
    assert.equal(broker.log(seen.changelogTopic, 0).high, firstKeys + more, 'one changelog record per key');
  } finally {
    producer.release();
    await app.stop();
  }
});
