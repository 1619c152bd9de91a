import { join } from 'node:path';
import { FaustgenError } from '../core/errors.js';
import { RocksDbPartitionStore } from './rocksdb-partition-store.js';
import { assertSafePathName, rocksdbBaseDir } from './store-paths.js';

export interface DatadirLock {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * One worker per data directory. Partition databases lock one by one, so two workers sharing a
 * datadir would only collide once they want the same partition (Faust's "LOCK: Resource temporarily
 * unavailable" mid-rebalance). A small RocksDB database held open for the worker's lifetime locks the
 * whole directory at start instead; the operating system drops it when the process dies, even by
 * SIGKILL, so a crashed worker never leaves a stale lock behind.
 */
export async function lockDatadir(storeUrl: string, datadir: string, appId: string): Promise<DatadirLock> {
  assertSafePathName('appId', appId);
  const base = rocksdbBaseDir(new URL(storeUrl), datadir);
  const path = join(base, appId, 'worker.lock');
  let store: RocksDbPartitionStore;
  try {
    store = await RocksDbPartitionStore.open({ path, table: 'worker-lock', partition: 0 }, { blockCacheBytes: 1 << 20, memtableBytes: 1 << 20 });
  } catch (error) {
    if (FaustgenError.hasCode(error, 'FG_STORE_LOCKED')) {
      throw new FaustgenError('FG_STORE_LOCKED', `another worker of app "${appId}" is using the data directory ${join(base, appId)}: stop it, or give this worker its own --datadir`, {
        cause: error,
        details: { path, appId },
      });
    }
    throw error;
  }
  return { path, release: () => store.close() };
}
