/**
 * Behaviour every PartitionStore must have, run against each driver by its own test file.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import type { PartitionStore, TableStore } from '../../../runtime/src/types/store.js';
import { bytes, text } from './temp-dir.js';

export interface ContractFixture {
  open(): Promise<TableStore>;
  cleanup(): Promise<void> | void;
}

const keysOf = (store: PartitionStore, range?: { gte?: Buffer; lt?: Buffer }): string[] =>
  [...store.entries(range)].map(([key]) => text(key));

export function describeStoreContract(name: string, makeFixture: () => ContractFixture): void {
  describe(`${name}: PartitionStore contract`, () => {
    async function withPartition(run: (store: PartitionStore, tables: TableStore) => Promise<void> | void): Promise<void> {
      const fixture = makeFixture();
      const tables = await fixture.open();
      try {
        await run(await tables.openPartition(0), tables);
      } finally {
        await tables.close();
        await fixture.cleanup();
      }
    }

    test('put, get, overwrite and delete round-trip', () =>
      withPartition((store) => {
        assert.equal(store.get(bytes('a')), undefined);
        store.applyBatch([{ key: bytes('a'), value: bytes('1') }], undefined);
        assert.equal(text(store.get(bytes('a')) as Buffer), '1');
        store.applyBatch([{ key: bytes('a'), value: bytes('2') }], undefined);
        assert.equal(text(store.get(bytes('a')) as Buffer), '2');
        assert.equal(store.size(), 1);
        store.applyBatch([{ key: bytes('a'), value: null }], undefined);
        assert.equal(store.get(bytes('a')), undefined);
        assert.equal(store.size(), 0);
      }));

    test('an empty key and an empty value are ordinary entries, distinct from a delete', () =>
      withPartition((store) => {
        store.applyBatch(
          [
            { key: Buffer.alloc(0), value: bytes('root') },
            { key: bytes('k'), value: Buffer.alloc(0) },
          ],
          undefined,
        );
        assert.equal(text(store.get(Buffer.alloc(0)) as Buffer), 'root');
        assert.deepEqual(store.get(bytes('k')), Buffer.alloc(0));
        assert.deepEqual(keysOf(store), ['', 'k']);
        assert.equal(store.size(), 2);
      }));

    test('a key written twice in one batch keeps the last write and is counted once', () =>
      withPartition((store) => {
        store.applyBatch(
          [
            { key: bytes('x'), value: bytes('1') },
            { key: bytes('x'), value: bytes('2') },
            { key: bytes('y'), value: bytes('1') },
            { key: bytes('y'), value: null },
            { key: bytes('z'), value: null },
          ],
          undefined,
        );
        assert.equal(text(store.get(bytes('x')) as Buffer), '2');
        assert.equal(store.get(bytes('y')), undefined);
        assert.equal(store.size(), 1);
      }));

    test('size() stays exact through random batches, asked before the writes or only after them', () =>
      withPartition(async (store, tables) => {
        const late = await tables.openPartition(1);
        assert.equal(store.size(), 0); // asked early: later batches must keep the count
        const reference = new Map<string, string>();
        let seed = 12_345;
        const next = (): number => {
          seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
          return seed / 2_147_483_648;
        };
        for (let round = 0; round < 300; round++) {
          const writes = Array.from({ length: 1 + Math.floor(next() * 8) }, () => {
            const key = `k${Math.floor(next() * 60)}`;
            const value = next() < 0.35 ? null : `v${round}`;
            if (value === null) reference.delete(key);
            else reference.set(key, value);
            return { key: bytes(key), value: value === null ? null : bytes(value) };
          });
          store.applyBatch(writes, round);
          late.applyBatch(writes, round);
          assert.equal(store.size(), reference.size, `round ${round}`);
        }
        assert.equal(late.size(), reference.size); // asked only now: counted from scratch
        assert.deepEqual(keysOf(late), [...reference.keys()].sort());
      }));

    test('entries() follow key byte order, not string or insertion order', () =>
      withPartition((store) => {
        const keys = [Buffer.from([0xff]), Buffer.from([0x00, 0x01]), Buffer.from([0x00]), Buffer.from([0x7f, 0xff]), Buffer.from([0x80])];
        store.applyBatch(
          keys.map((key) => ({ key, value: key })),
          undefined,
        );
        const seen = [...store.entries()].map(([key]) => key.toString('hex'));
        assert.deepEqual(seen, ['00', '0001', '7fff', '80', 'ff']);
        for (const [key, value] of store.entries()) assert.deepEqual(value, key);
      }));

    test('entries(range) is half-open: gte included, lt excluded', () =>
      withPartition((store) => {
        store.applyBatch(
          ['a', 'b', 'ba', 'c', 'd'].map((key) => ({ key: bytes(key), value: bytes(key.toUpperCase()) })),
          undefined,
        );
        assert.deepEqual(keysOf(store, { gte: bytes('b'), lt: bytes('d') }), ['b', 'ba', 'c']);
        assert.deepEqual(keysOf(store, { gte: bytes('bb') }), ['c', 'd']);
        assert.deepEqual(keysOf(store, { lt: bytes('b') }), ['a']);
        assert.deepEqual(keysOf(store, { gte: bytes('c'), lt: bytes('c') }), []);
        assert.deepEqual(keysOf(store, { gte: bytes('d'), lt: bytes('a') }), []);
        assert.deepEqual(keysOf(store, { gte: Buffer.alloc(0) }), ['a', 'b', 'ba', 'c', 'd']);
      }));

    test('entries() spans many pages without losing or repeating keys', () =>
      withPartition((store) => {
        const keys = Array.from({ length: 2_500 }, (_, index) => bytes(`key-${String(index).padStart(5, '0')}`));
        store.applyBatch(
          keys.map((key) => ({ key, value: key })),
          undefined,
        );
        const seen = keysOf(store);
        assert.equal(seen.length, 2_500);
        assert.deepEqual(seen, keys.map(text));
        assert.equal(keysOf(store, { gte: bytes('key-01000'), lt: bytes('key-02001') }).length, 1_001);
      }));

    test('deleting each key as entries() yields it visits every key once and empties the store', () =>
      withPartition((store) => {
        const keys = Array.from({ length: 2_500 }, (_, index) => `key-${String(index).padStart(5, '0')}`);
        store.applyBatch(
          keys.map((key) => ({ key: bytes(key), value: bytes('v') })),
          undefined,
        );
        const seen: string[] = [];
        for (const [key] of store.entries()) {
          seen.push(text(key));
          store.applyBatch([{ key, value: null }], undefined);
        }
        assert.deepEqual(seen, keys);
        assert.equal(store.size(), 0);
        assert.deepEqual(keysOf(store), []);
      }));

    test('the changelog offset is recorded with the batch and left alone when undefined', () =>
      withPartition((store) => {
        assert.equal(store.persistedOffset(), undefined);
        store.applyBatch([{ key: bytes('a'), value: bytes('1') }], 41);
        assert.equal(store.persistedOffset(), 41);
        store.applyBatch([{ key: bytes('b'), value: bytes('1') }], undefined);
        assert.equal(store.persistedOffset(), 41);
        store.applyBatch([], 42);
        assert.equal(store.persistedOffset(), 42);
        assert.equal(store.size(), 2);
      }));

    test('clear() drops every entry and the offset', () =>
      withPartition((store) => {
        store.applyBatch(
          Array.from({ length: 2_100 }, (_, index) => ({ key: bytes(`k${index}`), value: bytes('v') })),
          7,
        );
        store.clear();
        assert.equal(store.size(), 0);
        assert.equal(store.persistedOffset(), undefined);
        assert.deepEqual(keysOf(store), []);
        assert.equal(store.get(bytes('k1')), undefined);
        store.applyBatch([{ key: bytes('after'), value: bytes('1') }], 8);
        assert.deepEqual(keysOf(store), ['after']);
        assert.equal(store.size(), 1);
      }));

    test('partitions are independent', () =>
      withPartition(async (zero, tables) => {
        const one = await tables.openPartition(1);
        zero.applyBatch([{ key: bytes('k'), value: bytes('zero') }], 1);
        one.applyBatch([{ key: bytes('k'), value: bytes('one') }], 2);
        assert.equal(text(zero.get(bytes('k')) as Buffer), 'zero');
        assert.equal(text(one.get(bytes('k')) as Buffer), 'one');
        assert.equal(zero.persistedOffset(), 1);
        assert.equal(one.persistedOffset(), 2);
      }));

    test('opening an open partition again returns the same store', () =>
      withPartition(async (store, tables) => {
        const [again, concurrent] = await Promise.all([tables.openPartition(0), tables.openPartition(0)]);
        assert.equal(again, store);
        assert.equal(concurrent, store);
      }));

    test('closePartition keeps the data for the next open', () =>
      withPartition(async (store, tables) => {
        store.applyBatch([{ key: bytes('kept'), value: bytes('1') }], 5);
        await tables.closePartition(0);
        const reopened = await tables.openPartition(0);
        assert.notEqual(reopened, store);
        assert.equal(text(reopened.get(bytes('kept')) as Buffer), '1');
        assert.equal(reopened.persistedOffset(), 5);
      }));

    test('a closed store refuses every call with FG_APP_STATE', () =>
      withPartition(async (store, tables) => {
        store.applyBatch([{ key: bytes('a'), value: bytes('1') }], 1);
        const iterator = store.entries();
        await tables.closePartition(0);
        const refused = (error: unknown): boolean => FaustgenError.hasCode(error, 'FG_APP_STATE');
        assert.throws(() => store.get(bytes('a')), refused);
        assert.throws(() => store.applyBatch([], 2), refused);
        assert.throws(() => store.size(), refused);
        assert.throws(() => iterator.next(), refused);
        await store.close(); // closing twice is harmless
      }));

    test('a closed table store refuses to open partitions', async () => {
      const fixture = makeFixture();
      const tables = await fixture.open();
      await tables.close();
      await assert.rejects(tables.openPartition(0), (error: unknown) => FaustgenError.hasCode(error, 'FG_APP_STATE'));
      await fixture.cleanup();
    });
  });
}
