import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../runtime/src/core/clock.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { hopping, rangesFor, sliding, tumbling } from '../../../runtime/src/windows/window.js';
import type { WindowRange } from '../../../runtime/src/windows/window.js';
import { brokerUrl, testApp, waitFor } from './helpers.js';

test('window ranges: tumbling has one, hopping size/step, sliding the event\'s own', () => {
  assert.deepEqual(rangesFor(tumbling(60_000), 125_000), [{ start: 120_000, end: 180_000 }]);
  assert.deepEqual(rangesFor(hopping(60_000, 20_000), 125_000), [
    { start: 80_000, end: 140_000 },
    { start: 100_000, end: 160_000 },
    { start: 120_000, end: 180_000 },
  ]);
  assert.deepEqual(rangesFor(hopping(60_000, 20_000), 120_000).map((r) => r.start), [80_000, 100_000, 120_000]);
  assert.deepEqual(rangesFor(sliding(10_000, 5_000, { expiresMs: 1000 }), 50_000), [{ start: 40_000, end: 55_000 }]);
  assert.throws(() => hopping(10_000, 20_000), /step/);
  assert.throws(() => tumbling(0), /size/);
});

interface Harness {
  readonly clock: ManualClock;
  readonly closed: { key: string; window: WindowRange; value: number }[];
  send(key: string, timestamp: number): Promise<void>;
  settle(count: number): Promise<void>;
}

async function withWindowApp(
  window: ReturnType<typeof tumbling>,
  body: (table: import('../../../runtime/src/tables/windowed-table.js').WindowedTable<string, number, number>, h: Harness) => Promise<void>,
  broker = brokerUrl(),
): Promise<void> {
  const clock = new ManualClock(0);
  const { app } = testApp({ id: 'windows', broker, tableCleanupIntervalMs: 1000 }, { clock });
  const clicks = app.topic('clicks', { key: codecs.string, value: codecs.string, partitions: 2 });
  const closed: Harness['closed'] = [];
  const table = app.windowedTable('clicks-per-window', {
    key: codecs.string,
    value: codecs.number,
    default: () => 0,
    partitions: 2,
    window,
    onWindowClose: (key, range, value) => closed.push({ key, window: range, value }),
  });
  let processed = 0;
  app.agent('count', { source: clicks, tables: [table] }, async (stream) => {
    for await (const key of stream) {
      table.update(key, (n) => n + 1);
      processed++;
    }
  });
  await app.start();
  try {
    await body(table, {
      clock,
      closed,
      send: async (key, timestamp) => {
        await clicks.send({ key, value: key, timestamp });
      },
      settle: (count) => waitFor(() => processed === count && app.idle(), `${count} events`),
    });
  } finally {
    await app.stop();
  }
}

test('tumbling: exact per-window values; expired windows are closed once and removed from the store', async () => {
  await withWindowApp(tumbling(10_000, { expiresMs: 5_000 }), async (table, h) => {
    for (const t of [1_000, 2_000, 9_999, 10_000, 15_000]) await h.send('a', t);
    await h.send('b', 3_000);
    await h.settle(6);
    assert.equal(table.at('a', 0), 3);
    assert.equal(table.at('a', 10_000), 2);
    assert.equal(table.at('a', 19_999), 2);
    assert.equal(table.at('b', 5_000), 1);
    assert.equal(table.at('b', 15_000), 0);
    assert.equal(h.closed.length, 0, 'nothing closes before the cleanup runs');
    // Windows close by the later of the clock and the partition's event time: event time is 15000
    // (≥ 10000 + 5000), so [0, 10000) closes at the first cleanup.
    await h.clock.advance(1_000);
    await waitFor(() => h.closed.length === 2, 'first windows closed');
    assert.deepEqual(h.closed.map((c) => [c.key, c.window.start, c.window.end, c.value]).sort(), [['a', 0, 10_000, 3], ['b', 0, 10_000, 1]]);
    assert.equal(table.at('a', 0), 0, 'closed window gone from the store');
    assert.equal(table.at('a', 10_000), 2, 'open window kept');
    await h.clock.advance(24_000);
    await waitFor(() => h.closed.length === 3, '[10000, 20000) closed at 25000');
    await h.clock.advance(50_000);
    assert.equal(h.closed.length, 3, 'each window and key closes exactly once');
    assert.deepEqual(h.closed[2], { key: 'a', window: { start: 10_000, end: 20_000 }, value: 2 });
  });
});

test('a single event\'s window closes by the clock, without later events', async () => {
  await withWindowApp(tumbling(1_000, { expiresMs: 1_000 }), async (_table, h) => {
    await h.send('lonely', 500);
    await h.settle(1);
    await h.clock.advance(3_000);
    await waitFor(() => h.closed.length === 1, 'close');
    assert.deepEqual(h.closed[0], { key: 'lonely', window: { start: 0, end: 1_000 }, value: 1 });
  });
});

test('hopping: an event counts in every window that contains it', async () => {
  await withWindowApp(hopping(30_000, 10_000, { expiresMs: 60_000 }), async (table, h) => {
    for (const t of [5_000, 12_000, 25_000, 31_000]) await h.send('k', t);
    await h.settle(4);
    const values = table.windows('k', 25_000).map((w) => [w.range.start, w.value]);
    assert.deepEqual(values, [[0, 3], [10_000, 3], [20_000, 2]]);
    assert.equal(table.at('k', 31_000), 1, 'newest window containing 31000 starts at 30000');
    assert.deepEqual(table.windows('k', 31_000).map((w) => w.value), [3, 2, 1]);
  });
});

test('sliding: each event has its own window around it', async () => {
  await withWindowApp(sliding(5_000, 5_000, { expiresMs: 1_000 }), async (table, h) => {
    await h.send('s', 10_000);
    await h.send('s', 10_000);
    await h.send('s', 12_000);
    await h.settle(3);
    assert.equal(table.at('s', 10_000), 2, 'window [5000, 15000) of the two events at 10000');
    assert.deepEqual(table.windows('s', 12_000).map((w) => [w.range.start, w.range.end, w.value]), [[7_000, 17_000, 1]]);
  });
});

test('window close survives a restart: closed windows do not fire again, open ones fire once later', async () => {
  const broker = brokerUrl();
  const firstClosed: unknown[] = [];
  await withWindowApp(tumbling(10_000, { expiresMs: 0 }), async (_t, h) => {
    await h.send('x', 1_000);
    await h.send('x', 11_000);
    await h.settle(2);
    await h.clock.advance(10_000);
    await waitFor(() => h.closed.length === 1, 'first window closed');
    firstClosed.push(...h.closed);
  }, broker);
  await withWindowApp(tumbling(10_000, { expiresMs: 0 }), async (table, h) => {
    assert.equal(table.at('x', 11_000), 1, 'open window recovered');
    assert.equal(table.at('x', 1_000), 0, 'closed window stays deleted');
    await h.clock.advance(20_000);
    await waitFor(() => h.closed.length === 1, 'second window closed after restart');
    assert.deepEqual(h.closed.map((c) => c.window.start), [10_000]);
  }, broker);
  assert.equal(firstClosed.length, 1);
});
