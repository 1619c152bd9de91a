/**
 * The test bed of the fault tests (issue 9, docs/faults.md): a 3-broker cluster, the counting app of
 * test/fixtures/kafka-apps/fault-worker.ts in worker processes, a feeder producing keyed events at a
 * steady rate, and the verifier (./verify.ts). The tests break things (workers, brokers) while the
 * feeder runs, then drain, stop the workers and compare the table and the output with what was sent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { createKafkaTransport } from '../../../runtime/src/transport/kafka/index.js';
import { createPlatformaticKafkaTransport } from '../../../runtime/src/transport/platformatic/index.js';
import { startKafkaCluster, type KafkaCluster } from '../../kafka/broker.js';
import { createTopics, testKafkaClient, uniqueName } from '../../kafka/global.js';
import { feedUrl } from '../support/kafka-url.js';
import { committedOffsets, highWaterMarks } from '../support/kafka-views.js';
import { sleep } from '../support/wait.js';
import { WorkerProcess } from '../support/worker-process.js';

export const WORKER_SCRIPT = 'test/fixtures/kafka-apps/fault-worker.ts';
/** Batches of the feeder (a tenth of a second of events each) waiting for their acknowledgement. */
const MAX_BATCHES_IN_FLIGHT = 20;
/** A batch failing for this long is given up (a kafkajs idempotent producer can fail for good). */
const GIVE_UP_AFTER_MS = 90_000;

/** `at_least_once` (default) or `exactly_once`, from FAUSTGEN_PROCESSING_GUARANTEE. */
export type Guarantee = 'at_least_once' | 'exactly_once';
export function guaranteeFromEnv(): Guarantee {
  return process.env['FAUSTGEN_PROCESSING_GUARANTEE'] === 'exactly_once' ? 'exactly_once' : 'at_least_once';
}

/** The guarantees a fault test runs under: FAUSTGEN_PROCESSING_GUARANTEE picks one, else `defaults`. */
export function guaranteesToRun(defaults: readonly Guarantee[]): readonly Guarantee[] {
  const chosen = process.env['FAUSTGEN_PROCESSING_GUARANTEE'];
  return chosen === undefined || chosen === '' ? defaults : [guaranteeFromEnv()];
}

export interface FaultBedOptions {
  readonly partitions: number;
  readonly keys: number;
  readonly workers: number;
  readonly guarantee: Guarantee;
  /** Extra environment for every worker (FAUSTGEN_* settings). */
  readonly workerEnv?: Readonly<Record<string, string>>;
  /**
   * Restart a worker that stops on its own (as a process manager would), instead of failing the
   * test: with exactly_once a transaction that a broker failure broke stops the worker, its events
   * uncommitted, and the restarted worker fences, recovers and processes them again.
   */
  readonly restartOnCrash?: boolean;
}

