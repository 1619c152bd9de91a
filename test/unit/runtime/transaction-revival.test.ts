// Exactly-once after a failed transaction (issue 9): a worker whose transactional producer was fenced
// (another worker applied an assignment that gave it the partition) or whose transaction a broker
// failure broke used to stop with FG_FENCED / FG_TRANSPORT and leave its events to a restart. It now
// starts over in place, as Kafka Streams does with a migrated or corrupted task: every partition is
// abandoned (nothing more committed or written), the producers discarded, and the member rejoins
// with every partition as new. These are the pieces of that path that need no broker; the whole path
// runs against a real broker in test/integration/app/handoff.int.test.ts (a zombie fences the workers).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Cluster, Producer as KafkaJsProducer, ProducerBatch, RecordMetadata as KafkaJsRecordMetadata, Transaction } from 'kafkajs';
import { ExactlyOnce, type RevivalHooks } from '../../../runtime/src/app/exactly-once.js';
import { Conductor, type ConductorHooks } from '../../../runtime/src/consumer/conductor.js';
import type { Agent } from '../../../runtime/src/agents/agent.js';
import type { EventAcker } from '../../../runtime/src/streams/event.js';
import { FaustgenError, hasErrorCode } from '../../../runtime/src/core/errors.js';
import { createLogger } from '../../../runtime/src/core/logger.js';
import type { Topic } from '../../../runtime/src/topics/topic.js';
import { resolveKafkaOptions } from '../../../runtime/src/transport/kafka/config.js';
import { captureCoordinator } from '../../../runtime/src/transport/kafka/sync-capture.js';
import { KafkaTransactionalProducer } from '../../../runtime/src/transport/kafka/transactional-producer.js';
import type {
  Admin,
  ConsumedRecord,
  GroupAssignment,
  GroupConsumer,
  Producer,
  TopicPartition,
  TopicPartitionOffset,
  TransactionalProducer,
  TransactionEvents,
  Transport,
} from '../../../runtime/src/types/transport.js';

const TOPIC = 'orders';
const quiet = createLogger({ level: 'error', sink: { write: () => undefined } });
const p = (partition: number): TopicPartition => ({ topic: TOPIC, partition });
const assignment = (...partitions: number[]): GroupAssignment => ({ generation: 1, memberId: 'm', assignment: { actives: partitions.map(p), standbys: [] }, distribution: {} });
const record = (offset: number): ConsumedRecord => ({ topic: TOPIC, partition: 0, offset, timestamp: 0, key: null, value: null, headers: {} });

/** An agent whose handlers ack at once; it keeps nothing buffered. */
class AckingAgent {
  readonly ackers: EventAcker[] = [];
  deliver(rec: ConsumedRecord, acker: EventAcker): boolean {
    this.ackers.push(acker);
    acker.ack(rec.offset);
    return true;
  }
  dropPartitions(): never[] {
    return [];
  }
}

class RecordingConsumer implements GroupConsumer {
  readonly seeks: TopicPartitionOffset[] = [];
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  commit(): Promise<void> {
    return Promise.reject(new Error('exactly-once commits go through transactions'));
  }
  seek(position: TopicPartitionOffset): void {
    this.seeks.push(position);
  }
  pause(): void {}
  resume(): void {}
}

interface Bed {
  conductor: Conductor;
  committed: TopicPartitionOffset[][];
  revoked: TopicPartition[][];
  consumer: RecordingConsumer;
  agent: AckingAgent;
  released: number;
  /** Runs inside the app's onAssigned (where exactly-once starts its producers). */
  duringAssign: (() => void) | undefined;
}

