import type { AssignorMember } from './types.js';

/**
 * A co-partitioned group: topics with the same partition count that exactly the same members
 * subscribe. Partition p of every topic in it goes to one member, which is what puts a source
 * partition and the matching table-changelog partition on the same worker.
 */
export interface TopicGroup {
  readonly partitions: number;
  /** Sorted. */
  readonly topics: readonly string[];
  /** Sorted member ids. */
  readonly members: readonly string[];
}

/** Topics that every member reads in full and nobody processes (GlobalTable changelogs). */
export function collectGlobalTopics(members: readonly AssignorMember[]): ReadonlySet<string> {
  const globals = new Set<string>();
  for (const member of members) for (const topic of member.metadata.globalTopics) globals.add(topic);
  return globals;
}

/**
 * Groups the non-global subscribed topics. Topics missing from `partitionCounts` (not created yet) or
 * with zero partitions are left out: there is nothing to assign for them.
 */
export function groupTopics(
  members: readonly AssignorMember[],
  partitionCounts: Readonly<Record<string, number>>,
  globalTopics: ReadonlySet<string>,
): TopicGroup[] {
  const subscribers = new Map<string, string[]>();
  for (const member of members) {
    for (const topic of new Set(member.metadata.topics)) {
      if (globalTopics.has(topic)) continue;
      const count = partitionCounts[topic];
      if (count === undefined || count <= 0) continue;
      let list = subscribers.get(topic);
      if (list === undefined) subscribers.set(topic, (list = []));
      list.push(member.memberId);
    }
  }
  const groups = new Map<string, { partitions: number; topics: string[]; members: string[] }>();
  for (const [topic, memberIds] of subscribers) {
    memberIds.sort(compareStrings);
    const partitions = partitionCounts[topic] ?? 0;
    const key = `${partitions}\u0000${memberIds.join('\u0000')}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { partitions, topics: [topic], members: memberIds });
    else group.topics.push(topic);
  }
  const result = [...groups.values()];
  for (const group of result) group.topics.sort(compareStrings);
  // Ordered by first topic name so that the output does not depend on input order.
  return result.sort((a, b) => compareStrings(a.topics[0] ?? '', b.topics[0] ?? ''));
}

/** Code-unit order, independent of locale, so every process sorts member ids alike. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
