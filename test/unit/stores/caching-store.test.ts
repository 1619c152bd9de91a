import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CachingPartitionStore } from '../../../runtime/src/stores/caching-store.js';
import { LruCache } from '../../../runtime/src/stores/lru-cache.js';
import { memoryStoreDriver } from '../../../runtime/src/stores/memory-store.js';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import type { PartitionStore, StoreWrite } from '../../../runtime/src/types/store.js';
import { bytes, text } from './temp-dir.js';

/** Counts the reads that reach the inner store, and can be told to fail the next batch. */
class CountingStore implements PartitionStore {
  reads = 0;
  failNextBatch = false;
  constructor(private readonly inner: PartitionStore) {}
  get partition(): number {
    return this.inner.partition;
  }
  get(key: Buffer): Buffer | undefined {
    this.reads++;
    return this.inner.get(key);
  }
  applyBatch(writes: readonly StoreWrite[], offset: number | undefined): void {
    if (this.failNextBatch) {
      this.failNextBatch = false;
      throw new Error('disk full');
    }
    this.inner.applyBatch(writes, offset);
  }
  persistedOffset(): number | undefined {
    return this.inner.persistedOffset();
  }
  entries(range?: { gte?: Buffer; lt?: Buffer }): IterableIterator<[Buffer, Buffer]> {
    return this.inner.entries(range);
  }
  size(): number {
    return this.inner.size();
  }
  clear(): void {
    this.inner.clear();
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

async function cachedMemoryStore(capacity: number): Promise<{ cached: CachingPartitionStore; counting: CountingStore }> {
  const tables = await memoryStoreDriver.open(new URL('memory://'), { appId: 'app', table: 't', datadir: '/unused' });
  const counting = new CountingStore(await tables.openPartition(0));
  return { cached: new CachingPartitionStore(counting, capacity), counting };
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('LruCache', () => {
  test('evicts the least recently used entry, counting reads as uses', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    assert.equal(cache.get('a'), 1); // a is now newer than b
    cache.set('c', 3);
    assert.equal(cache.has('b'), false);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('c'), 3);
    assert.equal(cache.size, 2);
  });

  test('update() changes a cached value without making it recent, and ignores uncached keys', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    assert.equal(cache.update('a', 10), true);
    assert.equal(cache.update('zz', 1), false);
    cache.set('c', 3); // evicts a: update() did not refresh it
    assert.equal(cache.has('a'), false);
    assert.equal(cache.has('zz'), false);
    assert.deepEqual([cache.get('b'), cache.get('c')], [2, 3]);
  });

  test('10,000 random operations match a simple array-based LRU', () => {
    const capacity = 16;
    const cache = new LruCache<number, number>(capacity);
    const reference: [number, number][] = []; // oldest first
    const next = random(7);
    for (let op = 0; op < 10_000; op++) {
      const key = Math.floor(next() * 40);
      const roll = next();
      const at = reference.findIndex(([k]) => k === key);
      if (roll < 0.4) {
        const expected = at < 0 ? undefined : (reference[at] as [number, number])[1];
        assert.equal(cache.get(key), expected, `op ${op}: get ${key}`);
        if (at >= 0) reference.push(...reference.splice(at, 1));
      } else if (roll < 0.8) {
        cache.set(key, op);
        if (at >= 0) reference.splice(at, 1);
        reference.push([key, op]);
        if (reference.length > capacity) reference.shift();
      } else if (roll < 0.9) {
        assert.equal(cache.update(key, -op), at >= 0);
        if (at >= 0) (reference[at] as [number, number])[1] = -op;
      } else {
        cache.delete(key);
        if (at >= 0) reference.splice(at, 1);
      }
      assert.equal(cache.size, reference.length, `op ${op}: size`);
    }
    // Evicting everything by inserting fresh keys must drop the survivors oldest first.
    const survivors = reference.map(([key]) => key);
    for (let fresh = 0; fresh < capacity; fresh++) {
      cache.set(1_000 + fresh, 0);
      const evicted = survivors.slice(0, Math.max(0, survivors.length + fresh + 1 - capacity));
      for (const key of evicted) assert.equal(cache.has(key), false, `key ${key} should be evicted`);
    }
  });

  test('rejects a capacity below one', () => {
    assert.throws(() => new LruCache(0), RangeError);
  });
});

