import type { Consumer } from '@platformatic/kafka';
import type { ConsumedRecord, TopicPartition } from '../../types/transport.js';
import type { KafkaDriverOptions } from '../kafka-options.js';
import { decodePartition, type FetchRequestTopic, type FetchResponse } from './records.js';

const READ_COMMITTED = 1;
const RETRY_BACKOFF_MS = 500;

/**
 * What the fetcher hands over; awaiting `deliver` holds that partition's next fetch (back-pressure).
 * `deliver` resolving false (records not taken, e.g. during a rebalance) or rejecting leaves the
 * position where it was, so the records are fetched again.
 */
export interface FetchSink {
  deliver(records: readonly ConsumedRecord[]): Promise<boolean | void>;
  /** The position moved past `from`..`to` without a record to deliver (markers, aborted records). */
  passed(tp: TopicPartition, from: number, to: number): void;
  /** A fetch failed; the fetcher retries after a pause. `first`: the first failure since fetches last succeeded. */
  failed(error: unknown, first: boolean): void;
  /** A fetch succeeded after failures (`failures` of them, over `outageMs`). */
  recovered?(failures: number, outageMs: number): void;
}

interface Position {
  readonly topic: string;
  readonly partition: number;
  offset: number;
  /** Bumped by every seek: answers to fetches sent before it are dropped. */
  epoch: number;
}

/**
 * The fetch loop of this driver, on @platformatic/kafka's raw `fetch` rather than its
 * MessagesStream: the stream can only pause as a whole, cannot seek, and tears itself down on a
 * fetch error. Here every partition has its own position, pause flag and back-pressure: a partition
 * is left out of the next fetch to its leader while its records are being delivered or while it is
 * paused, and `seek` moves it (an answer already on its way is dropped by epoch).
 * One fetch per leader is in flight at a time.
 */
