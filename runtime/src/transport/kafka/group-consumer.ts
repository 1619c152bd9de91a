import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { FaustgenError, describeError } from '../../core/errors.js';
import type {
  ConsumerListener,
  GroupConsumer,
  GroupConsumerOptions,
  MemberAssignment,
  MemberMetadata,
  TopicPartition,
  TopicPartitionOffset,
} from '../../types/transport.js';
import { createFaustgenAssigner } from './assigner.js';
import { AssignmentGate, withHeartbeats } from './assignment-gate.js';
import { createKafkaClient, waitForBrokers } from './client.js';
import type { KafkaDriverOptions } from './config.js';
import { isRebalanceError, rootCause, wrapKafkaError } from './errors.js';
import { decodeAssignmentUserData } from './member-protocol.js';
import { groupByTopic, partitionKey, toConsumedRecords } from './records.js';
import type { SyncAnswer } from './sync-capture.js';

/**
 * The GroupConsumer on a kafkajs consumer with the 'faustgen' assigner.
 *
 * kafkajs 2.x has no onRevoked/onAssigned callbacks: on a rebalance it finishes the eachBatch calls
 * in flight, emits REBALANCING, rejoins (JoinGroup + SyncGroup), emits GROUP_JOIN with the new
 * assignment and restarts its fetch loop. That is mapped onto the listener as follows:
 * - REBALANCING (or a crash that kafkajs restarts from) supersedes the current {@link AssignmentGate}:
 *   nothing more is delivered from then on.
 * - GROUP_JOIN installs a closed gate for the new generation and queues a transition: wait for
 *   deliveries in flight, `onRevoked(lost partitions)`, `onAssigned(new assignment)`, open the gate.
 * - eachBatch awaits the current gate (heartbeating meanwhile) and drops batches of partitions that
 *   are no longer owned, so no record of a revoked partition is delivered after onRevoked started
 *   and no record of the new generation before onAssigned resolved.
 * - Partitions kept across the rebalance are sought to the next undelivered offset: kafkajs would
 *   otherwise restart them from the last commit and deliver records twice.
 */
export class KafkaGroupConsumer implements GroupConsumer {
  private readonly kafka: Kafka;
  private readonly topics: readonly string[];
  private consumer: Consumer | undefined;
  private listener: ConsumerListener | undefined;
  private gate = new AssignmentGate();
  private joining = true;
  private stopping = false;
  private lastSync: SyncAnswer | undefined;
  private localGeneration = 0;
  /** Kafka-level assignment (actives + standbys) of the latest generation. */
  private owned = new Set<string>();
  /** Partitions the listener was told about in its last onAssigned and not yet revoked. */
  private announced = new Map<string, TopicPartition>();
  private previous: MemberAssignment = { actives: [], standbys: [] };
  /** Next offset to deliver, per owned partition. */
  private readonly positions = new Map<string, number>();
  private readonly paused = new Set<string>();
  private readonly deliveries = new Set<Promise<unknown>>();
  private transition: Promise<void> = Promise.resolve();

  constructor(
    private readonly driver: KafkaDriverOptions,
    private readonly options: GroupConsumerOptions,
  ) {
    this.kafka = createKafkaClient(driver);
    const { changelogTopics, globalTopics } = options.metadata;
    // Standby and global partitions are fetched by this same consumer, so it subscribes to them too.
    this.topics = [...new Set([...options.topics, ...changelogTopics, ...globalTopics])];
  }

