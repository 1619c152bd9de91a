import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchKafka, createTopics, topicRecordCount } from '../lib/kafka.js';
import { progress } from '../lib/progress.js';
import { ratioOf, round, type ScenarioResult } from '../lib/result.js';
import type { BenchContext, Scenario } from '../lib/scenario.js';
import { perSecond } from '../lib/stats.js';
import { fillChangelog, readWithKafkajs } from './recovery/changelog.js';
import { startTableApp, type StartFigures } from './recovery/table-app.js';

const PARTITIONS = 4;

function recoveryRow(name: string, figures: StartFigures, keys: number, baselineRate: number): ScenarioResult {
  // Replay rate over the table manager's own recovery time (it includes its reader's group join,
  // as the baseline includes its own); the start → ready time is reported next to it.
  const seconds = figures.recoverySeconds ?? figures.readyMs / 1000;
  const rate = perSecond(figures.replayed, seconds * 1000);
  return {
    name,
    recordsPerSec: round(rate),
    baseline: 'changelog-read-kafkajs',
    ratio: ratioOf(rate, baselineRate),
    keys,
    replayed: figures.replayed,
    readyMs: round(figures.readyMs),
    replaySeconds: round(seconds),
  };
}

/**
 * Issue 5: restart-to-ready and changelog replay throughput of a table holding `--keys` keys,
 * into the memory store and into RocksDB; then a clean restart of the RocksDB app, which must
 * replay only the tail. Baseline: a plain kafkajs consumer reading the same changelog.
 */
export const recoveryScenario: Scenario = {
  name: 'recovery',
  rows: ['changelog-read-kafkajs', 'recovery-memory', 'recovery-rocksdb', 'restart-rocksdb-tail'],
  async run(context: BenchContext) {
    const { bootstrap, runId } = context;
    const keys = context.options.keys;
    const appId = `bench-recovery-${runId}`;
    const changelog = `${appId}-kv-changelog`;
    await createTopics(bootstrap, [
      { topic: changelog, numPartitions: PARTITIONS, config: { 'cleanup.policy': 'compact' } },
      { topic: `${appId}-events`, numPartitions: PARTITIONS },
    ]);
    const kafka = benchKafka(bootstrap, 'bench-recovery');
    const bytes = await fillChangelog(kafka, changelog, keys, PARTITIONS);
    const admin = kafka.admin();
    await admin.connect();
    const count = await topicRecordCount(admin, changelog).finally(() => admin.disconnect());
    if (count !== keys) throw new Error(`changelog ${changelog} holds ${count} records, expected ${keys}`);
    progress(`changelog: ${keys.toLocaleString('en-US')} keys, ${Math.round(bytes / keys)} B per record, ${PARTITIONS} partitions`);

    // Read once before the faustgen runs (cold) and once after (warm); the faster one is the
    // baseline, so neither side profits from the other having warmed the JIT or the page cache.
    const cold = await readWithKafkajs(kafka, changelog, keys, PARTITIONS, `${appId}-raw-reader-1`);
    progress(`kafkajs read ${cold.records.toLocaleString('en-US')} records in ${Math.round(cold.ms)} ms`);
    const rows: ScenarioResult[] = [];

    const datadir = await mkdtemp(join(tmpdir(), 'faustgen-bench-'));
    try {
      const memory = await startTableApp({ bootstrap, appId, store: 'memory://', datadir, partitions: PARTITIONS, label: 'recovery-memory' });
      await memory.app.stop();
      progress(`recovery-memory: ready in ${Math.round(memory.readyMs)} ms, replayed ${memory.replayed}`);
      rows.push(recoveryRow('recovery-memory', memory, keys, Number.NaN));

      const rocks = await startTableApp({ bootstrap, appId, store: 'rocksdb://', datadir, partitions: PARTITIONS, label: 'recovery-rocksdb' });
      await rocks.app.stop();
      progress(`recovery-rocksdb: ready in ${Math.round(rocks.readyMs)} ms, replayed ${rocks.replayed}`);
      rows.push(recoveryRow('recovery-rocksdb', rocks, keys, Number.NaN));

      const tail = await startTableApp({ bootstrap, appId, store: 'rocksdb://', datadir, partitions: PARTITIONS, label: 'restart-rocksdb-tail' });
      await tail.app.stop();
      progress(`restart-rocksdb-tail: ready in ${Math.round(tail.readyMs)} ms, replayed ${tail.replayed}`);
      rows.push({
        name: 'restart-rocksdb-tail',
        baseline: 'recovery-rocksdb',
        // A time, so lower is better: the share of a full recovery's start → ready time.
        ratio: ratioOf(tail.readyMs, rocks.readyMs),
        ratioOf: 'readyMs',
        keys,
        replayed: tail.replayed,
        readyMs: round(tail.readyMs),
      });
    } finally {
      await rm(datadir, { recursive: true, force: true });
    }
    const warm = await readWithKafkajs(kafka, changelog, keys, PARTITIONS, `${appId}-raw-reader-2`);
    progress(`kafkajs read ${warm.records.toLocaleString('en-US')} records in ${Math.round(warm.ms)} ms`);
    const raw = warm.recordsPerSec >= cold.recordsPerSec ? warm : cold;
    const baselineRow: ScenarioResult = {
      name: 'changelog-read-kafkajs',
      recordsPerSec: round(raw.recordsPerSec),
      mbPerSec: round(bytes / 1e6 / (raw.ms / 1000)),
      baseline: null,
      ratio: null,
      records: raw.records,
      seconds: round(raw.ms / 1000),
      coldRecordsPerSec: round(cold.recordsPerSec),
      warmRecordsPerSec: round(warm.recordsPerSec),
    };
    return [
      baselineRow,
      ...rows.map((row) => (row.baseline === 'changelog-read-kafkajs' ? { ...row, ratio: ratioOf(Number(row['recordsPerSec']), raw.recordsPerSec) } : row)),
    ];
  },
};
