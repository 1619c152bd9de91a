import type { PartitionStore, StoreWrite } from '../types/store.js';

/**
 * One table partition: the store plus the writes made since the last commit. Writes are visible at
 * once (reads check them first) and reach the store at commit, in one batch together with the
 * changelog offset they reflect, so the store never claims an offset whose writes it lacks.
 */
export class TablePartition {
  private pending = new Map<string, StoreWrite>();
  private highestChangelogOffset: number | undefined;

  constructor(readonly partition: number, readonly store: PartitionStore) {}

  get(key: Buffer): Buffer | undefined {
    const pending = this.pending.get(key.toString('latin1'));
    if (pending !== undefined) return pending.value ?? undefined;
    return this.store.get(key);
  }

  /** Buffers a local write (its changelog record is being sent). */
  write(key: Buffer, value: Buffer | null): void {
    this.pending.set(key.toString('latin1'), { key, value });
  }

  /** The broker acknowledged a changelog record of this partition. */
  changelogAcked(offset: number): void {
    if (this.highestChangelogOffset === undefined || offset > this.highestChangelogOffset) this.highestChangelogOffset = offset;
  }

  /** Applies records read from the changelog (recovery, standby, global table). */
  applyChangelog(writes: readonly StoreWrite[], lastOffset: number): void {
    this.store.applyBatch(writes, lastOffset);
  }

  /** Moves buffered writes into the store with the changelog offset they reflect. */
  flush(): number {
    if (this.pending.size === 0 && this.highestChangelogOffset === undefined) return 0;
    const writes = [...this.pending.values()];
    this.pending = new Map();
    this.store.applyBatch(writes, this.highestChangelogOffset);
    this.highestChangelogOffset = undefined;
    return writes.length;
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
