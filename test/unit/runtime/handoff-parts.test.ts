// The pieces of the safe handoff (docs/adr/0004-safe-handoff.md) that need no broker: the offset
// tracker's rewind and marker skipping, and the output hold's hold / release / drop rules.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OutputHold } from '../../../runtime/src/app/output-hold.js';
import { FaustgenError, hasErrorCode } from '../../../runtime/src/core/errors.js';
import { PartitionOffsetTracker } from '../../../runtime/src/consumer/offset-tracker.js';
import type { GroupAssignment, TopicPartition } from '../../../runtime/src/types/transport.js';
import { resolveSettings, settingsFromEnv } from '../../../runtime/src/app/settings.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { testApp, waitFor } from './helpers.js';

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

  test('passEmpty moves past transaction markers once the records before them are acked, and only where the range follows on', () => {
    const tracker = new PartitionOffsetTracker();
    tracker.add(5, 1);
    tracker.passEmpty(8, 9);
    assert.equal(tracker.position(), 6, 'a gap before the range: no move');
    tracker.passEmpty(6, 6);
    assert.equal(tracker.position(), 7, 'delivery is past the marker');
    assert.equal(tracker.committable(), 5, 'the commit point waits for the pending record');
    tracker.ack(5);
    assert.equal(tracker.committable(), 7, 'then passes the marker');
    tracker.add(7, 1);
    assert.equal(tracker.position(), 8);
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
  test('held outputs of a revoked partition are dropped even when the next assignment brings the partition back', () => {
    // A member that lost its membership (or gave its partitions up after a failed transaction) reads
    // their events again from the committed offsets: the held outputs of the first run would count twice.
    const hold = new OutputHold();
    hold.release(assignment([mine, theirs]));
    hold.hold();
    const sent: string[] = [];
    const dropped: FaustgenError[] = [];
    hold.submit(mine, () => sent.push('mine'), (e) => dropped.push(e));
    hold.submit(theirs, () => sent.push('theirs'), (e) => dropped.push(e));
    hold.drop([mine]);
    hold.release(assignment([mine, theirs]));
    assert.deepEqual(sent, ['theirs']);
    assert.equal(dropped.length, 1);
    assert.ok(hasErrorCode(dropped[0], 'FG_PARTITION_REVOKED'));
  });
});

describe('processingGuarantee', () => {
  test('is read from settings and FAUSTGEN_PROCESSING_GUARANTEE; anything else is a coded error naming it', () => {
    assert.equal(resolveSettings({ id: 'a' }, () => true).processingGuarantee, 'at_least_once');
    assert.equal(resolveSettings({ id: 'a', processingGuarantee: 'exactly_once' }, () => true).processingGuarantee, 'exactly_once');
    assert.equal(settingsFromEnv({ FAUSTGEN_PROCESSING_GUARANTEE: 'exactly_once' }).processingGuarantee, 'exactly_once');
    assert.throws(() => settingsFromEnv({ FAUSTGEN_PROCESSING_GUARANTEE: 'exactly-once' }), (e: unknown) => FaustgenError.hasCode(e, 'FG_SETTING_INVALID') && /FAUSTGEN_PROCESSING_GUARANTEE/.test((e as Error).message));
    assert.throws(
      () => resolveSettings({ id: 'a', processingGuarantee: 'twice' as 'exactly_once' }, () => true),
      (e: unknown) => FaustgenError.hasCode(e, 'FG_SETTING_INVALID') && /processingGuarantee/.test((e as Error).message),
    );
  });

  test('exactly_once on the embedded broker says it runs at-least-once there, and counts every event once', async () => {
    const { app, logs } = testApp({ processingGuarantee: 'exactly_once' });
    const source = app.topic('words', { key: codecs.string, value: codecs.string, partitions: 2 });
    const counts = app.table('counts', { key: codecs.string, value: codecs.json<number>(), default: () => 0, partitions: 2 });
    app.agent('count', { source, tables: [counts] }, async (stream) => {
      for await (const event of stream.events()) counts.update(event.key, (n) => n + 1);
    });
    await app.start();
    try {
      for (let i = 0; i < 200; i++) await source.send({ key: `w${i % 10}`, value: 'x' });
      await waitFor(() => [...counts.values()].reduce((a, b) => a + b, 0) === 200, 'all 200 events counted');
      assert.ok(logs.lines.some((l) => /has no transactions; processing is at-least-once/.test(l)), 'the log says exactly_once does not apply');
      assert.deepEqual([...counts.entries()].map(([, n]) => n), Array.from({ length: 10 }, () => 20));
    } finally {
      await app.stop();
    }
  });
});
