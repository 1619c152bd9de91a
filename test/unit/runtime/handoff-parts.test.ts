// The pieces of the safe handoff (docs/adr/0004-safe-handoff.md) that need no broker: the offset
// tracker's rewind and marker skipping, and the output hold's hold / release / drop rules.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OutputHold } from '../../../runtime/src/app/output-hold.js';
import { FaustgenError, hasErrorCode } from '../../../runtime/src/core/errors.js';
import { PartitionOffsetTracker } from '../../../runtime/src/consumer/offset-tracker.js';
import type { GroupAssignment, TopicPartition } from '../../../runtime/src/types/transport.js';

const assignment = (actives: TopicPartition[], standbys: TopicPartition[] = []): GroupAssignment => ({
  generation: 1,
  memberId: 'm',
  assignment: { actives, standbys },
  distribution: {},
});

describe('PartitionOffsetTracker', () => {
  test('truncateFrom forgets dropped records: the commit point stops before them and delivery restarts there', () => {
    const tracker = new PartitionOffsetTracker();
    for (let offset = 10; offset < 20; offset++) tracker.add(offset, 1);
    for (let offset = 10; offset < 13; offset++) tracker.ack(offset);
    tracker.truncateFrom(15);
    assert.equal(tracker.position(), 15);
    assert.equal(tracker.committable(), 13, 'still held by a handler: 13 and 14');
    tracker.ack(13);
    tracker.ack(14);
    assert.equal(tracker.committable(), 15, 'everything before the dropped records is acked');
    assert.equal(tracker.pending(), 0);
  });

  test('passEmpty moves past transaction markers only when nothing is pending and the range follows on', () => {
    const tracker = new PartitionOffsetTracker();
    tracker.add(5, 1);
    tracker.passEmpty(6, 6);
    assert.equal(tracker.position(), 6, 'a record is still pending: no move');
    tracker.ack(5);
    tracker.passEmpty(8, 9);
    assert.equal(tracker.position(), 6, 'a gap before the range: no move');
    tracker.passEmpty(6, 6);
    assert.equal(tracker.position(), 7);
    assert.equal(tracker.committable(), 7, 'the commit point passes the marker');
  });
});

describe('OutputHold', () => {
  const mine = { topic: 'orders', partition: 0 };
  const theirs = { topic: 'orders', partition: 1 };

  test('outputs of active partitions go out at once; of partitions that moved, they are dropped with FG_PARTITION_REVOKED', () => {
    const hold = new OutputHold();
    hold.release(assignment([mine]));
    const sent: string[] = [];
    const dropped: FaustgenError[] = [];
    hold.submit(mine, () => sent.push('mine'), (e) => dropped.push(e));
    hold.submit(theirs, () => sent.push('theirs'), (e) => dropped.push(e));
    assert.deepEqual(sent, ['mine']);
    assert.equal(dropped.length, 1);
    assert.ok(hasErrorCode(dropped[0], 'FG_PARTITION_REVOKED'));
  });

  test('while held, nothing bound to a partition goes out; the assignment sends what stayed and drops what moved', () => {
    const hold = new OutputHold();
    hold.release(assignment([mine, theirs]));
    hold.hold();
    const sent: string[] = [];
    const dropped: string[] = [];
    hold.submit(mine, () => sent.push('mine'), () => dropped.push('mine'));
    hold.submit(theirs, () => sent.push('theirs'), () => dropped.push('theirs'));
    hold.submit(undefined, () => sent.push('timer'), () => dropped.push('timer'));
    hold.submit({ topic: 'a-channel', partition: 0 }, () => sent.push('channel'), () => dropped.push('channel'));
    assert.deepEqual(sent, ['timer', 'channel'], 'unowned outputs and unassigned topics are never held');
    hold.release(assignment([mine], [theirs]));
    assert.deepEqual(sent, ['timer', 'channel', 'mine']);
    assert.deepEqual(dropped, ['theirs'], 'a standby partition is not written on behalf of its new owner');
    assert.equal(hold.holding, false);
  });
});
