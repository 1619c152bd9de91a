/**
 * A bounded read cache in front of a PartitionStore, so that a table larger than memory keeps its
 * synchronous dictionary API while the heap holds at most `capacity` entries of it. Writes go through
 * to the inner store first and update cached keys only once the inner batch has committed. Absent
 * keys are cached too (as null): "is this key new?" is the most common table read.
 */
import type { PartitionStore, StoreWrite, TableStore } from '../types/store.js';
import { LruCache } from './lru-cache.js';
import { OpenPartitions } from './open-partitions.js';
import { storeClosedError } from './store-errors.js';

/**
 * Entries per table partition (~2.5 MB per 10,000 small ones). At 10,000, a partition with 25,000
 * keys in use read most of them from RocksDB after every commit (docs/benchmarks.md, "Session 23").
 */
export const defaultCacheSize = 50_000;

export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  /** Entries held now, at most capacity. */
  readonly entries: number;
  readonly capacity: number;
}

export class CachingPartitionStore implements PartitionStore {
  private readonly cache: LruCache<string, Buffer | null>;
  private hits = 0;
  private misses = 0;
  private closed = false;

  constructor(
    private readonly inner: PartitionStore,
    capacity: number = defaultCacheSize,
    private readonly onClose: (store: CachingPartitionStore) => void = () => {},
  ) {
    this.cache = new LruCache(capacity);
  }

  get partition(): number {
    return this.inner.partition;
  }

  get(key: Buffer, id = key.toString('latin1')): Buffer | undefined {
    // Checked here because a cache hit never reaches the inner store, which would refuse.
    if (this.closed) throw storeClosedError(`cached store of partition ${this.partition}`, 'read');
    const cached = this.cache.get(id);
    if (cached !== undefined) {
      this.hits++;
      return cached ?? undefined;
    }
    this.misses++;
    const value = this.inner.get(key);
    this.cache.set(id, value ?? null);
    return value;
  }

  /**
   * Refreshes keys that are cached and does not add the others: a recovery replaying millions of
   * changelog records would otherwise churn the whole cache for keys nobody reads, while the usual
   * read-modify-write of a table finds its key already cached by the read.
   */
  applyBatch(writes: readonly StoreWrite[], changelogOffset: number | undefined): void {
    this.inner.applyBatch(writes, changelogOffset);
    for (const { key, value } of writes) this.cache.update(key.toString('latin1'), value);
  }

  persistedOffset(): number | undefined {
    return this.inner.persistedOffset();
  }

  entries(range?: { readonly gte?: Buffer; readonly lt?: Buffer }): IterableIterator<[Buffer, Buffer]> {
    return this.inner.entries(range);
  }

  size(): number {
    return this.inner.size();
  }

  clear(): void {
    // Emptied first: should the inner clear fail halfway, later reads must go to the store.
    this.cache.clear();
    this.inner.clear();
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache.clear();
    this.onClose(this);
    await this.inner.close();
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.cache.size, capacity: this.cache.capacity };
  }
}

/** Puts a CachingPartitionStore in front of every partition the inner TableStore opens. */
export class CachingTableStore implements TableStore {
  private readonly partitions: OpenPartitions<CachingPartitionStore>;

  constructor(
    private readonly inner: TableStore,
    private readonly capacity: number = defaultCacheSize,
    owner = 'cached table store',
  ) {
    this.partitions = new OpenPartitions(owner);
  }

  openPartition(partition: number): Promise<CachingPartitionStore> {
    return this.partitions.open(partition, async () => {
      const store = await this.inner.openPartition(partition);
      return new CachingPartitionStore(store, this.capacity, (cached) => this.partitions.forget(partition, cached));
    });
  }

  closePartition(partition: number): Promise<void> {
    return this.partitions.close(partition);
  }

  async close(): Promise<void> {
    try {
      await this.partitions.closeAll();
    } finally {
      await this.inner.close();
    }
  }
}
