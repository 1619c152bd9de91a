import type { Cluster, GroupMember, GroupMemberAssignment, PartitionAssigner } from 'kafkajs';
import { assignCopartitioned } from '../../assignor/copartitioned.js';
import { ASSIGNOR_NAME, ASSIGNOR_VERSION, type AssignorMember } from '../../assignor/types.js';
import type { MemberMetadata } from '../../types/transport.js';
import { decodeSubscription, encodeAssignment, encodeSubscription } from './member-protocol.js';
import { captureCoordinator, type CoordinatorHeartbeat, type SyncAnswer } from './sync-capture.js';

export interface FaustgenAssignerHooks {
  /** This member's metadata at join time, with its latest assignment as `previous`. */
  memberMetadata(): MemberMetadata;
  /** The raw SyncGroup answer of each join, to read this member's userData. */
  onSync(answer: SyncAnswer): void;
  /** Awaited before each JoinGroup request: the member releases its partitions here. */
  beforeJoin?(coordinator: CoordinatorHeartbeat): Promise<void>;
  /** Asked before each heartbeat: true makes kafkajs rejoin (see sync-capture.ts). */
  wantsRejoin?(): boolean;
}

/**
 * The kafkajs PartitionAssigner 'faustgen'. Only the group leader runs `assign`: it decodes every
 * member's subscription, reads partition counts from cluster metadata and calls the pure
 * `assignCopartitioned`; the memory broker's coordinator calls the same function.
 */
export function createFaustgenAssigner(hooks: FaustgenAssignerHooks): PartitionAssigner {
  return ({ cluster }) => {
    captureCoordinator(cluster, {
      onSync: (answer) => hooks.onSync(answer),
      ...(hooks.beforeJoin === undefined ? {} : { beforeJoin: (coordinator: CoordinatorHeartbeat) => hooks.beforeJoin?.(coordinator) ?? Promise.resolve() }),
      ...(hooks.wantsRejoin === undefined ? {} : { wantsRejoin: () => hooks.wantsRejoin?.() ?? false }),
    });
    return {
      name: ASSIGNOR_NAME,
      version: ASSIGNOR_VERSION,
      protocol: () => ({ name: ASSIGNOR_NAME, metadata: encodeSubscription(hooks.memberMetadata()) }),
      assign: async ({ members }) => assignMembers(cluster, members),
    };
  };
}

async function assignMembers(cluster: Cluster, members: readonly GroupMember[]): Promise<GroupMemberAssignment[]> {
  const decoded: AssignorMember[] = members.map((m) => ({ memberId: m.memberId, metadata: decodeSubscription(m.memberId, m.memberMetadata) }));
  const topics = new Set<string>();
  for (const { metadata } of decoded) {
    for (const topic of [...metadata.topics, ...metadata.changelogTopics, ...metadata.globalTopics]) topics.add(topic);
  }
  const partitionCounts = await readPartitionCounts(cluster, [...topics]);
  const { assignments, distribution } = assignCopartitioned(decoded, partitionCounts);
  return decoded.map(({ memberId }) => ({
    memberId,
    memberAssignment: encodeAssignment(assignments.get(memberId) ?? { actives: [], standbys: [] }, distribution),
  }));
}

/**
 * The leader's metadata covers only its own subscription; other members may subscribe to more
 * topics, so they are added as metadata targets first. A topic that does not exist is left out and
 * so gets no partitions, as in the assignor's contract.
 */
async function readPartitionCounts(cluster: Cluster, topics: readonly string[]): Promise<Record<string, number>> {
  try {
    await cluster.addMultipleTargetTopics([...topics]);
  } catch {
    // A missing topic fails the metadata refresh for all; the counts below fall back per topic.
  }
  const counts: Record<string, number> = {};
  for (const topic of topics) {
    try {
      const partitions = cluster.findTopicPartitionMetadata(topic);
      if (partitions.length > 0) counts[topic] = partitions.length;
    } catch {
      // Unknown topic: nothing to assign.
    }
  }
  return counts;
}
