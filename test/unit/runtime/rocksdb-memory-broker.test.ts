import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { brokerUrl, testApp, waitFor } from './helpers.js';

function declare(broker: string, datadir: string) {
  const { app, logs } = testApp({ id: 'rocks-mem', broker, store: 'rocksdb://', datadir, commitIntervalMs: 20 });
  const events = app.topic('events', { key: codecs.string, value: codecs.number, partitions: 2 });
  const totals = app.table('totals', { key: codecs.string, value: codecs.number, default: () => 0, partitions: 2 });
  let processed = 0;
  app.agent('sum', { source: events, tables: [totals] }, async (stream) => {
    for await (const event of stream.events()) {
      totals.update(event.key, (n) => n + event.value);
      processed++;
    }
  });
  return { app, logs, events, totals, processed: () => processed };
}

// Issue 13: `store: rocksdb://` with the default memory:// broker worked once, then every restart
// (a new process: a new, empty embedded broker) failed with FG_STORE_OFFSET_AHEAD.
test('rocksdb:// on a fresh memory:// broker starts from empty tables instead of failing with FG_STORE_OFFSET_AHEAD', async () => {
  const datadir = await mkdtemp(join(tmpdir(), 'faustgen-rocks-mem-'));
  try {
    const broker = brokerUrl();
    const first = declare(broker, datadir);
    await first.app.start();
    for (let i = 0; i < 20; i++) await first.events.send({ key: `k${i % 4}`, value: 1 });
    await waitFor(() => first.processed() === 20 && first.app.idle(), 'first run');
    await first.app.stop();

    // Same process, same embedded broker: the changelogs exist, the state on disk is kept.
    const again = declare(broker, datadir);
    await again.app.start();
    assert.equal(again.totals.get('k0'), 5);
    await again.app.stop();

    // A new process has a new embedded broker: nothing of the earlier run exists on it.
    const restarted = declare(brokerUrl(), datadir);
    await restarted.app.start();
    try {
      assert.deepEqual([...restarted.totals.entries()], [], 'tables live as long as their broker');
      assert.ok(restarted.logs.lines.some((line) => line.includes('deleted the table state of an earlier run')), restarted.logs.lines.join('\n'));
      await restarted.events.send({ key: 'k0', value: 1 });
      await waitFor(() => restarted.processed() === 1 && restarted.app.idle(), 'restarted run');
      assert.equal(restarted.totals.get('k0'), 1);
    } finally {
      await restarted.app.stop();
    }
  } finally {
    await rm(datadir, { recursive: true, force: true });
  }
});
