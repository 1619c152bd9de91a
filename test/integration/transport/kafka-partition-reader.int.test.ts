import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumedRecord, PartitionReader } from '../../../runtime/src/types/transport.js';
import { startKafkaCluster, type KafkaCluster } from '../../kafka/broker.js';
import { kafkaClients, testTransport, uniqueName } from './kafka-helpers.js';

for (const client of kafkaClients) {
  describe(`kafka:// partition reader against a real broker (${client})`, () => {
    let cluster: KafkaCluster;

    before(async () => {
      cluster = await startKafkaCluster({ nodes: 1 });
    });

    after(async () => {
      await cluster?.stop();
    });

    test('reads a partition from an offset to the high-water mark, only the partitions asked for', async () => {
      const transport = testTransport(cluster.bootstrap, {}, client);
      const admin = transport.createAdmin();
      const producer = transport.createProducer();
      await Promise.all([admin.start(), producer.start()]);
      const changelog = uniqueName('changelog');
      const other = uniqueName('other-changelog');
      await admin.ensureTopic({ name: changelog, partitions: 3, replicationFactor: 1, config: { 'cleanup.policy': 'compact' } });
      await admin.ensureTopic({ name: other, partitions: 1, replicationFactor: 1 });
      for (let i = 0; i < 10; i++) {
        await Promise.all([0, 1, 2].map((partition) => producer.send({ topic: changelog, partition, key: Buffer.from(`k${i}`), value: Buffer.from(`p${partition}-v${i}`) })));
      }
      await Promise.all([0, 1, 2].map((i) => producer.send({ topic: other, key: null, value: Buffer.from(`o${i}`) })));
      const high = (await admin.fetchOffsets(changelog)).find((o) => o.partition === 1)?.high;
      assert.equal(high, 10);

      const reader: PartitionReader = transport.createPartitionReader();
      const got: ConsumedRecord[] = [];
      const reached = (topic: string, partition: number, offset: number): boolean =>
        got.some((r) => r.topic === topic && r.partition === partition && r.offset === offset);
      reader.assign([{ topic: changelog, partition: 1, offset: 4 }]);
      try {
        await reader.start(async (records) => {
          got.push(...records);
        });
        await waitUntil(() => reached(changelog, 1, 9), 'offset 9 of partition 1');
        assert.deepEqual(
          got.map((r) => `${r.topic === changelog ? 'c' : 'o'}${r.partition}@${r.offset}=${r.value?.toString()}`),
          [4, 5, 6, 7, 8, 9].map((o) => `c1@${o}=p1-v${o}`),
        );

        // Moving on: a new topic restarts the underlying consumer; positions of the rest survive.
        reader.assign([{ topic: other, partition: 0, offset: 1 }]);
        await waitUntil(() => reached(other, 0, 2), 'offset 2 of the other topic');
        await producer.send({ topic: changelog, partition: 1, key: Buffer.from('late'), value: Buffer.from('late') });
        await waitUntil(() => reached(changelog, 1, 10), 'the record produced after the reader caught up');
        const seen = got.map((r) => `${r.topic === changelog ? 'c' : 'o'}${r.partition}@${r.offset}`);
        assert.deepEqual(seen.filter((s) => s.startsWith('o')), ['o0@1', 'o0@2']);
        assert.deepEqual(seen.filter((s) => s.startsWith('c')), [4, 5, 6, 7, 8, 9, 10].map((o) => `c1@${o}`), 'no record twice, nothing of partitions 0 and 2');
      } finally {
        await reader.stop();
        await producer.stop();
        await admin.stop();
      }
    });
  });
}

async function waitUntil(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
