import { partitionKeyOf } from '../core/partition-key.js';
import { describeError, FaustgenError } from '../core/errors.js';
import type { ConsumedRecord, ConsumerListener, GroupAssignment, GroupConsumer, TopicPartition, TopicPartitionOffset } from '../types/transport.js';
import { PartitionTrackers, type PartitionPosition } from './partition-trackers.js';
import { PartitionRelease } from './release.js';
import { Subscriptions, type Subscriber } from './subscriptions.js';
import type { ConductorHooks } from './conductor-hooks.js';

export type { Subscriber } from './subscriptions.js';
export type { ConductorHooks } from './conductor-hooks.js';

/**
 * Routes consumed records to the agents subscribed to their topic, tracks which offsets are fully
 * processed, and commits. Every commit first flushes the producer and the tables, so an offset is
 * committed only after everything its events produced is on the broker and in the stores.
 */
export class Conductor implements ConsumerListener {
  private readonly subscriptions = new Subscriptions();
  private readonly trackers = new PartitionTrackers();
  private readonly revoking = new Set<string>();
  private consumer: GroupConsumer | undefined;
  private commitChain: Promise<void> = Promise.resolve();
  private committing = 0;
  private lastAssignment: GroupAssignment | undefined;
  /**
   * From onAssigned until its outputs are released: events that finished meanwhile (in a handler past
   * a release's deadline) have outputs still held, so committing them would flush a producer without
   * them, and move table writes that never reached the changelog into the stores.
   */
  private assigning = false;
  /** Exactly-once commit barrier: no record is handed to an agent while it is set. */
  private barrier: Promise<void> | undefined;
  /** Exactly-once: records below these offsets were committed by a previous owner (read before the fence). */
  private readonly floors = new Map<string, number>();
  /** Events handed to agents since start; read by metrics and the test driver. */
  delivered = 0;

  /** Released before a rebalance, lease lapsed, membership lost or abandoned (consumer/release.ts). */
  private readonly release: PartitionRelease;

  constructor(private readonly hooks: ConductorHooks) {
    this.release = new PartitionRelease({
      hooks,
      trackers: this.trackers,
      subscriptions: this.subscriptions,
      consumer: () => this.consumer,
      waitSettled: (deadlineMs) => this.waitUntil(() => this.settled(new Map()), deadlineMs),
      enqueue: (step) => this.enqueue(step),
      commitNow: (bounds, deadlineMs) => this.commitNow(bounds, deadlineMs),
    });
  }

  subscribe(subscriber: Subscriber): void {
    this.subscriptions.add(subscriber);
  }

  subscribedTopics(): string[] {
    return this.subscriptions.topics();
  }

  attach(consumer: GroupConsumer): void {
    this.consumer = consumer;
  }

  get assignment(): GroupAssignment | undefined {
    return this.lastAssignment;
  }

  async onAssigned(assignment: GroupAssignment): Promise<void> {
    this.lastAssignment = assignment;
    this.release.assignmentArrived();
    this.assigning = true;
    try {
      await this.assign(assignment);
    } finally {
      this.assigning = false;
    }
  }

  private async assign(assignment: GroupAssignment): Promise<void> {
    if (this.release.abandoned) {
      this.release.forgetAbandoned();
      this.floors.clear();
    }
    const released = this.release.released;
    const keep = new Set<string>();
    const assignmentOnly: TopicPartition[] = [];
    for (const tp of [...assignment.assignment.actives, ...assignment.assignment.standbys]) {
      if (this.hooks.isAssignmentOnly(tp.topic)) {
        assignmentOnly.push(tp);
        continue;
      }
      const key = partitionKeyOf(tp.topic, tp.partition);
      keep.add(key);
      this.trackers.track(tp);
    }
    for (const key of this.trackers.keys()) if (!keep.has(key)) this.trackers.retire(key);
    if (released !== undefined) this.release.rewindKept(released);
    else this.release.notReleased();
    if (assignmentOnly.length > 0) this.consumer?.pause(assignmentOnly);
    await this.hooks.onAssigned(assignment);
    // A lease that lapsed meanwhile keeps them held until a heartbeat is answered (onLeaseRenewed);
    // partitions given up meanwhile (abandonAll) keep them until the next assignment drops them.
    if (!this.release.leaseHold && !this.release.abandoned) this.hooks.releaseOutputs(assignment);
  }

  /** Releases every partition before the member rejoins (PartitionRelease.prepareRebalance). */
  onPrepareRebalance(deadlineMs: number): Promise<void> {
    return this.release.prepareRebalance(deadlineMs);
  }