export class PartitionFetcher {
  private readonly positions = new Map<string, Position>();
  private readonly busy = new Set<string>();
  private readonly paused = new Set<string>();
  private readonly inflight = new Set<number>();
  private running = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly deliveries = new Set<Promise<void>>();
  /**
   * Partitions whose last fetch failed, the failed fetches since the outage began and when. Kept per
   * partition: fetches from the other leaders go on succeeding while one leader is dead, and must
   * neither end the outage nor make every next failure look like the first one.
   */
  private outage: { failures: number; since: number; partitions: Set<string> } | undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly options: KafkaDriverOptions,
    private readonly sink: FetchSink,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.pump();
  }

  /** No fetch from now on (answers on their way are dropped) until start(); positions stay. */
  hold(): void {
    this.running = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** Stops fetching and waits for deliveries in flight. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    await this.idle();
  }

  /** Resolves when no delivery is in flight. */
  async idle(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.allSettled([...this.deliveries]);
  }

  /** Reads `tp` from `offset` on (a new partition, or a seek of a known one). */
  seek(tp: TopicPartition, offset: number): void {
    const k = key(tp.topic, tp.partition);
    const position = this.positions.get(k);
    if (position === undefined) this.positions.set(k, { topic: tp.topic, partition: tp.partition, offset, epoch: 0 });
    else {
      position.offset = offset;
      position.epoch++;
    }
    this.pump();
  }

  remove(tp: TopicPartition): void {
    const k = key(tp.topic, tp.partition);
    this.positions.delete(k);
    this.paused.delete(k);
    this.outage?.partitions.delete(k);
    if (this.outage?.partitions.size === 0) this.outage = undefined;
  }

  clear(): void {
    this.positions.clear();
    this.paused.clear();
    this.outage = undefined;
  }

  position(tp: TopicPartition): number | undefined {
    return this.positions.get(key(tp.topic, tp.partition))?.offset;
  }

  has(tp: TopicPartition): boolean {
    return this.positions.has(key(tp.topic, tp.partition));
  }

  pause(tp: TopicPartition): void {
    this.paused.add(key(tp.topic, tp.partition));
  }

  resume(tp: TopicPartition): void {
    if (this.paused.delete(key(tp.topic, tp.partition))) this.pump();
  }

  /** Sends a fetch to every leader that has fetchable partitions and none in flight. */
  pump(): void {
    if (!this.running || this.retryTimer !== undefined) return;
    const wanted = [...this.positions.entries()].filter(([k]) => !this.busy.has(k) && !this.paused.has(k)).map(([, p]) => p);
    if (wanted.length === 0) return;
    const topics = [...new Set(wanted.map((p) => p.topic))];
    this.consumer.metadata({ topics }).then(
      (metadata) => {
        if (!this.running) return;
        const byLeader = new Map<number, Position[]>();
        for (const position of wanted) {
          // Checked again: while the metadata was read, an answer may have made it busy (its records
          // being delivered, the position not yet moved): fetching it now would read them twice.
          const k = key(position.topic, position.partition);
          if (this.busy.has(k) || this.paused.has(k) || this.positions.get(k) !== position) continue;
          const leader = metadata.topics.get(position.topic)?.partitions[position.partition]?.leader;
          if (leader === undefined || leader < 0 || this.inflight.has(leader)) continue;
          const list = byLeader.get(leader) ?? [];
          list.push(position);
          byLeader.set(leader, list);
        }
        for (const [leader, positions] of byLeader) this.fetchFrom(leader, positions, metadata.topics);
      },
      (error: unknown) => this.retryLater(error, wanted),
    );
  }

  private fetchFrom(leader: number, positions: readonly Position[], topicsMetadata: ReadonlyMap<string, { readonly id: string }>): void {
    this.inflight.add(leader);
    const sent = positions.map((p) => ({ position: p, offset: p.offset, epoch: p.epoch }));
    const byTopic = new Map<string, FetchRequestTopic>();
    const topicNames = new Map<string, string>();
    for (const { position } of sent) {
      const topicId = topicsMetadata.get(position.topic)?.id ?? '';
      topicNames.set(topicId, position.topic);
      const request = byTopic.get(topicId) ?? { topicId, partitions: [] };
      request.partitions.push({ partition: position.partition, fetchOffset: BigInt(position.offset), currentLeaderEpoch: -1, lastFetchedEpoch: -1, partitionMaxBytes: this.options.consumer.maxBytesPerPartition });
      byTopic.set(topicId, request);
    }
    const { maxWaitTimeMs, maxBytesPerPartition } = this.options.consumer;
    this.consumer
      .fetch({ node: leader, topics: [...byTopic.values()], maxWaitTime: maxWaitTimeMs, minBytes: 1, maxBytes: Math.max(maxBytesPerPartition * sent.length, 1_048_576), isolationLevel: READ_COMMITTED })
      .then(
        (response) => {
          this.inflight.delete(leader);
          this.fetched(positions);
          this.take(response, topicNames, sent);
          this.pump();
        },
        (error: unknown) => {
          this.inflight.delete(leader);
          // Whatever failed — a dead or paused leader (connection errors), a moved one, a partition
          // error — the next round asks who leads: cached metadata kept a dead leader fetched for ever.
          this.consumer.clearMetadata();
          this.retryLater(error, positions);
        },
      );
  }

  private take(response: FetchResponse, topicNames: ReadonlyMap<string, string>, sent: ReadonlyArray<{ position: Position; offset: number; epoch: number }>): void {
    if (!this.running) return;
    for (const topicResponse of response.responses) {
      const topic = topicNames.get(topicResponse.topicId);
      if (topic === undefined) continue;
      for (const partitionResponse of topicResponse.partitions) {
        const request = sent.find((s) => s.position.topic === topic && s.position.partition === partitionResponse.partitionIndex);
        const k = key(topic, partitionResponse.partitionIndex);
        const current = this.positions.get(k);
        // Sought, removed or re-added meanwhile, or its records of an earlier answer are still being
        // delivered: this answer is for a position that no longer holds.
        if (request === undefined || current !== request.position || current.epoch !== request.epoch || current.offset !== request.offset || this.busy.has(k)) continue;
        const { records, through } = decodePartition(topic, partitionResponse, current.offset);
        if (records.length === 0) {
          if (through >= current.offset) {
            const from = current.offset;
            current.offset = through + 1;
            this.sink.passed({ topic, partition: current.partition }, from, through);
          }
          continue;
        }
        this.busy.add(k);
        const delivery = this.sink.deliver(records).then(
          (taken) => {
            if (taken === false || this.positions.get(k) !== current || current.epoch !== request.epoch) return;
            const last = records[records.length - 1]?.offset ?? through;
            current.offset = Math.max(current.offset, through + 1);
            // A transaction marker after the last record: the position passed it too.
            if (through > last) this.sink.passed({ topic, partition: current.partition }, last + 1, through);
          },
          () => {
            // The sink failed on these records: it reports the error and pauses the partition.
          },
        );
        const tracked = delivery.finally(() => {
          this.busy.delete(k);
          this.deliveries.delete(tracked);
          this.pump();
        });
        this.deliveries.add(tracked);
      }
    }
  }

  /** A fetch of `positions` succeeded: the outage ends when none of its partitions is failing any more. */
  private fetched(positions: readonly Position[]): void {
    const outage = this.outage;
    if (outage === undefined) return;
    for (const p of positions) outage.partitions.delete(key(p.topic, p.partition));
    if (outage.partitions.size > 0) return;
    this.outage = undefined;
    this.sink.recovered?.(outage.failures, Date.now() - outage.since);
  }

  private retryLater(error: unknown, positions: readonly Position[]): void {
    if (!this.running) return;
    const first = this.outage === undefined;
    this.outage ??= { failures: 0, since: Date.now(), partitions: new Set() };
    this.outage.failures++;
    for (const p of positions) this.outage.partitions.add(key(p.topic, p.partition));
    this.sink.failed(error, first);
    if (this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, RETRY_BACKOFF_MS);
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