describe('CachingPartitionStore', () => {
  test('a second read of a key, present or absent, is a hit that does not reach the store', async () => {
    const { cached, counting } = await cachedMemoryStore(10);
    counting.applyBatch([{ key: bytes('a'), value: bytes('1') }], undefined);
    assert.equal(text(cached.get(bytes('a')) as Buffer), '1');
    assert.equal(text(cached.get(bytes('a')) as Buffer), '1');
    assert.equal(cached.get(bytes('missing')), undefined);
    assert.equal(cached.get(bytes('missing')), undefined);
    assert.equal(counting.reads, 2);
    assert.deepEqual(cached.stats(), { hits: 2, misses: 2, entries: 2, capacity: 10 });
  });

  test('writes go through to the store with their offset and refresh the cache', async () => {
    const { cached, counting } = await cachedMemoryStore(10);
    assert.equal(cached.get(bytes('k')), undefined); // caches "absent"
    cached.applyBatch([{ key: bytes('k'), value: bytes('v1') }], 12);
    assert.equal(text(counting.get(bytes('k')) as Buffer), 'v1');
    assert.equal(counting.persistedOffset(), 12);
    const readsBefore = counting.reads;
    assert.equal(text(cached.get(bytes('k')) as Buffer), 'v1');
    cached.applyBatch([{ key: bytes('k'), value: null }], 13);
    assert.equal(cached.get(bytes('k')), undefined);
    assert.equal(counting.reads, readsBefore);
  });

  test('writes refresh cached keys but do not push other keys out of the cache', async () => {
    const { cached, counting } = await cachedMemoryStore(2);
    cached.get(bytes('hot1'));
    cached.get(bytes('hot2'));
    cached.applyBatch(
      Array.from({ length: 100 }, (_, index) => ({ key: bytes(`cold${index}`), value: bytes('v') })),
      1,
    );
    const readsBefore = counting.reads;
    assert.equal(cached.get(bytes('hot1')), undefined);
    assert.equal(cached.get(bytes('hot2')), undefined);
    assert.equal(counting.reads, readsBefore, 'hot keys were evicted by writes');
    assert.equal(text(cached.get(bytes('cold5')) as Buffer), 'v'); // not cached, read from the store
    assert.equal(counting.reads, readsBefore + 1);
  });

  test('a batch the store rejects leaves the cache agreeing with the store', async () => {
    const { cached, counting } = await cachedMemoryStore(10);
    cached.applyBatch([{ key: bytes('k'), value: bytes('old') }], 1);
    counting.failNextBatch = true;
    assert.throws(() => cached.applyBatch([{ key: bytes('k'), value: bytes('new') }], 2), /disk full/);
    assert.equal(text(cached.get(bytes('k')) as Buffer), 'old');
    assert.equal(cached.persistedOffset(), 1);
  });

  test('clear() empties the cache as well as the store', async () => {
    const { cached } = await cachedMemoryStore(10);
    cached.applyBatch([{ key: bytes('k'), value: bytes('v') }], 1);
    assert.ok(cached.get(bytes('k')));
    cached.clear();
    assert.equal(cached.get(bytes('k')), undefined);
    assert.equal(cached.stats().entries, 1); // only the fresh "absent" entry
  });

  test('a closed cache refuses reads even for cached keys', async () => {
    const { cached } = await cachedMemoryStore(10);
    cached.applyBatch([{ key: bytes('k'), value: bytes('v') }], 1);
    cached.get(bytes('k'));
    await cached.close();
    assert.throws(() => cached.get(bytes('k')), (error: unknown) => FaustgenError.hasCode(error, 'FG_APP_STATE'));
  });

  test('10,000 random operations agree with a reference Map and never exceed the bound', async () => {
    const capacity = 64;
    const { cached, counting } = await cachedMemoryStore(capacity);
    const reference = new Map<string, string>();
    const next = random(20_240_601);
    const keyOf = (): string => `key-${Math.floor(next() * 400)}`;
    let gets = 0;
    let lastBatchOp: number | undefined;
    for (let op = 0; op < 10_000; op++) {
      const roll = next();
      if (roll < 0.55) {
        const key = keyOf();
        gets++;
        assert.equal(text(cached.get(bytes(key)) ?? bytes('<absent>')), reference.get(key) ?? '<absent>', `op ${op}: get ${key}`);
      } else {
        const writes: StoreWrite[] = [];
        const batchSize = 1 + Math.floor(next() * 5);
        for (let index = 0; index < batchSize; index++) {
          const key = keyOf();
          if (next() < 0.3) {
            writes.push({ key: bytes(key), value: null });
            reference.delete(key);
          } else {
            const value = `v${op}.${index}`;
            writes.push({ key: bytes(key), value: bytes(value) });
            reference.set(key, value);
          }
        }
        cached.applyBatch(writes, op);
        lastBatchOp = op;
      }
      assert.ok(cached.stats().entries <= capacity, `op ${op}: ${cached.stats().entries} cached entries`);
    }
    const stats = cached.stats();
    assert.equal(stats.hits + stats.misses, gets);
    assert.equal(counting.reads, stats.misses);
    assert.ok(stats.hits > 0 && stats.misses > 0);
    assert.equal(stats.entries, capacity);
    assert.equal(cached.size(), reference.size);
    assert.deepEqual(
      [...cached.entries()].map(([key, value]) => [text(key), text(value)]),
      [...reference.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    assert.equal(cached.persistedOffset(), lastBatchOp);
  });
});
