/**
 * One table partition in one RocksDB database (key layout in rocksdb-keys.ts). Each applyBatch is a
 * single RocksDB WriteBatch holding the entries and the changelog offset they reflect, so a crash
 * leaves either both or neither.
 *
 * size() must be exact and RocksDB only estimates key counts. Keeping a running count needs a read
 * before every write to tell inserts from overwrites (one MultiGet per batch, measured 2.5-3x
 * slower batches), and batch speed is what bounds changelog recovery. So the count is kept only once
 * someone has asked for it: the first size() counts keys with a scan (as Faust's RocksDB store
 * does on every len()), and later batches keep that count exact. A store nobody asks the size of
 * writes blind.
 *
 * All reads use the binding's synchronous calls: `_getManySync` for get(), `querySync` pages
 * (rocksdb-scan.ts) for entries(), counting and clearing.
 */
import type { PartitionStore, StoreWrite } from '../types/store.js';
import { createRocksDatabase, type RocksChainedBatch, type RocksDatabase, type RocksOpenOptions, type RocksQueryResult } from './rocksdb-binding.js';
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
import { scanPages, type PageQuery } from './rocksdb-scan.js';
import { storeClosedError } from './store-errors.js';

const entryRange = { gte: entriesStart, lt: entriesEnd } as const;
const keysOnly = { keys: true, values: false } as const;

const noOptions = {};

export interface RocksDbPartitionOptions {
  /** RocksDB block cache bytes (the binding's default is 8 MiB). */
  readonly blockCacheBytes?: number;
  /** Memtable budget; write buffers are a quarter of it. Default 64 MiB. */
  readonly memtableBytes?: number;
}

/**
 * Gives 16 MiB write buffers. With RocksDB's default 64 MiB ones, 2M entries kept ~80 MB of
 * memtables and ~60 MB of WAL to replay on open; with 16 MiB, ~12 MB and 8 MB (a ~0.2 s reopen).
 * See docs/adr/0002-rocksdb-binding.md.
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

  /** The exact entry count, or undefined until size() is first called. */
  private count: number | undefined;

  /** The one write batch this store reuses; see RocksChainedBatch for why not one per write. */
  private readonly batch: RocksChainedBatch;

  private constructor(
    private readonly db: RocksDatabase,
    private readonly location: StoreLocation,
    private offset: number | undefined,
    private readonly onClose: (store: RocksDbPartitionStore) => void,
  ) {
    this.batch = db.batch();
  }

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
      const [offset, version] = db._getManySync([metaKeys.changelogOffset, metaKeys.formatVersion], noOptions);
      const store = new RocksDbPartitionStore(db, location, decodeInt64(offset), onClose);
      if (version === undefined) store.writeFormatVersion(false);
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
      const storedKeys = writes.map(({ key }) => toStoredKey(key));
      const count = this.count === undefined ? undefined : this.countAfter(writes, storedKeys);
      writes.forEach(({ value }, index) => {
        const storedKey = storedKeys[index] as Buffer;
        if (value === null) batch._del(storedKey, noOptions);
        else batch._put(storedKey, toStoredValue(value), noOptions);
      });
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
    const stored = {
      gte: range?.gte === undefined ? entriesStart : toStoredKey(range.gte),
      lt: range?.lt === undefined ? entriesEnd : toStoredKey(range.lt),
    };
    for (const rows of scanPages(this.query, stored)) {
      for (let index = 0; index + 1 < rows.length; index += 2) {
        yield [fromStoredKey(rows[index] as Buffer), rows[index + 1] as Buffer];
      }
    }
  }

  /** O(entries) the first time (a keys-only scan), O(1) after that. */
  size(): number {
    this.assertOpen('count');
    this.count ??= this.countEntries();
    return this.count;
  }

  /** Forgets the offset before dropping entries: a crash in between then means a full replay, never lost data. */
  clear(): void {
    this.assertOpen('clear');
    const counting = this.count !== undefined;
    this.write('clear', (batch) => {
      batch._del(metaKeys.changelogOffset, noOptions);
      return () => {
        this.offset = undefined;
        this.count = undefined;
      };
    });
    // Each page resumes after the last deleted key, so tombstones are never scanned twice.
    for (const keys of scanPages(this.query, entryRange, keysOnly)) {
      this.write('clear', (batch) => {
        for (let index = 0; index < keys.length; index += 2) batch._del(keys[index] as Buffer, noOptions);
        return () => {};
      });
    }
    this.count = counting ? 0 : undefined;
  }

  /** Makes every write so far durable against power loss: a synced write fsyncs the whole WAL. */
  async flush(): Promise<void> {
    this.assertOpen('flush');
    this.writeFormatVersion(true);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Marked closed first: a later call must fail in assertOpen, never reach the closed native handle.
    this.closed = true;
    this.onClose(this);
    try {
      this.batch._closeSync();
      await this.db.close();
    } catch (error) {
      throw wrapStoreError(error, this.location, 'close');
    }
  }

  /** The entry count once `writes` are applied, from one MultiGet telling inserts from overwrites. */
  private countAfter(writes: readonly StoreWrite[], storedKeys: readonly Buffer[]): number {
    let count = this.count ?? 0;
    if (writes.length === 0) return count;
    const stored = this.db._getManySync(storedKeys, noOptions);
    // A key written twice in one batch is counted against its own earlier write.
    const present = new Map<string, boolean>();
    writes.forEach(({ value }, index) => {
      const id = (storedKeys[index] as Buffer).toString('latin1');
      const existed = present.get(id) ?? (stored[index] !== undefined && stored[index] !== null);
      if (value === null && existed) count--;
      if (value !== null && !existed) count++;
      present.set(id, value !== null);
    });
    return count;
  }

  private countEntries(): number {
    let count = 0;
    for (const keys of scanPages(this.query, entryRange, keysOnly)) count += keys.length / 2;
    return count;
  }

  /** Also the cheapest write that a synced batch can carry to fsync the WAL. */
  private writeFormatVersion(sync: boolean): void {
    this.write(
      sync ? 'flush' : 'open',
      (batch) => {
        batch._put(metaKeys.formatVersion, currentFormatVersion, noOptions);
        return () => {};
      },
      sync,
    );
  }

  /** Stages writes on the emptied batch, writes it, and only then applies the in-memory update `stage` returns. */
  private write(operation: string, stage: (batch: RocksChainedBatch) => () => void, sync = false): void {
    const batch = this.batch;
    try {
      batch._clear();
      const commit = stage(batch);
      batch._writeSync(sync ? { sync: true } : noOptions);
      commit();
    } catch (error) {
      throw wrapStoreError(error, this.location, operation);
    } finally {
      batch._clear();
    }
  }

  /** Bound, so that scanPages can call it; checks the open flag before every page. */
  private readonly query: PageQuery = (options): RocksQueryResult => {
    this.assertOpen('iterate');
    try {
      return this.db.querySync({ ...options, keyEncoding: 'buffer', valueEncoding: 'buffer' });
    } catch (error) {
      throw wrapStoreError(error, this.location, 'iterate');
    }
  };

  private assertOpen(operation: string): void {
    if (this.closed) {
      throw storeClosedError(`RocksDB store ${this.location.path} (table "${this.location.table}")`, operation);
    }
  }
}
