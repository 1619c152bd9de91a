import { Consumer, type MessageConsumerMetadata } from '@platformatic/kafka';
import { assignCopartitioned } from '../../assignor/copartitioned.js';
import { ASSIGNOR_NAME, ASSIGNOR_VERSION, type AssignorMember } from '../../assignor/types.js';
import { FaustgenError } from '../../core/errors.js';
import type { ConsumedRecord, ConsumerListener, GroupConsumer, GroupConsumerOptions, MemberAssignment, MemberMetadata, TopicPartition, TopicPartitionOffset } from '../../types/transport.js';
import { decodeConsumerAssignment, decodeConsumerSubscription, encodeConsumerAssignment, encodeConsumerSubscription } from '../consumer-protocol.js';
import type { KafkaDriverOptions } from '../kafka-options.js';
import { decodeAssignmentUserData, decodeMemberUserData, encodeAssignmentUserData, encodeMemberUserData, kafkaAssignment, type AssignmentUserData } from '../member-userdata.js';
import { baseOptions, waitForBrokers } from './client.js';
import { hasProtocolError, needsRejoin, wrapPlatformaticError } from './errors.js';
import { PartitionFetcher } from './fetcher.js';
import { installGroupHooks, type JoinAnswer, type SyncAnswer } from './group-hooks.js';
import { MembershipLease } from '../membership-lease.js';

/** A group member as a transaction's offset commit needs it. */
export interface TransactionMember {
  readonly consumer: Consumer;
  readonly metadata: MessageConsumerMetadata;
}

const tpKey = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

/**
 * The GroupConsumer on @platformatic/kafka: the client keeps the membership (JoinGroup, SyncGroup,
 * heartbeats, rejoining), group-hooks.ts puts faustgen's assignor and its userData into the
 * protocol, and records come from this driver's own fetch loop (fetcher.ts), which pauses, seeks and
 * back-pressures per partition. A rebalance maps onto the listener as in the kafkajs driver:
 * the heartbeat's REBALANCE_IN_PROGRESS holds the fetch loop (onRebalancing); before the JoinGroup
 * request the member releases its partitions (onPrepareRebalance, under the old generation); the
 * join's answer queues onRevoked(lost) → onAssigned(new) → fetching again, kept partitions from the
 * next undelivered offset, new ones from the committed offset (or autoOffsetReset).
 */