function conductorWithTransactions(): Bed {
  const committed: TopicPartitionOffset[][] = [];
  const revoked: TopicPartition[][] = [];
  const bed = { released: 0, duringAssign: undefined } as Bed;
  const hooks: ConductorHooks = {
    log: quiet,
    flushProducer: () => Promise.resolve(),
    flushTables: () => undefined,
    agentsRunning: () => true,
    isAssignmentOnly: () => false,
    onAssigned: () => {
      bed.duringAssign?.();
      return Promise.resolve();
    },
    onError: (error) => assert.fail(error),
    onRebalancing: () => undefined,
    onPartitionsRevoked: (partitions) => void revoked.push([...partitions]),
    holdOutputs: () => undefined,
    releaseOutputs: () => void bed.released++,
    commitTransactions: (offsets) => {
      committed.push([...offsets]);
      return Promise.resolve();
    },
  };
  const conductor = new Conductor(hooks);
  const agent = new AckingAgent();
  conductor.subscribe({ agent: agent as unknown as Agent<unknown, unknown, unknown>, topic: { name: TOPIC } as unknown as Topic<unknown, unknown> });
  const consumer = new RecordingConsumer();
  conductor.attach(consumer);
  return Object.assign(bed, { conductor, committed, revoked, consumer, agent });
}

describe('Conductor.abandonAll', () => {
  test('a failure while an assignment is applied keeps the outputs held (the next assignment drops them)', async () => {
    const bed = conductorWithTransactions();
    await bed.conductor.onAssigned(assignment(0));
    assert.equal(bed.released, 1);
    bed.duringAssign = () => bed.conductor.abandonAll('fenced while the assignment started its producers');
    await bed.conductor.onAssigned(assignment(0));
    assert.equal(bed.released, 1, 'held outputs of the void transaction are not released');
    bed.duringAssign = undefined;
    await bed.conductor.onAssigned(assignment(0));
    assert.equal(bed.released, 2);
    assert.deepEqual(bed.revoked.at(-1), [p(0)], 'and the partition started afresh');
  });

  test('nothing more is committed, and the next assignment starts every partition afresh even when the consumer kept it', async () => {
    const { conductor, committed, revoked, agent } = conductorWithTransactions();
    await conductor.onAssigned(assignment(0));
    await conductor.onRecords([0, 1, 2].map(record));
    await conductor.commit();
    assert.deepEqual(committed.at(-1), [{ topic: TOPIC, partition: 0, offset: 3 }]);
    // Events 3 and 4 are processed into a transaction that then fails.
    await conductor.onRecords([3, 4].map(record));
    conductor.abandonAll('a transaction failed');
    assert.equal(agent.ackers.at(-1)?.retired, true, 'at once: what handlers still do for delivered events is void');
    const commitsBefore = committed.length;
    await conductor.commit();
    assert.equal(committed.length, commitsBefore, 'an abandoned partition commits nothing: its transaction aborted');
    // The rejoin hands the same partition back without a revoke in between (a join already under way).
    await conductor.onAssigned(assignment(0));
    assert.deepEqual(revoked, [[p(0)]], 'its table state and held outputs are dropped as for a revoked partition');
    assert.equal(agent.ackers[0]?.retired, true, 'events delivered before are stale: a handler still running one may not write tables or outputs');
    const [position] = conductor.positions();
    assert.equal(position?.position, undefined, 'the partition starts afresh: nothing delivered yet');
    await conductor.commit();
    assert.equal(committed.slice(commitsBefore).flat().length, 0, 'events 3 and 4 are not committed: they are read again from offset 3');
  });
});

