import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { App } from '../../../runtime/src/app/app.js';
import type { MemoryLogSink } from '../../../runtime/src/core/logger.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { partitionForKey } from '../../../runtime/src/transport/partitioner.js';
import { startKafkaCluster, type KafkaCluster } from '../../kafka/broker.js';
import { kafkaApp, sleep, uniqueName, waitFor } from './app-helpers.js';

const PARTITIONS = 3;
const STALL_MS = 1_500;

/** An app whose agent blocks on key "stuck" until `release()`; everything else is processed at once. */
function blockingApp(bootstrap: string, id: string, topicName: string): { app: App; logs: MemoryLogSink; processed: string[]; release: () => void; blocked: () => boolean } {
  const { app, logs } = kafkaApp(bootstrap, { id, stallTimeoutMs: STALL_MS, commitIntervalMs: 200 });
  const topic = app.topic(topicName, { key: codecs.string, value: codecs.json<number>(), partitions: PARTITIONS });
  const processed: string[] = [];
  let release = (): void => undefined;
  let blocked = false;
  const gate = new Promise<void>((resolve) => (release = resolve));
  // Several actors, so that one blocked handler holds back only its partition's commit point.
  app.agent('work', { source: topic, concurrency: 4 }, async (stream) => {
    for await (const event of stream.events()) {
      if (event.key === 'stuck') {
        blocked = true;
        await gate;
        blocked = false;
      }
      processed.push(event.key);
    }
  });
  return { app, logs, processed, release: () => release(), blocked: () => blocked };
}

const stalledLines = (logs: MemoryLogSink): string[] => logs.lines.filter((l) => l.includes('partition stalled'));

describe('stall detection on kafka://', () => {
  let cluster: KafkaCluster;
  const apps: App[] = [];
  const releases: (() => void)[] = [];

  before(async () => {
    cluster = await startKafkaCluster({ nodes: 1 });
  });

  after(async () => {
    for (const release of releases) release();
    for (const app of apps) await app.stop().catch(() => undefined);
    await cluster?.stop();
  });

  test('a partition whose handler blocks is logged as stalled and listed by stalledPartitions(); a restarted idle worker reports nothing', async () => {
    const id = uniqueName('stall');
    const topicName = uniqueName('jobs');
    const stuckPartition = partitionForKey(Buffer.from('stuck'), PARTITIONS);
    const keys = Array.from({ length: 30 }, (_, i) => `job-${i}`);
    const behindStuck = keys.filter((k) => partitionForKey(Buffer.from(k), PARTITIONS) === stuckPartition);
    assert.ok(behindStuck.length > 0 && behindStuck.length < keys.length, 'keys on the stuck partition and on others');

    const first = blockingApp(cluster.bootstrap, id, topicName);
    apps.push(first.app);
    releases.push(first.release);
    await first.app.start();
    await first.app.whenReady();
    const topic = first.app.topics.get(topicName);
    assert.ok(topic);
    for (const key of keys.slice(0, 10)) await topic.send({ key, value: 1 });
    await waitFor(() => first.processed.length === 10, 'the first events');
    await topic.send({ key: 'stuck', value: 0 });
    for (const key of keys.slice(10)) await topic.send({ key, value: 2 });
    await waitFor(() => first.processed.length === keys.length && first.blocked(), 'every event but the stuck one');

    await waitFor(() => stalledLines(first.logs).length > 0, 'the stall warning', 30_000);
    const line = stalledLines(first.logs)[0] ?? '';
    assert.match(line, /WARN/);
    assert.match(line, new RegExp(`topic=${topicName} partition=${stuckPartition} `));
    const stalled = first.app.stalledPartitions();
    assert.equal(stalled.length, 1, `only the blocked partition: ${JSON.stringify(stalled)}`);
    assert.equal(stalled[0]?.topic, topicName);
    assert.equal(stalled[0]?.partition, stuckPartition);
    // Lag counts the stuck event and the ones after it: the commit point cannot pass the stuck one.
    assert.equal(stalled[0]?.lag, 1 + behindStuck.filter((k) => keys.indexOf(k) >= 10).length);
    assert.ok((stalled[0]?.sinceMs ?? 0) >= STALL_MS);

    first.release();
    await waitFor(() => first.processed.length === keys.length + 1, 'the rest after release');
    await waitFor(() => first.app.stalledPartitions().length === 0, 'the stall to clear once events flow again', 30_000);
    await first.app.stop();

    // A new worker of the same app: its partitions have history (committed) but nothing new to do.
    const second = blockingApp(cluster.bootstrap, id, topicName);
    apps.push(second.app);
    releases.push(second.release);
    await second.app.start();
    await second.app.whenReady();
    // Several stall checks run in this time (one every stallTimeoutMs / 4).
    await sleep(STALL_MS * 3);
    assert.deepEqual(second.app.stalledPartitions(), [], 'idle partitions with committed history are not stalled');
    assert.deepEqual(stalledLines(second.logs), []);
    // The watcher of this worker is live: blocking on its first event is reported.
    const topic2 = second.app.topics.get(topicName);
    assert.ok(topic2);
    await topic2.send({ key: 'stuck', value: 3 });
    await waitFor(() => second.app.stalledPartitions().length === 1, 'the restarted worker to report its stuck partition', 30_000);
    assert.equal(second.app.stalledPartitions()[0]?.partition, stuckPartition);
    assert.equal(second.app.stalledPartitions()[0]?.lag, 1);
    second.release();
  });
});
