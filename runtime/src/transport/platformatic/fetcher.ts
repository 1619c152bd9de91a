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

/** Records fetched ahead of the delivery in progress, or the offsets an answer passed without records. */
interface FetchedBatch {
  readonly records: readonly ConsumedRecord[];
  /** The first offset the answer was asked for. */
  readonly from: number;
  /** The last offset the answer covers (markers and aborted records included). */
  readonly through: number;
}

interface Position {
  readonly topic: string;
  readonly partition: number;
  /** The next offset not yet delivered (the position a rebalance keeps or a commit can reach). */
  offset: number;
  /** The next offset to fetch: past `offset` by what is being delivered and what is read ahead. */
  fetchOffset: number;
  /** Bumped by every seek and rewind: answers to fetches sent before it are dropped. */
  epoch: number;
  /** Bumped by every seek: a delivery begun before it no longer moves the position. */
  seeks: number;
  /** A fetch of this partition is on its way. */
  fetching: boolean;
  /** The last offset of the answer being delivered; undefined when none is. */
  delivering: number | undefined;
  /** At most one answer read ahead while the one before it is being delivered. */
  ahead: FetchedBatch | undefined;
}

/**
 * The fetch loop of this driver, on @platformatic/kafka's raw `fetch` rather than its
 * MessagesStream: the stream can only pause as a whole, cannot seek, and tears itself down on a
 * fetch error. Here every partition has its own position, pause flag and back-pressure: while its
 * records are being delivered, a partition's next answer is read ahead (one, no more), so the
 * network and the broker work while the app does; a paused partition is neither fetched nor
 * delivered; `seek` moves it (an answer on its way or read ahead is dropped by epoch), and records
 * not taken are fetched again from the first of them. One fetch per leader is in flight at a time.
 */
export class PartitionFetcher {
  private readonly positions = new Map<string, Position>();
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

  /** No fetch from now on (answers on their way or read ahead are dropped) until start(); positions stay. */
  hold(): void {
    this.running = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.dropReadAhead();
  }

