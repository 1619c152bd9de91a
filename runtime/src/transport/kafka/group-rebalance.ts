import type { Consumer } from 'kafkajs';
import type { ConsumerListener, GroupConsumerOptions, MemberAssignment, MemberMetadata, TopicPartition } from '../../types/transport.js';
import type { MembershipLease } from '../membership-lease.js';
import type { FaustgenAssignerHooks } from './assigner.js';
import { AssignmentGate } from './assignment-gate.js';
import type { KafkaDriverOptions } from './config.js';
import { wrapKafkaError } from './errors.js';
import { decodeAssignmentUserData } from './member-protocol.js';
import type { PartitionPositions } from './partition-positions.js';
import { partitionKey } from './records.js';
import type { CoordinatorHeartbeat, SyncAnswer } from './sync-capture.js';

/** What the rebalance bookkeeping reads from the group consumer it belongs to. */
export interface RebalanceHost {
  readonly driver: KafkaDriverOptions;
  readonly options: GroupConsumerOptions;
  /** Every topic the consumer subscribes to (sources, changelogs, globals). */
  readonly topics: readonly string[];
  readonly lease: MembershipLease;
  readonly positions: PartitionPositions;
  consumer(): Consumer | undefined;
  listener(): ConsumerListener | undefined;
  stopping(): boolean;
  /** Resolves when no onRecords call is in flight. */
  quiesce(): Promise<void>;
}

/**
 * The kafkajs group consumer's side of a rebalance (see group-consumer.ts for the whole mapping):
 * the gate of the current generation, what is owned and what the listener was told, the release
 * before each JoinGroup, and the queued onRevoked → onAssigned transition after each join.
 */
export class GroupRebalance implements FaustgenAssignerHooks {
  private currentGate = new AssignmentGate();
  private joiningNow = true;
  /** Inside beforeJoin: the old generation is still valid, so the release may commit under it. */
  private releasingNow = false;
  /** rejoin() was called: kafkajs's next heartbeat fails so that it rejoins (cleared by the join). */
  private rejoinRequested = false;
  private lastSync: SyncAnswer | undefined;
  private localGeneration = 0;
  /** Kafka-level assignment (actives + standbys) of the latest generation. */
  private owned = new Set<string>();
  /** Partitions the listener was told about in its last onAssigned and not yet revoked. */
  private announced = new Map<string, TopicPartition>();
  private previous: MemberAssignment = { actives: [], standbys: [] };
  private transition: Promise<void> = Promise.resolve();

  constructor(private readonly host: RebalanceHost) {}

  /** The gate of the current generation; every join replaces it. */
  get gate(): AssignmentGate {
    return this.currentGate;
  }

  get joining(): boolean {
    return this.joiningNow;
  }

  /** A commit while the group rebalances is refused, but for the release before a join (beforeJoin). */
  get refusesCommits(): boolean {
    return this.joiningNow && !this.releasingNow;
  }

  /** True while the listener holds partitions it was told about in an onAssigned. */
  get holdsPartitions(): boolean {
    return this.announced.size > 0;
  }

  owns(key: string): boolean {
    return this.owned.has(key);
  }

  memberMetadata(): MemberMetadata {
    return { ...this.host.options.metadata, topics: this.host.topics, previous: this.previous };
  }

  onSync(answer: SyncAnswer): void {
    this.lastSync = answer;
  }

  wantsRejoin(): boolean {
    return this.rejoinRequested;
  }

  /** The member gives up its generation: the next heartbeat fails, and nothing more is delivered. */
  requestRejoin(): void {
    this.rejoinRequested = true;
    this.currentGate.supersede();
  }

  /** kafkajs rebalances (or restarts a crashed consumer): nothing more of this generation is delivered. */
  onRebalancing(): void {
    this.joiningNow = true;
    this.currentGate.supersede();
    this.host.listener()?.onRebalancing?.();
  }

