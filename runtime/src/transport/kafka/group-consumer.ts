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
import { MembershipLease } from './membership-lease.js';
import { subscribeWhenKnown } from './subscribe.js';
import { createKafkaClient, waitForBrokers } from './client.js';
import type { KafkaDriverOptions } from './config.js';
import { isRebalanceError, kafkaErrorType, rootCause, wrapKafkaError } from './errors.js';
import { decodeAssignmentUserData } from './member-protocol.js';
import { groupByTopic, partitionKey, toConsumedRecords } from './records.js';
import type { CoordinatorHeartbeat, SyncAnswer } from './sync-capture.js';

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
  /** Inside beforeJoin: the old generation is still valid, so the release may commit under it. */
  private releasing = false;
  /** Last successful heartbeat (or join): a member silent past its session timeout may be expelled. */
  private readonly lease: MembershipLease;
  private leaseTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** rejoin() was called: kafkajs's next heartbeat fails so that it rejoins (cleared by the join). */
  private rejoinRequested = false;
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
    this.lease = new MembershipLease(driver.consumer.sessionTimeoutMs, driver.consumer.heartbeatIntervalMs, {
      lapsed: () => this.listener?.onLeaseLapsed?.(),
      renewed: () => this.listener?.onLeaseRenewed?.(),
      lost: () => {
        this.gate.supersede();
        this.listener?.onMembershipLost?.();
      },
    });
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
        createFaustgenAssigner({
          memberMetadata: () => this.memberMetadata(),
          onSync: (answer) => (this.lastSync = answer),
          beforeJoin: (coordinator) => this.beforeJoin(coordinator),
          wantsRejoin: () => this.rejoinRequested,
        }),
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
    consumer.on(consumer.events.HEARTBEAT, () => this.lease.answered());
    // A batch of only markers or aborted records never reaches eachBatch; this event still shows it.
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { topic, partition, batchSize, firstOffset, lastOffset } = event.payload;
      if (batchSize !== 0 || firstOffset === null || firstOffset === undefined || this.joining || !this.gate.isOpen) return;
      const key = partitionKey(topic, partition);
      if (!this.owned.has(key)) return;
      const to = Number(lastOffset);
      if ((this.positions.get(key) ?? -1) <= to) this.positions.set(key, to + 1);
      this.listener?.onPassed?.({ topic, partition }, Number(firstOffset), to);
    });
    consumer.on(consumer.events.CRASH, (event) => this.onCrash(event.payload.error, event.payload.restart));
    this.consumer = consumer;
    this.lease.joined();
    this.leaseTimer = setInterval(() => this.checkMembership(), settings.heartbeatIntervalMs);
    this.leaseTimer.unref();
    try {
      await consumer.connect();
      await subscribeWhenKnown(consumer, [...this.topics], this.options.autoOffsetReset === 'earliest');
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: settings.maxConcurrency,
        eachBatch: (payload) => this.onBatch(payload),
      });
    } catch (error) {
      this.consumer = undefined;
      clearInterval(this.leaseTimer);
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
    clearInterval(this.leaseTimer);
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
    if (this.joining && !this.releasing) {
      throw new FaustgenError('FG_TRANSPORT', `Cannot commit offsets of group ${this.options.groupId}: the group is rebalancing`, {
        retriable: true,
        details,
      });
    }
    try {
      await consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
      this.lease.answered();
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
      whileRunning(() => consumer.seek({ topic: position.topic, partition: position.partition, offset: String(position.offset) }));
    } catch (error) {
      throw wrapKafkaError(error, `Cannot seek ${position.topic}[${position.partition}] to ${position.offset}`, { ...position });
    }
  }

  pause(partitions: readonly TopicPartition[]): void {
    const consumer = this.requireConsumer('pause');
    for (const tp of partitions) this.paused.add(partitionKey(tp.topic, tp.partition));
    whileRunning(() => consumer.pause(groupByTopic(partitions)));
  }

  resume(partitions: readonly TopicPartition[]): void {
    const consumer = this.requireConsumer('resume');
    for (const tp of partitions) this.paused.delete(partitionKey(tp.topic, tp.partition));
    whileRunning(() => consumer.resume(groupByTopic(partitions)));
  }

  /**
   * Gives up the current assignment and rejoins (Kafka Streams: all tasks lost, then enforceRebalance):
   * the membership counts as lost, so the next join revokes every partition and assigns it anew, and
   * nothing of this generation is delivered meanwhile.
   */
  rejoin(): void {
    if (this.consumer === undefined || this.stopping) return;
    this.lease.forfeit();
    this.rejoinRequested = true;
    this.gate.supersede();
  }

  private memberMetadata(): MemberMetadata {
    return { ...this.options.metadata, topics: this.topics, previous: this.previous };
  }

  private onRebalancing(): void {
    this.joining = true;
    this.gate.supersede();
    this.listener?.onRebalancing?.();
  }

  /**
   * Runs before every JoinGroup request (sync-capture.ts): partitions this member announced may move
   * once it joins, so the listener releases them now, while the old generation is still valid for
   * commits and before any other member can be assigned them. Heartbeats with the old generation
   * keep the session alive meanwhile (the coordinator answers REBALANCE_IN_PROGRESS and counts them).
   */
  private async beforeJoin(coordinator: CoordinatorHeartbeat): Promise<void> {
    this.rejoinRequested = false;
    const listener = this.listener;
    const sync = this.lastSync;
    if (listener?.onPrepareRebalance === undefined || this.stopping || this.announced.size === 0 || sync === undefined) return;
    this.joining = true;
    this.gate.supersede();
    listener.onRebalancing?.();
    const { heartbeatIntervalMs, rebalanceTimeoutMs, sessionTimeoutMs } = this.driver.consumer;
    // The coordinator waits for this join up to the rebalance timeout; stay well inside it.
    const deadline = Date.now() + Math.max(1_000, Math.min(rebalanceTimeoutMs / 2, sessionTimeoutMs, 30_000));
    const request = { groupId: this.options.groupId, groupGenerationId: sync.generationId, memberId: sync.memberId };
    const timer = setInterval(() => void coordinator.heartbeat(request).catch(() => undefined), heartbeatIntervalMs);
    this.releasing = true;
    try {
      await this.transition;
      await this.quiesce();
      await listener.onPrepareRebalance(deadline);
    } catch (error) {
      listener.onError(wrapKafkaError(error, `Releasing the partitions of group ${this.options.groupId} before a rebalance failed`, { groupId: this.options.groupId }));
    } finally {
      this.releasing = false;
      clearInterval(timer);
    }
  }

  private checkMembership(): void {
    if (this.joining || this.stopping || this.announced.size === 0) return;
    this.lease.check();
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
    // After a lost membership nothing is kept: every partition restarts from its committed offset.
    const expelled = this.lease.joined(sync?.generationId);
    if (expelled) this.positions.clear();
    for (const key of [...this.positions.keys()]) if (!next.has(key)) this.positions.delete(key);
    const consumer = this.consumer;
    const kept: string[] = [];
    // A consumer kafkajs restarted after a crash has a new fetch state: pauses are applied again.
    const paused = assigned.filter((tp) => this.paused.has(partitionKey(tp.topic, tp.partition)));
    if (paused.length > 0 && consumer !== undefined) whileRunning(() => consumer.pause(groupByTopic(paused)));
    for (const tp of assigned) {
      const position = this.positions.get(partitionKey(tp.topic, tp.partition));
      if (position !== undefined && consumer !== undefined) {
        consumer.seek({ topic: tp.topic, partition: tp.partition, offset: String(position) });
        kept.push(`${tp.topic}[${tp.partition}]@${position}`);
      }
    }
    this.driver.log?.debug('joined the group', { generation, expelled, kept });
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
        const revoked = [...this.announced].filter(([key]) => expelled || !next.has(key)).map(([, tp]) => tp);
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
    // A heartbeat answered REBALANCE_IN_PROGRESS still refreshed the session: the member is alive.
    const heartbeat = (): Promise<void> =>
      payload.heartbeat().then(
        () => this.lease.answered(),
        (error: unknown) => {
          if (kafkaErrorType(error) === 'REBALANCE_IN_PROGRESS') this.lease.answered();
          throw error;
        },
      );
    const intervalMs = this.driver.consumer.heartbeatIntervalMs;
    for (;;) {
      if (!isRunning() || isStale() || this.stopping) return;
      const gate = this.gate;
      if (gate.isOpen) break;
      if (gate.isSuperseded) {
        // This batch belongs to a generation that is over. Its gate never opens (awaiting its settled
        // `ready` again would spin without yielding to I/O, and the worker would never rejoin), and
        // its records are read again from the positions the next generation seeks to.
        await this.leaveSupersededBatch(heartbeat);
        return;
      }
      await withHeartbeats(gate.ready, heartbeat, intervalMs, isRebalanceError, true);
    }
    if (!this.owned.has(key) || this.paused.has(key) || batch.messages.length === 0) return;
    const listener = this.listener;
    if (listener === undefined) return;
    const records = toConsumedRecords(batch);
    const expected = this.positions.get(key);
    const first = records[0];
    // A fetch that did not start where this member asked: worth a line when a partition's story is read.
    if (expected !== undefined && first !== undefined && first.offset !== expected) {
      this.driver.log?.debug('batch does not start at the expected position', { topic: batch.topic, partition: batch.partition, expected, first: first.offset, last: records[records.length - 1]?.offset });
    }
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
        // kafkajs resolves a transaction marker that ends the batch together with the last record.
        const through = Number(batch.lastOffset());
        if (Number.isFinite(through) && through > Number(last.offset)) {
          this.positions.set(key, through + 1);
          listener.onPassed?.({ topic: batch.topic, partition: batch.partition }, Number(last.offset) + 1, through);
        }
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

  /**
   * kafkajs rejoins by itself after a REBALANCING event or a crash. After a lost lease it knows of
   * nothing: a heartbeat tells whether the coordinator expelled the member (its error makes kafkajs
   * rejoin); if the member is still in, a rebalance error thrown from eachBatch makes kafkajs rejoin,
   * which the lost membership requires before anything is processed again.
   */
  private async leaveSupersededBatch(heartbeat: () => Promise<void>): Promise<void> {
    if (!this.lease.lost || this.stopping) return;
    try {
      await heartbeat();
    } catch (error) {
      if (isRebalanceError(error)) throw error;
      return;
    }
    throw Object.assign(new Error(`group ${this.options.groupId}: membership lost (no heartbeat answered for a session); rejoining`), { type: 'REBALANCE_IN_PROGRESS', retriable: true });
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

/**
 * Runs a seek, pause or resume on the kafkajs consumer. Between a crash and kafkajs's restart of the
 * consumer (a broker failure) kafkajs has no consumer group and refuses them; the position or pause
 * is kept here and applied again when the restarted consumer joins (onGroupJoin), so the refusal is
 * not a failure (an exactly-once start-up seek during that window crashed the worker).
 */
function whileRunning(call: () => void): void {
  try {
    call();
  } catch (error) {
    if (error instanceof Error && error.message.includes('consumer#run must be called first')) return;
    throw error;
  }
}
