import type { Consumer, Kafka } from 'kafkajs';
import { FaustgenError, describeError } from '../../core/errors.js';
import type { ConsumerListener, GroupConsumer, GroupConsumerOptions, TopicPartition, TopicPartitionOffset } from '../../types/transport.js';
import { createFaustgenAssigner } from './assigner.js';
import { BatchDelivery } from './batch-delivery.js';
import { MembershipLease } from './membership-lease.js';
import { subscribeWhenKnown } from './subscribe.js';
import { createKafkaClient, waitForBrokers } from './client.js';
import type { KafkaDriverOptions } from './config.js';
import { isRebalanceError, rootCause, wrapKafkaError } from './errors.js';
import { GroupRebalance } from './group-rebalance.js';
import { PartitionPositions } from './partition-positions.js';

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
 *
 * The pieces: group-rebalance.ts (gates, release before a join, the transition after it),
 * batch-delivery.ts (eachBatch) and partition-positions.ts (seek, pause, resume and their replay).
 */
export class KafkaGroupConsumer implements GroupConsumer {
  private readonly kafka: Kafka;
  private readonly topics: readonly string[];
  private consumer: Consumer | undefined;
  private listener: ConsumerListener | undefined;
  /** Last successful heartbeat (or join): a member silent past its session timeout may be expelled. */
  private readonly lease: MembershipLease;
  private leaseTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly positions = new PartitionPositions();
  private readonly rebalance: GroupRebalance;
  private readonly delivery: BatchDelivery;

  constructor(
    private readonly driver: KafkaDriverOptions,
    private readonly options: GroupConsumerOptions,
  ) {
    this.kafka = createKafkaClient(driver);
    this.lease = new MembershipLease(driver.consumer.sessionTimeoutMs, driver.consumer.heartbeatIntervalMs, {
      lapsed: () => this.listener?.onLeaseLapsed?.(),
      renewed: () => this.listener?.onLeaseRenewed?.(),
      lost: () => {
        this.rebalance.gate.supersede();
        this.listener?.onMembershipLost?.();
      },
    });
    const { changelogTopics, globalTopics } = options.metadata;
    // Standby and global partitions are fetched by this same consumer, so it subscribes to them too.
    this.topics = [...new Set([...options.topics, ...changelogTopics, ...globalTopics])];
    const host = {
      driver,
      lease: this.lease,
      positions: this.positions,
      listener: () => this.listener,
      stopping: () => this.stopping,
    };
    this.rebalance = new GroupRebalance({ ...host, options, topics: this.topics, consumer: () => this.consumer, quiesce: () => this.delivery.quiesce() });
    this.delivery = new BatchDelivery({ ...host, groupId: options.groupId, rebalance: this.rebalance, pause: (partitions) => this.pause(partitions) });
  }

  async start(listener: ConsumerListener): Promise<void> {
    if (this.consumer !== undefined) return;
    this.listener = listener;
    this.stopping = false;
    await waitForBrokers(this.driver);
    const { consumer: settings } = this.driver;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      partitionAssigners: [createFaustgenAssigner(this.rebalance)],
      sessionTimeout: settings.sessionTimeoutMs,
      rebalanceTimeout: settings.rebalanceTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      maxBytesPerPartition: settings.maxBytesPerPartition,
      maxWaitTimeInMs: settings.maxWaitTimeMs,
      allowAutoTopicCreation: false,
      // kafkajs restarts a crashed consumer only for retriable failures; those are always worth it.
      retry: { restartOnFailure: async () => true },
    });
    consumer.on(consumer.events.REBALANCING, () => this.rebalance.onRebalancing());
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.rebalance.onGroupJoin(event.payload.memberId, event.payload.memberAssignment));
    consumer.on(consumer.events.HEARTBEAT, () => this.lease.answered());
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => this.delivery.onEndBatch(event));
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
        eachBatch: (payload) => this.delivery.onBatch(payload),
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
    this.rebalance.gate.supersede();
    try {
      await this.rebalance.releaseForStop();
    } finally {
      this.consumer = undefined;
      await consumer.disconnect().catch(() => undefined);
      this.rebalance.forgetOwned();
      this.positions.clearPositions();
    }
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const consumer = this.consumer;
    if (consumer === undefined) throw new FaustgenError('FG_APP_STATE', `Kafka consumer of group ${this.options.groupId} is not started: cannot commit`);
    if (offsets.length === 0) return;
    const details = { groupId: this.options.groupId, offsets: offsets.map((o) => `${o.topic}[${o.partition}]@${o.offset}`) };
    if (this.rebalance.refusesCommits) {
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
    this.positions.seek(this.requireConsumer('seek'), position);
  }

  pause(partitions: readonly TopicPartition[]): void {
    this.positions.pause(this.requireConsumer('pause'), partitions);
  }

  resume(partitions: readonly TopicPartition[]): void {
    this.positions.resume(this.requireConsumer('resume'), partitions);
  }

  /**
   * Gives up the current assignment and rejoins (Kafka Streams: all tasks lost, then enforceRebalance):
   * the membership counts as lost, so the next join revokes every partition and assigns it anew, and
   * nothing of this generation is delivered meanwhile.
   */
  rejoin(): void {
    if (this.consumer === undefined || this.stopping) return;
    this.lease.forfeit();
    this.rebalance.requestRejoin();
  }

  private checkMembership(): void {
    if (this.rebalance.joining || this.stopping || !this.rebalance.holdsPartitions) return;
    this.lease.check();
  }

  private onCrash(error: Error, restart: boolean): void {
    if (restart && !this.stopping) {
      this.driver.log?.warn('Kafka consumer failed (broker unreachable or group coordinator moved); kafkajs restarts it and rejoins the group', { error: describeError(rootCause(error)) });
    }
    this.rebalance.onRebalancing();
    if (!restart && !this.stopping) {
      this.listener?.onError(wrapKafkaError(error, `Kafka consumer of group ${this.options.groupId} crashed`, { groupId: this.options.groupId }));
    }
  }

  private requireConsumer(what: string): Consumer {
    if (this.consumer === undefined) {
      throw new FaustgenError('FG_APP_STATE', `Kafka consumer of group ${this.options.groupId} is not started: cannot ${what}`);
    }
    return this.consumer;
  }
}
