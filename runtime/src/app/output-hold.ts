import { FaustgenError } from '../core/errors.js';
import type { GroupAssignment, TopicPartition } from '../types/transport.js';

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

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
  private active = new Set<string>();
  private readonly assignedTopics = new Set<string>();
  private held: HeldOutput[] | undefined;

  get holding(): boolean {
    return this.held !== undefined;
  }

  hold(): void {
    this.held ??= [];
  }

  /** Runs `send` now, after the next assignment, or never (then `drop` is told why). */
  submit(owner: TopicPartition | undefined, send: () => void, drop: (error: FaustgenError) => void): void {
    if (owner === undefined || !this.assignedTopics.has(owner.topic)) {
      send();
      return;
    }
    if (this.held !== undefined) {
      this.held.push({ owner, send, drop });
      return;
    }
    if (this.active.has(tpKey(owner.topic, owner.partition))) send();
    else drop(revoked(owner));
  }

  /** A new assignment: kept partitions' held outputs go out, the others' are dropped. */
  release(assignment: GroupAssignment): void {
    const { actives, standbys } = assignment.assignment;
    this.active = new Set(actives.map((tp) => tpKey(tp.topic, tp.partition)));
    for (const tp of [...actives, ...standbys]) this.assignedTopics.add(tp.topic);
    const held = this.held ?? [];
    this.held = undefined;
    for (const output of held) {
      if (this.active.has(tpKey(output.owner.topic, output.owner.partition))) output.send();
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
