import type { TopicPartition } from '../types/transport.js';

/**
 * Standby placement for one changelog topic: each partition gets `replicas` copies on members other
 * than its active owner. A member that held the partition before (as active or standby) is preferred
 * while it is under its fair share, because its copy is warm and a later failover then replays only
 * the tail of the changelog. Others are picked least-loaded first.
 */
export interface StandbyInput {
  readonly topic: string;
  /** Owner member id per partition (from the co-partitioned group). */
  readonly owners: readonly string[];
  /** Sorted member ids that may host this topic's state. */
  readonly candidates: readonly string[];
  readonly replicas: number;
  /** member -> partitions of this topic it held before (active or standby). */
  readonly previouslyHeld: ReadonlyMap<string, ReadonlySet<number>>;
}

export function placeStandbys(input: StandbyInput, into: Map<string, TopicPartition[]>): void {
  const { topic, owners, candidates } = input;
  const replicas = Math.max(0, Math.min(input.replicas, candidates.length - 1));
  if (replicas === 0) return;
  const fairShare = Math.ceil((owners.length * replicas) / candidates.length);
  const load = new Map<string, number>(candidates.map((m) => [m, 0]));
  const order = new Map<string, number>(candidates.map((m, i) => [m, i]));

  for (let p = 0; p < owners.length; p++) {
    const active = owners[p];
    const ranked = candidates
      .filter((m) => m !== active)
      .sort((a, b) => {
        const warmA = input.previouslyHeld.get(a)?.has(p) === true && (load.get(a) ?? 0) < fairShare ? 0 : 1;
        const warmB = input.previouslyHeld.get(b)?.has(p) === true && (load.get(b) ?? 0) < fairShare ? 0 : 1;
        if (warmA !== warmB) return warmA - warmB;
        const byLoad = (load.get(a) ?? 0) - (load.get(b) ?? 0);
        if (byLoad !== 0) return byLoad;
        // Rotating the tie-break by partition spreads copies instead of piling them on the first id.
        const n = candidates.length;
        return (((order.get(a) ?? 0) - p) % n + n) % n - (((order.get(b) ?? 0) - p) % n + n) % n;
      });
    for (const member of ranked.slice(0, replicas)) {
      load.set(member, (load.get(member) ?? 0) + 1);
      let list = into.get(member);
      if (list === undefined) into.set(member, (list = []));
      list.push({ topic, partition: p });
    }
  }
}
