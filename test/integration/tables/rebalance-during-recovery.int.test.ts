import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTopics } from '../../kafka/global.js';
import { WorkerProcess, committedOffsets, fillChangelog, highWaterMarks, sendIncrements, sleep, tableTestBed, uniqueName, waitFor, type WorkerLine } from './table-helpers.js';

const PARTITIONS = 4;
const KEYS = Array.from({ length: 30_000 }, (_, i) => `r-${i}`);
const ROUNDS = 10;

const activesOf = (line: WorkerLine | undefined): number[] => (line?.['actives'] as number[] | undefined) ?? [];

describe('a rebalance while a worker recovers a large changelog (Kafka, RocksDB)', () => {
  const bed = tableTestBed();

  for (const standbys of [0, 1]) {
    test(`standbyReplicas ${standbys}: a worker joining mid-recovery leaves both with exactly the changelog's contents, and processing continues from them`, { timeout: 420_000 }, async () => {
      const appId = uniqueName('recovery-rebalance');
      const source = uniqueName('rr-source');
      const changelog = `${appId}-counts-changelog`;
      await createTopics(bed.bootstrap, [{ topic: source, numPartitions: PARTITIONS }, { topic: changelog, numPartitions: PARTITIONS, config: { 'cleanup.policy': 'compact' } }]);
      const producer = await bed.producer();
      const expected = await fillChangelog(producer, changelog, KEYS, ROUNDS, PARTITIONS);
      const total = KEYS.length * ROUNDS;
      const env = { FG_BOOTSTRAP: bed.bootstrap, FG_APP_ID: appId, FG_SOURCE: source, FG_STANDBYS: String(standbys) };
      const dirA = await bed.tempDir('rdr-a');
      const dirB = await bed.tempDir('rdr-b');

      const a = new WorkerProcess('a', { ...env, FG_DATADIR: dirA });
      const recovering = await a.waitForLine((l) => l.event === 'recovering', 'recovery start');
      assert.equal(recovering['records'], total, 'a starts by recovering the whole changelog');
      // b joins while a is recovering: the group rebalances and a loses half of its partitions.
      const b = new WorkerProcess('b', { ...env, FG_DATADIR: dirB });
      const bSpawned = Date.now();
      await a.waitForLine((l) => l.event === 'ready', 'ready', 180_000);
      await b.waitForLine((l) => l.event === 'ready', 'ready', 180_000);
      await waitFor(() => {
        const la = a.lastOf('assigned');
        const lb = b.lastOf('assigned');
        return la?.['generation'] === lb?.['generation'] && activesOf(la).length === 2 && activesOf(lb).length === 2;
      }, 'a and b with two partitions each in one generation', 120_000);
      const aRecovered = a.linesOf('recovered');
      const interruptedBeforeEnd = a.linesOf('recovery-progress').length;

      // Processing builds on the recovered contents: one more increment per key.
      await sendIncrements(producer, source, KEYS);
      const sourceEnd = await highWaterMarks(bed.bootstrap, source);
      let caughtUp = false;
      for (let i = 0; i < 240 && !caughtUp; i++) {
        const now = await committedOffsets(bed.bootstrap, appId, source);
        caughtUp = [...sourceEnd].every(([p, high]) => (now.get(p) ?? -1) >= high);
        if (!caughtUp) await sleep(500);
      }
      assert.ok(caughtUp, 'every increment committed');
      // Both stop at once: each reports its table on shutdown before either leaves the group, so
      // neither can take over the other's partitions (and report its keys) in between.
      const [aStopped, bStopped] = await Promise.all([a.stop(), b.stop()]);
      assert.equal(aStopped.code, 0, a.stderr.slice(-3000));
      assert.equal(bStopped.code, 0, b.stderr.slice(-3000));

      const aEntries = a.lastOf('table')?.['entries'] as Record<string, number>;
      const bEntries = b.lastOf('table')?.['entries'] as Record<string, number>;
      assert.ok(aEntries !== undefined && bEntries !== undefined, 'both reported their tables');
      const overlap = Object.keys(aEntries).filter((k) => k in bEntries);
      assert.deepEqual(overlap.slice(0, 5), [], 'each key is active on one worker only');
      const union = new Map(Object.entries({ ...aEntries, ...bEntries }));
      const wrong = [...expected].filter(([key, value]) => union.get(key) !== value + 1);
      assert.equal(union.size, expected.size);
      assert.deepEqual(wrong.slice(0, 5).map(([key, value]) => `${key}: expected ${value + 1}, got ${String(union.get(key))}`), [], `${wrong.length} keys differ`);

      const bReady = b.lastOf('ready');
      process.stderr.write(
        `[rebalance-during-recovery] standbys ${standbys}: a recovering ${total} records from ${recovering.t - a.startedAt} ms after spawn; b spawned +${bSpawned - recovering.t} ms; ` +
          `a recovery runs: ${aRecovered.map((l) => `${String(l['records'])} rec in ${String(l['seconds'])} s (${String(l['recordsPerSecond'])}/s) ended +${l.t - recovering.t} ms`).join('; ')}; ` +
          `a progress lines ${interruptedBeforeEnd}; b ready +${(bReady?.t ?? 0) - recovering.t} ms; ` +
          `a assignments ${a.linesOf('assigned').map((l) => `g${String(l['generation'])}:[${activesOf(l).join(',')}]@+${l.t - recovering.t}`).join(' ')}; ` +
          `b recoveries ${b.linesOf('recovered').map((l) => `${String(l['records'])} rec ${String(l['recordsPerSecond'])}/s`).join('; ')}\n`,
      );
    });
  }
});
