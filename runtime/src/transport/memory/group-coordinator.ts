import { assignCopartitioned } from '../../assignor/copartitioned.js';
import type { AssignorMember } from '../../assignor/types.js';
import type { GroupAssignment, MemberMetadata, TopicPartitionOffset } from '../../types/transport.js';
import type { MemoryBroker } from './broker.js';

/** What the coordinator needs from a member (the group consumer). Neither method may throw. */
export interface GroupMemberHandle {
  readonly memberId: string;
  /** Current subscription, with the last assignment held as `previous` (for stickiness). */
  metadata(): MemberMetadata;
  /** Stops delivery of everything the member holds, then awaits its onRevoked. */
  revokeAll(): Promise<void>;
  /** Hands the member its new assignment; resolves once its onAssigned resolved. */
  assign(assignment: GroupAssignment): Promise<void>;
}

/**
 * A consumer group inside the process, following Kafka's eager rebalance protocol: when a member
 * joins or leaves (or a subscribed topic appears or disappears), every member first gives up all
 * its partitions (onRevoked of all members awaited), then the assignor runs over everyone's
 * metadata and each member receives its part of the new generation. Because nobody owns anything
 * between the two phases, no partition is ever delivered to two members at once.
 *
 * Rebalances never overlap: triggers arriving during one mark the group dirty and cause one more
 * round afterwards. Triggers in the same tick (several members starting together) are coalesced.
 */
export class GroupCoordinator {
  readonly groupId: string;
  private readonly broker: MemoryBroker;
  private readonly members = new Map<string, GroupMemberHandle>();
  private readonly committed = new Map<string, Map<number, number>>();
  private generationValue = 0;
  private dirty = false;
  private rebalancing: Promise<void> | undefined;

  constructor(groupId: string, broker: MemoryBroker) {
    this.groupId = groupId;
    this.broker = broker;
  }

  get generation(): number {
    return this.generationValue;
  }

  memberIds(): string[] {
    return [...this.members.keys()].sort();
  }

  join(member: GroupMemberHandle): void {
    this.members.set(member.memberId, member);
    this.requestRebalance();
  }

  /** The member must already have revoked its own partitions. */
  leave(memberId: string): void {
    if (this.members.delete(memberId)) this.requestRebalance();
  }

  onTopicsChanged(topic: string): void {
    for (const member of this.members.values()) {
      const { topics, globalTopics } = member.metadata();
      if (topics.includes(topic) || globalTopics.includes(topic)) {
        this.requestRebalance();
        return;
      }
    }
  }

  /** Resolves when no rebalance is running or pending. */
  async settled(): Promise<void> {
    while (this.rebalancing !== undefined) await this.rebalancing;
  }

  commit(offsets: readonly TopicPartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets) {
      let byPartition = this.committed.get(topic);
      if (byPartition === undefined) this.committed.set(topic, (byPartition = new Map()));
      byPartition.set(partition, offset);
    }
  }

  committedOffset(topic: string, partition: number): number | undefined {
    return this.committed.get(topic)?.get(partition);
  }

  committedOffsets(topic: string): TopicPartitionOffset[] {
    const byPartition = this.committed.get(topic);
    if (byPartition === undefined) return [];
    return [...byPartition.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([partition, offset]) => ({ topic, partition, offset }));
  }

  private requestRebalance(): void {
    this.dirty = true;
    if (this.rebalancing !== undefined) return;
    this.rebalancing = this.runRebalances().finally(() => {
      this.rebalancing = undefined;
    });
  }

  private async runRebalances(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.dirty) {
      this.dirty = false;
      await Promise.all([...this.members.values()].map((member) => member.revokeAll()));
      // A member joining during the revoke phase holds nothing yet; leaving members revoked themselves.
      if (this.dirty) continue;
      const members = [...this.members.values()];
      if (members.length === 0) return;
      this.generationValue++;
      const generation = this.generationValue;
      const metadata: AssignorMember[] = members.map((m) => ({ memberId: m.memberId, metadata: m.metadata() }));
      const { assignments, distribution } = assignCopartitioned(metadata, this.partitionCounts(metadata));
      await Promise.all(
        members.map((member) =>
          member.assign({
            generation,
            memberId: member.memberId,
            assignment: assignments.get(member.memberId) ?? { actives: [], standbys: [] },
            distribution,
          }),
        ),
      );
    }
  }

  private partitionCounts(members: readonly AssignorMember[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { metadata } of members) {
      for (const name of [...metadata.topics, ...metadata.globalTopics]) {
        const topic = this.broker.describe(name);
        if (topic !== undefined) counts[name] = topic.partitions;
      }
    }
    return counts;
  }
}
