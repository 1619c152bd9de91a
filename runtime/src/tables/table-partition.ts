import type { Event } from '../streams/event.js';
import type { PartitionStore, StoreWrite } from '../types/store.js';

interface PendingWrite {
  readonly key: Buffer;
  /** null deletes the key (a changelog tombstone). */
  value: Buffer | null;
  /** Changelog offset of this write, once the broker acknowledged it. */
  offset: number | undefined;
  /** Set while the value's changelog record is not sent yet: the event whose processing wrote it last. */
  origin: Event<unknown, unknown> | undefined;
}

/** Sends one changelog record of a partition on behalf of the event whose processing wrote it. */
export type ChangelogSend = (key: Buffer, value: Buffer | null, origin: Event<unknown, unknown>) => void;

/** Two events of the same source partition: their outputs commit together (one transaction). */
function sameSource(a: Event<unknown, unknown>, b: Event<unknown, unknown>): boolean {
  return a.partition === b.partition && a.topic === b.topic;
}

/**
 * One table partition: the store plus the writes made since the last commit. Writes are visible at
 * once (reads check them first) and reach the store at commit, in one batch together with the
 * changelog offset they reflect, so the store never claims an offset whose writes it lacks.
 *
 * Changelog records are coalesced like Kafka Streams' record cache (`changelogBufferSize` > 0): a
 * write made while processing an event is kept unsent, one entry per key, the last value winning
 * (deletes included), and sent at the next commit before the offsets of the events that made it are
 * committed (with exactly-once: inside their transaction), or earlier once the buffer is full. A key
 * written by events of another source partition than its unsent value's keeps both records (in
 * order): each belongs to its own transaction.
 *
 * A `followed` partition (a global table's) is also fed by the changelog reader, which sees every
 * worker's writes, this one's included. There the reader is the only way into the store, in
 * changelog order: a local write stays buffered until the reader applied its record. Flushing it
 * with its own offset instead could record an offset past other workers' records not applied yet
 * (lost after a crash), and the reader's later echo of an older record would hide a newer value.
 */
/** Tags a changelog send with the write epoch it belongs to (see TablePartition.ackTag). */
export interface ChangelogAckTag {
  readonly partition: TablePartition;
  readonly epoch: number;
}

export class TablePartition {
  private pending = new Map<string, PendingWrite>();
  /**
   * Bumped by discardPending: an acknowledgement of a record sent before it belongs to a write that is
   * gone, and must not move the offset the store will claim (a late ack after a revoke made a store
   * claim a changelog offset whose value it lacked; its recovery then skipped that record).
   */
  private epoch = 0;
  /** The tag of sends in the current epoch (one object per epoch, not per record). */
  ackTag: ChangelogAckTag = { partition: this, epoch: 0 };
  /** Entries whose value is not in the changelog yet, in the order they were first written. */
  private unsent: PendingWrite[] = [];
  private highestChangelogOffset: number | undefined;

  /** `coalesceLimit`: most unsent entries before they are sent early; 0 sends every write at once. */
  constructor(readonly partition: number, readonly store: PartitionStore, readonly followed = false, private readonly coalesceLimit = 0) {}

  /** Whether writes made while processing an event are kept for the commit (see the class comment). */
  get coalesces(): boolean {
    return this.coalesceLimit > 0 && !this.followed;
  }

  /** `id`: the key as a latin1 string, when the caller has it (a read-then-write converts it once). */
  get(key: Buffer, id = key.toString('latin1')): Buffer | undefined {
    const pending = this.pending.get(id);
    if (pending !== undefined) return pending.value ?? undefined;
    return this.store.get(key, id);
  }

  /** Buffers a local write; call the result with its changelog offset once the broker acked it. */
  write(key: Buffer, value: Buffer | null): (offset: number) => void {
    const entry: PendingWrite = { key, value, offset: undefined, origin: undefined };
    this.pending.set(key.toString('latin1'), entry);
    const epoch = this.epoch;
    return (offset) => {
      if (epoch !== this.epoch) return;
      entry.offset = offset;
      this.changelogAcked(offset);
    };
  }

