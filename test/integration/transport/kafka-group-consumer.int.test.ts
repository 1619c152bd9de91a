import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { GroupAssignment, GroupConsumer, Producer, TopicPartition } from '../../../runtime/src/types/transport.js';
import { startKafkaCluster, type KafkaCluster } from '../../kafka/broker.js';
import { RecordingListener, groupOptions, kafkaClients, testTransport, uniqueName, type ListenerEvent } from './kafka-helpers.js';

const tp = (p: TopicPartition): string => `${p.topic}[${p.partition}]`;

/** A listener whose onAssigned takes a while, to show that records wait for it. */
class SlowAssignListener extends RecordingListener {
  override async onAssigned(assignment: GroupAssignment): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 300));
    await super.onAssigned(assignment);
  }
}

/**
 * Walks a member's callbacks in order: a record may only arrive for a partition that the latest
 * onAssigned gave and no onRevoked took away since.
 */
function assertDeliveryOrder(name: string, events: readonly ListenerEvent[]): void {
  let owned = new Set<string>();
  for (const event of events) {
    if (event.kind === 'assigned') {
      const { actives, standbys } = event.assignment.assignment;
      owned = new Set([...actives, ...standbys].map(tp));
    } else if (event.kind === 'revoked') {
      for (const p of event.partitions) owned.delete(tp(p));
    } else {
      for (const record of event.records) assert.ok(owned.has(tp(record)), `${name} got ${tp(record)}@${record.offset} while not owning it`);
    }
  }
}

function activePartitions(assignment: GroupAssignment | undefined, topic: string): number[] {
  return (assignment?.assignment.actives ?? []).filter((p) => p.topic === topic).map((p) => p.partition).sort();
}

