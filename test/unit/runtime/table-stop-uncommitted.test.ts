// Writes of events that were never committed must not reach the store when the worker stops. The
// manager's stop flushed them: with exactly-once, the writes of a transaction the stop then aborted
// went into RocksDB with their changelog offset, so the restarted worker's store claimed an offset
// the committed changelog did not reach (a rolling restart: "store 1045, end 1025", which also raised
// the false FG_STORE_OFFSET_AHEAD) and held values of events that were processed again — counted
// twice (issue 9). The commit moves writes into the store; the stop drops what no commit took.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../../runtime/src/core/logger.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { openTableStore } from '../../../runtime/src/stores/index.js';
import { Table } from '../../../runtime/src/tables/table.js';
import { TableManager } from '../../../runtime/src/tables/table-manager.js';
import { MemoryTransport } from '../../../runtime/src/transport/memory/transport.js';
import { brokerUrl } from './helpers.js';

const quiet = createLogger({ level: 'error', sink: { write: () => undefined } });

test('stopping drops table writes no commit took: the store keeps its committed contents and offset', { timeout: 30_000 }, async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'fg-stop-uncommitted-'));
  const transport = new MemoryTransport(brokerUrl());
  const admin = transport.createAdmin();
  await admin.start();
  const topic = 'stop-sums-changelog';
  await admin.ensureTopic({ name: topic, partitions: 1, replicationFactor: 1 });
  let nextOffset = 0;
  const open = async (): Promise<{ table: Table<string, number, number | undefined>; manager: TableManager }> => {
    const table = new Table<string, number, number | undefined>(
      { name: 'sums', changelogTopic: topic, keyCodec: codecs.json<string>(), valueCodec: codecs.json<number>(), partitions: 1, kind: 'table', defaultValue: undefined, usePartitioner: false, config: {} },
      // The changelog "acknowledges" each write with the next offset (the records themselves are not needed here).
      { sendChangelog: () => Promise.resolve({ topic, partition: 0, offset: nextOffset++, timestamp: 0 }), sendChangelogFrom: () => undefined, reportSendError: () => undefined, partitionCount: () => 1 },
    );
    const manager = new TableManager(admin, transport.createPartitionReader(), quiet);
    manager.register(table as unknown as Table<unknown, unknown>, await openTableStore('rocksdb://', { appId: 'stop', table: 'sums', datadir }));
    await manager.start();
    await manager.assign([{ topic, partition: 0 }], []);
    return { table, manager };
  };
  try {
    const first = await open();
    const key = (k: string): Buffer => Buffer.from(JSON.stringify(k));
    first.table.writeEncoded(0, key('committed'), Buffer.from('1'));
    await new Promise((resolve) => setImmediate(resolve));
    first.manager.flush(); // what a successful commit does
    first.table.writeEncoded(0, key('uncommitted'), Buffer.from('2'));
    await new Promise((resolve) => setImmediate(resolve));
    const persistedBefore = first.table.partitions.get(0)?.store.persistedOffset();
    await first.manager.stop();

    nextOffset = 100;
    const store = await openTableStore('rocksdb://', { appId: 'stop', table: 'sums', datadir });
    const partition = await store.openPartition(0);
    assert.equal(partition.persistedOffset(), persistedBefore, 'the store claims only the committed changelog offset');
    assert.equal(partition.get(key('committed'))?.toString(), '1');
    assert.equal(partition.get(key('uncommitted')), undefined, 'the uncommitted write did not reach the store');
    await store.close();
  } finally {
    await admin.stop();
    rmSync(datadir, { recursive: true, force: true });
  }
});
