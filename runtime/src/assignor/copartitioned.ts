import type { MemberAssignment, TopicPartition } from '../types/transport.js';
import type { AssignorMember, AssignorResult, PartitionAssignor } from './types.js';
import { placePartitions } from './balanced-sticky.js';
import { placeStandbys } from './standbys.js';
import { collectGlobalTopics, compareStrings, groupTopics, type TopicGroup } from './topic-groups.js';

/**
 * faustgen's partition assignor, after Faust's CopartitionedAssignor:
 *
 * - Subscribed topics are grouped by partition count and by the exact set of subscribing members;
 *   partition p of every topic in such a group goes to one member (co-partitioning).
 * - Within a group the spread is balanced (floor/ceil of P/N per member) and sticky.
 * - Standbys: each partition of a changelog topic (listed in some member's `changelogTopics` and
 *   subscribed, so it has an active) gets min(standbyReplicas, members of its group - 1) copies on
 *   other members, preferring previous holders.
 * - Global topics (`globalTopics`, GlobalTable changelogs) have no active: every member that
 *   subscribes or lists one gets all its partitions as standbys. Consumers and the runtime read
 *   standbys of a global topic as "read everything, keep in sync", never as processing work.
 *
 * The output is a pure function of the input: members are sorted by id, and input order is irrelevant.
 */
export const assignCopartitioned: PartitionAssignor = (members, partitionCounts) => {
  const sorted = [...members].sort((a, b) => compareStrings(a.memberId, b.memberId));
  const globalTopics = collectGlobalTopics(sorted);
  const groups = groupTopics(sorted, partitionCounts, globalTopics);
  const actives = new Map<string, TopicPartition[]>();
  const standbys = new Map<string, TopicPartition[]>();
  const standbyReplicas = replicasPerChangelog(sorted);

  for (const group of groups) {
    const owners = placePartitions({
      partitions: group.partitions,
      members: group.members,
      previousActives: previousPartitions(sorted, group, 'actives'),
      previousStandbys: previousPartitions(sorted, group, 'standbys'),
    });
    for (const topic of group.topics) {
      owners.forEach((member, partition) => push(actives, member, { topic, partition }));
      const replicas = standbyReplicas.get(topic);
      if (replicas === undefined) continue;
      placeStandbys(
        { topic, owners, candidates: group.members, replicas, previouslyHeld: previouslyHeld(sorted, topic) },
        standbys,
      );
    }
  }
  for (const topic of [...globalTopics].sort(compareStrings)) {
    const count = partitionCounts[topic] ?? 0;
    for (const member of sorted) {
      const wants = member.metadata.globalTopics.includes(topic) || member.metadata.topics.includes(topic);
      if (!wants) continue;
      for (let partition = 0; partition < count; partition++) push(standbys, member.memberId, { topic, partition });
    }
  }

  const assignments = new Map<string, MemberAssignment>();
  const distribution: Record<string, Record<string, number[]>> = {};
  for (const member of sorted) {
    const memberActives = sortPartitions(actives.get(member.memberId) ?? []);
    assignments.set(member.memberId, {
      actives: memberActives,
      standbys: sortPartitions(standbys.get(member.memberId) ?? []),
    });
    const byTopic = (distribution[member.metadata.url] ??= {});
    for (const tp of memberActives) (byTopic[tp.topic] ??= []).push(tp.partition);
  }
  for (const byTopic of Object.values(distribution)) for (const list of Object.values(byTopic)) list.sort((a, b) => a - b);
  const result: AssignorResult = { assignments, distribution };
  return result;
};

/** Members should agree on standbyReplicas; if they do not, the largest wins so no copy is lost. */
function replicasPerChangelog(members: readonly AssignorMember[]): Map<string, number> {
  const replicas = new Map<string, number>();
  for (const member of members) {
    for (const topic of member.metadata.changelogTopics) {
      replicas.set(topic, Math.max(replicas.get(topic) ?? 0, member.metadata.standbyReplicas));
    }
  }
  return replicas;
}

function previousPartitions(
  members: readonly AssignorMember[],
  group: TopicGroup,
  kind: 'actives' | 'standbys',
): Map<string, Set<number>> {
  const topics = new Set(group.topics);
  const result = new Map<string, Set<number>>();
  for (const member of members) {
    const held = new Set<number>();
    for (const tp of member.metadata.previous[kind]) if (topics.has(tp.topic)) held.add(tp.partition);
    result.set(member.memberId, held);
  }
  return result;
}

function previouslyHeld(members: readonly AssignorMember[], topic: string): Map<string, Set<number>> {
  const result = new Map<string, Set<number>>();
  for (const member of members) {
    const held = new Set<number>();
    const { actives, standbys } = member.metadata.previous;
    for (const tp of actives) if (tp.topic === topic) held.add(tp.partition);
    for (const tp of standbys) if (tp.topic === topic) held.add(tp.partition);
    result.set(member.memberId, held);
  }
  return result;
}

function push(into: Map<string, TopicPartition[]>, member: string, tp: TopicPartition): void {
  let list = into.get(member);
  if (list === undefined) into.set(member, (list = []));
  list.push(tp);
}

function sortPartitions(list: TopicPartition[]): TopicPartition[] {
  return list.sort((a, b) => compareStrings(a.topic, b.topic) || a.partition - b.partition);
}
