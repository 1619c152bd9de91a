/**
 * One table partition in one RocksDB database (key layout in rocksdb-keys.ts). Each applyBatch is a
 * single RocksDB WriteBatch holding the entries, the changelog offset they reflect and the entry
 * count, so a crash leaves either all of them or none.
 *
 * size() must be exact and RocksDB only estimates key counts, so the store keeps the count itself;
 * telling inserts from overwrites costs one MultiGet per applyBatch.
 *
 * All reads use the binding's synchronous calls: `_getManySync` for get() and `querySync` pages for
 * entries(), which resumes each page after the last key it returned, so no native iterator outlives
 * a call and none can be left open when the store closes.
 */
import type { PartitionStore, StoreWrite } from '../types/store.js';
import { createRocksDatabase, type RocksChainedBatch, type RocksDatabase, type RocksOpenOptions, type RocksQueryOptions } from './rocksdb-binding.js';
import { wrapStoreError, type StoreLocation } from './rocksdb-errors.js';
import {
  currentFormatVersion,
  decodeInt64,
  encodeInt64,
  entriesEnd,
  entriesStart,
  fromStoredKey,
  metaKeys,
  toStoredKey,
  toStoredValue,
} from './rocksdb-keys.js';
import { storeClosedError } from './store-errors.js';

/** Rows per synchronous page of entries(); a page also ends after pageBytes of keys and values. */
const pageRows = 1000;
const pageBytes = 4 * 1024 * 1024;

const noOptions = {};

export interface RocksDbPartitionOptions {
  /** RocksDB block cache bytes (the binding's default is 8 MiB). */
  readonly blockCacheBytes?: number;
  /** Memtable budget; write buffers are a quarter of it. Default 64 MiB. */
  readonly memtableBytes?: number;
}

/**
 * RocksDB's default 64 MiB write buffers made a 1M-key partition keep ~80 MB of memtables and replay
 * up to that much WAL on open; 16 MiB buffers cut that to ~12 MB and a ~0.2 s reopen (measured, see
 * docs/adr/0002-rocksdb-binding.md).
 */
const defaultMemtableBytes = 64 * 1024 * 1024;

function openOptions(options: RocksDbPartitionOptions): RocksOpenOptions {
  return {
    createIfMissing: true,
    compaction: 'level',
    memtableMemoryBudget: options.memtableBytes ?? defaultMemtableBytes,
    ...(options.blockCacheBytes === undefined ? {} : { cacheSize: options.blockCacheBytes }),
  };
}

export class RocksDbPartitionStore implements PartitionStore {
  private closed = false;

  private constructor(
    private readonly db: RocksDatabase,
    private readonly location: StoreLocation,
    private offset: number | undefined,
    private count: number,
    private readonly onClose: (store: RocksDbPartitionStore) => void,
  ) {}

  get partition(): number {
    return this.location.partition;
  }

  static async open(
    location: StoreLocation,
    options: RocksDbPartitionOptions = {},
    onClose: (store: RocksDbPartitionStore) => void = () => {},
  ): Promise<RocksDbPartitionStore> {
    let db: RocksDatabase;
    try {
      db = createRocksDatabase(location.path, openOptions(options));
      await db.open();
    } catch (error) {
      throw wrapStoreError(error, location, 'open');
    }
    try {
      const [offset, count] = db._getManySync([metaKeys.changelogOffset, metaKeys.entryCount], noOptions);
      const store = new RocksDbPartitionStore(db, location, decodeInt64(offset), decodeInt64(count) ?? 0, onClose);
      // A new database, or one whose count was dropped by a crash inside clear(): count once, record it.
      if (decodeInt64(count) === undefined) store.recount();
      return store;
    } catch (error) {
      await db.close().catch(() => {});
      throw wrapStoreError(error, location, 'open');
    }
  }

  get(key: Buffer): Buffer | undefined {
    this.assertOpen('read');
    let value: Buffer | null | undefined;
    try {
      [value] = this.db._getManySync([toStoredKey(key)], noOptions);
    } catch (error) {
      throw wrapStoreError(error, this.location, 'get');
    }
    if (value === null) throw wrapStoreError(new Error('read aborted or timed out'), this.location, 'get');
    return value;
  }

  applyBatch(writes: readonly StoreWrite[], changelogOffset: number | undefined): void {
    this.assertOpen('write');
    if (writes.length === 0 && changelogOffset === undefined) return;
    this.write('write batch', (batch) => {
      const count = this.stageWrites(batch, writes);
      batch._put(metaKeys.entryCount, encodeInt64(count), noOptions);
      if (changelogOffset !== undefined) batch._put(metaKeys.changelogOffset, encodeInt64(changelogOffset), noOptions);
      return () => {
        this.count = count;
        if (changelogOffset !== undefined) this.offset = changelogOffset;
      };
    });
  }

  persistedOffset(): number | undefined {
    this.assertOpen('read the offset of');
    return this.offset;
  }

