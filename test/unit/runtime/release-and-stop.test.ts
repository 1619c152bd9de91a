// A worker asked to stop while it releases its partitions for a rebalance (issue 9, CI run of stop 15:
// an event processed by the old owner and again by the new one). The release must wait for the events
// in handlers, and a commit queued while the release commits must not reach the consumer after the
// release let the member rejoin: by then the old generation is gone and the commit is refused, so the
// events it covered would be processed again by the next owner.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Conductor, type ConductorHooks } from '../../../runtime/src/consumer/conductor.js';
import type { Agent } from '../../../runtime/src/agents/agent.js';
import type { EventAcker } from '../../../runtime/src/streams/event.js';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import type { Topic } from '../../../runtime/src/topics/topic.js';
import { createLogger } from '../../../runtime/src/core/logger.js';
import type { ConsumedRecord, GroupConsumer, TopicPartitionOffset } from '../../../runtime/src/types/transport.js';

const TOPIC = 'orders';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An agent whose handlers hold the events they took until the test acks them. */
class HeldAgent {
  readonly inHandlers: number[] = [];
  readonly buffered: number[] = [];
  acker: EventAcker | undefined;
  constructor(private readonly handlerSlots: number) {}
  deliver(record: ConsumedRecord, acker: EventAcker): boolean {
    this.acker = acker;
    if (this.inHandlers.length < this.handlerSlots) this.inHandlers.push(record.offset);
    else this.buffered.push(record.offset);
    return true;
  }
  dropPartitions(topic: string, partitions: ReadonlySet<number>): { topic: string; partition: number; offset: number }[] {
    if (topic !== TOPIC || !partitions.has(0)) return [];
    return this.buffered.splice(0).map((offset) => ({ topic, partition: 0, offset }));
  }
  finishHandlers(): void {
    for (const offset of this.inHandlers.splice(0)) this.acker?.ack(offset);
  }
}

/** A consumer that, like the Kafka one, refuses commits once the member left its generation to rejoin. */
class GenerationConsumer implements GroupConsumer {
  releasing = false;
  readonly committed: TopicPartitionOffset[] = [];
  readonly refused: TopicPartitionOffset[] = [];
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (!this.releasing) {
      this.refused.push(...offsets);
      return Promise.reject(new FaustgenError('FG_TRANSPORT', 'the group is rebalancing', { retriable: true }));
    }
    this.committed.push(...offsets);
    return Promise.resolve();
  }
  seek(): void {}
  pause(): void {}
  resume(): void {}
}

function record(offset: number): ConsumedRecord {
  return { topic: TOPIC, partition: 0, offset, timestamp: 0, key: null, value: null, headers: {} };
}

type TestHooks = { -readonly [K in keyof ConductorHooks]: ConductorHooks[K] } & { releasedAt: number[] };

function setUp(handlerSlots: number): { conductor: Conductor; agent: HeldAgent; consumer: GroupConsumer & GenerationConsumer; state: { handlersRun: boolean }; hooks: TestHooks } {
  const state = { handlersRun: true };
  const agent = new HeldAgent(handlerSlots);
  const hooks: TestHooks = {
    releasedAt: [],
    log: createLogger({ level: 'error', sink: { write: () => undefined } }),
    // A producer flush takes a moment: commits queued meanwhile wait for it.
    flushProducer: () => sleep(20),
    flushTables: () => undefined,
    agentsRunning: () => state.handlersRun,
    isAssignmentOnly: () => false,
    onAssigned: () => Promise.resolve(),
    onError: (error) => assert.fail(error),
    onRebalancing: () => undefined,
    onPartitionsRevoked: () => undefined,
    holdOutputs: () => undefined,
    releaseOutputs: () => void hooks.releasedAt.push(Date.now()),
  };
  // The conductor calls hooks through this object, so a test may swap one (onAssigned) later.
  const conductor = new Conductor({ ...hooks, onAssigned: (a) => hooks.onAssigned(a), releaseOutputs: (a) => hooks.releaseOutputs(a) });
  conductor.subscribe({ agent: agent as unknown as Agent<unknown, unknown, unknown>, topic: { name: TOPIC } as unknown as Topic<unknown, unknown> });
  const consumer = new GenerationConsumer();
  conductor.attach(consumer);
  return { conductor, agent, consumer, state, hooks };
}

