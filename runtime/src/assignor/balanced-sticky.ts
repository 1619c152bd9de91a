import { internalError } from '../core/errors.js';

/**
 * Balanced, sticky placement of the partitions 0..P-1 of one co-partitioned group onto its members.
 *
 * Balance: every member ends with floor(P/N) or ceil(P/N) partitions. Stickiness: a member first
 * keeps what it held before (up to floor, and one more if a ceil slot is free), so a rebalance caused
 * by one member joining or leaving moves as few partitions as possible. Partitions that must move go
 * preferably to a member that kept a standby copy of them, whose state is already warm.
 */

export interface PlacementInput {
  readonly partitions: number;
  /** Sorted member ids. */
  readonly members: readonly string[];
  /** member -> partitions it held as active before (any topic of the group). */
  readonly previousActives: ReadonlyMap<string, ReadonlySet<number>>;
  /** member -> partitions it held as standby before (any changelog topic of the group). */
  readonly previousStandbys: ReadonlyMap<string, ReadonlySet<number>>;
}

/** Returns owner member id per partition index. */
export function placePartitions(input: PlacementInput): string[] {
  const { partitions, members } = input;
  const owner: (string | undefined)[] = new Array<string | undefined>(partitions).fill(undefined);
  const count = new Map<string, number>(members.map((m) => [m, 0]));
  const base = Math.floor(partitions / members.length);
  let extraSlots = partitions % members.length;
  const hasExtra = new Set<string>();

  const give = (p: number, member: string): void => {
    owner[p] = member;
    count.set(member, (count.get(member) ?? 0) + 1);
  };
  const canTake = (member: string): boolean => {
    const held = count.get(member) ?? 0;
    if (held < base) return true;
    if (held === base && !hasExtra.has(member) && extraSlots > 0) return true;
    return false;
  };
  const take = (p: number, member: string): void => {
    if ((count.get(member) ?? 0) === base) {
      hasExtra.add(member);
      extraSlots--;
    }
    give(p, member);
  };

  const previous = (member: string): number[] =>
    [...(input.previousActives.get(member) ?? [])].filter((p) => p >= 0 && p < partitions).sort((a, b) => a - b);

  // 1. Everyone keeps up to `base` of its previous partitions.
  const leftovers = new Map<string, number[]>();
  for (const member of members) {
    const rest: number[] = [];
    for (const p of previous(member)) {
      if (owner[p] !== undefined) continue;
      if ((count.get(member) ?? 0) < base) give(p, member);
      else rest.push(p);
    }
    leftovers.set(member, rest);
  }
  // 2. The ceil slots go first to members that held more than `base`, so they keep one more.
  for (const member of members) {
    if (extraSlots === 0) break;
    const p = (leftovers.get(member) ?? []).find((q) => owner[q] === undefined);
    if (p !== undefined && canTake(member)) take(p, member);
  }
  // 3. Orphaned partitions go to a previous standby holder with room.
  for (let p = 0; p < partitions; p++) {
    if (owner[p] !== undefined) continue;
    const warm = members.find((m) => input.previousStandbys.get(m)?.has(p) === true && canTake(m));
    if (warm !== undefined) take(p, warm);
  }
  // 4. Whatever is left fills members below `base` first, then the remaining ceil slots.
  let cursor = 0;
  for (const fillExtra of [false, true]) {
    for (const member of members) {
      while (cursor < partitions && owner[cursor] !== undefined) cursor++;
      if (cursor >= partitions) break;
      while (cursor < partitions && (count.get(member) ?? 0) < base) {
        take(cursor, member);
        while (cursor < partitions && owner[cursor] !== undefined) cursor++;
      }
      if (fillExtra && cursor < partitions && canTake(member)) {
        take(cursor, member);
      }
    }
  }
  return owner.map((m, p) => {
    if (m === undefined) throw internalError('the assignor left a partition without an owner', { partition: p, members });
    return m;
  });
}