  /** Stops fetching and waits for deliveries in flight. */
  async stop(): Promise<void> {
    this.hold();
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
    if (position === undefined) this.positions.set(k, { topic: tp.topic, partition: tp.partition, offset, fetchOffset: offset, epoch: 0, seeks: 0, fetching: false, delivering: undefined, ahead: undefined });
    else {
      rewind(position, offset);
      position.seeks++;
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
    const k = key(tp.topic, tp.partition);
    if (!this.paused.delete(k)) return;
    const position = this.positions.get(k);
    if (position !== undefined) this.deliverNext(k, position);
    this.pump();
  }

  /** Sends a fetch to every leader that has fetchable partitions and none in flight. */
  pump(): void {
    if (!this.running || this.retryTimer !== undefined) return;
    const wanted = [...this.positions.entries()].filter(([k, p]) => fetchable(p) && !this.paused.has(k)).map(([, p]) => p);
    if (wanted.length === 0) return;
    const topics = [...new Set(wanted.map((p) => p.topic))];
    this.consumer.metadata({ topics }).then(
      (metadata) => {
        if (!this.running) return;
        const byLeader = new Map<number, Position[]>();
        for (const position of wanted) {
          // Checked again: while the metadata was read, another round may have fetched it or read
          // its next answer ahead; fetching it now would read the same records twice.
          const k = key(position.topic, position.partition);
          if (!fetchable(position) || this.paused.has(k) || this.positions.get(k) !== position) continue;
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
    for (const position of positions) position.fetching = true;
    const sent = positions.map((p) => ({ position: p, offset: p.fetchOffset, epoch: p.epoch }));
    const byTopic = new Map<string, FetchRequestTopic>();
    const topicNames = new Map<string, string>();
    for (const { position } of sent) {
      const topicId = topicsMetadata.get(position.topic)?.id ?? '';
      topicNames.set(topicId, position.topic);
      const request = byTopic.get(topicId) ?? { topicId, partitions: [] };
      request.partitions.push({ partition: position.partition, fetchOffset: BigInt(position.fetchOffset), currentLeaderEpoch: -1, lastFetchedEpoch: -1, partitionMaxBytes: this.options.consumer.maxBytesPerPartition });
      byTopic.set(topicId, request);
    }
    const { maxWaitTimeMs, maxBytesPerPartition } = this.options.consumer;
    this.consumer
      .fetch({ node: leader, topics: [...byTopic.values()], maxWaitTime: maxWaitTimeMs, minBytes: 1, maxBytes: Math.max(maxBytesPerPartition * sent.length, 1_048_576), isolationLevel: READ_COMMITTED })
      .then(
        (response) => {
          this.inflight.delete(leader);
          for (const position of positions) position.fetching = false;
          this.fetched(positions);
          this.take(response, topicNames, sent);
          this.pump();
        },
        (error: unknown) => {
          this.inflight.delete(leader);
          for (const position of positions) position.fetching = false;
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
        // Sought, rewound, removed or re-added meanwhile: this answer is for a position that no longer holds.
        if (request === undefined || current !== request.position || current.epoch !== request.epoch || current.fetchOffset !== request.offset || current.ahead !== undefined) continue;
        const { records, through } = decodePartition(topic, partitionResponse, request.offset);
        if (records.length === 0 && through < request.offset) continue;
        current.fetchOffset = Math.max(current.fetchOffset, through + 1);
        current.ahead = { records, from: request.offset, through };
        this.deliverNext(k, current);
      }
    }
  }

  private dropReadAhead(): void {
    for (const position of this.positions.values()) {
      // A delivery in progress still moves the position when the sink takes it; fetching goes on after it.
      position.ahead = undefined;
      position.epoch++;
      position.fetchOffset = position.delivering === undefined ? position.offset : position.delivering + 1;
    }
  }

  /** Hands the answer read ahead to the sink once the delivery before it is done (and not while paused). */
  private deliverNext(k: string, position: Position): void {
    const batch = position.ahead;
    if (batch === undefined || position.delivering !== undefined || this.paused.has(k) || !this.running) return;
    position.ahead = undefined;
    const { records, from, through } = batch;
    const tp = { topic: position.topic, partition: position.partition };
    if (records.length === 0) {
      position.offset = Math.max(position.offset, through + 1);
      this.sink.passed(tp, from, through);
      return;
    }
    position.delivering = through;
    const seeks = position.seeks;
    const delivery = this.sink.deliver(records).then(
      (taken) => {
        if (this.positions.get(k) !== position || position.seeks !== seeks) return;
        if (taken === false) {
          // Not taken (e.g. during a rebalance): read again from the first of them, and drop what was read ahead.
          rewind(position, position.offset);
          return;
        }
        const last = records[records.length - 1]?.offset ?? through;
        position.offset = Math.max(position.offset, through + 1);
        // A transaction marker after the last record: the position passed it too.
        if (through > last) this.sink.passed(tp, last + 1, through);
      },
      () => {
        // The sink failed on these records: it reports the error and pauses the partition; they are
        // fetched again from the first of them when it resumes.
        if (this.positions.get(k) === position && position.seeks === seeks) rewind(position, position.offset);
      },
    );
    const tracked = delivery.finally(() => {
      position.delivering = undefined;
      this.deliveries.delete(tracked);
      if (this.positions.get(k) === position) this.deliverNext(k, position);
      this.pump();
    });
    this.deliveries.add(tracked);
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

/** Neither on its way nor read ahead: it may be fetched (a delivery in progress does not stop it). */
function fetchable(position: Position): boolean {
  return !position.fetching && position.ahead === undefined;
}

/** Moves the position to `offset`, dropping what was read ahead and any answer on its way. */
function rewind(position: Position, offset: number): void {
  position.offset = offset;
  position.fetchOffset = offset;
  position.ahead = undefined;
  position.epoch++;
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
