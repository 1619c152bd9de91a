/**
 * A typed view of the few parts of @nxtedition/rocksdb that the RocksDB store uses. The package ships
 * no type declarations, and its useful synchronous entry points (`_getManySync`, the chained batch's
 * `_put`/`_del`/`_writeSync`) are underscore methods that skip abstract-level's encoding layer, which
 * would otherwise treat Buffers as UTF-8 text under the database's default `utf8` key encoding.
 *
 * Every method here talks to the native binding directly: calling one after the database is closed
 * crashes the process (a segfault, measured on 12.2.12), so callers must check their own open flag
 * first.
 */
import { createRequire } from 'node:module';

export interface RocksOpenOptions {
  readonly createIfMissing?: boolean;
  /** Block cache bytes; the binding's default is 8 MiB, one cache per database. */
  readonly cacheSize?: number;
  /** ZSTD for table files (the binding's default: true). */
  readonly compression?: boolean;
  /**
   * 'level' sizes the memtables from memtableMemoryBudget: write buffers of budget/4, flushed two at
   * a time, at most six. Without it RocksDB's defaults apply (64 MiB write buffers).
   */
  readonly compaction?: 'level' | 'universal';
  readonly memtableMemoryBudget?: number;
}

export interface RocksReadOptions {
  readonly fillCache?: boolean;
}

export interface RocksQueryOptions extends RocksReadOptions {
  readonly gt?: Buffer;
  readonly gte?: Buffer;
  readonly lt?: Buffer;
  readonly limit?: number;
  readonly keys?: boolean;
  readonly values?: boolean;
  /** The binding stops a page once it has read more than this many bytes. */
  readonly highWaterMarkBytes?: number;
  readonly keyEncoding: 'buffer';
  readonly valueEncoding: 'buffer';
}

export interface RocksQueryResult {
  /** Keys and values interleaved: [k0, v0, k1, v1, ...]. */
  readonly rows: readonly (Buffer | undefined)[];
  readonly finished: boolean;
}

export interface RocksWriteOptions {
  /** fsync the write-ahead log before returning. */
  readonly sync?: boolean;
}

/**
 * A native rocksdb::WriteBatch. Its memory is freed only by `_closeSync` or by a N-API finalizer,
 * which runs after garbage collection on a later event-loop turn and whose size V8 does not see; a
 * batch per write therefore piles up ~150 MB per million entries during a synchronous write loop
 * (measured). `_clear` empties it and keeps its buffer, so a store reuses one batch.
 */
export interface RocksChainedBatch {
  _put(key: Buffer, value: Buffer, options: RocksReadOptions): void;
  _del(key: Buffer, options: RocksReadOptions): void;
  _writeSync(options: RocksWriteOptions): void;
  _clear(): void;
  _closeSync(): void;
}

export interface RocksDatabase {
  readonly status: 'opening' | 'open' | 'closing' | 'closed';
  open(): Promise<void>;
  close(): Promise<void>;
  batch(): RocksChainedBatch;
  /** undefined: not found; null: aborted or timed out. */
  _getManySync(keys: readonly Buffer[], options: RocksReadOptions): (Buffer | undefined | null)[];
  querySync(options: RocksQueryOptions): RocksQueryResult;
  getProperty(name: string): string;
}

interface RocksModule {
  readonly RocksLevel: new (location: string, options: RocksOpenOptions) => RocksDatabase;
}

let loaded: RocksModule | undefined;

/** Loads the native module on first use so that memory-only apps never pay for it. */
export function createRocksDatabase(location: string, options: RocksOpenOptions): RocksDatabase {
  loaded ??= createRequire(import.meta.url)('@nxtedition/rocksdb') as RocksModule;
  return new loaded.RocksLevel(location, options);
}
