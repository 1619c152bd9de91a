import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryStoreDriver } from '../../../runtime/src/stores/memory-store.js';
import { describeStoreContract } from './store-contract.js';
import { bytes, text } from './temp-dir.js';

const factory = { appId: 'app', table: 'counts', datadir: '/nonexistent' };

describeStoreContract('memory', () => ({
  open: () => memoryStoreDriver.open(new URL('memory://'), factory),
  cleanup: () => {},
}));

describe('memory store', () => {
  test('a fresh table store starts empty, so recovery replays the whole changelog', async () => {
    const first = await memoryStoreDriver.open(new URL('memory://'), factory);
    (await first.openPartition(0)).applyBatch([{ key: bytes('a'), value: bytes('1') }], 10);
    await first.close();
    const second = await memoryStoreDriver.open(new URL('memory://'), factory);
    const store = await second.openPartition(0);
    assert.equal(store.persistedOffset(), undefined);
    assert.equal(store.size(), 0);
    await second.close();
  });

  test('keys written during iteration: deleted ones are skipped, overwritten ones show their new value', async () => {
    const tables = await memoryStoreDriver.open(new URL('memory://'), factory);
    const store = await tables.openPartition(0);
    store.applyBatch(
      ['a', 'b', 'c', 'd'].map((key) => ({ key: bytes(key), value: bytes('old') })),
      undefined,
    );
    const seen: string[] = [];
    for (const [key, value] of store.entries()) {
      seen.push(`${text(key)}=${text(value)}`);
      if (text(key) === 'a') {
        store.applyBatch(
          [
            { key: bytes('b'), value: null },
            { key: bytes('c'), value: bytes('new') },
          ],
          undefined,
        );
      }
    }
    assert.deepEqual(seen, ['a=old', 'c=new', 'd=old']);
    await tables.close();
  });

  test('the store copies keys, so a caller reusing its key buffer cannot corrupt the index', async () => {
    const tables = await memoryStoreDriver.open(new URL('memory://'), factory);
    const store = await tables.openPartition(0);
    const key = bytes('k1');
    store.applyBatch([{ key, value: bytes('v') }], undefined);
    key.write('zz', 'latin1');
    assert.deepEqual([...store.entries()].map(([stored]) => text(stored)), ['k1']);
    await tables.close();
  });
});
