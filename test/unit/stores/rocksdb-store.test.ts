import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { openTableStore } from '../../../runtime/src/stores/index.js';
import { rocksdbStoreDriver } from '../../../runtime/src/stores/rocksdb-store.js';
import { describeStoreContract } from './store-contract.js';
import { bytes, makeTempDir, text } from './temp-dir.js';

describeStoreContract('rocksdb', () => {
  const dir = makeTempDir('rocksdb-contract');
  return {
    open: () => rocksdbStoreDriver.open(new URL('rocksdb://'), { appId: 'app', table: 'counts', datadir: dir.path }),
    cleanup: dir.cleanup,
  };
});

// The same contract through openTableStore, with a cache small enough to evict during every test.
describeStoreContract('rocksdb behind a 3-entry cache', () => {
  const dir = makeTempDir('rocksdb-cached-contract');
  return {
    open: () => openTableStore('rocksdb://', { appId: 'app', table: 'counts', datadir: dir.path, cacheSize: 3 }),
    cleanup: dir.cleanup,
  };
});

describe('rocksdb store', () => {
  test('lays out one database per partition under <datadir>/<appId>/tables', async () => {
    const dir = makeTempDir('rocksdb-layout');
    try {
      const tables = await rocksdbStoreDriver.open(new URL('rocksdb://'), { appId: 'orders-app', table: 'totals', datadir: dir.path });
      await tables.openPartition(0);
      await tables.openPartition(7);
      assert.ok(existsSync(join(dir.path, 'orders-app', 'tables', 'totals-0.db', 'CURRENT')));
      assert.ok(existsSync(join(dir.path, 'orders-app', 'tables', 'totals-7.db', 'CURRENT')));
      await tables.close();
    } finally {
      dir.cleanup();
    }
  });

  test('rocksdb:///abs/path replaces the datadir as the base directory', async () => {
    const dir = makeTempDir('rocksdb-url');
    try {
      const base = join(dir.path, 'custom base');
      const url = new URL(`file://${base}`).pathname; // percent-encodes the space
      const tables = await rocksdbStoreDriver.open(new URL(`rocksdb://${url}`), { appId: 'app', table: 't', datadir: join(dir.path, 'unused') });
      await tables.openPartition(2);
      assert.ok(existsSync(join(base, 'app', 'tables', 't-2.db', 'CURRENT')));
      assert.equal(existsSync(join(dir.path, 'unused')), false);
      await tables.close();
    } finally {
      dir.cleanup();
    }
  });

  test('entries, the offset and the count survive close and reopen', async () => {
    const dir = makeTempDir('rocksdb-reopen');
    const factory = { appId: 'app', table: 'counts', datadir: dir.path };
    try {
      const first = await rocksdbStoreDriver.open(new URL('rocksdb://'), factory);
      const store = await first.openPartition(3);
      store.applyBatch(
        Array.from({ length: 1_500 }, (_, index) => ({ key: bytes(`k${index}`), value: bytes(`v${index}`) })),
        1_499,
      );
      store.applyBatch([{ key: bytes('k0'), value: null }], 1_500);
      await store.flush();
      await first.close();

      const second = await rocksdbStoreDriver.open(new URL('rocksdb://'), factory);
      const reopened = await second.openPartition(3);
      assert.equal(reopened.persistedOffset(), 1_500);
      assert.equal(reopened.size(), 1_499);
      assert.equal(reopened.get(bytes('k0')), undefined);
      assert.equal(text(reopened.get(bytes('k1499')) as Buffer), 'v1499');
      assert.equal([...reopened.entries()].length, 1_499);
      await second.close();
    } finally {
      dir.cleanup();
    }
  });

  test('the reserved offset and count never show up among user keys, whatever their bytes', async () => {
    const dir = makeTempDir('rocksdb-reserved');
    try {
      const tables = await rocksdbStoreDriver.open(new URL('rocksdb://'), { appId: 'app', table: 't', datadir: dir.path });
      const store = await tables.openPartition(0);
      // Keys spelled like the store's bookkeeping keys (with and without their 0x00 namespace byte), a key
      // in the entry namespace byte itself, and Faust's reserved key are all ordinary user keys here.
      const lookalikes = ['\x00changelog-offset', '\x00entry-count', 'changelog-offset', '\x01', '__faust\0offset__'].map(bytes);
      store.applyBatch(
        lookalikes.map((key) => ({ key, value: bytes('user') })),
        99,
      );
      assert.deepEqual(
        [...store.entries()].map(([key, value]) => `${text(key)}=${text(value)}`).sort(),
        lookalikes.map((key) => `${text(key)}=user`).sort(),
      );
      assert.equal(store.size(), 5);
      assert.equal(store.persistedOffset(), 99);
      assert.equal(text(store.get(bytes('\x00changelog-offset')) as Buffer), 'user');
      store.applyBatch(
        lookalikes.map((key) => ({ key, value: null })),
        100,
      );
      assert.deepEqual([...store.entries()], []);
      assert.equal(store.persistedOffset(), 100);
      await tables.close();
    } finally {
      dir.cleanup();
    }
  });

  test('a second open of the same partition in this process fails with FG_STORE_LOCKED naming the path', async () => {
    const dir = makeTempDir('rocksdb-same-process');
    const factory = { appId: 'app', table: 'counts', datadir: dir.path };
    try {
      const owner = await rocksdbStoreDriver.open(new URL('rocksdb://'), factory);
      await owner.openPartition(1);
      const intruder = await rocksdbStoreDriver.open(new URL('rocksdb://'), factory);
      await assert.rejects(intruder.openPartition(1), (error: unknown) => {
        assert.ok(FaustgenError.hasCode(error, 'FG_STORE_LOCKED'));
        assert.match(error.message, /counts-1\.db/);
        assert.match(error.message, /--datadir/);
        assert.equal(error.details['path'], join(dir.path, 'app', 'tables', 'counts-1.db'));
        return true;
      });
      await owner.close();
      // Once the owner has closed, the same partition opens fine.
      await intruder.openPartition(1);
      await intruder.close();
    } finally {
      dir.cleanup();
    }
  });

  test('binding failures become FG_STORE errors with the path and the cause', async () => {
    const dir = makeTempDir('rocksdb-failure');
    try {
      // A plain file where the database directory should be.
      const blocked = join(dir.path, 'app', 'tables');
      mkdirSync(blocked, { recursive: true });
      writeFileSync(join(blocked, 'counts-0.db'), 'not a directory');
      const tables = await rocksdbStoreDriver.open(new URL('rocksdb://'), { appId: 'app', table: 'counts', datadir: dir.path });
      await assert.rejects(tables.openPartition(0), (error: unknown) => {
        assert.ok(FaustgenError.hasCode(error, 'FG_STORE'));
        assert.match(error.message, /counts-0\.db/);
        assert.ok(error.cause !== undefined);
        return true;
      });
      await tables.close();
    } finally {
      dir.cleanup();
    }
  });

  test('rejects table names that would leave the data directory', async () => {
    await assert.rejects(
      rocksdbStoreDriver.open(new URL('rocksdb://'), { appId: 'app', table: '../escape', datadir: '/tmp' }),
      (error: unknown) => FaustgenError.hasCode(error, 'FG_SETTING_INVALID'),
    );
  });
});
