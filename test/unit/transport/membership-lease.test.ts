// A member that joins generation N + 2 after N was not in N + 1: the group rebalanced without it (an
// exactly-once 3-broker run on the second driver: a worker whose JoinGroup waited on the paused
// coordinator was left out of a generation, got its partition back in the next one, kept it as its
// own and counted on a table that missed the other worker's updates: 77 keys below). Both drivers ask
// the lease whether a join starts everything afresh.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MembershipLease } from '../../../runtime/src/transport/membership-lease.js';

const quiet = { lapsed: () => undefined, renewed: () => undefined, lost: () => undefined };

test('a join keeps the partitions only when it follows the last generation this member was in', () => {
  const lease = new MembershipLease(10_000, 1_000, quiet);
  assert.equal(lease.joined(), false, 'starting: nothing held');
  assert.equal(lease.joined(1), false, 'first generation');
  assert.equal(lease.joined(2), false, 'the next one');
  assert.equal(lease.joined(4), true, 'generation 3 went by without this member');
  assert.equal(lease.joined(5), false);
  lease.forfeit();
  assert.equal(lease.joined(6), true, 'given up on purpose (exactly-once starting over)');
  assert.equal(lease.joined(7), false);
  assert.equal(lease.joined(), false, 'a driver that does not know the generation: the lease alone decides');
});