  /**
   * Runs before every JoinGroup request (sync-capture.ts): partitions this member announced may move
   * once it joins, so the listener releases them now, while the old generation is still valid for
   * commits and before any other member can be assigned them. Heartbeats with the old generation
   * keep the session alive meanwhile (the coordinator answers REBALANCE_IN_PROGRESS and counts them).
   */
  async beforeJoin(coordinator: CoordinatorHeartbeat): Promise<void> {
    this.rejoinRequested = false;
    const listener = this.host.listener();
    const sync = this.lastSync;
    if (listener?.onPrepareRebalance === undefined || this.host.stopping() || this.announced.size === 0 || sync === undefined) return;
    this.joiningNow = true;
    this.currentGate.supersede();
    listener.onRebalancing?.();
    const { groupId } = this.host.options;
    const { heartbeatIntervalMs, rebalanceTimeoutMs, sessionTimeoutMs } = this.host.driver.consumer;
    // The coordinator waits for this join up to the rebalance timeout; stay well inside it.
    const deadline = Date.now() + Math.max(1_000, Math.min(rebalanceTimeoutMs / 2, sessionTimeoutMs, 30_000));
    const request = { groupId, groupGenerationId: sync.generationId, memberId: sync.memberId };
    const timer = setInterval(() => void coordinator.heartbeat(request).catch(() => undefined), heartbeatIntervalMs);
    this.releasingNow = true;
    try {
      await this.transition;
      await this.host.quiesce();
      await listener.onPrepareRebalance(deadline);
    } catch (error) {
      listener.onError(wrapKafkaError(error, `Releasing the partitions of group ${groupId} before a rebalance failed`, { groupId }));
    } finally {
      this.releasingNow = false;
      clearInterval(timer);
    }
  }

  onGroupJoin(memberId: string, kafkaAssignment: Readonly<Record<string, number[]>>): void {
    const { groupId } = this.host.options;
    const assigned: TopicPartition[] = [];
    for (const [topic, partitions] of Object.entries(kafkaAssignment)) for (const partition of partitions) assigned.push({ topic, partition });
    const sync = this.lastSync?.memberId === memberId ? this.lastSync : undefined;
    const userData = sync === undefined ? undefined : decodeAssignmentUserData(sync.memberAssignment);
    // Without the leader's userData (see sync-capture.ts) every assigned partition counts as active.
    const assignment: MemberAssignment = userData === undefined ? { actives: assigned, standbys: [] } : { actives: userData.actives, standbys: userData.standbys };
    const generation = sync?.generationId ?? ++this.localGeneration;
    const next = new Set(assigned.map((tp) => partitionKey(tp.topic, tp.partition)));
    // After a lost membership nothing is kept: every partition restarts from its committed offset.
    const expelled = this.host.lease.joined(sync?.generationId);
    const kept = this.host.positions.rejoined(this.host.consumer(), assigned, next, expelled);
    this.host.driver.log?.debug('joined the group', { generation, expelled, kept });
    this.owned = next;
    this.previous = assignment;
    this.joiningNow = false;
    if (this.host.stopping()) return;
    this.currentGate.supersede();
    const gate = (this.currentGate = new AssignmentGate());
    const listener = this.host.listener();
    if (listener === undefined) return;
    this.transition = this.transition
      .then(async () => {
        await this.host.quiesce();
        if (gate !== this.currentGate) return;
        const revoked = [...this.announced].filter(([key]) => expelled || !next.has(key)).map(([, tp]) => tp);
        if (revoked.length > 0) {
          await listener.onRevoked(revoked);
          for (const tp of revoked) this.announced.delete(partitionKey(tp.topic, tp.partition));
        }
        if (gate !== this.currentGate) return;
        await listener.onAssigned({ generation, memberId, assignment, distribution: userData?.distribution ?? {} });
        this.announced = new Map(assigned.map((tp) => [partitionKey(tp.topic, tp.partition), tp]));
        gate.open();
      })
      .catch((error: unknown) => {
        listener.onError(wrapKafkaError(error, `Rebalance callbacks of group ${groupId} failed`, { groupId, generation }));
      });
  }

  /** The consumer stops: after the transition and deliveries under way, the listener releases all it holds. */
  async releaseForStop(): Promise<void> {
    await this.transition;
    await this.host.quiesce();
    const held = [...this.announced.values()];
    this.announced.clear();
    if (held.length > 0) await this.host.listener()?.onRevoked(held);
  }

  /** The consumer stopped: nothing is owned until it joins again. */
  forgetOwned(): void {
    this.owned.clear();
  }
}
