import type { GroupAssignment } from '../types/transport.js';

/** A table as keyOwner needs it: where its keys go. */
export interface KeyedChangelog<K> {
  readonly changelogTopic: string;
  partitionOfKey(key: K): number | undefined;
}

export interface KeyOwner {
  partition: number;
  url: string | undefined;
  local: boolean;
}

/**
 * Which worker holds a table key: its changelog partition (murmur2 of the encoded key, as the
 * producer places it) and the URL of the worker that has that partition active, from the last
 * assignment. `local` is true when it is this worker.
 */
export function keyOwner<K>(assignment: GroupAssignment | undefined, table: KeyedChangelog<K>, key: K): KeyOwner | undefined {
  const partition = table.partitionOfKey(key);
  if (partition === undefined) return undefined;
  const distribution = assignment?.distribution ?? {};
  const url = Object.keys(distribution).find((candidate) => distribution[candidate]?.[table.changelogTopic]?.includes(partition) ?? false);
  const local = assignment?.assignment.actives.some((tp) => tp.topic === table.changelogTopic && tp.partition === partition) ?? false;
  return { partition, url, local };
}
