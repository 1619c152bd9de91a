import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryTransport, resetMemoryBroker } from '../../../runtime/src/transport/memory/transport.js';
import { MemoryPartitionReader } from '../../../runtime/src/transport/memory/partition-reader.js';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import type { ConsumedRecord, Producer } from '../../../runtime/src/types/transport.js';
import { deferred, text, tick } from './memory-helpers.js';

const BROKER = 'reader-tests';
afterEach(() => resetMemoryBroker(BROKER));

async function setup(): Promise<{ transport: MemoryTransport; producer: Producer }> {
  const transport = new MemoryTransport(`memory://${BROKER}`);
  const admin = transport.createAdmin();
  await admin.start();
  await admin.ensureTopic({ name: 'app-t-changelog', partitions: 2, replicationFactor: 1, config: { 'cleanup.policy': 'compact' } });
  const producer = transport.createProducer();
  await producer.start();
  for (let i = 0; i < 30; i++) await producer.send({ topic: 'app-t-changelog', partition: i % 2, key: text(`k${i}`), value: text(`v${i}`) });
  return { transport, producer };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !condition(); i++) await tick();
  assert.ok(condition(), 'condition not reached');
}

describe('memory broker: partition reader', () => {
  test('reads assigned partitions from the given offsets, and new appends as they come', async () => {
    const { transport, producer } = await setup();
    const reader = transport.createPartitionReader();
    const got: ConsumedRecord[] = [];
    reader.assign([{ topic: 'app-t-changelog', partition: 1, offset: 10 }]);
    await reader.start(async (records) => {
      got.push(...records);
    });
    await until(() => got.length === 5);
    assert.deepEqual(got.map((r) => r.offset), [10, 11, 12, 13, 14]);
    assert.deepEqual(got.map((r) => r.key?.toString()), ['k21', 'k23', 'k25', 'k27', 'k29']);
    await producer.send({ topic: 'app-t-changelog', partition: 1, key: text('late'), value: null });
    await until(() => got.length === 6);
    assert.equal(got.at(-1)?.key?.toString(), 'late');
    reader.assign([{ topic: 'app-t-changelog', partition: 0, offset: 14 }]);
    await until(() => got.length === 7);
    assert.deepEqual([got.at(-1)?.partition, got.at(-1)?.offset, got.at(-1)?.key?.toString()], [0, 14, 'k28']);
    await reader.stop();
  });

  test('a second transport on the same broker URL replays what the first one wrote (table recovery)', async () => {
    await setup();
    const restarted = new MemoryTransport(`memory://${BROKER}`);
    const reader = restarted.createPartitionReader();
    const table = new Map<string, string>();
    reader.assign([0, 1].map((partition) => ({ topic: 'app-t-changelog', partition, offset: 0 })));
    await reader.start(async (records) => {
      for (const r of records) table.set(r.key?.toString() ?? '', r.value?.toString() ?? '');
    });
    await until(() => table.size === 30);
    assert.equal(table.get('k29'), 'v29');
    await reader.stop();
  });

  test('unassign stops delivery; back-pressure holds the partition; stop waits for the batch in flight', async () => {
    const { transport, producer } = await setup();
    const reader = transport.createPartitionReader();
    const gate = deferred();
    const batches: number[] = [];
    let finished = false;
    reader.assign([{ topic: 'app-t-changelog', partition: 0, offset: 0 }]);
    await reader.start(async (records) => {
      batches.push(records.length);
      await gate.promise;
      finished = true;
    });
    await until(() => batches.length === 1);
    await producer.send({ topic: 'app-t-changelog', partition: 0, key: null, value: null });
    for (let i = 0; i < 10; i++) await tick();
    assert.deepEqual(batches, [15], 'second batch waits for the first');
    reader.unassign([{ topic: 'app-t-changelog', partition: 0 }]);
    const stopping = reader.stop();
    assert.equal(finished, false);
    gate.resolve();
    await stopping;
    assert.equal(finished, true);
    assert.deepEqual(batches, [15], 'nothing after unassign');
  });

  test('a failing handler halts its partition and reports the error', async () => {
    const { transport } = await setup();
    const reader = new MemoryPartitionReader(transport.broker);
    const delivered: number[] = [];
    reader.assign([0, 1].map((partition) => ({ topic: 'app-t-changelog', partition, offset: 0 })));
    await reader.start(async (records) => {
      if (records[0]?.partition === 0) throw new Error('bad record');
      delivered.push(...records.map((r) => r.offset));
    });
    await until(() => reader.errors.length === 1 && delivered.length === 15);
    assert.equal(reader.position({ topic: 'app-t-changelog', partition: 0 }), 0);
    assert.equal(reader.position({ topic: 'app-t-changelog', partition: 1 }), 15);
    await reader.stop();
  });

  test('assigning a missing partition or a negative offset fails with a clear error', async () => {
    const { transport } = await setup();
    const reader = transport.createPartitionReader();
    assert.throws(() => reader.assign([{ topic: 'app-t-changelog', partition: 5, offset: 0 }]), (e) => FaustgenError.hasCode(e, 'FG_TOPIC_MISSING'));
    assert.throws(() => reader.assign([{ topic: 'app-t-changelog', partition: 0, offset: -1 }]), (e) => FaustgenError.hasCode(e, 'FG_SETTING_INVALID'));
  });
});