  async start(listener: ConsumerListener): Promise<void> {
    if (this.consumer !== undefined) return;
    this.listener = listener;
    this.stopping = false;
    await waitForBrokers(this.driver);
    const { consumer: settings } = this.driver;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      partitionAssigners: [
        createFaustgenAssigner({ memberMetadata: () => this.memberMetadata(), onSync: (answer) => (this.lastSync = answer) }),
      ],
      sessionTimeout: settings.sessionTimeoutMs,
      rebalanceTimeout: settings.rebalanceTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      maxBytesPerPartition: settings.maxBytesPerPartition,
      maxWaitTimeInMs: settings.maxWaitTimeMs,
      allowAutoTopicCreation: false,
      // kafkajs restarts a crashed consumer only for retriable failures; those are always worth it.
      retry: { restartOnFailure: async () => true },
    });
    consumer.on(consumer.events.REBALANCING, () => this.onRebalancing());
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.onGroupJoin(event.payload.memberId, event.payload.memberAssignment));
    consumer.on(consumer.events.CRASH, (event) => this.onCrash(event.payload.error, event.payload.restart));
    this.consumer = consumer;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...this.topics], fromBeginning: this.options.autoOffsetReset === 'earliest' });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: settings.maxConcurrency,
        eachBatch: (payload) => this.onBatch(payload),
      });
    } catch (error) {
      this.consumer = undefined;
      await consumer.disconnect().catch(() => undefined);
      throw wrapKafkaError(error, `Kafka consumer of group ${this.options.groupId} failed to start`, {
        groupId: this.options.groupId,
        topics: this.topics,
      });
    }
  }

  /** Stops delivering, lets the listener release its partitions (onRevoked), then leaves the group. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    if (consumer === undefined) return;
    this.stopping = true;
    this.gate.supersede();
    try {
      await this.transition;
      await this.quiesce();
      const held = [...this.announced.values()];
      this.announced.clear();
      if (held.length > 0) await this.listener?.onRevoked(held);
    } finally {
      this.consumer = undefined;
      await consumer.disconnect().catch(() => undefined);
      this.owned.clear();
      this.positions.clear();
    }
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const consumer = this.consumer;
    if (consumer === undefined) throw new FaustgenError('FG_APP_STATE', `Kafka consumer of group ${this.options.groupId} is not started: cannot commit`);
    if (offsets.length === 0) return;
    const details = { groupId: this.options.groupId, offsets: offsets.map((o) => `${o.topic}[${o.partition}]@${o.offset}`) };
    if (this.joining) {
      throw new FaustgenError('FG_TRANSPORT', `Cannot commit offsets of group ${this.options.groupId}: the group is rebalancing`, {
        retriable: true,
        details,
      });
    }
    try {
      await consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
    } catch (error) {
      if (isRebalanceError(error)) {
        throw new FaustgenError('FG_TRANSPORT', `Cannot commit offsets of group ${this.options.groupId}: the group moved to a new generation`, {
          retriable: true,
          cause: error,
          details,
        });
      }
      throw wrapKafkaError(error, `Cannot commit offsets of group ${this.options.groupId}`, details);
    }
  }

  seek(position: TopicPartitionOffset): void {
    const consumer = this.requireConsumer('seek');
    this.positions.set(partitionKey(position.topic, position.partition), position.offset);
    try {
      consumer.seek({ topic: position.topic, partition: position.partition, offset: String(position.offset) });
    } catch (error) {
      throw wrapKafkaError(error, `Cannot seek ${position.topic}[${position.partition}] to ${position.offset}`, { ...position });
    }
  }

  pause(partitions: readonly TopicPartition[]): void {
    const consumer = this.requireConsumer('pause');
    for (const tp of partitions) this.paused.add(partitionKey(tp.topic, tp.partition));
    consumer.pause(groupByTopic(partitions));
  }

  resume(partitions: readonly TopicPartition[]): void {
    const consumer = this.requireConsumer('resume');
    for (const tp of partitions) this.paused.delete(partitionKey(tp.topic, tp.partition));
    consumer.resume(groupByTopic(partitions));
  }

  private memberMetadata(): MemberMetadata {
    return { ...this.options.metadata, topics: this.topics, previous: this.previous };
  }

  private onRebalancing(): void {
    this.joining = true;
    this.gate.supersede();
    this.listener?.onRebalancing?.();
  }

  private onCrash(error: Error, restart: boolean): void {
    if (restart && !this.stopping) {
      this.driver.log?.warn('Kafka consumer failed (broker unreachable or group coordinator moved); kafkajs restarts it and rejoins the group', { error: describeError(rootCause(error)) });
    }
    this.joining = true;
    this.gate.supersede();
    this.listener?.onRebalancing?.();
    if (!restart && !this.stopping) {
      this.listener?.onError(wrapKafkaError(error, `Kafka consumer of group ${this.options.groupId} crashed`, { groupId: this.options.groupId }));
    }
  }

  private onGroupJoin(memberId: string, kafkaAssignment: Readonly<Record<string, number[]>>): void {
    const assigned: TopicPartition[] = [];
    for (const [topic, partitions] of Object.entries(kafkaAssignment)) for (const partition of partitions) assigned.push({ topic, partition });
    const sync = this.lastSync?.memberId === memberId ? this.lastSync : undefined;
    const userData = sync === undefined ? undefined : decodeAssignmentUserData(sync.memberAssignment);
    // Without the leader's userData (see sync-capture.ts) every assigned partition counts as active.
    const assignment: MemberAssignment = userData === undefined ? { actives: assigned, standbys: [] } : { actives: userData.actives, standbys: userData.standbys };
    const generation = sync?.generationId ?? ++this.localGeneration;
    const next = new Set(assigned.map((tp) => partitionKey(tp.topic, tp.partition)));
    for (const key of [...this.positions.keys()]) if (!next.has(key)) this.positions.delete(key);
    const consumer = this.consumer;
    for (const tp of assigned) {
      const position = this.positions.get(partitionKey(tp.topic, tp.partition));
      if (position !== undefined && consumer !== undefined) consumer.seek({ topic: tp.topic, partition: tp.partition, offset: String(position) });
    }
    this.owned = next;
    this.previous = assignment;
    this.joining = false;
    if (this.stopping) return;
    this.gate.supersede();
    const gate = (this.gate = new AssignmentGate());
    const listener = this.listener;
    if (listener === undefined) return;
    this.transition = this.transition
      .then(async () => {
        await this.quiesce();
        if (gate !== this.gate) return;
        const revoked = [...this.announced].filter(([key]) => !next.has(key)).map(([, tp]) => tp);
        if (revoked.length > 0) {
          await listener.onRevoked(revoked);
          for (const tp of revoked) this.announced.delete(partitionKey(tp.topic, tp.partition));
        }
        if (gate !== this.gate) return;
        await listener.onAssigned({ generation, memberId, assignment, distribution: userData?.distribution ?? {} });
        this.announced = new Map(assigned.map((tp) => [partitionKey(tp.topic, tp.partition), tp]));
        gate.open();
      })
      .catch((error: unknown) => {
        listener.onError(wrapKafkaError(error, `Rebalance callbacks of group ${this.options.groupId} failed`, { groupId: this.options.groupId, generation }));
      });
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale } = payload;
    const key = partitionKey(batch.topic, batch.partition);
    const heartbeat = (): Promise<void> => payload.heartbeat();
    const intervalMs = this.driver.consumer.heartbeatIntervalMs;
    for (;;) {
      if (!isRunning() || isStale() || this.stopping) return;
      const gate = this.gate;
      if (gate.isOpen) break;
      await withHeartbeats(gate.ready, heartbeat, intervalMs, isRebalanceError, true);
    }
    if (!this.owned.has(key) || this.paused.has(key) || batch.messages.length === 0) return;
    const listener = this.listener;
    if (listener === undefined) return;
    const records = toConsumedRecords(batch);
    let outcome: { readonly error?: unknown } | undefined;
    const delivery = listener.onRecords(records).then(
      () => (outcome = {}),
      (error: unknown) => (outcome = { error }),
    );
    this.deliveries.add(delivery);
    try {
      await withHeartbeats(delivery, heartbeat, intervalMs, isRebalanceError);
    } finally {
      this.deliveries.delete(delivery);
      const last = batch.messages[batch.messages.length - 1];
      if (outcome !== undefined && !('error' in outcome) && last !== undefined) {
        payload.resolveOffset(last.offset);
        this.positions.set(key, Number(last.offset) + 1);
      } else if (outcome !== undefined) {
        // The listener failed on these records: stop this partition rather than loop over them.
        this.pause([{ topic: batch.topic, partition: batch.partition }]);
        listener.onError(
          wrapKafkaError(outcome.error, `onRecords failed for ${batch.topic}[${batch.partition}] at offset ${batch.firstOffset() ?? '?'}`, {
            topic: batch.topic,
            partition: batch.partition,
            offset: Number(batch.firstOffset()),
          }, 'FG_AGENT_FAILED'),
        );
      }
    }
  }

  /** Resolves when no onRecords call is in flight. */
  private async quiesce(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.allSettled([...this.deliveries]);
  }

  private requireConsumer(what: string): Consumer {
    if (this.consumer === undefined) {
      throw new FaustgenError('FG_APP_STATE', `Kafka consumer of group ${this.options.groupId} is not started: cannot ${what}`);
    }
    return this.consumer;
  }
}
