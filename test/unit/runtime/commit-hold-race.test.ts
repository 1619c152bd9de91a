// A commit sends coalesced changelog writes at its start (flushProducer). When outputs became held
// meanwhile — here the lease lapses during the flush, as when the group coordinator's broker is
// paused — those sends wait in the hold instead of the producer, and committing the offsets would
// pass events whose table writes are not on the broker. An at-least-once 3-broker broker-fault run
// ended with 9 keys below their events that way (a key's sum read back from a changelog that lacked
// its last committed write). The commit now skips when a hold began while it flushed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Conductor, type ConductorHooks } from '../../../runtime/src/consumer/conductor.js';
import type { Agent } from '../../../runtime/src/agents/agent.js';
import type { EventAcker } from '../../../runtime/src/streams/event.js';
import { createLogger } from '../../../runtime/src/core/logger.js';
import type { Topic } from '../../../runtime/src/topics/topic.js';
import type { ConsumedRecord, GroupConsumer, TopicPartitionOffset } from '../../../runtime/src/types/transport.js';

const TOPIC = 'orders';
const quiet = createLogger({ level: 'error', sink: { write: () => undefined } });
const record = (offset: number): ConsumedRecord => ({ topic: TOPIC, partition: 0, offset, timestamp: 0, key: null, value: null, headers: {} });

function bed(transactions: boolean): { conductor: Conductor; committed: TopicPartitionOffset[][]; lapseDuringFlush: { on: boolean } } {
  const committed: TopicPartitionOffset[][] = [];
  const lapseDuringFlush = { on: false };
  let conductor: Conductor | undefined;
  const hooks: ConductorHooks = {
    log: quiet,
    flushProducer: () => {
      if (lapseDuringFlush.on) conductor?.onLeaseLapsed();
      return Promise.resolve();
    },
    flushTables: () => undefined,
    agentsRunning: () => true,
    isAssignmentOnly: () => false,
    onAssigned: () => Promise.resolve(),
    onError: (error) => assert.fail(error),
    onRebalancing: () => undefined,
    onPartitionsRevoked: () => undefined,
    holdOutputs: () => undefined,
    releaseOutputs: () => undefined,
    ...(transactions
      ? {
          commitTransactions: (offsets: readonly TopicPartitionOffset[]) => {
            committed.push([...offsets]);
            return Promise.resolve();
          },
        }
      : {}),
  };
  conductor = new Conductor(hooks);
  const agent = {
    deliver: (rec: ConsumedRecord, acker: EventAcker) => {
      acker.ack(rec.offset);
      return true;
    },
    dropPartitions: () => [],
  };
  conductor.subscribe({ agent: agent as unknown as Agent<unknown, unknown, unknown>, topic: { name: TOPIC } as unknown as Topic<unknown, unknown> });
  const consumer = {
    commit: (offsets: readonly TopicPartitionOffset[]) => {
      committed.push([...offsets]);
      return Promise.resolve();
    },
    seek: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
  } as unknown as GroupConsumer;
  conductor.attach(consumer);
  return { conductor, committed, lapseDuringFlush };
}

const assignment = { generation: 1, memberId: 'm', assignment: { actives: [{ topic: TOPIC, partition: 0 }], standbys: [] }, distribution: {} };

for (const transactions of [false, true]) {
  test(`a hold that begins while the commit flushes keeps the offsets uncommitted (${transactions ? 'exactly_once' : 'at_least_once'})`, async () => {
    const { conductor, committed, lapseDuringFlush } = bed(transactions);
    await conductor.onAssigned(assignment);
    await conductor.onRecords([0, 1, 2].map(record));
    await conductor.commit();
    assert.deepEqual(committed.at(-1), [{ topic: TOPIC, partition: 0, offset: 3 }]);
    await conductor.onRecords([3, 4].map(record));
    lapseDuringFlush.on = true;
    await conductor.commit();
    assert.equal(committed.length, 1, 'nothing committed past events whose outputs may be held');
  });
}
