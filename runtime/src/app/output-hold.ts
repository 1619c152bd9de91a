import { FaustgenError } from '../core/errors.js';
import type { GroupAssignment, TopicPartition } from '../types/transport.js';

interface HeldOutput {
  readonly owner: TopicPartition;
  readonly send: () => void;
  readonly drop: (error: FaustgenError) => void;
}

/**
 * Keeps a worker from writing on behalf of partitions it may no longer own (docs/adr/0004-safe-handoff.md).
 *
 * Outputs are tied to an owner partition: a table's changelog partition for its writes, the source
 * partition of the event for what a handler sends. Between a rebalance's release (the conductor
 * committed everything and the member is about to rejoin) and the next assignment, such outputs are
 * held; the assignment then sends those of partitions that stayed and drops the rest. While no
 * rebalance runs, an output of a partition that is not active here (a slow handler finishing an event
 * of a partition that moved) is dropped at once. Dropped outputs fail with FG_PARTITION_REVOKED: their
 * event is not committed here, so the partition's new owner processes it again.
 *
 * Outputs without an owner (timers, tasks, global tables) and of topics no assignment names (in-memory
 * channels) are never held.
 */
export class OutputHold {
  /** Active partitions per topic of the last assignment. */
  private active = new Map<string, Set<number>>();
  private readonly assignedTopics = new Set<string>();
  private held: HeldOutput[] | undefined;

  get holding(): boolean {
    return this.held !== undefined;
  }

  hold(): void {
    this.held ??= [];
  }

  /** True when an output of this partition goes out at once (the per-record fast path). */
  passesNow(topic: string, partition: number): boolean {
    if (!this.assignedTopics.has(topic)) return true;
    return this.held === undefined && this.active.get(topic)?.has(partition) === true;
  }

  /** Runs `send` now, after the next assignment, or never (then `drop` is told why). */
  submit(owner: TopicPartition | undefined, send: () => void, drop: (error: FaustgenError) => void): void {
    if (owner === undefined || this.passesNow(owner.topic, owner.partition)) {
      send();
      return;
    }
    if (this.held !== undefined) {
      this.held.push({ owner, send, drop });
      return;
    }
    drop(revoked(owner));
  }

  /**
   * These partitions were revoked: their held outputs are dropped now, even if the next assignment
   * brings them back (a member that lost its membership, or gave its partitions up after a failed
   * transaction, processes their events again from the committed offsets: sent, they would count twice).
   */
  drop(partitions: readonly TopicPartition[]): void {
    if (this.held === undefined || partitions.length === 0) return;
    const gone = new Set(partitions.map((tp) => `${tp.topic}\u0000${tp.partition}`));
    const kept: HeldOutput[] = [];
    for (const output of this.held) {
      if (gone.has(`${output.owner.topic}\u0000${output.owner.partition}`)) output.drop(revoked(output.owner));
      else kept.push(output);
    }
    this.held = kept;
  }

  /** A new assignment: kept partitions' held outputs go out, the others' are dropped. */
  release(assignment: GroupAssignment): void {
    const { actives, standbys } = assignment.assignment;
    this.active = new Map();
    for (const tp of actives) {
      const partitions = this.active.get(tp.topic) ?? new Set<number>();
      partitions.add(tp.partition);
      this.active.set(tp.topic, partitions);
    }
    for (const tp of [...actives, ...standbys]) this.assignedTopics.add(tp.topic);
    const held = this.held ?? [];
    this.held = undefined;
    for (const output of held) {
      if (this.active.get(output.owner.topic)?.has(output.owner.partition) === true) output.send();
      else output.drop(revoked(output.owner));
    }
  }
}

function revoked(owner: TopicPartition): FaustgenError {
  return new FaustgenError('FG_PARTITION_REVOKED', `${owner.topic}[${owner.partition}] moved to another worker: this worker no longer writes on its behalf`, {
    retriable: true,
    details: { topic: owner.topic, partition: owner.partition },
  });
}
