// What a commit may cover, per partition: the first unacked event, capped by a bound (the first event
// a revoke dropped), and only where it moved since the last commit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PartitionTrackers } from '../../../runtime/src/consumer/partition-trackers.js';
import { partitionKeyOf } from '../../../runtime/src/core/partition-key.js';

const k0 = partitionKeyOf('orders', 0);
const k1 = partitionKeyOf('orders', 1);

const a0 = { topic: 'orders', partition: 0 };
const a1 = { topic: 'orders', partition: 1 };

test('a commit covers each partition up to its first unacked event, never past a bound', () => {
  const trackers = new PartitionTrackers();
  trackers.track(a0);
  trackers.track(a1);
  const t0 = trackers.get(k0) ?? assert.fail('orders[0] tracked');
  const t1 = trackers.get(k1) ?? assert.fail('orders[1] tracked');
  for (const offset of [10, 11, 12]) t0.add(offset, 1);
  for (const offset of [5, 6]) t1.add(offset, 1);
  t0.ack(10);
  t0.ack(12);
  t1.ack(5);
  t1.ack(6);
  assert.deepEqual(trackers.planCommit(new Map()).offsets, [
    { topic: 'orders', partition: 0, offset: 11 },
    { topic: 'orders', partition: 1, offset: 7 },
  ]);
  const plan = trackers.planCommit(new Map([[k1, 6]]));
  assert.deepEqual(plan.offsets.map((o) => o.offset), [11, 6], 'a dropped event at 6 bounds partition 1');
  plan.markCommitted();
  assert.deepEqual(trackers.planCommit(new Map([[k1, 6]])).offsets, [], 'nothing moved since');
  assert.equal(trackers.settled(() => undefined), false, 'offset 11 is still in a handler');
  assert.equal(trackers.settled((key) => (key === k0 ? 11 : undefined)), true, 'unless it was dropped');
  assert.equal(trackers.countBusy(new Map()), 1);
});

test('a retired partition is forgotten and its tracker tells its events to stop writing', () => {
  const trackers = new PartitionTrackers();
  trackers.track(a0);
  const t0 = trackers.get(k0) ?? assert.fail('orders[0] tracked');
  t0.add(3, 1);
  trackers.retire(k0);
  assert.equal(t0.retired, true);
  assert.equal(trackers.size, 0);
  assert.deepEqual(trackers.planCommit(new Map()).offsets, []);
  assert.equal(trackers.idle(), true);
});

test('partitions read again forget what they tracked from the rewind offset on', () => {
  const trackers = new PartitionTrackers();
  trackers.track(a0);
  trackers.track(a1);
  const t0 = trackers.get(k0) ?? assert.fail('orders[0] tracked');
  for (const offset of [0, 1, 2, 3]) t0.add(offset, 1);
  t0.ack(0);
  const rewound = trackers.truncate((key) => (key === k0 ? 1 : undefined));
  assert.deepEqual(rewound, [{ topic: 'orders', partition: 0, offset: 1 }]);
  assert.equal(trackers.idle(), true, 'offsets 1..3 are no longer waited for');
  assert.deepEqual(trackers.planCommit(new Map()).offsets, [{ topic: 'orders', partition: 0, offset: 1 }]);
});