class FakeTransactionalProducer implements TransactionalProducer {
  started = false;
  discarded = false;
  commits = 0;
  failCommit: Error | undefined;
  constructor(
    readonly transactionalId: string,
    readonly events: TransactionEvents | undefined,
  ) {}
  start(): Promise<void> {
    this.started = true;
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  send(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }
  produce(): void {}
  flush(): Promise<void> {
    return Promise.resolve();
  }
  commitTransaction(): Promise<void> {
    this.commits++;
    return this.failCommit === undefined ? Promise.resolve() : Promise.reject(this.failCommit);
  }
  abortTransaction(): Promise<void> {
    return Promise.resolve();
  }
  discard(): Promise<void> {
    this.discarded = true;
    return Promise.resolve();
  }
}

function exactlyOnceBed(): { eo: ExactlyOnce; producers: FakeTransactionalProducer[]; calls: string[]; conductor: Conductor } {
  const producers: FakeTransactionalProducer[] = [];
  const calls: string[] = [];
  const transport = {
    driver: 'kafka',
    createTransactionalProducer: (id: string, events?: TransactionEvents) => {
      const producer = new FakeTransactionalProducer(id, events);
      producers.push(producer);
      return producer;
    },
  } as unknown as Transport;
  const admin = { fetchCommitted: () => Promise.resolve([]) } as unknown as Admin;
  const hooks: RevivalHooks = {
    abandonPartitions: () => void calls.push('abandon'),
    rejoin: () => {
      calls.push('rejoin');
      return true;
    },
    crash: (error) => void calls.push(`crash:${error.code}`),
    stopping: () => false,
  };
  const eo = new ExactlyOnce('app', quiet, hooks);
  eo.start(transport, admin);
  const { conductor } = conductorWithTransactions();
  return { eo, producers, calls, conductor };
}

const fenced = (): FaustgenError => new FaustgenError('FG_FENCED', 'fenced');

describe('Conductor stop', () => {
  // A graceful stop under exactly_once aborted its last transaction in every rolling restart ("final
  // commit failed: events still unfinished"): records the consumer delivered after the stop dropped
  // the agents' buffers sat in closed queues, never acked, and the commit barrier waited for them.
  test('records delivered after the stop began are refused, so the final commit covers what was processed', async () => {
    const { conductor, committed, agent } = conductorWithTransactions();
    await conductor.onAssigned(assignment(0));
    await conductor.onRecords([0, 1, 2].map(record));
    conductor.dropBufferedForStop();
    // The agents' queues are closed now: what still arrives would never be processed.
    agent.deliver = () => true;
    await conductor.onRecords([3, 4].map(record));
    // Bounded: without the refusal the barrier would wait for events 3 and 4 and then give up.
    await conductor.commit(new Map(), Date.now() + 1_000);
    assert.deepEqual(committed.at(-1), [{ topic: TOPIC, partition: 0, offset: 3 }]);
  });
});

describe('ExactlyOnce revival', () => {
  test('a fenced producer abandons every partition, discards every producer and rejoins; the next assignment fences afresh', async () => {
    const { eo, producers, calls, conductor } = exactlyOnceBed();
    await eo.assign(assignment(0, 1), new Set([TOPIC]), conductor);
    assert.equal(producers.length, 2);
    producers[0]?.events?.broken(fenced());
    assert.deepEqual(calls, ['abandon', 'rejoin']);
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(producers.every((producer) => producer.discarded), 'every open transaction aborts');
    assert.equal(eo.producerFor(TOPIC, 1), undefined, 'no output goes through a discarded producer');
    producers[1]?.events?.broken(fenced());
    assert.deepEqual(calls, ['abandon', 'rejoin'], 'a discarded producer failing later starts nothing');
    await eo.assign(assignment(0, 1), new Set([TOPIC]), conductor);
    assert.equal(producers.length, 4, 'kept partitions get new producers (which fence whoever fenced this worker)');
    assert.ok(producers.slice(2).every((producer) => producer.started));
  });

  test('a revoked partition that comes back (a lost membership) gets a new producer: its open transaction holds work that is done again', async () => {
    const { eo, producers, calls, conductor } = exactlyOnceBed();
    await eo.assign(assignment(0, 1), new Set([TOPIC]), conductor);
    eo.release([p(0)]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(producers[0]?.discarded, true, 'its open transaction aborts');
    assert.equal(producers[1]?.discarded, false);
    assert.equal(eo.producerFor(TOPIC, 0), undefined);
    await eo.assign(assignment(0, 1), new Set([TOPIC]), conductor);
    assert.equal(producers.length, 3, 'partition 0 is fenced and started afresh, partition 1 keeps its producer');
    assert.equal(eo.producerFor(TOPIC, 0), producers[2]);
    assert.deepEqual(calls, [], 'no revival: this is the ordinary path of a lost membership');
  });

  test('a failed commit revives too, and a fault that never clears stops the worker after 10 revivals in a row', async () => {
    const { eo, producers, calls, conductor } = exactlyOnceBed();
    for (let round = 1; round <= 11; round++) {
      await eo.assign(assignment(0), new Set([TOPIC]), conductor);
      const producer = producers.at(-1) as FakeTransactionalProducer;
      producer.failCommit = new FaustgenError('FG_TRANSPORT', 'the transaction coordinator moved');
      await assert.rejects(eo.commit([{ topic: TOPIC, partition: 0, offset: round }]));
    }
    assert.equal(calls.filter((c) => c === 'rejoin').length, 10);
    assert.deepEqual(calls.at(-1), 'crash:FG_TRANSPORT');
  });

  test('a commit that succeeds in between resets the count', async () => {
    const { eo, producers, calls, conductor } = exactlyOnceBed();
    for (let round = 1; round <= 15; round++) {
      await eo.assign(assignment(0), new Set([TOPIC]), conductor);
      await eo.commit([{ topic: TOPIC, partition: 0, offset: round * 2 }]);
      (producers.at(-1) as FakeTransactionalProducer).failCommit = new FaustgenError('FG_TRANSPORT', 'broken');
      await assert.rejects(eo.commit([{ topic: TOPIC, partition: 0, offset: round * 2 + 1 }]));
    }
    assert.equal(calls.filter((c) => c.startsWith('crash')).length, 0);
    assert.equal(calls.filter((c) => c === 'rejoin').length, 15);
  });
});

describe('KafkaTransactionalProducer', () => {
  /** A kafkajs transaction whose sends fail as fenced. */
  class FencedSends extends KafkaTransactionalProducer {
    constructor(events: TransactionEvents) {
      super(resolveKafkaOptions(['127.0.0.1:9'], { producer: { lingerMs: 0 } }), 'app-orders-0', events);
      const transaction = {
        sendBatch: (_batch: ProducerBatch): Promise<KafkaJsRecordMetadata[]> => Promise.reject(Object.assign(new Error('This instance has been fenced by a newer instance'), { type: 'PRODUCER_FENCED', retriable: false })),
        isActive: () => true,
        abort: () => Promise.resolve(),
      } as unknown as Transaction;
      this.producer = { transaction: () => Promise.resolve(transaction) } as unknown as KafkaJsProducer;
    }
  }

  test('a send that fails inside the transaction tells the owner once, and senders get FG_TRANSACTION_ABORTED (not a failure of their event)', async () => {
    const broken: Error[] = [];
    const producer: Producer = new FencedSends({ broken: (error) => void broken.push(error) });
    const first = await producer.send({ topic: 'out', partition: 0, key: null, value: Buffer.from('a') }).then(() => undefined, (error: unknown) => error);
    const second = await producer.send({ topic: 'out', partition: 0, key: null, value: Buffer.from('b') }).then(() => undefined, (error: unknown) => error);
    assert.ok(hasErrorCode(first, 'FG_TRANSACTION_ABORTED'), String(first));
    assert.ok(hasErrorCode(first, 'FG_FENCED'), 'the cause says why');
    assert.ok(hasErrorCode(second, 'FG_TRANSACTION_ABORTED'), 'later sends of the broken transaction fail the same way');
    assert.equal(broken.length, 1);
    assert.ok(hasErrorCode(broken[0], 'FG_FENCED'));
  });
});

describe('KafkaTransactionalProducer discarded while it commits', () => {
  interface FakeTransaction {
    readonly id: number;
    readonly records: number;
    offsets: string[];
    ended: 'open' | 'committed' | 'aborted';
  }

  /** kafkajs transactions that record what was sent, committed and aborted; flush waits for `flushed`. */
  class RecordingTransactions extends KafkaTransactionalProducer {
    readonly transactions: FakeTransaction[] = [];
    flushGate: Promise<void> = Promise.resolve();
    constructor() {
      super(resolveKafkaOptions(['127.0.0.1:9'], { producer: { lingerMs: 0 } }), 'app-orders-11', { broken: () => undefined });
      this.producer = {
        transaction: () => {
          const state: FakeTransaction = { id: this.transactions.length + 1, records: 0, offsets: [], ended: 'open' };
          this.transactions.push(state);
          const transaction = {
            sendBatch: (batch: ProducerBatch): Promise<KafkaJsRecordMetadata[]> => {
              const count = (batch.topicMessages ?? []).reduce((n, t) => n + t.messages.length, 0);
              (state as { records: number }).records += count;
              return Promise.resolve([{ topicName: 'out', partition: 11, errorCode: 0, baseOffset: '0' }]);
            },
            sendOffsets: ({ topics }: { topics: { topic: string; partitions: { partition: number; offset: string }[] }[] }) => {
              for (const t of topics) for (const p of t.partitions) state.offsets.push(`${t.topic}[${p.partition}]@${p.offset}`);
              return Promise.resolve();
            },
            commit: () => {
              if (state.ended !== 'open') return Promise.reject(new Error(`Transaction state exception: Cannot call "commit" in state "${state.ended}"`));
              state.ended = 'committed';
              return Promise.resolve();
            },
            abort: () => {
              state.ended = 'aborted';
              return Promise.resolve();
            },
            isActive: () => state.ended === 'open',
          } as unknown as Transaction;
          return Promise.resolve(transaction);
        },
        disconnect: () => Promise.resolve(),
      } as unknown as KafkaJsProducer;
    }
    override flush(): Promise<void> {
      return this.flushGate.then(() => super.flush());
    }
  }

  // A 3-broker exactly-once run lost 186 events of one partition: a transaction of another partition
  // failed while this one committed, the revival discarded (aborted) this partition's transaction
  // with the events' outputs, and the commit, resuming, opened a *new* transaction for its offsets
  // alone and committed them — offsets past events whose outputs were aborted.
  test('a commit that resumes after its transaction was aborted commits nothing (no new transaction for the offsets)', async () => {
    const producer = new RecordingTransactions();
    await producer.send({ topic: 'out', partition: 11, key: null, value: Buffer.from('event 280') });
    let flushed = (): void => undefined;
    producer.flushGate = new Promise<void>((resolve) => (flushed = resolve));
    const commit = producer.commitTransaction('app', [{ topic: 'orders', partition: 11, offset: 451 }]).then(() => undefined, (error: unknown) => error);
    // The revival discards the producer while the commit waits for its flush.
    const discarded = producer.discard();
    await new Promise((resolve) => setImmediate(resolve));
    flushed();
    await discarded;
    const outcome = await commit;
    assert.ok(hasErrorCode(outcome, 'FG_PARTITION_REVOKED'), `the commit fails as revoked: ${String(outcome)}`);
    assert.deepEqual(
      producer.transactions.filter((t) => t.ended === 'committed').map((t) => t.offsets),
      [],
      'no transaction committed the offsets',
    );
    assert.equal(producer.transactions[0]?.ended, 'aborted');
  });
});

describe('rejoin through the coordinator seam', () => {
  test('while a rejoin is wanted, kafkajs heartbeats fail as REBALANCE_IN_PROGRESS; the release heartbeats do not', async () => {
    let wanted = true;
    const broker = {
      heartbeat: () => Promise.resolve('ok'),
      joinGroup: () => Promise.resolve({}),
      syncGroup: () => Promise.resolve({}),
    };
    const cluster = { findGroupCoordinator: () => Promise.resolve(broker) } as unknown as Cluster;
    let releaseHeartbeat: Promise<unknown> | undefined;
    captureCoordinator(cluster, {
      onSync: () => undefined,
      beforeJoin: (coordinator) => {
        releaseHeartbeat = coordinator.heartbeat({ groupId: 'g', groupGenerationId: 1, memberId: 'm' });
        return Promise.resolve();
      },
      wantsRejoin: () => wanted,
    });
    const coordinator = (await (cluster as unknown as { findGroupCoordinator: () => Promise<typeof broker> }).findGroupCoordinator());
    await assert.rejects(coordinator.heartbeat(), (error: { type?: string }) => error.type === 'REBALANCE_IN_PROGRESS');
    await coordinator.joinGroup();
    assert.equal(await releaseHeartbeat, 'ok');
    wanted = false;
    assert.equal(await coordinator.heartbeat(), 'ok');
  });
});