  async onRevoked(revoked: readonly TopicPartition[]): Promise<void> {
    if (this.release.released !== undefined) {
      this.release.revokeReleased(revoked);
      return;
    }
    for (const tp of revoked) this.revoking.add(partitionKeyOf(tp.topic, tp.partition));
    // Buffered events nobody started are dropped: the first of them bounds the commit, so the new
    // owner reads them again. Events already in a handler are waited for.
    const firstDropped = this.subscriptions.dropBuffered(revoked);
    await this.release.waitForInFlight(revoked, firstDropped);
    await this.commit(firstDropped);
    for (const tp of revoked) {
      const key = partitionKeyOf(tp.topic, tp.partition);
      this.trackers.retire(key);
      this.revoking.delete(key);
    }
  }

  async onRecords(records: readonly ConsumedRecord[]): Promise<void> {
    const first = records[0];
    if (first === undefined || this.hooks.isAssignmentOnly(first.topic)) return;
    const key = partitionKeyOf(first.topic, first.partition);
    const tracker = this.trackers.get(key);
    if (tracker === undefined) return;
    this.hooks.onMessagesIn?.(first.topic, first.partition, records.length);
    const subscribers = this.subscriptions.of(first.topic);
    if (this.release.refusing) {
      // Released for a rebalance: read again from here if the partition stays.
      this.release.noteRefused(key, first.offset);
      return;
    }
    // A revoke can only start while this loop waits: checked before the first record and before
    // each record that follows a wait (a record is given to all its subscribers or to none).
    let waited = true;
    const floor = this.floors.get(key);
    for (const record of records) {
      if (this.barrier !== undefined) {
        await this.barrier;
        waited = true;
      }
      const room = this.hooks.outputRoom?.();
      if (room !== undefined) {
        await room;
        waited = true;
      }
      if (waited && (this.revoking.has(key) || this.release.refusing)) {
        if (this.release.refusing) this.release.noteRefused(key, record.offset);
        return;
      }
      waited = false;
      if (floor !== undefined && record.offset < floor) {
        this.hooks.log.debug('record below the start offset skipped', { topic: record.topic, partition: record.partition, offset: record.offset, floor });
        continue;
      }
      tracker.add(record.offset, subscribers.length);
      for (const subscriber of subscribers) {
        this.delivered++;
        const queued = subscriber.agent.deliver(record, tracker, subscriber.topic);
        // Only a full queue (back-pressure) or a failure policy makes the loop wait.
        if (queued !== true && queued !== false) {
          await queued;
          waited = true;
        }
      }
    }
  }

  onError(error: Error): void {
    this.hooks.onError(error);
  }

  onRebalancing(): void {
    this.hooks.onRebalancing();
  }

  onPassed(tp: TopicPartition, from: number, to: number): void {
    if (this.release.refusing || this.release.released !== undefined) return;
    this.hooks.log.debug('offsets passed without records', { topic: tp.topic, partition: tp.partition, from, to });
    this.trackers.get(partitionKeyOf(tp.topic, tp.partition))?.passEmpty(from, to);
  }

  /** The periodic commit: skipped while one is still running (a slow broker must not pile them up). */
  commitPeriodically(): Promise<void> {
    if (this.committing > 0) return Promise.resolve();
    return this.commit();
  }

  /** Commits every partition up to its first unprocessed event; commits run one at a time. */
  commit(bounds: ReadonlyMap<string, number> = new Map(), deadlineMs = Number.POSITIVE_INFINITY): Promise<void> {
    return this.enqueue(() => this.commitNow(bounds, deadlineMs));
  }

  /** Runs `step` after every commit queued before it; the steps run one at a time. */
  private enqueue(step: () => Promise<void>): Promise<void> {
    this.committing++;
    const run = this.commitChain.then(step).finally(() => this.committing--);
    this.commitChain = run.catch(() => undefined);
    return run;
  }

  /**
   * Offsets per partition (for tests and health): committed by this worker, delivered up to
   * (`position`), and processed up to (`processed`: the first event not fully acked, or the end of
   * what was delivered); the last two are undefined until something was delivered.
   */
  positions(): PartitionPosition[] {
    return this.trackers.positions();
  }

  /** True when every delivered event is acked. */
  idle(): boolean {
    return this.trackers.idle();
  }