  *entries(range?: { readonly gte?: Buffer; readonly lt?: Buffer }): IterableIterator<[Buffer, Buffer]> {
    const lt = range?.lt === undefined ? entriesEnd : toStoredKey(range.lt);
    let lower: { gte: Buffer } | { gt: Buffer } = { gte: range?.gte === undefined ? entriesStart : toStoredKey(range.gte) };
    for (;;) {
      const page = this.query({ ...lower, lt, limit: pageRows, highWaterMarkBytes: pageBytes });
      const rows = page.rows;
      for (let index = 0; index + 1 < rows.length; index += 2) {
        yield [fromStoredKey(rows[index] as Buffer), rows[index + 1] as Buffer];
      }
      // The binding marks a page finished when it hit `limit`, and unfinished when it stopped on bytes.
      if (page.finished && rows.length < pageRows * 2) return;
      const last = rows[rows.length - 2];
      if (last === undefined) return;
      lower = { gt: last };
    }
  }

  size(): number {
    this.assertOpen('count');
    return this.count;
  }

  /** Forgets the offset before dropping entries: a crash in between then means a full replay, never lost data. */
  clear(): void {
    this.assertOpen('clear');
    this.write('clear', (batch) => {
      batch._del(metaKeys.changelogOffset, noOptions);
      batch._del(metaKeys.entryCount, noOptions);
      return () => {
        this.offset = undefined;
      };
    });
    // Resume after the last deleted key: restarting from the front would re-skip every tombstone.
    let lower: { gte: Buffer } | { gt: Buffer } = { gte: entriesStart };
    for (;;) {
      const keys: readonly (Buffer | undefined)[] = this.query({ ...lower, lt: entriesEnd, keys: true, values: false, limit: pageRows }).rows;
      const last: Buffer | undefined = keys[keys.length - 2];
      if (last === undefined) break;
      lower = { gt: last };
      this.write('clear', (batch) => {
        for (let index = 0; index < keys.length; index += 2) batch._del(keys[index] as Buffer, noOptions);
        return () => {};
      });
    }
    this.write('clear', (batch) => {
      batch._put(metaKeys.entryCount, encodeInt64(0), noOptions);
      return () => {
        this.count = 0;
      };
    });
  }

  /** Makes every write so far durable against power loss: a synced write fsyncs the whole WAL. */
  async flush(): Promise<void> {
    this.assertOpen('flush');
    this.write(
      'flush',
      (batch) => {
        batch._put(metaKeys.formatVersion, currentFormatVersion, noOptions);
        return () => {};
      },
      true,
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Marked closed first: a later call must fail in assertOpen, never reach the closed native handle.
    this.closed = true;
    this.onClose(this);
    try {
      await this.db.close();
    } catch (error) {
      throw wrapStoreError(error, this.location, 'close');
    }
  }

  /** Stages the entry writes and returns the entry count after them. */
  private stageWrites(batch: RocksChainedBatch, writes: readonly StoreWrite[]): number {
    let count = this.count;
    if (writes.length === 0) return count;
    const storedKeys = writes.map((write) => toStoredKey(write.key));
    const stored = this.db._getManySync(storedKeys, noOptions);
    // A key written twice in one batch must be counted against its own earlier write.
    const present = new Map<string, boolean>();
    writes.forEach(({ value }, index) => {
      const storedKey = storedKeys[index] as Buffer;
      const id = storedKey.toString('latin1');
      const existed = present.get(id) ?? (stored[index] !== undefined && stored[index] !== null);
      if (value === null) {
        if (existed) count--;
        batch._del(storedKey, noOptions);
      } else {
        if (!existed) count++;
        batch._put(storedKey, toStoredValue(value), noOptions);
      }
      present.set(id, value !== null);
    });
    return count;
  }

  private recount(): void {
    let count = 0;
    let lower: { gte: Buffer } | { gt: Buffer } = { gte: entriesStart };
    for (;;) {
      const keys: readonly (Buffer | undefined)[] = this.query({ ...lower, lt: entriesEnd, keys: true, values: false, limit: pageRows }).rows;
      count += keys.length / 2;
      const last: Buffer | undefined = keys[keys.length - 2];
      if (keys.length < pageRows * 2 || last === undefined) break;
      lower = { gt: last };
    }
    this.write('open', (batch) => {
      batch._put(metaKeys.entryCount, encodeInt64(count), noOptions);
      batch._put(metaKeys.formatVersion, currentFormatVersion, noOptions);
      return () => {
        this.count = count;
      };
    });
  }

  /** Runs `stage` on a fresh batch, writes it, and only then applies the in-memory update it returns. */
  private write(operation: string, stage: (batch: RocksChainedBatch) => () => void, sync = false): void {
    const batch = this.db.batch();
    try {
      const commit = stage(batch);
      batch._writeSync(sync ? { sync: true } : noOptions);
      commit();
    } catch (error) {
      throw wrapStoreError(error, this.location, operation);
    } finally {
      batch._closeSync();
    }
  }

  private query(options: Omit<RocksQueryOptions, 'keyEncoding' | 'valueEncoding'>): { rows: readonly (Buffer | undefined)[]; finished: boolean } {
    this.assertOpen('iterate');
    try {
      return this.db.querySync({ ...options, keyEncoding: 'buffer', valueEncoding: 'buffer' });
    } catch (error) {
      throw wrapStoreError(error, this.location, 'iterate');
    }
  }

  private assertOpen(operation: string): void {
    if (this.closed) {
      throw storeClosedError(`RocksDB store ${this.location.path} (table "${this.location.table}")`, operation);
    }
  }
}
