import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kafkaUrl } from '../app/app-helpers.js';
import { createApp, type App } from '../../../runtime/src/app/app.js';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import type { Table } from '../../../runtime/src/tables/table.js';
import { createTopics } from '../../kafka/global.js';
import { deleteTopic, fillChangelog, highWaterMarks, sendIncrements, tableTestBed, uniqueName, waitFor } from './table-helpers.js';

const PARTITIONS = 4;

interface CountingApp {
  readonly app: App;
  readonly counts: Table<string, number, number>;
  readonly logs: Record<string, unknown>[];
  processed(): number;
}

/** The fixture's counting app, in this process, so the test can read its table and figures. */
function countingApp(bootstrap: string, id: string, source: string, store: string, datadir: string): CountingApp {
  const logs: Record<string, unknown>[] = [];
  const echo = process.env['FAUSTGEN_TEST_LOGS'] === '1';
  const app = createApp(
    { id, broker: kafkaUrl(bootstrap), store, datadir, standbyReplicas: 1, commitIntervalMs: 200, logLevel: 'info', logFormat: 'json', brokerStartupTimeoutMs: 20_000 },
    {
      kafka: { logLevel: 'nothing', consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, rebalanceTimeoutMs: 20_000, maxWaitTimeMs: 200 } },
      logSink: {
        write: (line) => {
          logs.push(JSON.parse(line) as Record<string, unknown>);
          if (echo) process.stderr.write(line + '\n');
        },
      },
    },
  );
  const events = app.topic(source, { key: codecs.string, value: codecs.json<{ inc: number }>(), partitions: PARTITIONS });
  const counts = app.table('counts', { key: codecs.string, value: codecs.json<number>(), default: () => 0, partitions: PARTITIONS });
  let processed = 0;
  app.agent('count', { source: events, tables: [counts] }, async (stream) => {
    for await (const event of stream.events()) {
      counts.update(event.key, (n) => n + event.value.inc);
      processed++;
    }
  });
  return { app, counts, logs, processed: () => processed };
}

const logsOf = (logs: readonly Record<string, unknown>[], msg: string): Record<string, unknown>[] => logs.filter((l) => l['msg'] === msg);