export class PlatformaticGroupConsumer implements GroupConsumer {
  private consumer: Consumer | undefined;
  private fetcher: PartitionFetcher | undefined;
  private listener: ConsumerListener | undefined;
  private readonly topics: readonly string[];
  private previous: MemberAssignment = { actives: [], standbys: [] };
  private members: JoinAnswer | undefined;
  private sync: SyncAnswer | undefined;
  /** Partitions the listener was told about in its last onAssigned and not yet revoked. */
  private announced = new Map<string, TopicPartition>();
  private joining = true;
  private releasing = false;
  /** rejoin() was called: the next heartbeat is answered REBALANCE_IN_PROGRESS (cleared by the join). */
  private rejoinRequested = false;
  private stopping = false;
  private transition: Promise<void> = Promise.resolve();
  private generation = 0;
  /** Last answered heartbeat: a member silent past its session may be expelled (docs/adr/0004). */
  private readonly lease: MembershipLease;
  private leaseTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: KafkaDriverOptions,
    private readonly group: GroupConsumerOptions,
  ) {
    this.lease = new MembershipLease(options.consumer.sessionTimeoutMs, options.consumer.heartbeatIntervalMs, {
      lapsed: () => this.listener?.onLeaseLapsed?.(),
      renewed: () => this.listener?.onLeaseRenewed?.(),
      lost: () => {
        this.fetcher?.hold();
        this.listener?.onMembershipLost?.();
      },
    });
    const { changelogTopics, globalTopics } = group.metadata;
    this.topics = [...new Set([...group.topics, ...changelogTopics, ...globalTopics])];
  }

  async start(listener: ConsumerListener): Promise<void> {
    if (this.consumer !== undefined) return;
    this.listener = listener;
    this.stopping = false;
    await waitForBrokers(this.options);
    const { sessionTimeoutMs, rebalanceTimeoutMs, heartbeatIntervalMs } = this.options.consumer;
    const consumer = new Consumer({
      ...baseOptions(this.options, 'consumer'),
      groupId: this.group.groupId,
      sessionTimeout: sessionTimeoutMs,
      rebalanceTimeout: rebalanceTimeoutMs,
      heartbeatInterval: heartbeatIntervalMs,
      autocommit: false,
      // The plan itself comes from the SyncGroup hook; this only lists the members.
      partitionAssigner: (_current, members) => [...members.keys()].map((memberId) => ({ memberId, assignments: new Map() })),
    });
    installGroupHooks(consumer, ASSIGNOR_NAME, {
      beforeJoin: (heartbeat) => this.beforeJoin(heartbeat),
      subscription: () => encodeConsumerSubscription({ topics: this.topics, userData: encodeMemberUserData(this.memberMetadata()) }),
      joined: (answer) => (this.members = answer),
      assign: () => this.assign(consumer),
      synced: (answer) => (this.sync = answer),
      wantsRejoin: () => this.rejoinRequested,
    });
    consumer.on('consumer:group:rebalance', () => this.onRebalancing());
    consumer.on('consumer:group:join', (payload) => this.onJoined(payload.memberId, payload.generationId ?? -1));
    consumer.on('consumer:heartbeat:end', () => this.lease.answered());
    // A heartbeat answered REBALANCE_IN_PROGRESS still refreshed the session. (1.35 stopped
    // heartbeating for good after a heartbeat failed with an error that is not a group error, and
    // the driver joined again itself; 2.x schedules the next heartbeat, so nothing to do here.)
    consumer.on('consumer:heartbeat:error', (payload) => {
      if (hasProtocolError(payload.error, 'REBALANCE_IN_PROGRESS')) this.lease.answered();
    });
    consumer.on('error', (error: Error) => {
      if (!this.stopping) listener.onError(wrapPlatformaticError(error, `Kafka consumer of group ${this.group.groupId} failed`, { groupId: this.group.groupId }));
    });
    this.consumer = consumer;
    this.fetcher = new PartitionFetcher(consumer, this.options, {
      deliver: (records) => this.deliver(records),
      passed: (tp, from, to) => this.listener?.onPassed?.(tp, from, to),
      // The first failure of an outage is a warning (the log must say what a broker fault did), the
      // retries every 500 ms are debug lines, and the recovery says how long it lasted.
      failed: (error, first) => this.options.log?.[first ? 'warn' : 'debug'](`Kafka fetch of group ${this.group.groupId} failed (broker unreachable or leader moved); retrying`, { error: String(error) }),
      recovered: (failures, outageMs) => this.options.log?.info(`Kafka fetch of group ${this.group.groupId} recovered`, { failures, outageMs }),
    });
    this.lease.joined();
    this.leaseTimer = setInterval(() => {
      if (!this.joining && !this.stopping && this.announced.size > 0) this.lease.check();
    }, heartbeatIntervalMs);
    this.leaseTimer.unref();
    try {
      await consumer.joinGroup(this.joinOptions());
    } catch (error) {
      this.consumer = undefined;
      clearInterval(this.leaseTimer);
      await consumer.close().catch(() => undefined);
      throw wrapPlatformaticError(error, `Kafka consumer of group ${this.group.groupId} failed to start`, { groupId: this.group.groupId, topics: this.topics });
    }
  }

  stopFetching(): void {
    this.fetcher?.hold();
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    if (consumer === undefined) return;
    this.stopping = true;
    clearInterval(this.leaseTimer);
    try {
      await this.fetcher?.stop();
      await this.transition;
      // A rebalance's transition under way when stop began ends by starting the fetch loop again.
      await this.fetcher?.stop();
      const held = [...this.announced.values()];
      this.announced.clear();
      if (held.length > 0) await this.listener?.onRevoked(held);
    } finally {
      this.consumer = undefined;
      await new Promise<void>((resolve) => consumer.leaveGroup(false, () => resolve()));
      await consumer.close().catch(() => undefined);
    }
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const consumer = this.consumer;
    if (consumer === undefined) throw new FaustgenError('FG_APP_STATE', `Kafka consumer of group ${this.group.groupId} is not started: cannot commit`);
    if (offsets.length === 0) return;
    const details = { groupId: this.group.groupId, offsets: offsets.map((o) => `${o.topic}[${o.partition}]@${o.offset}`) };
    if (this.joining && !this.releasing) {
      throw new FaustgenError('FG_TRANSPORT', `Cannot commit offsets of group ${this.group.groupId}: the group is rebalancing`, { retriable: true, details });
    }
    try {
      await consumer.commit({ offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: BigInt(o.offset), leaderEpoch: -1 })) });
    } catch (error) {
      if (needsRejoin(error)) {
        throw new FaustgenError('FG_TRANSPORT', `Cannot commit offsets of group ${this.group.groupId}: the group moved to a new generation`, { retriable: true, cause: error, details });
      }
      throw wrapPlatformaticError(error, `Cannot commit offsets of group ${this.group.groupId}`, details);
    }
  }

  /**
   * Gives the current assignment up and rejoins at the next heartbeat (exactly-once after a broken
   * transaction): the membership counts as lost, so the join revokes every partition and assigns it
   * anew from the committed offsets, and nothing of this generation is delivered meanwhile.
   */
  rejoin(): void {
    if (this.consumer === undefined || this.stopping) return;
    this.lease.forfeit();
    this.rejoinRequested = true;
    this.fetcher?.hold();
  }

  /**
   * What a transaction's offset commit names (KIP-447): this member, its generation and the group's
   * coordinator, so that the coordinator refuses offsets of a member the group has moved past.
   * Undefined while the consumer is not started or is looking for its coordinator.
   */
  transactionMember(): TransactionMember | undefined {
    const consumer = this.consumer;
    const coordinatorId = consumer?.coordinatorId;
    if (consumer === undefined || coordinatorId === null || coordinatorId === undefined) return undefined;
    // A member between memberships has no id: its offsets go unchecked, as kafkajs sends them
    // (the per-partition transactional id still fences a zombie).
    const member = consumer.memberId === null ? { generationId: -1, memberId: '' } : { generationId: consumer.generationId, memberId: consumer.memberId };
    return { consumer, metadata: { groupId: this.group.groupId, coordinatorId, ...member } };
  }

  seek(position: TopicPartitionOffset): void {
    this.requireFetcher('seek').seek(position, position.offset);
  }

  pause(partitions: readonly TopicPartition[]): void {
    const fetcher = this.requireFetcher('pause');
    for (const tp of partitions) fetcher.pause(tp);
  }

  resume(partitions: readonly TopicPartition[]): void {
    const fetcher = this.requireFetcher('resume');
    for (const tp of partitions) fetcher.resume(tp);
  }

  private joinOptions(): { sessionTimeout: number; rebalanceTimeout: number; heartbeatInterval: number; protocols: Array<{ name: string; version: number }> } {
    const { sessionTimeoutMs, rebalanceTimeoutMs, heartbeatIntervalMs } = this.options.consumer;
    return { sessionTimeout: sessionTimeoutMs, rebalanceTimeout: rebalanceTimeoutMs, heartbeatInterval: heartbeatIntervalMs, protocols: [{ name: ASSIGNOR_NAME, version: ASSIGNOR_VERSION }] };
  }

  private memberMetadata(): MemberMetadata {
    return { ...this.group.metadata, topics: this.topics, previous: this.previous };
  }

  /** False: not delivered (rebalancing, or not ours), so the fetcher reads them again later. */
  private async deliver(records: readonly ConsumedRecord[]): Promise<boolean> {
    const first = records[0];
    const listener = this.listener;
    if (first === undefined || listener === undefined || this.joining || !this.announced.has(tpKey(first))) return false;
    try {
      await listener.onRecords(records);
      return true;
    } catch (error) {
      this.fetcher?.pause(first);
      listener.onError(wrapPlatformaticError(error, `onRecords failed for ${first.topic}[${first.partition}] at offset ${first.offset}`, { topic: first.topic, partition: first.partition, offset: first.offset }, 'FG_AGENT_FAILED'));
      throw error;
    }
  }

  private onRebalancing(): void {
    if (this.joining) return;
    this.joining = true;
    this.fetcher?.hold();
    this.listener?.onRebalancing?.();
  }

  /** Before each JoinGroup request: release what this member announced, under the old generation. */
  private async beforeJoin(heartbeat: () => Promise<void>): Promise<void> {
    this.rejoinRequested = false;
    this.onRebalancing();
    const listener = this.listener;
    if (listener?.onPrepareRebalance === undefined || this.stopping || this.announced.size === 0) return;
    const { heartbeatIntervalMs, rebalanceTimeoutMs, sessionTimeoutMs } = this.options.consumer;
    const deadline = Date.now() + Math.max(1_000, Math.min(rebalanceTimeoutMs / 2, sessionTimeoutMs, 30_000));
    const timer = setInterval(() => void heartbeat(), heartbeatIntervalMs);
    this.releasing = true;
    try {
      await this.transition;
      await this.fetcher?.idle();
      await listener.onPrepareRebalance(deadline);
    } catch (error) {
      listener.onError(wrapPlatformaticError(error, `Releasing the partitions of group ${this.group.groupId} before a rebalance failed`, { groupId: this.group.groupId }));
    } finally {
      this.releasing = false;
      clearInterval(timer);
    }
  }

  /** The leader's plan: faustgen's assignor over every member's subscription. */
  private async assign(consumer: Consumer): Promise<ReadonlyMap<string, Buffer>> {
    const joined = this.members;
    if (joined === undefined) throw new FaustgenError('FG_INTERNAL', `group ${this.group.groupId}: SyncGroup as leader without a JoinGroup answer`);
    const members: AssignorMember[] = joined.members.map((m) => ({ memberId: m.memberId, metadata: decodeMemberUserData(m.memberId, decodeConsumerSubscription(m.metadata).userData) }));
    const topics = [...new Set(members.flatMap(({ metadata }) => [...metadata.topics, ...metadata.changelogTopics, ...metadata.globalTopics]))];
    const counts = await partitionCounts(consumer, topics);
    const { assignments, distribution } = assignCopartitioned(members, counts);
    const plan = new Map<string, Buffer>();
    for (const { memberId } of members) {
      const assignment = assignments.get(memberId) ?? { actives: [], standbys: [] };
      plan.set(memberId, encodeConsumerAssignment({ partitions: kafkaAssignment(assignment), userData: encodeAssignmentUserData(assignment, distribution) }));
    }
    return plan;
  }

  private onJoined(memberId: string, generationId: number): void {
    const sync = this.sync?.memberId === memberId && this.sync.generationId === generationId ? this.sync : undefined;
    const decoded = sync === undefined ? undefined : decodeConsumerAssignment(sync.assignment);
    const userData: AssignmentUserData | undefined = decoded === undefined ? undefined : decodeAssignmentUserData(decoded.userData);
    if (this.stopping) return;
    const listener = this.listener;
    if (listener === undefined) return;
    if (userData === undefined) {
      listener.onError(new FaustgenError('FG_TRANSPORT', `group ${this.group.groupId}: the assignment carries no faustgen plan (another client's assignor, or the @platformatic/kafka hooks did not run)`, { details: { groupId: this.group.groupId, generationId } }));
      return;
    }
    // After a lost membership nothing is kept: every partition restarts from its committed offset.
    const expelled = this.lease.joined(generationId);
    this.options.log?.debug(`joined group ${this.group.groupId}`, { generation: generationId, expelled, memberId });
    const assignment: MemberAssignment = { actives: userData.actives, standbys: userData.standbys };
    const assigned = [...assignment.actives, ...assignment.standbys];
    const next = new Set(assigned.map(tpKey));
    this.previous = assignment;
    this.generation = generationId;
    this.transition = this.transition
      .then(async () => {
        const fetcher = this.fetcher;
        if (fetcher === undefined) return;
        await fetcher.idle();
        const revoked = [...this.announced].filter(([k]) => expelled || !next.has(k)).map(([, tp]) => tp);
        if (expelled) fetcher.clear();
        for (const tp of revoked) fetcher.remove(tp);
        if (revoked.length > 0) {
          await listener.onRevoked(revoked);
          for (const tp of revoked) this.announced.delete(tpKey(tp));
        }
        if (this.generation !== generationId) return;
        await listener.onAssigned({ generation: generationId, memberId, assignment, distribution: userData.distribution });
        await this.positionNew(assigned.filter((tp) => !fetcher.has(tp)));
        this.announced = new Map(assigned.map((tp) => [tpKey(tp), tp]));
        this.joining = false;
        // Stopped meanwhile (the app crashed in onAssigned, say): a fetch loop started now would retry
        // every 500 ms for ever against a closed client and keep the process alive.
        if (this.stopping) return;
        fetcher.start();
      })
      .catch((error: unknown) => {
        listener.onError(wrapPlatformaticError(error, `Rebalance callbacks of group ${this.group.groupId} failed`, { groupId: this.group.groupId, generation: generationId }));
      });
  }

  /** New partitions start at the group's committed offset, or per autoOffsetReset without one. */
  private async positionNew(partitions: readonly TopicPartition[]): Promise<void> {
    const consumer = this.consumer;
    const fetcher = this.fetcher;
    if (partitions.length === 0 || consumer === undefined || fetcher === undefined) return;
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    const topics = [...byTopic].map(([topic, list]) => ({ topic, partitions: list }));
    const committed = await consumer.listCommittedOffsets({ topics });
    const reset = await consumer.listOffsets({ topics: [...byTopic.keys()], timestamp: this.group.autoOffsetReset === 'earliest' ? -2n : -1n });
    for (const tp of partitions) {
      const done = committed.get(tp.topic)?.[tp.partition];
      const offset = done !== undefined && done >= 0n ? done : (reset.get(tp.topic)?.[tp.partition] ?? 0n);
      fetcher.seek(tp, Number(offset));
    }
  }

  private requireFetcher(what: string): PartitionFetcher {
    if (this.fetcher === undefined || this.consumer === undefined) {
      throw new FaustgenError('FG_APP_STATE', `Kafka consumer of group ${this.group.groupId} is not started: cannot ${what}`);
    }
    return this.fetcher;
  }
}

/**
 * Partition counts of the topics some member subscribes to. A topic that does not exist (yet) gets no
 * partitions, as in the assignor's contract; it must not fail the whole assignment.
 */
async function partitionCounts(consumer: Consumer, topics: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const read = async (names: string[]): Promise<void> => {
    const metadata = await consumer.metadata({ topics: names, forceUpdate: true });
    for (const topic of names) {
      const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
      if (count > 0) counts[topic] = count;
    }
  };
  try {
    await read([...topics]);
  } catch {
    for (const topic of topics) await read([topic]).catch(() => undefined);
  }
  return counts;
}
