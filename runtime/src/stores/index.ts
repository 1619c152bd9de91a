/**
 * Chooses a table store by URL scheme, as Faust does for `store=`: `memory://` or `rocksdb://`
 * (optionally `rocksdb:///abs/path`). Disk-backed stores get a bounded LRU read cache in front.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FaustgenError } from '../core/errors.js';
import type { StoreDriver, StoreFactoryOptions, TableStore } from '../types/store.js';
import { CachingTableStore, defaultCacheSize } from './caching-store.js';
import { memoryStoreDriver } from './memory-store.js';
import { RocksDbPartitionStore } from './rocksdb-partition-store.js';
import { rocksdbStoreDriver } from './rocksdb-store.js';
import { tablesDir } from './store-paths.js';

export { CachingPartitionStore, CachingTableStore, defaultCacheSize, type CacheStats } from './caching-store.js';
export { MemoryPartitionStore, MemoryTableStore, memoryStoreDriver } from './memory-store.js';
export { RocksDbPartitionStore } from './rocksdb-partition-store.js';
export { RocksDbTableStore, rocksdbStoreDriver } from './rocksdb-store.js';
export { partitionDbPath, tablesDir } from './store-paths.js';

const drivers: ReadonlyMap<string, StoreDriver> = new Map(
  [memoryStoreDriver, rocksdbStoreDriver].map((driver) => [driver.scheme, driver]),
);

export interface OpenTableStoreOptions extends StoreFactoryOptions {
  /** Entries per partition in the read cache of disk-backed stores; 0 turns the cache off. Default 10,000. */
  readonly cacheSize?: number;
}

function parseStoreUrl(url: string): URL {
  const known = [...drivers.keys()].map((scheme) => `${scheme}://`).join(', ');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new FaustgenError('FG_STORE_URL_INVALID', `Store URL "${url}" cannot be parsed; use one of ${known}.`, {
      cause: error,
      details: { url },
    });
  }
  if (!drivers.has(parsed.protocol.slice(0, -1))) {
    throw new FaustgenError('FG_STORE_URL_INVALID', `Store URL "${url}" names an unknown store; use one of ${known}.`, {
      details: { url },
    });
  }
  return parsed;
}

export async function openTableStore(url: string, options: OpenTableStoreOptions): Promise<TableStore> {
  const parsed = parseStoreUrl(url);
  const driver = drivers.get(parsed.protocol.slice(0, -1)) as StoreDriver;
  const cacheSize = options.cacheSize ?? defaultCacheSize;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) {
    throw new FaustgenError('FG_SETTING_INVALID', `The table cache size must be a whole number >= 0, got ${String(cacheSize)}.`, {
      details: { setting: 'cacheSize', value: cacheSize, table: options.table },
    });
  }
  const { appId, table, datadir } = options;
  const store = await driver.open(parsed, { appId, table, datadir });
  // A cache over the heap store would only hold a second copy of the same entries.
  if (driver === memoryStoreDriver || cacheSize === 0) return store;
  return new CachingTableStore(store, cacheSize, `table "${table}" (${url})`);
}

export interface ResetResult {
  /** The directory that was deleted. */
  readonly path: string;
  /** Partition databases found in it. */
  readonly databases: number;
}

/**
 * Deletes the app's local table state (`<datadir>/<appId>/tables`) so that the next start rebuilds
 * every table from its changelog. Refuses with FG_STORE_LOCKED while a worker holds any partition:
 * deleting files under a running RocksDB would corrupt it rather than reset it.
 */
export async function resetLocalState(datadir: string, appId: string): Promise<ResetResult> {
  const path = tablesDir(datadir, appId);
  let names: string[];
  try {
    names = await readdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path, databases: 0 };
    throw new FaustgenError('FG_STORE', `Cannot read the table state directory ${path}.`, { cause: error, details: { path } });
  }
  const databases = names.filter((name) => name.endsWith('.db'));
  for (const name of databases) {
    const match = /^(.*)-(\d+)\.db$/.exec(name);
    const location = { path: join(path, name), table: match?.[1] ?? name, partition: Number(match?.[2] ?? 0) };
    // Opening takes the RocksDB LOCK, or fails with FG_STORE_LOCKED naming the worker's database.
    // Other failures (a corrupt database) do not stop the reset: it is how one recovers from them.
    try {
      const store = await RocksDbPartitionStore.open(location);
      await store.close();
    } catch (error) {
      if (FaustgenError.hasCode(error, 'FG_STORE_LOCKED')) throw error;
    }
  }
  try {
    await rm(path, { recursive: true, force: true });
  } catch (error) {
    throw new FaustgenError('FG_STORE', `Cannot delete the table state directory ${path}.`, { cause: error, details: { path } });
  }
  return { path, databases: databases.length };
}
export { lockDatadir, type DatadirLock } from './datadir-lock.js';