export const log = (line: string): void => {
  process.stderr.write(`[faults ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
};

/** One worker slot: a fixed datadir reused across restarts, as a process manager would. */
interface Slot {
  readonly index: number;
  readonly datadir: string;
  process: WorkerProcess | undefined;
  generation: number;
  /** The test stopped or killed this process on purpose. */
  stopping?: boolean;
}

export class FaultBed {
  readonly appId = uniqueName('faults');
  readonly source = uniqueName('fault-src');
  readonly output = uniqueName('fault-out');
  readonly feeder: Feeder;
  private readonly slots: Slot[];
  private readonly root = mkdtempSync(join(tmpdir(), 'faustgen-faults-'));
  /** Every worker process started, for the logs of failed runs. */
  readonly history: WorkerProcess[] = [];

  private constructor(readonly cluster: KafkaCluster, readonly options: FaultBedOptions) {
    this.slots = Array.from({ length: options.workers }, (_, index) => ({ index, datadir: join(this.root, `w${index}`), process: undefined, generation: 0 }));
    this.feeder = new Feeder(cluster.bootstrap, this.source, options.keys);
  }

  get changelog(): string {
    return `${this.appId}-sums-changelog`;
  }

  static async start(options: FaultBedOptions): Promise<FaultBed> {
    const started = Date.now();
    const cluster = await startKafkaCluster({ nodes: 3, heapMb: 384 });
    log(`3 brokers ready at ${cluster.bootstrap} in ${Date.now() - started} ms; guarantee ${options.guarantee}`);
    const bed = new FaultBed(cluster, options);
    await createTopics(cluster.bootstrap, [
      { topic: bed.source, numPartitions: options.partitions, replicationFactor: 3 },
      { topic: bed.output, numPartitions: options.partitions, replicationFactor: 3 },
    ]);
    return bed;
  }

  workerEnv(slot: Slot): Record<string, string> {
    return {
      FG_BOOTSTRAP: this.cluster.bootstrap,
      FG_APP_ID: this.appId,
      FG_SOURCE: this.source,
      FG_OUTPUT: this.output,
      FG_PARTITIONS: String(this.options.partitions),
      FG_DATADIR: slot.datadir,
      FG_REPLICATION: '3',
      FAUSTGEN_PROCESSING_GUARANTEE: this.options.guarantee,
      ...(this.options.workerEnv ?? {}),
    };
  }

  /** Starts the worker of a slot and resolves once it is ready (tables recovered, assigned). */
  async startWorker(index: number, timeoutMs = 120_000): Promise<WorkerProcess> {
    const slot = this.slot(index);
    slot.generation++;
    const worker = new WorkerProcess(`w${index}.${slot.generation}`, WORKER_SCRIPT, this.workerEnv(slot));
    slot.process = worker;
    slot.stopping = false;
    this.history.push(worker);
    if (this.options.restartOnCrash === true) {
      void worker.exited.then((exit) => {
        if (slot.process !== worker || slot.stopping === true || this.tearingDown) return;
        this.crashRestarts.push(`${worker.name} exit ${String(exit.code)}`);
        log(`${worker.name} stopped on its own (exit ${String(exit.code)}): restarting it, as a process manager would`);
        setTimeout(() => void this.startWorker(index).catch((error: unknown) => log(`restart of worker ${index} failed: ${String(error)}`)), 1_000);
      });
    }
    await worker.waitForLine((l) => l.event === 'ready', 'ready', timeoutMs);
    return worker;
  }

  /** Workers that stopped on their own and were restarted (restartOnCrash). */
  readonly crashRestarts: string[] = [];
  private tearingDown = false;

  async startAll(): Promise<void> {
    await Promise.all(this.slots.map((s) => this.startWorker(s.index)));
  }

  worker(index: number): WorkerProcess | undefined {
    return this.slot(index).process;
  }

  alive(): number[] {
    return this.slots.filter((s) => s.process?.alive === true).map((s) => s.index);
  }

  async kill(index: number, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const slot = this.slot(index);
    const worker = slot.process;
    if (worker === undefined || !worker.alive) return;
    slot.stopping = true;
    if (signal === 'SIGKILL') {
      worker.signal('SIGKILL');
      await worker.exited;
    } else {
      const exit = await worker.stop(60_000);
      if (exit.code !== 0) throw new Error(`${worker.name} did not stop cleanly (${String(exit.code)}/${String(exit.signal)}); stderr:\n${worker.stderr.slice(-3000)}`);
    }
  }

  /** Waits until the group committed every source record (all processed) or throws. */
  async drain(timeoutMs = 180_000): Promise<void> {
    const highs = await highWaterMarks(this.cluster.bootstrap, this.source);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const committed = await committedOffsets(this.cluster.bootstrap, this.appId, this.source);
      const lagging = [...highs].filter(([p, h]) => (committed.get(p) ?? -1) < h).map(([p, h]) => `${p}:${committed.get(p) ?? -1}/${h}`);
      if (lagging.length === 0) return;
      const dead = this.options.restartOnCrash === true ? [] : this.slots.filter((s) => s.process !== undefined && !s.process.alive && s.process.lastOf('exit') !== undefined);
      if (dead.length > 0) throw new Error(`worker(s) ${dead.map((s) => s.process?.name).join(', ')} exited during the drain; stderr:\n${dead[0]?.process?.stderr.slice(-3000) ?? ''}`);
      if (Date.now() > deadline) throw new Error(`the group did not commit the whole source within ${timeoutMs} ms (partition:committed/high ${lagging.join(' ')})`);
      await sleep(500);
    }
  }

  /**
   * Milliseconds from now until the group committed past its current position on every source
   * partition: with the feed running, how long until processing moves everywhere again.
   */
  async untilEveryPartitionMoves(timeoutMs = 180_000): Promise<number> {
    const started = Date.now();
    // A broker may be paused meanwhile: a request that times out is asked again.
    const committed = async (): Promise<Map<number, number> | undefined> => committedOffsets(this.cluster.bootstrap, this.appId, this.source).catch(() => undefined);
    let base: Map<number, number> | undefined;
    while ((base = await committed()) === undefined) if (Date.now() - started > timeoutMs) return -1;
    for (;;) {
      const now = await committed();
      if (now !== undefined && [...Array(this.options.partitions).keys()].every((p) => (now.get(p) ?? -1) > (base.get(p) ?? -1))) return Date.now() - started;
      if (Date.now() - started > timeoutMs) return -1;
      await sleep(250);
    }
  }

  async stopWorkers(): Promise<void> {
    this.tearingDown = true;
    for (const slot of this.slots) {
      slot.stopping = true;
      const worker = slot.process;
      if (worker === undefined || !worker.alive) continue;
      const exit = await worker.stop(60_000);
      if (exit.code !== 0) log(`${worker.name} exited ${String(exit.code)}/${String(exit.signal)} at stop`);
    }
  }

  /** Lines of the workers' logs (all generations) that match, for the report of a fault test. */
  logLines(match: RegExp): string[] {
    return this.history.flatMap((w) => w.stderr.split('\n').filter((l) => match.test(l)).map((l) => `${w.name} ${l}`));
  }

  async teardown(): Promise<void> {
    await WorkerProcess.killAll();
    // FAULTS_DUMP_DIR keeps every worker generation's log, to read a failed run afterwards.
    const dump = process.env['FAULTS_DUMP_DIR'];
    if (dump !== undefined) this.history.forEach((w, i) => writeFileSync(join(dump, `${this.options.guarantee}-${i}-${w.name}.log`), w.stderr));
    await this.feeder.stop().catch(() => undefined);
    await this.cluster.stop({ graceMs: 5_000 });
    rmSync(this.root, { recursive: true, force: true });
  }

  private slot(index: number): Slot {
    const slot = this.slots[index];
    if (slot === undefined) throw new Error(`no worker slot ${index}`);
    return slot;
  }
}

/**
 * Produces keyed events at a steady rate, with faustgen's own Kafka producer (`faustgen`, the
 * default: acks = all, retried until its delivery timeout; `faustgen-idempotent` with kafkajs's
 * idempotence on) or a plain idempotent kafkajs producer (`kafkajs`, the control). A batch that fails is sent again until it is
 * acknowledged, so the feeder never gives up on an event; the verifier counts what the source topic
 * really holds, and checks that every acknowledged id is there.
 */
export class Feeder {
  /** Ids the broker acknowledged, by key. */
  readonly acked = new Map<string, number[]>();
  ackedCount = 0;
  /** Events never acknowledged: their batch kept failing for GIVE_UP_AFTER_MS. */
  abandoned = 0;
  failedAttempts = 0;
  lastError = '';
  private nextId = 0;
  private stopProducer: (() => Promise<void>) | undefined;
  private running: Promise<void> | undefined;
  private stopRequested = false;

  constructor(private readonly bootstrap: string, readonly topic: string, private readonly keys: number, private readonly kind: 'faustgen' | 'faustgen-idempotent' | 'faustgen-platformatic' | 'kafkajs' = 'faustgen') {}

  /** Sends `total` events at about `perSecond`, in batches every 100 ms; resolves when all are acknowledged. */
  start(total: number, perSecond: number): Promise<void> {
    this.running = this.run(total, perSecond);
    return this.running;
  }

  get sent(): number {
    return this.nextId;
  }

  /** One line for progress logs. */
  status(): string {
    return `${this.kind} → ${this.topic}: sent ${this.nextId}, acknowledged ${this.ackedCount}, given up ${this.abandoned}, failed attempts ${this.failedAttempts}${this.lastError === '' ? '' : ` (last: ${this.lastError.slice(0, 160)})`}`;
  }

  /** Stops feeding: batches still unacknowledged are given up (disconnecting fails their sends). */
  async stop(): Promise<void> {
    this.stopRequested = true;
    const stopProducer = this.stopProducer;
    this.stopProducer = undefined;
    // A send stuck in a retry loop must not hold the test: give it 15 s.
    await Promise.race([stopProducer?.().catch(() => undefined), sleep(15_000)]);
    await Promise.race([this.running?.catch(() => undefined), sleep(15_000)]);
  }

  private async connect(): Promise<(messages: readonly { key: string; value: string }[]) => Promise<void>> {
    if (this.kind !== 'kafkajs') {
      const idempotent = this.kind === 'faustgen-idempotent';
      const settings = { clientId: 'fault-feeder', logLevel: 'nothing', requestTimeoutMs: 10_000, producer: { idempotent } } as const;
      const producer = (
        this.kind === 'faustgen-platformatic' ? createPlatformaticKafkaTransport(this.bootstrap.split(','), settings) : createKafkaTransport(feedUrl(this.bootstrap), settings)
      ).createProducer();
      await producer.start();
      this.stopProducer = () => producer.stop();
      return async (messages) => {
        await Promise.all(messages.map((m) => producer.send({ topic: this.topic, key: Buffer.from(m.key), value: Buffer.from(m.value) })));
      };
    }
    const kafka = new kafkajs.Kafka({ clientId: 'fault-control', brokers: this.bootstrap.split(','), logLevel: kafkajs.logLevel.NOTHING, requestTimeout: 10_000, retry: { retries: 5 } });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    this.stopProducer = () => producer.disconnect();
    return async (messages) => {
      await producer.send({ topic: this.topic, acks: -1, messages: messages.map((m) => ({ key: m.key, value: m.value })) });
    };
  }

  private async run(total: number, perSecond: number): Promise<void> {
    const send = await this.connect();
    const perBatch = Math.max(1, Math.round(perSecond / 10));
    const started = Date.now();
    const inFlight = new Set<Promise<void>>();
    const deliver = async (batch: readonly { key: string; value: string; id: number }[]): Promise<void> => {
      const giveUpAt = Date.now() + GIVE_UP_AFTER_MS;
      for (;;) {
        try {
          await send(batch);
          break;
        } catch (error) {
          this.failedAttempts++;
          this.lastError = error instanceof Error ? error.message : String(error);
          // Not acknowledged: the verifier does not expect these ids (the source still counts).
          if (this.stopRequested || Date.now() > giveUpAt) {
            this.abandoned += batch.length;
            return;
          }
          await sleep(500);
        }
      }
      for (const m of batch) {
        let ids = this.acked.get(m.key);
        if (ids === undefined) this.acked.set(m.key, (ids = []));
        ids.push(m.id);
      }
      this.ackedCount += batch.length;
    };
    while (this.nextId < total && !this.stopRequested) {
      const batch: { key: string; value: string; id: number }[] = [];
      for (let i = 0; i < perBatch && this.nextId < total; i++) {
        const id = this.nextId++;
        const key = `k-${Math.floor(Math.random() * this.keys)}`;
        batch.push({ id, key, value: JSON.stringify({ id, n: 1 + Math.floor(Math.random() * 9) }) });
      }
      const sending = deliver(batch).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
      // Up to MAX_BATCHES_IN_FLIGHT batches wait for their acknowledgement; an outage holds the feed.
      while (inFlight.size >= MAX_BATCHES_IN_FLIGHT) await Promise.race(inFlight);
      // Keep the average rate: wait for the time the next batch is due.
      const wait = started + (this.nextId / perSecond) * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.all(inFlight);
  }
}

/** A quiet kafkajs admin for the leader of a partition. */
export async function leaderOf(bootstrap: string, topic: string, partition: number): Promise<number> {
  const admin = testKafkaClient(bootstrap, 'fault-meta', { retries: 10 }).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const leader = topics[0]?.partitions.find((p) => p.partitionId === partition)?.leader;
    if (leader === undefined || leader < 0) throw new Error(`${topic}[${partition}] has no leader`);
    return leader;
  } finally {
    await admin.disconnect();
  }
}

export function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}
