/**
 * Helpers for the table integration tests on a real broker: worker child processes running
 * test/fixtures/table-apps/table-worker.ts (always killed at the end), a fast producer of keyed
 * records, and kafkajs views of offsets and topic contents.
 */
import { after, before } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPidAlive, startKafkaCluster, type KafkaCluster } from '../../kafka/broker.js';
import { createKafkaTransport } from '../../../runtime/src/transport/kafka/index.js';
import { partitionForKey } from '../../../runtime/src/transport/partitioner.js';
import type { Producer } from '../../../runtime/src/types/transport.js';
import { feedUrl } from '../support/kafka-url.js';
import { highWaterMarks, patientKafka } from '../support/kafka-views.js';
import { WorkerProcess as SharedWorkerProcess } from '../support/worker-process.js';
import { sleep, waitFor } from '../support/wait.js';
export { sleep, waitFor } from '../support/wait.js';

export { uniqueName } from '../../kafka/global.js';

export const WORKER_SCRIPT = 'test/fixtures/table-apps/table-worker.ts';


export const tempDir = (prefix: string): Promise<string> => mkdtemp(join(tmpdir(), `faustgen-${prefix}-`));

/** The source partition of a string key (murmur2 of its UTF-8 bytes, as the producer places it). */
export const sourcePartition = (key: string, partitions: number): number => partitionForKey(Buffer.from(key), partitions);

/** A value as the JSON codec writes it (the fixture's table keys are plain strings). */
export const jsonBytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

export type { WorkerLine } from '../support/worker-process.js';

/** The table-worker fixture (or another script) as a child process, named by `FG_WORKER`. */
export class WorkerProcess extends SharedWorkerProcess {
  constructor(name: string, env: Readonly<Record<string, string>>, script = WORKER_SCRIPT) {
    super(name, script, env);
  }
}

export { committedOffsets, highWaterMarks } from '../support/kafka-views.js';

export async function deleteTopic(bootstrap: string, topic: string): Promise<void> {
  const admin = patientKafka(bootstrap, 'faustgen-table-test').admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic], timeout: 30_000 });
    // Deletion is asynchronous on the broker: wait until the name is gone.
    for (let i = 0; i < 200 && (await admin.listTopics()).includes(topic); i++) await sleep(100);
  } finally {
    await admin.disconnect();
  }
}

export interface TopicRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly value: string | null;
}

/** Every record of a topic up to its current end, read in a throwaway group. */
export async function readTopic(bootstrap: string, topic: string, timeoutMs = 120_000): Promise<TopicRecord[]> {
  const highs = await highWaterMarks(bootstrap, topic);
  const records: TopicRecord[] = [];
  const next = new Map<number, number>();
  const consumer = patientKafka(bootstrap, 'faustgen-table-test').consumer({ groupId: `read-${topic}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`, maxWaitTimeInMs: 100, maxBytesPerPartition: 4 << 20 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          if (offset >= (highs.get(batch.partition) ?? 0)) continue;
          records.push({ partition: batch.partition, offset, key: m.key?.toString() ?? '', value: m.value === null ? null : m.value.toString() });
          next.set(batch.partition, offset + 1);
        }
      },
    });
    const behind = (): string[] => [...highs].filter(([p, h]) => h > 0 && (next.get(p) ?? 0) < h).map(([p, h]) => `${p}:${next.get(p) ?? 0}/${h}`);
    await waitFor(() => behind().length === 0, () => `reading ${topic} to its end (behind: ${behind().join(' ')})`, timeoutMs);
    return records;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/** The last value per key of a table changelog (string keys, JSON values), tombstones removed. */
export function changelogState(records: readonly TopicRecord[]): Map<string, unknown> {
  const sorted = [...records].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  const state = new Map<string, unknown>();
  for (const r of sorted) {
    if (r.value === null) state.delete(r.key);
    else state.set(r.key, JSON.parse(r.value) as unknown);
  }
  return state;
}

/** The runtime's batched Kafka producer (tick batching, ~30k records/s here). */
export async function startProducer(bootstrap: string): Promise<Producer> {
  const producer = createKafkaTransport(feedUrl(bootstrap), { clientId: 'table-test-producer', logLevel: 'nothing' }).createProducer();
  await producer.start();
  return producer;
}

/** Sends `{ inc }` events for keys; resolves when all are acknowledged. */
export async function sendIncrements(producer: Producer, topic: string, keys: readonly string[], inc = 1): Promise<void> {
  await Promise.all(keys.map((key) => producer.send({ topic, key: Buffer.from(key), value: jsonBytes({ inc }) })));
}

/**
 * Writes a table changelog directly: `updates` rounds over `keys`, value = round number, each key on
 * the partition its source events would have (co-partitioning). Returns the expected contents.
 */
export async function fillChangelog(producer: Producer, topic: string, keys: readonly string[], rounds: number, partitions: number): Promise<Map<string, number>> {
  const expected = new Map<string, number>();
  for (let round = 1; round <= rounds; round++) {
    const sends: Promise<unknown>[] = [];
    for (const key of keys) {
      sends.push(producer.send({ topic, partition: sourcePartition(key, partitions), key: Buffer.from(key), value: jsonBytes(round) }));
      expected.set(key, round);
    }
    await Promise.all(sends);
  }
  return expected;
}

/** Stops the cluster; a broker that died during the test gets its log tail printed first. */
export async function stopCluster(cluster: KafkaCluster | undefined): Promise<void> {
  if (cluster === undefined) return;
  for (const broker of cluster.brokers) {
    if (broker.pid === undefined || !isPidAlive(broker.pid)) {
      process.stderr.write(`[table tests] broker ${broker.nodeId} is not running at the end of the test; server.log tail:\n${cluster.logTail(broker.nodeId, 60)}\n`);
    }
  }
  await cluster.stop({ graceMs: 0 });
}

/** What a table test block shares: one broker, a producer and temp dirs, all gone after the block. */
export interface TableTestBed {
  /** Bootstrap servers of the block's one-node cluster (started before its first test). */
  readonly bootstrap: string;
  /** A fresh temp dir, removed after the block. */
  tempDir(prefix: string): Promise<string>;
  /** The block's producer, started on first use. */
  producer(): Promise<Producer>;
}

/**
 * Registers, in the calling describe block, a one-node Kafka cluster started before its tests and
 * the teardown after them: worker processes killed, the producer stopped, the cluster stopped (with
 * the log tail of a broker that died) and the temp dirs removed.
 */
export function tableTestBed(): TableTestBed {
  let cluster: KafkaCluster | undefined;
  let producer: Promise<Producer> | undefined;
  const dirs: string[] = [];
  before(async () => {
    cluster = await startKafkaCluster({ nodes: 1 });
  });
  after(async () => {
    await WorkerProcess.killAll();
    await (await producer?.catch(() => undefined))?.stop().catch(() => undefined);
    await stopCluster(cluster);
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  return {
    get bootstrap(): string {
      if (cluster === undefined) throw new Error('the cluster starts in before(): use the bed inside a test');
      return cluster.bootstrap;
    },
    async tempDir(prefix: string): Promise<string> {
      const dir = await tempDir(prefix);
      dirs.push(dir);
      return dir;
    },
    producer(): Promise<Producer> {
      producer ??= startProducer(this.bootstrap);
      return producer;
    },
  };
}
