import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { CachingPartitionStore, CachingTableStore, MemoryTableStore, openTableStore, resetLocalState } from '../../../runtime/src/stores/index.js';
import { bytes, makeTempDir } from './temp-dir.js';

const options = (datadir: string) => ({ appId: 'app', table: 'counts', datadir });

describe('openTableStore', () => {
  test('memory:// gives a heap store without a cache in front', async () => {
    const tables = await openTableStore('memory://', options('/unused'));
    assert.ok(tables instanceof MemoryTableStore);
    await tables.close();
  });

  test('rocksdb:// gives RocksDB partitions behind an LRU cache of the requested size', async () => {
    const dir = makeTempDir('open-rocksdb');
    try {
      const tables = await openTableStore('rocksdb://', { ...options(dir.path), cacheSize: 123 });
      assert.ok(tables instanceof CachingTableStore);
      const store = await tables.openPartition(0);
      assert.ok(store instanceof CachingPartitionStore);
      assert.equal(store.stats().capacity, 123);
      await tables.close();
    } finally {
      dir.cleanup();
    }
  });

  test('cacheSize 0 turns the cache off', async () => {
    const dir = makeTempDir('open-nocache');
    try {
      const tables = await openTableStore('rocksdb://', { ...options(dir.path), cacheSize: 0 });
      assert.equal(tables instanceof CachingTableStore, false);
      await tables.close();
    } finally {
      dir.cleanup();
    }
  });

  for (const url of ['redis://localhost', 'not a url', 'aerospike://']) {
    test(`"${url}" is rejected with FG_STORE_URL_INVALID naming the URL`, async () => {
      await assert.rejects(openTableStore(url, options('/unused')), (error: unknown) => {
        assert.ok(FaustgenError.hasCode(error, 'FG_STORE_URL_INVALID'));
        assert.ok(error.message.includes(`"${url}"`), error.message);
        assert.match(error.message, /memory:\/\/, rocksdb:\/\//);
        return true;
      });
    });
  }

  for (const url of ['rocksdb://relative/dir', 'rocksdb:relative', 'rocksdb:///abs?x=1']) {
    test(`"${url}" is not a usable RocksDB location`, async () => {
      await assert.rejects(openTableStore(url, options('/unused')), (error: unknown) =>
        FaustgenError.hasCode(error, 'FG_STORE_URL_INVALID'),
      );
    });
  }

  test('a negative or fractional cache size is a setting error', async () => {
    for (const cacheSize of [-1, 1.5]) {
      await assert.rejects(openTableStore('memory://', { ...options('/unused'), cacheSize }), (error: unknown) =>
        FaustgenError.hasCode(error, 'FG_SETTING_INVALID'),
      );
    }
  });
});

describe('resetLocalState', () => {
  test('deletes <datadir>/<appId>/tables and nothing else', async () => {
    const dir = makeTempDir('reset');
    try {
      const tables = await openTableStore('rocksdb://', options(dir.path));
      (await tables.openPartition(0)).applyBatch([{ key: bytes('k'), value: bytes('v') }], 3);
      await tables.openPartition(1);
      await tables.close();
      const other = await openTableStore('rocksdb://', { ...options(dir.path), appId: 'other-app' });
      await other.openPartition(0);
      await other.close();

      const result = await resetLocalState(dir.path, 'app');
      assert.deepEqual(result, { path: join(dir.path, 'app', 'tables'), databases: 2 });
      assert.equal(existsSync(join(dir.path, 'app', 'tables')), false);
      assert.ok(existsSync(join(dir.path, 'other-app', 'tables', 'counts-0.db')));

      const reopened = await openTableStore('rocksdb://', options(dir.path));
      const store = await reopened.openPartition(0);
      assert.equal(store.persistedOffset(), undefined);
      assert.equal(store.size(), 0);
      await reopened.close();
    } finally {
      dir.cleanup();
    }
  });

  test('refuses with FG_STORE_LOCKED while a worker holds a partition, deleting nothing', async () => {
    const dir = makeTempDir('reset-locked');
    try {
      const tables = await openTableStore('rocksdb://', options(dir.path));
      await tables.openPartition(0);
      await assert.rejects(resetLocalState(dir.path, 'app'), (error: unknown) => FaustgenError.hasCode(error, 'FG_STORE_LOCKED'));
      assert.ok(existsSync(join(dir.path, 'app', 'tables', 'counts-0.db', 'CURRENT')));
      await tables.close();
    } finally {
      dir.cleanup();
    }
  });

  test('is a no-op when there is no local state', async () => {
    const dir = makeTempDir('reset-empty');
    try {
      assert.deepEqual(await resetLocalState(dir.path, 'app'), { path: join(dir.path, 'app', 'tables'), databases: 0 });
    } finally {
      dir.cleanup();
    }
  });
});