async function assign(conductor: Conductor): Promise<void> {
  await conductor.onAssigned({ generation: 1, memberId: 'm', assignment: { actives: [{ topic: TOPIC, partition: 0 }], standbys: [] }, distribution: {} });
}

/** What the Kafka consumer does around the listener's release: commits are valid only meanwhile. */
async function release(conductor: Conductor, consumer: GenerationConsumer, deadlineMs: number): Promise<void> {
  consumer.releasing = true;
  try {
    await conductor.onPrepareRebalance(deadlineMs);
  } finally {
    consumer.releasing = false;
  }
}

test('a stop during a release: the release waits for the events in handlers, not for the ones the stop dropped', { timeout: 10_000 }, async () => {
  const { conductor, agent, consumer } = setUp(2);
  await assign(conductor);
  await conductor.onRecords([0, 1, 2, 3, 4].map(record));
  assert.deepEqual(agent.inHandlers, [0, 1]);
  // A deadline far beyond the test's timeout: the release must end because the work is done.
  const released = release(conductor, consumer, Date.now() + 120_000);
  await sleep(30);
  conductor.dropBufferedForStop();
  await sleep(10);
  agent.finishHandlers();
  await released;
  assert.deepEqual(consumer.refused, []);
  assert.deepEqual(consumer.committed.at(-1), { topic: TOPIC, partition: 0, offset: 2 }, 'both events finished by the handlers are committed, the dropped ones are not');
});

test('a commit queued while the release commits is not sent after the release (the old generation is gone)', async () => {
  const { conductor, agent, consumer } = setUp(5);
  await assign(conductor);
  await conductor.onRecords([0, 1, 2].map(record));
  agent.inHandlers.splice(0, 2).forEach((offset) => agent.acker?.ack(offset));
  // Event 2 is still in its handler when the deadline passes: the release commits up to it.
  const released = release(conductor, consumer, Date.now() + 30);
  await sleep(45);
  // The release's commit is flushing the producer; the handler finishes and a commit queues behind.
  agent.finishHandlers();
  const queued = conductor.commit();
  await released;
  await queued;
  assert.deepEqual(consumer.refused, [], 'the queued commit found the partitions released and sent nothing');
  assert.deepEqual(consumer.committed, [{ topic: TOPIC, partition: 0, offset: 2 }]);
});

test('events finished while a new assignment is set up are committed only once their held outputs went out', async () => {
  const { conductor, agent, consumer, hooks } = setUp(5);
  await assign(conductor);
  await conductor.onRecords([0, 1].map(record));
  agent.inHandlers.splice(0, 1).forEach((offset) => agent.acker?.ack(offset));
  // Event 1 outlives the release's deadline: its outputs will be held.
  await release(conductor, consumer, Date.now() + 20);
  assert.deepEqual(consumer.committed, [{ topic: TOPIC, partition: 0, offset: 1 }]);
  const releases = hooks.releasedAt.length;
  let tablesRecovered: () => void = () => undefined;
  hooks.onAssigned = () => new Promise<void>((resolve) => (tablesRecovered = resolve));
  consumer.releasing = true; // a commit would be valid under the new generation: only the hold stops it
  const assigned = conductor.onAssigned({ generation: 2, memberId: 'm', assignment: { actives: [{ topic: TOPIC, partition: 0 }], standbys: [] }, distribution: {} });
  agent.finishHandlers();
  await conductor.commit();
  assert.equal(hooks.releasedAt.length, releases, 'outputs are still held while the tables recover');
  assert.deepEqual(consumer.committed, [{ topic: TOPIC, partition: 0, offset: 1 }], 'event 1 is not committed while its outputs are held');
  tablesRecovered();
  await assigned;
  assert.equal(hooks.releasedAt.length, releases + 1);
  await conductor.commit();
  assert.deepEqual(consumer.committed.at(-1), { topic: TOPIC, partition: 0, offset: 2 });
});