for (const client of kafkaClients) {
  describe(`kafka:// group consumer with the faustgen assigner against a real broker (${client})`, () => {
    let cluster: KafkaCluster;
    let producer: Producer;
    const consumers: GroupConsumer[] = [];

    before(async () => {
      cluster = await startKafkaCluster({ nodes: 1 });
      producer = testTransport(cluster.bootstrap, {}, client).createProducer();
      await producer.start();
    });

    after(async () => {
      await Promise.all(consumers.map((c) => c.stop().catch(() => undefined)));
      await producer?.stop();
      await cluster?.stop();
    });

    async function createTopics(...names: string[]): Promise<void> {
      const admin = testTransport(cluster.bootstrap, {}, client).createAdmin();
      await admin.start();
      try {
        for (const name of names) await admin.ensureTopic({ name, partitions: 4, replicationFactor: 1 });
      } finally {
        await admin.stop();
      }
    }

    async function startMember(groupId: string, topics: string[], url: string, listener: RecordingListener): Promise<GroupConsumer> {
      const consumer = testTransport(cluster.bootstrap, {}, client).createGroupConsumer(groupOptions(groupId, topics, url));
      consumers.push(consumer);
      await consumer.start(listener);
      return consumer;
    }

    test('two members split co-partitioned topics; a third joining gets onRevoked before onAssigned', async () => {
      const a = uniqueName('orders');
      const b = uniqueName('payments');
      await createTopics(a, b);
      const groupId = uniqueName('copart');
      const m1 = new SlowAssignListener();
      const m2 = new SlowAssignListener();
      await startMember(groupId, [a, b], 'http://m1', m1);
      await startMember(groupId, [a, b], 'http://m2', m2);

      const bothHoldTwo = (): boolean =>
        activePartitions(m1.lastAssignment(), a).length === 2 && activePartitions(m2.lastAssignment(), a).length === 2;
      await m1.waitFor(bothHoldTwo, 'two members with 2 partitions each');
      for (const member of [m1, m2]) {
        const assignment = member.lastAssignment();
        assert.deepEqual(activePartitions(assignment, a), activePartitions(assignment, b), 'partition p of A and B on one member');
      }
      assert.deepEqual([...activePartitions(m1.lastAssignment(), a), ...activePartitions(m2.lastAssignment(), a)].sort(), [0, 1, 2, 3]);
      const distribution = m1.lastAssignment()?.distribution ?? {};
      assert.deepEqual(distribution['http://m2']?.[a], activePartitions(m2.lastAssignment(), a), 'distribution names the other member');

      // Records keep flowing into every partition while the group rebalances.
      let producing = true;
      const flow = (async () => {
        for (let i = 0; producing; i++) {
          await Promise.all([0, 1, 2, 3].flatMap((partition) => [a, b].map((topic) => producer.send({ topic, partition, key: null, value: Buffer.from(String(i)) }))));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      try {
        await m1.waitFor(() => m1.records().length > 0 && m2.records().length > 0, 'records on both members');
        const m3 = new SlowAssignListener();
        await startMember(groupId, [a, b], 'http://m3', m3);
        await m3.waitFor(() => m3.records().length > 0, 'records on the third member');
        await m1.waitFor(
          () => [m1, m2, m3].reduce((sum, m) => sum + activePartitions(m.lastAssignment(), a).length, 0) === 4,
          'a settled 3-member assignment',
        );
      } finally {
        producing = false;
        await flow;
      }

      for (const [name, member] of [['m1', m1], ['m2', m2]] as const) {
        assertDeliveryOrder(name, member.events);
        const assignment = member.lastAssignment();
        assert.deepEqual(activePartitions(assignment, a), activePartitions(assignment, b), `${name} co-partitioned after the rebalance`);
      }
      // Someone gave up a partition to m3; the revocation came first, then the new assignment.
      const losers = [m1, m2].filter((m) => m.events.some((e) => e.kind === 'revoked'));
      assert.ok(losers.length > 0, 'an old member had partitions revoked');
      for (const loser of losers) {
        const revokedAt = loser.events.findIndex((e) => e.kind === 'revoked');
        const assignedAfter = loser.events.findIndex((e, i) => i > revokedAt && e.kind === 'assigned');
        assert.ok(assignedAfter > revokedAt, `onAssigned after onRevoked: ${loser.describe()}`);
      }
      assert.deepEqual([m1, m2].flatMap((m) => m.errors), []);
    });

    test('commit, then a restarted member resumes from the committed offset', async () => {
      const topic = uniqueName('resume');
      await createTopics(topic);
      for (let i = 0; i < 6; i++) await producer.send({ topic, partition: 2, key: null, value: Buffer.from(`r${i}`) });
      const groupId = uniqueName('resume-group');
      const first = new RecordingListener();
      const consumer = await startMember(groupId, [topic], 'http://a', first);
      await first.waitFor(() => first.records().length >= 6, '6 records');
      await consumer.commit([{ topic, partition: 2, offset: 4 }]);
      await consumer.stop();
      assert.deepEqual(
        first.events.filter((e) => e.kind === 'revoked').flatMap((e) => (e.kind === 'revoked' ? e.partitions.map(tp) : [])).sort(),
        [0, 1, 2, 3].map((p) => `${topic}[${p}]`),
        'stop() revokes what the member held',
      );

      const second = new RecordingListener();
      await startMember(groupId, [topic], 'http://a', second);
      await second.waitFor(() => second.records().length >= 2, 'records after restart');
      assert.deepEqual(second.records().map((r) => [r.offset, r.value?.toString()]), [[4, 'r4'], [5, 'r5']]);
    });

    test('a commit during a rebalance or before start is a FaustgenError, not a crash', async () => {
      const topic = uniqueName('not-started');
      const consumer = testTransport(cluster.bootstrap, {}, client).createGroupConsumer(groupOptions(uniqueName('g'), [topic]));
      await assert.rejects(consumer.commit([{ topic, partition: 0, offset: 1 }]), { name: 'FaustgenError', code: 'FG_APP_STATE' });
    });
  });
}