  /**
   * Keeps a write made while processing `origin` for the next commit (coalescing). Returns true when
   * the buffer is full: the caller sends it now (`sendUnsent`).
   */
  buffer(key: Buffer, value: Buffer | null, origin: Event<unknown, unknown>, id = key.toString('latin1')): boolean {
    const entry = this.pending.get(id);
    if (entry?.origin !== undefined && sameSource(entry.origin, origin)) {
      entry.value = value;
      entry.origin = origin;
      return false;
    }
    if (entry !== undefined && entry.origin === undefined) {
      // Its last value is sent already: the entry becomes unsent again with the new one.
      entry.value = value;
      entry.origin = origin;
      entry.offset = undefined;
      this.unsent.push(entry);
    } else {
      // New, or unsent on behalf of another source partition: that one stays in the list as it is.
      const fresh: PendingWrite = { key, value, offset: undefined, origin };
      this.pending.set(id, fresh);
      this.unsent.push(fresh);
    }
    return this.unsent.length >= this.coalesceLimit;
  }

  hasUnsent(): boolean {
    return this.unsent.length > 0;
  }

  /** Hands every unsent value to `send`, in the order the keys were first written; returns how many. */
  sendUnsent(send: ChangelogSend): number {
    const entries = this.unsent;
    if (entries.length === 0) return 0;
    this.unsent = [];
    for (const entry of entries) {
      const origin = entry.origin;
      if (origin === undefined) continue;
      entry.origin = undefined;
      send(entry.key, entry.value, origin);
    }
    return entries.length;
  }

  /** The broker acknowledged a changelog record sent with `tag` (ignored when its writes were discarded since). */
  changelogAckedFor(tag: ChangelogAckTag, offset: number): void {
    if (tag.epoch === this.epoch) this.changelogAcked(offset);
  }

  /** The broker acknowledged a changelog record of this partition. */
  changelogAcked(offset: number): void {
    if (this.highestChangelogOffset === undefined || offset > this.highestChangelogOffset) this.highestChangelogOffset = offset;
  }

  /** Applies records read from the changelog (recovery, standby, global table). */
  applyChangelog(writes: readonly StoreWrite[], lastOffset: number): void {
    this.store.applyBatch(writes, lastOffset);
    if (!this.followed) return;
    for (const [id, entry] of this.pending) if (entry.offset !== undefined && entry.offset <= lastOffset) this.pending.delete(id);
  }

  /** Moves buffered writes into the store with the changelog offset they reflect. */
  flush(): number {
    if (this.followed) return 0;
    if (this.pending.size === 0 && this.highestChangelogOffset === undefined) return 0;
    const writes: StoreWrite[] = [];
    for (const { key, value } of this.pending.values()) writes.push({ key, value });
    // Unsent entries (written while the commit awaited the producer) stay in `unsent` and go out at
    // the next commit; their values reach the store now, as sent-but-unacknowledged ones always did.
    this.pending = new Map();
    this.store.applyBatch(writes, this.highestChangelogOffset);
    this.highestChangelogOffset = undefined;
    return writes.length;
  }

  /**
   * Forgets buffered writes (the partition moved away before they were committed): the store keeps
   * its offset, so whatever of them reached the changelog is read back from there.
   */
  discardPending(): number {
    if (this.followed) return 0;
    const dropped = this.pending.size;
    this.pending = new Map();
    this.unsent = [];
    this.highestChangelogOffset = undefined;
    this.epoch++;
    this.ackTag = { partition: this, epoch: this.epoch };
    return dropped;
  }

  *entries(): IterableIterator<[Buffer, Buffer]> {
    const seen = new Set<string>();
    for (const [id, write] of this.pending) {
      seen.add(id);
      if (write.value !== null) yield [write.key, write.value];
    }
    for (const [key, value] of this.store.entries()) {
      if (!seen.has(key.toString('latin1'))) yield [key, value];
    }
  }

  /** Entries whose key sorts before `limit` (store entries in key order, buffered ones first). */
  *entriesBefore(limit: Buffer): IterableIterator<[Buffer, Buffer | null]> {
    const seen = new Set<string>();
    for (const [id, write] of this.pending) {
      seen.add(id);
      if (Buffer.compare(write.key, limit) < 0) yield [write.key, write.value];
    }
    for (const [key, value] of this.store.entries({ lt: limit })) {
      if (!seen.has(key.toString('latin1'))) yield [key, value];
    }
  }

  hasPending(): boolean {
    return this.pending.size > 0;
  }
}
