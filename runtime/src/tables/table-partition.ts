import type { PartitionStore, StoreWrite } from '../types/store.js';

interface PendingWrite extends StoreWrite {
  /** Changelog offset of this write, once the broker acknowledged it. */
  offset: number | undefined;
}

/**
 * One table partition: the store plus the writes made since the last commit. Writes are visible at
 * once (reads check them first) and reach the store at commit, in one batch together with the
 * changelog offset they reflect, so the store never claims an offset whose writes it lacks.
 *
 * A `followed` partition (a global table's) is also fed by the changelog reader, which sees every
 * worker's writes, this one's included. There the reader is the only way into the store, in
 * changelog order: a local write stays buffered until the reader applied its record. Flushing it
 * with its own offset instead could record an offset past other workers' records not applied yet
 * (lost after a crash), and the reader's later echo of an older record would hide a newer value.
 */
export class TablePartition {
  private pending = new Map<string, PendingWrite>();
  private highestChangelogOffset: number | undefined;

  constructor(readonly partition: number, readonly store: PartitionStore, readonly followed = false) {}

  get(key: Buffer): Buffer | undefined {
    const pending = this.pending.get(key.toString('latin1'));
    if (pending !== undefined) return pending.value ?? undefined;
    return this.store.get(key);
  }

  /** Buffers a local write; call the result with its changelog offset once the broker acked it. */
  write(key: Buffer, value: Buffer | null): (offset: number) => void {
    const entry: PendingWrite = { key, value, offset: undefined };
    this.pending.set(key.toString('latin1'), entry);
    return (offset) => {
      entry.offset = offset;
      this.changelogAcked(offset);
    };
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
    const writes = [...this.pending.values()].map(({ key, value }) => ({ key, value }));
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
    this.highestChangelogOffset = undefined;
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
