/**
 * The point of the RocksDB store plus its LRU cache: a table far larger than the cache keeps a
 * synchronous API while the process's memory stays bounded. Writes 1,000,000 entries (14-byte keys,
 * 100-byte incompressible values: ~114 MB of data) and reads them back with a 10,000-entry cache.
 *
 * The RSS bound, calibrated on Node 20 / linux-x64 (2 shared cores): growth measured 114-119 MB here
 * (memtables of up to 16 MiB write buffers while flushes catch up, block cache, table readers, the V8
 * heap, the native module). The same entries in the heap store grow RSS by ~495 MB, so a limit of
 * 200 MB fails if the store starts holding the table in memory. It also caught a real leak: one
 * native WriteBatch per applyBatch, freed only by a finalizer after GC, grew RSS by ~150 MB per
 * million entries (251 MB in this test) until the store reused a single batch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openTableStore, type CachingPartitionStore } from '../../../runtime/src/stores/index.js';
import type { StoreWrite } from '../../../runtime/src/types/store.js';
import { makeTempDir } from './temp-dir.js';

const total = 1_000_000;
const batchSize = 10_000;
const cacheSize = 10_000;
const sampleSize = 20_000;
const rssGrowthLimitMb = 200;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const pool = randomBytes(1 << 20);
const keyOf = (index: number): Buffer => Buffer.from(`key-${String(index).padStart(10, '0')}`);
const valueOf = (index: number): Buffer => {
  const start = (index * 97) % (pool.length - 100);
  return Buffer.from(pool.subarray(start, start + 100));
};

function rssMb(): number {
  collectGarbage();
  return process.memoryUsage().rss / 1024 / 1024;
}

test('1,000,000 RocksDB entries behind a 10,000-entry cache: exact reads, full scan, bounded RSS', { timeout: 900_000 }, async (t) => {
  const dir = makeTempDir('rocksdb-million');
  try {
    const rssBefore = rssMb();
    const tables = await openTableStore('rocksdb://', { appId: 'app', table: 'big', datadir: dir.path, cacheSize });
    const store = (await tables.openPartition(0)) as CachingPartitionStore;

    for (let start = 0; start < total; start += batchSize) {
      const writes: StoreWrite[] = [];
      for (let index = start; index < start + batchSize; index++) writes.push({ key: keyOf(index), value: valueOf(index) });
      store.applyBatch(writes, start + batchSize - 1);
    }
    const rssAfterWrites = rssMb();
    assert.equal(store.persistedOffset(), total - 1);

    for (let read = 0; read < sampleSize; read++) {
      const index = Math.floor(Math.random() * total);
      assert.deepEqual(store.get(keyOf(index)), valueOf(index), `key ${index}`);
    }
    assert.equal(store.get(Buffer.from('key-absent')), undefined);
    const stats = store.stats();
    assert.ok(stats.entries <= cacheSize, `${stats.entries} cached entries`);
    assert.equal(stats.hits + stats.misses, sampleSize + 1);
    const rssAfterReads = rssMb();

    let count = 0;
    let previous: Buffer | undefined;
    for (const [key] of store.entries()) {
      if (previous !== undefined) assert.ok(Buffer.compare(previous, key) < 0, 'entries() out of order');
      previous = key;
      count++;
    }
    assert.equal(count, total);
    assert.equal(store.size(), total);
    const rssAfterScan = rssMb();

    await tables.close();
    const growth = Math.max(rssAfterWrites, rssAfterReads, rssAfterScan) - rssBefore;
    const line =
      `RSS MB: before ${rssBefore.toFixed(0)}, after 1M writes ${rssAfterWrites.toFixed(0)}, ` +
      `after ${sampleSize} gets ${rssAfterReads.toFixed(0)}, after full scan ${rssAfterScan.toFixed(0)}; ` +
      `max growth ${growth.toFixed(0)} (limit ${rssGrowthLimitMb}); cache ${JSON.stringify(stats)}`;
    t.diagnostic(line);
    assert.ok(growth < rssGrowthLimitMb, line);
  } finally {
    dir.cleanup();
  }
});
