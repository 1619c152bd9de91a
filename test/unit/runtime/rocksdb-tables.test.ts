import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { brokerUrl, testApp, waitFor } from './helpers.js';

function declare(broker: string, datadir: string) {
  // Every write its own changelog record (no coalescing), so replayed counts equal writes.
  const { app } = testApp({ id: 'rocks', broker, store: 'rocksdb://', datadir, commitIntervalMs: 20, changelogBufferSize: 0 });
  const events = app.topic('events', { key: codecs.string, value: codecs.number, partitions: 4 });
  const totals = app.table('totals', { key: codecs.string, value: codecs.number, default: () => 0, partitions: 4 });
  let processed = 0;
  app.agent('sum', { source: events, tables: [totals] }, async (stream) => {
    for await (const event of stream.events()) {
      totals.update(event.key, (n) => n + event.value);
      processed++;
    }
  });
  return { app, events, totals, processed: () => processed };
}

test('RocksDB tables: a restart replays only the changelog tail; a wiped datadir recovers identical contents', async () => {
  const broker = brokerUrl();
  const datadir = await mkdtemp(join(tmpdir(), 'faustgen-rocks-'));
  try {
    const first = declare(broker, datadir);
    await first.app.start();
    for (let i = 0; i < 400; i++) await first.events.send({ key: `k${i % 37}`, value: i });
    await waitFor(() => first.processed() === 400 && first.app.idle(), 'first batch');
    const afterFirst = new Map(first.totals.entries());
    await first.app.stop();

    // A second instance finds its state on disk: nothing to replay.
    const second = declare(broker, datadir);
    await second.app.start();
    assert.equal(second.app.recoveryReplayed.get('totals') ?? 0, 0, 'nothing replayed after a clean stop');
    assert.deepEqual(new Map(second.totals.entries()), afterFirst);
    for (let i = 0; i < 50; i++) await second.events.send({ key: `k${i % 5}`, value: 1 });
    await waitFor(() => second.processed() === 50 && second.app.idle(), 'second batch');
    const afterSecond = new Map(second.totals.entries());
    await second.app.stop();

    // Writes made by another instance (another datadir) are a tail the first datadir replays.
    const otherDir = await mkdtemp(join(tmpdir(), 'faustgen-rocks-other-'));
    const other = declare(broker, otherDir);
    await other.app.start();
    const otherReplayed = other.app.recoveryReplayed.get('totals') ?? 0;
    assert.equal(otherReplayed, 450, 'an empty datadir replays the whole changelog');
    assert.deepEqual(new Map(other.totals.entries()), afterSecond, 'identical contents from the changelog alone');
    for (let i = 0; i < 30; i++) await other.events.send({ key: 'tail', value: 1 });
    await waitFor(() => other.processed() === 30 && other.app.idle(), 'tail writes');
    const expected = new Map(other.totals.entries());
    await other.app.stop();
    await rm(otherDir, { recursive: true, force: true });

    const third = declare(broker, datadir);
    await third.app.start();
    assert.equal(third.app.recoveryReplayed.get('totals'), 30, 'only the 30 records written since replayed');
    assert.deepEqual(new Map(third.totals.entries()), expected);
    await third.app.stop();
  } finally {
    await rm(datadir, { recursive: true, force: true });
  }
});

test('two workers on one datadir: the second stops with a clear lock error', async () => {
  const broker = brokerUrl();
  const datadir = await mkdtemp(join(tmpdir(), 'faustgen-lock-'));
  const first = declare(broker, datadir);
  const second = declare(broker, datadir);
  try {
    await first.app.start();
    await assert.rejects(second.app.start(), (e: unknown) => FaustgenError.hasCode(e, 'FG_STORE_LOCKED') && e.message.includes(datadir) && /--datadir/.test(e.message));
  } finally {
    await second.app.stop().catch(() => undefined);
    await first.app.stop();
    await rm(datadir, { recursive: true, force: true });
  }
});

test('keyOwner tells which worker holds a key of a table written with the partitioner', async () => {
  const { app } = testApp({ webPort: 7777 });
  const table = app.table('owned', { key: codecs.string, value: codecs.number, usePartitioner: true, partitions: 3 });
  await app.start();
  try {
    const owner = app.keyOwner(table, 'some-key');
    assert.equal(owner?.partition, table.partitionOfKey('some-key'));
    assert.equal(owner?.local, true);
    assert.equal(owner?.url, 'http://127.0.0.1:7777');
  } finally {
    await app.stop();
  }
});
