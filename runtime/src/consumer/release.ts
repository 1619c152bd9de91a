import { describeError } from '../core/errors.js';
import { partitionKeyOf } from '../core/partition-key.js';
import type { GroupAssignment, GroupConsumer, TopicPartition } from '../types/transport.js';
import type { ConductorHooks } from './conductor-hooks.js';
import type { PartitionTrackers } from './partition-trackers.js';
import type { Subscriptions } from './subscriptions.js';

/** What a release needs of the conductor: its parts, its waits and its commit chain. */
export interface ReleaseHost {
  readonly hooks: ConductorHooks;
  readonly trackers: PartitionTrackers;
  readonly subscriptions: Subscriptions;
  consumer(): GroupConsumer | undefined;
  /** Waits until no delivered event is unacked except the dropped ones, until `deadlineMs` at most. */
  waitSettled(deadlineMs: number): Promise<void>;
  /** Runs `step` after every commit queued before it, as one step of the commit chain. */
  enqueue(step: () => Promise<void>): Promise<void>;
  /** Commits up to `bounds` at once: only from a step of the commit chain. */
  commitNow(bounds: ReadonlyMap<string, number>, deadlineMs: number): Promise<void>;
}

/**
 * Giving partitions up: whether the worker may still take, commit and write for them — released
 * before a rebalance, its lease lapsed, its membership lost or every partition given up in place —
 * which offsets the partitions that stay read again, and the wait for events still in handlers. The
 * conductor asks it before it delivers or commits. Taken out of the conductor so that routing and
 * committing read apart from the rebalance states.
 */
export class PartitionRelease {
  /**
   * Set while a rebalance is prepared (onPrepareRebalance): records are no longer taken, and once
   * `released` is set everything was committed under the old generation and outputs are held. Values
   * are the first offset per partition that was dropped or refused, to read again if it stays here.
   */
  private refusingNow = false;
  private releasedFrom: Map<string, number> | undefined;
  private readonly refused = new Map<string, number>();
  /** First dropped offset per partition while a release runs: those events will never be acked here. */
  private droppedFrom: ReadonlyMap<string, number> | undefined;
  /**
   * Every partition was given up in place (abandonAll): the next assignment treats all of them as
   * new, whatever the consumer revoked before it.
   */
  private abandonedNow = false;
  /** Outputs are held because the member's lease lapsed (no heartbeat for half its session). */
  private leaseHeld = false;
  /** Times outputs were held so far (see holdOutputs). */
  private holdCount = 0;

  constructor(private readonly host: ReleaseHost) {}

  /** No record is taken any more (released, stopping, expelled or abandoned). */
  get refusing(): boolean {
    return this.refusingNow;
  }
  /** Set once released: the first dropped offset per partition, to read again if it stays. */
  get released(): ReadonlyMap<string, number> | undefined {
    return this.releasedFrom;
  }
  get dropped(): ReadonlyMap<string, number> | undefined {
    return this.droppedFrom;
  }
  get abandoned(): boolean {
    return this.abandonedNow;
  }
  get leaseHold(): boolean {
    return this.leaseHeld;
  }
  get holds(): number {
    return this.holdCount;
  }

  /**
   * Releases every partition before the member rejoins (Kafka: awaited before JoinGroup). Handlers
   * first work off what is buffered, until `deadlineMs` at most; then unstarted events are dropped and
   * the ones in handlers waited for; everything processed is flushed and committed while this
   * generation is still valid; from then on outputs are held and nothing is committed until
   * onAssigned names the partitions that stay. A partition that moves is thus recovered by its new
   * owner from a changelog this worker no longer writes to, and started from the offset it committed.
   */
  async prepareRebalance(deadlineMs: number): Promise<void> {
    const { hooks, trackers, subscriptions } = this.host;
    if (this.releasedFrom !== undefined) return;
    // Events a stop dropped already will never be acked here: only the others are waited for.
    await this.host.waitSettled(deadlineMs);
    this.refusingNow = true;
    const partitions = trackers.partitions();
    // A stop may have dropped buffered events already: those are not in flight either.
    const firstDropped = lowestPerPartition(this.droppedFrom, subscriptions.dropBuffered(partitions));
    // A commit that starts from now on (the timer's) must not wait for the dropped events either.
    this.droppedFrom = firstDropped;
    await this.waitForInFlight(partitions, firstDropped, deadlineMs);
    // The release is one step of the commit chain: a commit queued before it (a stop's final commit)
    // runs first, while this generation is valid; one queued after finds the partitions released.
    await this.host.enqueue(async () => {
      await this.host.commitNow(firstDropped, deadlineMs).catch((error: unknown) => hooks.log.warn('commit before rebalance failed; the next owner processes these events again', { error: describeError(error) }));
      this.holdOutputs();
      this.releasedFrom = firstDropped;
    });
    const busy = trackers.countBusy(firstDropped);
    hooks.log.info('partitions released for rebalance', { partitions: trackers.size, ...(busy > 0 ? { stillInHandlers: busy } : {}) });
  }

  /** An assignment arrived: the member is in its group again, a lapsed lease holds nothing more. */
  assignmentArrived(): void {
    this.leaseHeld = false;
  }

  /** An assignment without a release before it: nothing to read again, records are taken again. */
  notReleased(): void {
    this.droppedFrom = undefined;
    this.refusingNow = false;
  }

  /** Partitions revoked after the release: nothing of them is read again here. */
  revokeReleased(revoked: readonly TopicPartition[]): void {
    const { hooks, trackers, subscriptions } = this.host;
    // Released before the join: committed already, and nothing may be committed for them now.
    subscriptions.dropBuffered(revoked);
    hooks.onPartitionsRevoked(revoked);
    for (const tp of revoked) {
      const key = partitionKeyOf(tp.topic, tp.partition);
      trackers.retire(key);
      this.releasedFrom?.delete(key);
      this.refused.delete(key);
    }
  }

