// An acknowledgement that arrives after a partition's writes were discarded (revoked, or its membership
// lost, while the record was on its way) must not move the offset its store claims: the store would
// claim a changelog record whose value it lacks, and a later recovery would skip that record (a key's
// sum read back one event short: an at-least-once 3-broker broker-fault run ended with keys below).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openTableStore } from '../../../runtime/src/stores/index.js';
import { TablePartition } from '../../../runtime/src/tables/table-partition.js';

test('acks of writes discarded before they arrived do not move the store offset (direct and coalesced sends)', async () => {
  const store = await openTableStore('memory://', { appId: 'late', table: 't', datadir: '/unused' });
  const partition = new TablePartition(0, await store.openPartition(0));
  const key = Buffer.from('"k"');

  partition.write(key, Buffer.from('1'))(10);
  partition.flush();
  assert.equal(partition.store.persistedOffset(), 10);

  const acked = partition.write(key, Buffer.from('2'));
  partition.discardPending();
  acked(11);
  partition.flush();
  assert.equal(partition.store.persistedOffset(), 10, 'the store still claims only what it holds');
  assert.equal(partition.get(key)?.toString(), '1');

  // A coalesced send carries its epoch's tag.
  partition.write(key, Buffer.from('2'));
  const tag = partition.ackTag;
  partition.discardPending();
  partition.changelogAckedFor(tag, 12);
  partition.flush();
  assert.equal(partition.store.persistedOffset(), 10);

  partition.write(key, Buffer.from('3'))(13);
  partition.flush();
  assert.equal(partition.store.persistedOffset(), 13, 'acks of the new epoch count');
  await store.close();
});
