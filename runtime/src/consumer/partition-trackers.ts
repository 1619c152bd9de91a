import { partitionKeyOf } from '../core/partition-key.js';
import type { TopicPartition, TopicPartitionOffset } from '../types/transport.js';
import { PartitionOffsetTracker } from './offset-tracker.js';

export interface PartitionPosition {
  readonly topic: string;
  readonly partition: number;
  readonly committed: number | undefined;
  readonly pending: number;
  readonly position: number | undefined;
  readonly processed: number | undefined;
}

/** Offsets a commit may move to, each with the tracker to tell once it is committed. */
export interface CommitPlan {
  readonly offsets: readonly TopicPartitionOffset[];
  /** Marks every planned offset committed in its partition's tracker. */
  markCommitted(): void;
}

/**
 * The offset tracker of every partition a worker processes, keyed by `topic[partition]`: which events
 * are in flight, which offsets are done, and what a commit may cover. One job, so that the conductor
 * decides when to commit and this says up to where.
 */
export class PartitionTrackers {
  private readonly byKey = new Map<string, { readonly tp: TopicPartition; readonly tracker: PartitionOffsetTracker }>();

  get size(): number {
    return this.byKey.size;
  }

  /** A tracker for the partition, made on first sight. */
  track(tp: TopicPartition): void {
    const key = partitionKeyOf(tp.topic, tp.partition);
    if (!this.byKey.has(key)) this.byKey.set(key, { tp, tracker: new PartitionOffsetTracker() });
  }

  get(key: string): PartitionOffsetTracker | undefined {
    return this.byKey.get(key)?.tracker;
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }

  partitions(): TopicPartition[] {
    return [...this.byKey.values()].map(({ tp }) => tp);
  }

  /** Forgets a partition: events it delivered that still run may no longer write. */
  retire(key: string): void {
    const entry = this.byKey.get(key);
    if (entry === undefined) return;
    entry.tracker.retired = true;
    this.byKey.delete(key);
  }

  /** Voids what handlers still do for every delivered event, keeping the partitions tracked. */
  retireInPlace(): void {
    for (const { tracker } of this.byKey.values()) tracker.retired = true;
  }

  /** Whether an event below its partition's bound (or any, without a bound) is still unacked. */
  busy(key: string, bound: number | undefined): boolean {
    const pending = this.byKey.get(key)?.tracker.firstPending();
    return pending !== undefined && (bound === undefined || pending < bound);
  }

  /** Partitions with an event below their bound still unacked. */
  countBusy(bounds: ReadonlyMap<string, number>): number {
    let busy = 0;
    for (const key of this.byKey.keys()) if (this.busy(key, bounds.get(key))) busy++;
    return busy;
  }

  /** True when no delivered event is unacked, except ones at or past their partition's bound. */
  settled(bound: (key: string) => number | undefined): boolean {
    for (const key of this.byKey.keys()) {
      const pending = this.byKey.get(key)?.tracker.firstPending();
      if (pending === undefined) continue;
      const limit = bound(key);
      if (limit === undefined || pending < limit) return false;
    }
    return true;
  }

  /** True when every delivered event is acked. */
  idle(): boolean {
    for (const { tracker } of this.byKey.values()) if (tracker.pending() > 0) return false;
    return true;
  }

  /** Each partition's first unprocessed offset, capped by its bound, where it moved past the last commit. */
  planCommit(bounds: ReadonlyMap<string, number>): CommitPlan {
    const offsets: TopicPartitionOffset[] = [];
    const trackers: PartitionOffsetTracker[] = [];
    for (const [key, { tp, tracker }] of this.byKey) {
      let offset = tracker.committable() ?? tracker.lastCommitted();
      const bound = bounds.get(key);
      if (bound !== undefined && (offset === undefined || bound < offset)) offset = bound;
      if (offset === undefined || offset === tracker.lastCommitted()) continue;
      offsets.push({ topic: tp.topic, partition: tp.partition, offset });
      trackers.push(tracker);
    }
    return { offsets, markCommitted: () => offsets.forEach((o, i) => trackers[i]?.markCommitted(o.offset)) };
  }

  /** Partitions read again from `from(key)` forget what they tracked from there on. */
  truncate(from: (key: string) => number | undefined): TopicPartitionOffset[] {
    const rewound: TopicPartitionOffset[] = [];
    for (const [key, { tp, tracker }] of this.byKey) {
      const offset = from(key);
      if (offset === undefined) continue;
      tracker.truncateFrom(offset);
      rewound.push({ topic: tp.topic, partition: tp.partition, offset });
    }
    return rewound;
  }

  /** Offsets per partition, for tests and health (see Conductor.positions). */
  positions(): PartitionPosition[] {
    return [...this.byKey.values()].map(({ tp, tracker }) => ({
      topic: tp.topic,
      partition: tp.partition,
      committed: tracker.lastCommitted(),
      pending: tracker.pending(),
      position: tracker.position(),
      processed: tracker.firstPending() ?? tracker.position(),
    }));
  }
}
