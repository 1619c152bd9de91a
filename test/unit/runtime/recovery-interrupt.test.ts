import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, MemoryLogSink } from '../../../runtime/src/core/logger.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { openTableStore } from '../../../runtime/src/stores/index.js';
import { Table } from '../../../runtime/src/tables/table.js';
import { TableManager } from '../../../runtime/src/tables/table-manager.js';
import { MemoryTransport } from '../../../runtime/src/transport/memory/transport.js';
import type { PartitionReader } from '../../../runtime/src/types/transport.js';
import { brokerUrl } from './helpers.js';

/** A reader that takes 2 ms per batch, so a recovery lasts long enough to be interrupted. */
function slowReader(inner: PartitionReader): PartitionReader {
  return {
    assign: (positions) => inner.assign(positions),
    unassign: (partitions) => inner.unassign(partitions),
    start: (onRecords) => inner.start(async (records) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      await onRecords(records);
    }),
    stop: () => inner.stop(),
  };
}

test('a rebalance interrupts a table recovery, and the next assignment resumes it without replaying twice', async () => {
  const transport = new MemoryTransport(brokerUrl());
  const admin = transport.createAdmin();
  const producer = transport.createProducer();
  await admin.start();
  await producer.start();
  const topic = 'interrupt-counts-changelog';
  await admin.ensureTopic({ name: topic, partitions: 2, replicationFactor: 1 });
  const records = 20_000;
  for (let i = 0; i < records; i++) {
    void producer.send({ topic, partition: i % 2, key: Buffer.from(JSON.stringify(`k${i % 500}`)), value: Buffer.from(String(i)) });
  }
  await producer.flush();
  const table = new Table<string, number, number | undefined>(
    { name: 'counts', changelogTopic: topic, keyCodec: codecs.json<string>(), valueCodec: codecs.number, partitions: 2, kind: 'table', defaultValue: undefined, usePartitioner: false, config: {} },
    { sendChangelog: () => Promise.reject(new Error('read only')), sendChangelogFrom: () => undefined, reportSendError: () => undefined, partitionCount: () => 2 },
  );
  const logs = new MemoryLogSink();
  const manager = new TableManager(admin, slowReader(transport.createPartitionReader()), createLogger({ sink: logs }));
  manager.register(table as unknown as Table<unknown, unknown>, await openTableStore('memory://', { appId: 'interrupt', table: 'counts', datadir: '/unused' }));
  await manager.start();
  const actives = [0, 1].map((partition) => ({ topic, partition }));

  const first = manager.assign(actives, []);
  await new Promise((resolve) => setTimeout(resolve, 30));
  manager.interruptRecovery();
  assert.equal(await first, false, 'the interrupted assignment reports it did not finish');
  const replayedBefore = manager.replayed.get('counts') ?? 0;
  assert.ok(replayedBefore > 0 && replayedBefore < records, `interrupted part-way (${replayedBefore} of ${records})`);

  assert.equal(await manager.assign(actives, []), true);
  assert.equal(manager.replayed.get('counts'), records, 'every record replayed exactly once over both assignments');
  for (let k = 0; k < 500; k++) assert.equal(table.get(`k${k}`), 19_500 + k, `latest value of k${k}`);
  assert.ok(logs.lines.some((l) => l.includes('recovery interrupted by a rebalance')));
  await manager.stop();
  await producer.stop();
  await admin.stop();
});