  /** Holds outputs (see OutputHold); counted so that a commit can tell a hold began while it flushed. */
  private holdOutputs(): void {
    this.holdCount++;
    this.host.hooks.holdOutputs();
  }

  /**
   * The worker is stopping: buffered events nobody started are dropped (they stay uncommitted and are
   * read again after a restart), so the final commit waits only for the events in handlers.
   */
  dropBufferedForStop(): void {
    // Records the consumer still delivers would wait in closed agent queues, never acked, and keep
    // the final commit (with exactly-once, the whole transaction) from covering what was processed.
    this.refusingNow = true;
    this.droppedFrom = lowestPerPartition(this.droppedFrom, this.host.subscriptions.dropBuffered(this.host.trackers.partitions()));
  }

  noteRefused(key: string, offset: number): void {
    const known = this.refused.get(key);
    if (known === undefined || offset < known) this.refused.set(key, offset);
  }

  leaseLapsed(): void {
    if (this.releasedFrom !== undefined || this.leaseHeld) return;
    this.leaseHeld = true;
    this.holdOutputs();
    this.host.hooks.log.warn('no heartbeat answered for half the session timeout: holding outputs and commits until one is (an expelled worker must not write)', { partitions: this.host.trackers.size });
  }

  /** `assigning`: an assignment is still being applied (its outputs are released when it is through). */
  leaseRenewed(assignment: GroupAssignment | undefined, assigning: boolean): void {
    if (!this.leaseHeld) return;
    this.leaseHeld = false;
    if (this.releasedFrom === undefined && !assigning && assignment !== undefined) this.host.hooks.releaseOutputs(assignment);
    this.host.hooks.log.info('heartbeats answered again: held outputs go out');
  }

  /**
   * The member went without a successful heartbeat for longer than its session timeout: the group
   * may have handed its partitions to others already. Nothing more is taken, committed or written
   * for them until the member rejoined; the driver then revokes everything it held.
   */
  membershipLost(): void {
    if (this.releasedFrom !== undefined) return;
    this.refusingNow = true;
    this.releasedFrom = this.host.subscriptions.dropBuffered(this.host.trackers.partitions());
    this.holdOutputs();
    this.host.hooks.log.warn('no heartbeat for longer than the session timeout: this worker may have been expelled from its group; holding its outputs until it rejoined', { partitions: this.host.trackers.size });
  }

  /**
   * Gives every partition up in place (exactly-once after a failed transaction): nothing more is
   * taken, committed or written for them, and the next assignment starts each of them afresh — its
   * table state recovered again and its events read again from the committed offset — even if the
   * consumer keeps it without revoking it first.
   */
  abandonAll(why: string): void {
    this.abandonedNow = true;
    // What handlers still do for the delivered events is void: their writes and outputs are dropped.
    this.host.trackers.retireInPlace();
    if (this.releasedFrom !== undefined) return;
    this.refusingNow = true;
    this.releasedFrom = this.host.subscriptions.dropBuffered(this.host.trackers.partitions());
    this.holdOutputs();
    this.host.hooks.log.warn(`${why}: holding outputs and commits of every partition until the group assigned them again`, { partitions: this.host.trackers.size });
  }

  /**
   * The partitions an abandonAll gave up are revoked here, whether or not the consumer revoked them
   * (the conductor forgets their start offsets with them).
   */
  forgetAbandoned(): void {
    const { hooks, trackers, subscriptions } = this.host;
    this.abandonedNow = false;
    const stale = trackers.partitions();
    subscriptions.dropBuffered(stale);
    if (stale.length > 0) hooks.onPartitionsRevoked(stale);
    for (const key of trackers.keys()) trackers.retire(key);
    this.releasedFrom?.clear();
    this.refused.clear();
  }

  /** Partitions that stay after a release read again from their first dropped or refused offset. */
  rewindKept(released: ReadonlyMap<string, number>): void {
    const rewound = this.host.trackers.truncate((key) => {
      const dropped = released.get(key);
      const refused = this.refused.get(key);
      return dropped === undefined ? refused : refused === undefined ? dropped : Math.min(dropped, refused);
    });
    for (const position of rewound) this.host.consumer()?.seek(position);
    this.refused.clear();
    this.releasedFrom = undefined;
    this.refusingNow = false;
    this.droppedFrom = undefined;
  }

  /** Waits for the events of partitions given up that are in handlers, except the dropped ones, until the deadline. */
  async waitForInFlight(revoked: readonly TopicPartition[], firstDropped: ReadonlyMap<string, number>, deadlineMs = Date.now() + 30_000): Promise<void> {
    const deadline = deadlineMs;
    while (this.host.hooks.agentsRunning()) {
      const busy = revoked.filter((tp) => {
        const key = partitionKeyOf(tp.topic, tp.partition);
        return this.host.trackers.busy(key, firstDropped.get(key));
      });
      if (busy.length === 0) return;
      if (Date.now() > deadline) {
        this.host.hooks.log.warn('revoke: events still in handlers at the deadline; committing up to them', { partitions: busy.length });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/** The lower offset per partition of two maps (either may be missing). */
function lowestPerPartition(a: ReadonlyMap<string, number> | undefined, b: ReadonlyMap<string, number>): Map<string, number> {
  const merged = new Map(a ?? []);
  for (const [key, offset] of b) merged.set(key, Math.min(offset, merged.get(key) ?? offset));
  return merged;
}