describe('RocksDB tables on Kafka: restarts replay the tail, a wiped datadir recovers everything', () => {
  const apps: App[] = [];
  // Registered before the bed's teardown, so the apps stop while the broker still runs.
  after(async () => {
    for (const app of apps) await app.stop().catch(() => undefined);
  });
  const bed = tableTestBed();

  const started = async (counting: CountingApp): Promise<CountingApp> => {
    apps.push(counting.app);
    await counting.app.start();
    await counting.app.whenReady();
    return counting;
  };
  const feed = async (counting: CountingApp, source: string, keys: readonly string[]): Promise<void> => {
    const before = counting.processed();
    await sendIncrements(await bed.producer(), source, keys);
    await waitFor(() => counting.processed() === before + keys.length && counting.app.idle(), () => `${keys.length} events (at ${counting.processed() - before})`);
    await counting.app.commit();
  };

  test('clean restart replays 0 records, another instance’s N writes replay exactly N, a wiped datadir restores identical contents, and a recreated changelog stops the start with FG_STORE_OFFSET_AHEAD', { timeout: 240_000 }, async () => {
    const id = uniqueName('rocks-restart');
    const source = uniqueName('rr-events');
    const changelog = `${id}-counts-changelog`;
    await createTopics(bed.bootstrap, [{ topic: source, numPartitions: PARTITIONS }]);
    const dirA = await bed.tempDir('rr-a');
    const dirB = await bed.tempDir('rr-b');
    const keys = Array.from({ length: 300 }, (_, i) => `k-${i}`);

    const first = await started(countingApp(bed.bootstrap, id, source, 'rocksdb://', dirA));
    for (let round = 0; round < 3; round++) await feed(first, source, keys);
    const afterFirst = new Map(first.counts.entries());
    assert.equal(afterFirst.size, keys.length);
    assert.ok([...afterFirst.values()].every((n) => n === 3));
    await first.app.stop();
    const written = [...(await highWaterMarks(bed.bootstrap, changelog)).values()].reduce((s, n) => s + n, 0);
    assert.equal(written, 3 * keys.length, 'one changelog record per update');

    // Clean restart on the same datadir: the store holds the offset of everything, nothing is replayed.
    const second = await started(countingApp(bed.bootstrap, id, source, 'rocksdb://', dirA));
    assert.equal(second.app.recoveryReplayed.get('counts') ?? 0, 0, 'nothing replayed after a clean stop');
    assert.deepEqual(new Map(second.counts.entries()), afterFirst);
    await second.app.stop();

    // Another instance on an empty datadir (a wiped one) rebuilds everything from the changelog...
    const other = await started(countingApp(bed.bootstrap, id, source, 'rocksdb://', dirB));
    assert.equal(other.app.recoveryReplayed.get('counts'), written, 'an empty datadir replays the whole changelog');
    assert.deepEqual(new Map(other.counts.entries()), afterFirst, 'identical contents from the changelog alone');
    // ...and writes N more records, which are the only tail the first datadir has to replay.
    const tailKeys = keys.slice(0, 120);
    await feed(other, source, tailKeys);
    const expected = new Map(other.counts.entries());
    await other.app.stop();

    const third = await started(countingApp(bed.bootstrap, id, source, 'rocksdb://', dirA));
    assert.equal(third.app.recoveryReplayed.get('counts'), tailKeys.length, `exactly the ${tailKeys.length} records written by the other instance are replayed`);
    assert.deepEqual(new Map(third.counts.entries()), expected);
    const recovered = logsOf(third.logs, 'partition recovered');
    assert.equal(recovered.reduce((s, l) => s + (l['replayed'] as number), 0), tailKeys.length, 'per-partition figures add up');
    for (const l of recovered) assert.equal(l['replayed'], (l['until'] as number) - (l['from'] as number));
    await third.app.stop();

    // The changelog is deleted and recreated (empty) while dirA still says it reflects offset > 0.
    await deleteTopic(bed.bootstrap, changelog);
    const fourth = countingApp(bed.bootstrap, id, source, 'rocksdb://', dirA);
    apps.push(fourth.app);
    await assert.rejects(fourth.app.start(), (error: unknown) => {
      assert.ok(FaustgenError.hasCode(error, 'FG_STORE_OFFSET_AHEAD'), `got ${String(error)}`);
      assert.match(error.message, /faustgen reset/);
      assert.match(error.message, new RegExp(changelog));
      return true;
    });
    await fourth.app.stop().catch(() => undefined);
  });

  for (const store of ['rocksdb://', 'memory://'] as const) {
    test(`a 200k-record changelog recovers into ${store} with progress lines (percent, records/s, time left)`, { timeout: 300_000 }, async () => {
      const id = uniqueName('rocks-big');
      const source = uniqueName('rb-events');
      const changelog = `${id}-counts-changelog`;
      await createTopics(bed.bootstrap, [{ topic: source, numPartitions: PARTITIONS }, { topic: changelog, numPartitions: PARTITIONS, config: { 'cleanup.policy': 'compact' } }]);
      const keys = Array.from({ length: 20_000 }, (_, i) => `big-${i}`);
      const expected = await fillChangelog(await bed.producer(), changelog, keys, 10, PARTITIONS);
      const dir = await bed.tempDir('rr-big');

      const app = await started(countingApp(bed.bootstrap, id, source, store, dir));
      assert.equal(app.app.recoveryReplayed.get('counts'), 200_000);
      assert.equal(app.counts.size, expected.size);
      assert.deepEqual(new Map(app.counts.entries()), expected);
      const progress = logsOf(app.logs, 'recovery progress');
      const done = logsOf(app.logs, 'tables recovered')[0];
      assert.ok(done);
      process.stderr.write(`[rocksdb-restart] ${store}: 200000 records recovered in ${String(done['seconds'])} s = ${String(done['recordsPerSecond'])} records/s; progress: ${progress.map((l) => `${String(l['percent'])}%@${String(l['recordsPerSecond'])}/s,${String(l['secondsLeft'])}s left`).join(' ')}\n`);
      assert.ok(progress.some((l) => (l['percent'] as number) < 100), 'a 200k-record recovery logs its progress while it runs (every 2 s and at each quarter)');
      for (const line of progress) {
        assert.ok(typeof line['percent'] === 'number' && line['percent'] > 0 && line['percent'] <= 100, JSON.stringify(line));
        assert.ok(typeof line['recordsPerSecond'] === 'number' && line['recordsPerSecond'] > 0, JSON.stringify(line));
        assert.ok(typeof line['secondsLeft'] === 'number' && line['secondsLeft'] >= 0, JSON.stringify(line));
      }
      await app.app.stop();
    });
  }
});
