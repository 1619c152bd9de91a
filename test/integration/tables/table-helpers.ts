/**
 * Helpers for the table integration tests on a real broker: worker child processes running
 * test/fixtures/table-apps/table-worker.ts (always killed at the end), a fast producer of keyed
 * records, and kafkajs views of offsets and topic contents.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import { isPidAlive, type KafkaCluster } from '../../kafka/broker.js';
import { createKafkaTransport } from '../../../runtime/src/transport/kafka/index.js';
import { partitionForKey } from '../../../runtime/src/transport/partitioner.js';
import type { Producer } from '../../../runtime/src/types/transport.js';

export { uniqueName } from '../../kafka/global.js';

export const WORKER_SCRIPT = 'test/fixtures/table-apps/table-worker.ts';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(condition: () => boolean, what: string | (() => string), timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(25);
  }
}

export const tempDir = (prefix: string): Promise<string> => mkdtemp(join(tmpdir(), `faustgen-${prefix}-`));

/** The source partition of a string key (murmur2 of its UTF-8 bytes, as the producer places it). */
export const sourcePartition = (key: string, partitions: number): number => partitionForKey(Buffer.from(key), partitions);

/** A value as the JSON codec writes it (the fixture's table keys are plain strings). */
export const jsonBytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

export interface WorkerLine {
  readonly event: string;
  readonly t: number;
  readonly [field: string]: unknown;
}

/**
 * A worker child process (`node --import tsx <script>`): stdout is the fixture's JSON lines, stderr
 * the runtime's logs (kept, tail shown on failures; echoed with FAUSTGEN_TEST_LOGS=1).
 */
export class WorkerProcess {
  private static readonly running = new Set<WorkerProcess>();
  readonly lines: WorkerLine[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  readonly startedAt = Date.now();
  private readonly child: ChildProcess;

  constructor(readonly name: string, env: Readonly<Record<string, string>>, script = WORKER_SCRIPT) {
    this.child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FG_WORKER: name, ...env } });
    WorkerProcess.running.add(this);
    const echo = process.env['FAUSTGEN_TEST_LOGS'] === '1';
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      if (this.stderr.length > 2_000_000) this.stderr = this.stderr.slice(-1_000_000);
      if (echo) process.stderr.write(`[${name}] ${chunk.toString()}`);
    });
    if (this.child.stdout !== null) {
      createInterface({ input: this.child.stdout }).on('line', (line) => {
        try {
          this.lines.push(JSON.parse(line) as WorkerLine);
        } catch {
          this.lines.push({ event: 'text', t: Date.now(), text: line });
        }
      });
    }
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        WorkerProcess.running.delete(this);
        resolve({ code, signal, atMs: Date.now() });
      });
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  linesOf(event: string): WorkerLine[] {
    return this.lines.filter((l) => l.event === event);
  }

  lastOf(event: string): WorkerLine | undefined {
    return this.linesOf(event).at(-1);
  }

  async waitForLine(predicate: (line: WorkerLine) => boolean, what: string, timeoutMs = 90_000): Promise<WorkerLine> {
    let found: WorkerLine | undefined;
    await waitFor(() => (found = this.lines.find(predicate)) !== undefined || !this.alive, `${this.name}: ${what}`, timeoutMs);
    if (found === undefined) {
      // stdout lines may still be in the pipe when the exit is seen.
      await sleep(200);
      found = this.lines.find(predicate);
    }
    if (found === undefined) throw new Error(`${this.name} exited before ${what}; stderr tail:\n${this.stderr.slice(-4000)}`);
    return found;
  }

  /** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
  async stop(graceMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      const exit = await this.exited;
      await sleep(100);
      return exit;
    } finally {
      clearTimeout(timer);
    }
  }

  static async killAll(): Promise<void> {
    const all = [...WorkerProcess.running];
    for (const worker of all) worker.signal('SIGKILL');
    await Promise.all(all.map((w) => w.exited));
  }
}

function quietKafka(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'faustgen-table-test', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10 } });
}

/** High-water marks of a topic, by partition. */
export async function highWaterMarks(bootstrap: string, topic: string): Promise<Map<number, number>> {
  const admin = quietKafka(bootstrap).admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** Committed offsets of a group on a topic, by partition (-1 when none). */
export async function committedOffsets(bootstrap: string, groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = quietKafka(bootstrap).admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((result?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopic(bootstrap: string, topic: string): Promise<void> {
  const admin = quietKafka(bootstrap).admin();
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
  const consumer = quietKafka(bootstrap).consumer({ groupId: `read-${topic}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`, maxWaitTimeInMs: 100, maxBytesPerPartition: 4 << 20 });
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
  const producer = createKafkaTransport(`kafka://${bootstrap.replaceAll(',', ';')}`, { clientId: 'table-test-producer', logLevel: 'nothing' }).createProducer();
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