  private async commitNow(bounds: ReadonlyMap<string, number>, deadlineMs: number): Promise<void> {
    // Released, the lease lapsed, or an assignment not yet through: outputs are held, so what the
    // processed events produced is not on the broker yet.
    if (this.release.released !== undefined || this.release.leaseHold || this.assigning) return;
    const abandonedBefore = this.release.abandoned;
    const commitTransactions = this.hooks.commitTransactions;
    if (commitTransactions === undefined) {
      await this.commitOffsets(bounds);
      return;
    }
    // A transaction must hold exactly the outputs of the events whose offsets it commits: no event
    // may be in a handler while it commits. Deliveries pause and the agents work off what they have.
    let open = (): void => undefined;
    this.barrier = new Promise<void>((resolve) => (open = resolve));
    try {
      await this.waitUntil(() => this.release.released !== undefined || this.settled(bounds), deadlineMs);
      // Given up meanwhile (a failed transaction): its events are processed again, nothing commits.
      if (this.release.released !== undefined || this.release.abandoned !== abandonedBefore) return;
      // An event not finished (still in a handler, or stopped half-way by a crash) has part of its
      // outputs in the open transactions: never commit them. A partition that stays commits them with
      // the event later; one that moves, or a worker that stops, aborts them.
      if (!this.settled(bounds)) throw new FaustgenError('FG_TRANSPORT', 'events still unfinished: the transactions stay open', { retriable: true });
      await this.commitOffsets(bounds, commitTransactions);
    } finally {
      this.barrier = undefined;
      open();
    }
  }

  /** True when no delivered event is unacked, except ones dropped at `bounds` (not to be committed). */
  private settled(bounds: ReadonlyMap<string, number>): boolean {
    return this.trackers.settled((key) => bounds.get(key) ?? this.release.dropped?.get(key));
  }

  private async commitOffsets(bounds: ReadonlyMap<string, number>, commitTransactions?: (offsets: readonly TopicPartitionOffset[]) => Promise<void>): Promise<void> {
    const plan = this.trackers.planCommit(bounds);
    const offsets = plan.offsets;
    const holdsBefore = this.release.holds;
    await this.hooks.flushProducer();
    // Outputs became held while the flush ran (a lapsed lease, a lost membership, a failed
    // transaction): outputs sent during the flush — coalesced changelog writes go out there — may
    // sit in the hold instead of the producer, so these offsets could pass events whose records are
    // not on the broker. Nothing is committed; the events are processed again or committed later.
    if (this.release.holds !== holdsBefore) {
      this.hooks.log.debug('commit skipped: outputs were held while it flushed', { partitions: offsets.length });
      return;
    }
    if (commitTransactions !== undefined) {
      // Table writes reach the stores (and their persisted offsets move) only once committed.
      await commitTransactions(offsets);
      this.hooks.flushTables();
      plan.markCommitted();
      if (offsets.length > 0 && this.hooks.log.enabled('debug')) this.hooks.log.debug('committed transactions', { offsets: describeOffsets(offsets) });
      return;
    }
    this.hooks.flushTables();
    if (offsets.length === 0 || this.consumer === undefined) return;
    try {
      await this.consumer.commit(offsets);
      plan.markCommitted();
      if (this.hooks.log.enabled('debug')) this.hooks.log.debug('committed', { offsets: describeOffsets(offsets) });
    } catch (error) {
      if (FaustgenError.is(error) && error.retriable) {
        this.hooks.log.warn('commit deferred (rebalance in progress)', { error: describeError(error) });
        return;
      }
      throw error;
    }
  }

  /** The worker is stopping: buffered events nobody started are dropped (PartitionRelease.dropBufferedForStop). */
  dropBufferedForStop(): void {
    this.release.dropBufferedForStop();
  }

  /**
   * Exactly-once: a newly assigned partition starts at the offset its previous owner committed, read
   * after the fence; records fetched from an older position before that are skipped.
   */
  startAt(position: TopicPartitionOffset): void {
    this.floors.set(partitionKeyOf(position.topic, position.partition), position.offset);
    this.consumer?.seek(position);
  }

  /** No heartbeat answered for half the session timeout: outputs and commits are held until one is. */
  onLeaseLapsed(): void {
    this.release.leaseLapsed();
  }

  onLeaseRenewed(): void {
    this.release.leaseRenewed(this.lastAssignment, this.assigning);
  }

  /** No heartbeat for longer than the session timeout (PartitionRelease.membershipLost). */
  onMembershipLost(): void {
    this.release.membershipLost();
  }

  /** Gives every partition up in place (PartitionRelease.abandonAll). */
  abandonAll(why: string): void {
    this.release.abandonAll(why);
  }

  private async waitUntil(done: () => boolean, deadlineMs: number): Promise<void> {
    while (!done() && Date.now() < deadlineMs && this.hooks.agentsRunning()) await new Promise((resolve) => setTimeout(resolve, 5));
  }

}

/** `topic[partition]@offset` of each, for debug lines. */
function describeOffsets(offsets: readonly TopicPartitionOffset[]): string[] {
  return offsets.map((o) => `${o.topic}[${o.partition}]@${o.offset}`);
}
