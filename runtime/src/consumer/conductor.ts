import { partitionKeyOf } from '../core/partition-key.js';
import { describeError, FaustgenError } from '../core/errors.js';
import type { ConsumedRecord, ConsumerListener, GroupAssignment, GroupConsumer, TopicPartition, TopicPartitionOffset } from '../types/transport.js';
import { PartitionTrackers, type PartitionPosition } from './partition-trackers.js';
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
   * Set while a rebalance is prepared (onPrepareRebalance): records are no longer taken, and once
   * `released` is set everything was committed under the old generation and outputs are held. Values
   * are the first offset per partition that was dropped or refused, to read again if it stays here.
   */
  private refusing = false;
  private released: Map<string, number> | undefined;
  private readonly refused = new Map<string, number>();
  /** First dropped offset per partition while a release runs: those events will never be acked here. */
  private dropped: ReadonlyMap<string, number> | undefined;
  /**
   * Every partition was given up in place (abandonAll): the next assignment treats all of them as
   * new, whatever the consumer revoked before it.
   */
  private abandoned = false;
  /** Outputs are held because the member's lease lapsed (no heartbeat for half its session). */
  private leaseHold = false;
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
  /** Times outputs were held so far (see holdOutputs). */
  private holds = 0;
  /** Events handed to agents since start; read by metrics and the test driver. */
  delivered = 0;

  constructor(private readonly hooks: ConductorHooks) {}

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
    this.leaseHold = false;
    this.assigning = true;
    try {
      await this.assign(assignment);
    } finally {
      this.assigning = false;
    }
  }

  private async assign(assignment: GroupAssignment): Promise<void> {
    if (this.abandoned) this.forgetAbandoned();
    const released = this.released;
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
    if (released !== undefined) this.rewindKept(released);
    else {
      this.dropped = undefined;
      this.refusing = false;
    }
    if (assignmentOnly.length > 0) this.consumer?.pause(assignmentOnly);
    await this.hooks.onAssigned(assignment);
    // A lease that lapsed meanwhile keeps them held until a heartbeat is answered (onLeaseRenewed);
    // partitions given up meanwhile (abandonAll) keep them until the next assignment drops them.
    if (!this.leaseHold && !this.abandoned) this.hooks.releaseOutputs(assignment);
  }

  /**
   * Releases every partition before the member rejoins (Kafka: awaited before JoinGroup). Handlers
   * first work off what is buffered, until `deadlineMs` at most; then unstarted events are dropped and
   * the ones in handlers waited for; everything processed is flushed and committed while this
   * generation is still valid; from then on outputs are held and nothing is committed until
   * onAssigned names the partitions that stay. A partition that moves is thus recovered by its new
   * owner from a changelog this worker no longer writes to, and started from the offset it committed.
   */
  async onPrepareRebalance(deadlineMs: number): Promise<void> {
    if (this.released !== undefined) return;
    // Events a stop dropped already will never be acked here: only the others are waited for.
    await this.waitUntil(() => this.settled(new Map()), deadlineMs);
    this.refusing = true;
    const partitions = this.trackers.partitions();
    // A stop may have dropped buffered events already: those are not in flight either.
    const firstDropped = lowestPerPartition(this.dropped, this.subscriptions.dropBuffered(partitions));
    // A commit that starts from now on (the timer's) must not wait for the dropped events either.
    this.dropped = firstDropped;
    await this.waitForInFlight(partitions, firstDropped, deadlineMs);
    // The release is one step of the commit chain: a commit queued before it (a stop's final commit)
    // runs first, while this generation is valid; one queued after finds the partitions released.
    await this.enqueue(async () => {
      await this.commitNow(firstDropped, deadlineMs).catch((error: unknown) => this.hooks.log.warn('commit before rebalance failed; the next owner processes these events again', { error: describeError(error) }));
      this.holdOutputs();
      this.released = firstDropped;
    });
    const busy = this.trackers.countBusy(firstDropped);
    this.hooks.log.info('partitions released for rebalance', { partitions: this.trackers.size, ...(busy > 0 ? { stillInHandlers: busy } : {}) });
  }

  async onRevoked(revoked: readonly TopicPartition[]): Promise<void> {
    if (this.released !== undefined) {
      // Released before the join: committed already, and nothing may be committed for them now.
      this.subscriptions.dropBuffered(revoked);
      this.hooks.onPartitionsRevoked(revoked);
      for (const tp of revoked) {
        const key = partitionKeyOf(tp.topic, tp.partition);
        this.trackers.retire(key);
        this.released.delete(key);
        this.refused.delete(key);
      }
      return;
    }
    for (const tp of revoked) this.revoking.add(partitionKeyOf(tp.topic, tp.partition));
    // Buffered events nobody started are dropped: the first of them bounds the commit, so the new
    // owner reads them again. Events already in a handler are waited for.
    const firstDropped = this.subscriptions.dropBuffered(revoked);
    await this.waitForInFlight(revoked, firstDropped);
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
    if (this.refusing) {
      // Released for a rebalance: read again from here if the partition stays.
      this.noteRefused(key, first.offset);
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
      if (waited && (this.revoking.has(key) || this.refusing)) {
        if (this.refusing) this.noteRefused(key, record.offset);
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
    if (this.refusing || this.released !== undefined) return;
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
    if (this.released !== undefined || this.leaseHold || this.assigning) return;
    const abandonedBefore = this.abandoned;
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
      await this.waitUntil(() => this.released !== undefined || this.settled(bounds), deadlineMs);
      // Given up meanwhile (a failed transaction): its events are processed again, nothing commits.
      if (this.released !== undefined || this.abandoned !== abandonedBefore) return;
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
    return this.trackers.settled((key) => bounds.get(key) ?? this.dropped?.get(key));
  }

  private async commitOffsets(bounds: ReadonlyMap<string, number>, commitTransactions?: (offsets: readonly TopicPartitionOffset[]) => Promise<void>): Promise<void> {
    const plan = this.trackers.planCommit(bounds);
    const offsets = plan.offsets;
    const holdsBefore = this.holds;
    await this.hooks.flushProducer();
    // Outputs became held while the flush ran (a lapsed lease, a lost membership, a failed
    // transaction): outputs sent during the flush — coalesced changelog writes go out there — may
    // sit in the hold instead of the producer, so these offsets could pass events whose records are
    // not on the broker. Nothing is committed; the events are processed again or committed later.
    if (this.holds !== holdsBefore) {
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

  /** Holds outputs (see OutputHold); counted so that a commit can tell a hold began while it flushed. */
  private holdOutputs(): void {
    this.holds++;
    this.hooks.holdOutputs();
  }

  /**
   * The worker is stopping: buffered events nobody started are dropped (they stay uncommitted and are
   * read again after a restart), so the final commit waits only for the events in handlers.
   */
  dropBufferedForStop(): void {
    // Records the consumer still delivers would wait in closed agent queues, never acked, and keep
    // the final commit (with exactly-once, the whole transaction) from covering what was processed.
    this.refusing = true;
    this.dropped = lowestPerPartition(this.dropped, this.subscriptions.dropBuffered(this.trackers.partitions()));
  }

  /**
   * Exactly-once: a newly assigned partition starts at the offset its previous owner committed, read
   * after the fence; records fetched from an older position before that are skipped.
   */
  startAt(position: TopicPartitionOffset): void {
    this.floors.set(partitionKeyOf(position.topic, position.partition), position.offset);
    this.consumer?.seek(position);
  }

  private noteRefused(key: string, offset: number): void {
    const known = this.refused.get(key);
    if (known === undefined || offset < known) this.refused.set(key, offset);
  }

  onLeaseLapsed(): void {
    if (this.released !== undefined || this.leaseHold) return;
    this.leaseHold = true;
    this.holdOutputs();
    this.hooks.log.warn('no heartbeat answered for half the session timeout: holding outputs and commits until one is (an expelled worker must not write)', { partitions: this.trackers.size });
  }

  onLeaseRenewed(): void {
    if (!this.leaseHold) return;
    this.leaseHold = false;
    const assignment = this.lastAssignment;
    if (this.released === undefined && !this.assigning && assignment !== undefined) this.hooks.releaseOutputs(assignment);
    this.hooks.log.info('heartbeats answered again: held outputs go out');
  }

  /**
   * The member went without a successful heartbeat for longer than its session timeout: the group
   * may have handed its partitions to others already. Nothing more is taken, committed or written
   * for them until the member rejoined; the driver then revokes everything it held.
   */
  onMembershipLost(): void {
    if (this.released !== undefined) return;
    this.refusing = true;
    this.released = this.subscriptions.dropBuffered(this.trackers.partitions());
    this.holdOutputs();
    this.hooks.log.warn('no heartbeat for longer than the session timeout: this worker may have been expelled from its group; holding its outputs until it rejoined', { partitions: this.trackers.size });
  }

  /**
   * Gives every partition up in place (exactly-once after a failed transaction): nothing more is
   * taken, committed or written for them, and the next assignment starts each of them afresh — its
   * table state recovered again and its events read again from the committed offset — even if the
   * consumer keeps it without revoking it first.
   */
  abandonAll(why: string): void {
    this.abandoned = true;
    // What handlers still do for the delivered events is void: their writes and outputs are dropped.
    this.trackers.retireInPlace();
    if (this.released !== undefined) return;
    this.refusing = true;
    this.released = this.subscriptions.dropBuffered(this.trackers.partitions());
    this.holdOutputs();
    this.hooks.log.warn(`${why}: holding outputs and commits of every partition until the group assigned them again`, { partitions: this.trackers.size });
  }

  /** The partitions an abandonAll gave up are revoked here, whether or not the consumer revoked them. */
  private forgetAbandoned(): void {
    this.abandoned = false;
    const stale = this.trackers.partitions();
    this.subscriptions.dropBuffered(stale);
    if (stale.length > 0) this.hooks.onPartitionsRevoked(stale);
    for (const key of this.trackers.keys()) this.trackers.retire(key);
    this.released?.clear();
    this.refused.clear();
    this.floors.clear();
  }

  /** Partitions that stay after a release read again from their first dropped or refused offset. */
  private rewindKept(released: ReadonlyMap<string, number>): void {
    const rewound = this.trackers.truncate((key) => {
      const dropped = released.get(key);
      const refused = this.refused.get(key);
      return dropped === undefined ? refused : refused === undefined ? dropped : Math.min(dropped, refused);
    });
    for (const position of rewound) this.consumer?.seek(position);
    this.refused.clear();
    this.released = undefined;
    this.refusing = false;
    this.dropped = undefined;
  }

  private async waitUntil(done: () => boolean, deadlineMs: number): Promise<void> {
    while (!done() && Date.now() < deadlineMs && this.hooks.agentsRunning()) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  private async waitForInFlight(revoked: readonly TopicPartition[], firstDropped: ReadonlyMap<string, number>, deadlineMs = Date.now() + 30_000): Promise<void> {
    const deadline = deadlineMs;
    while (this.hooks.agentsRunning()) {
      const busy = revoked.filter((tp) => {
        const key = partitionKeyOf(tp.topic, tp.partition);
        return this.trackers.busy(key, firstDropped.get(key));
      });
      if (busy.length === 0) return;
      if (Date.now() > deadline) {
        this.hooks.log.warn('revoke: events still in handlers at the deadline; committing up to them', { partitions: busy.length });
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

/** `topic[partition]@offset` of each, for debug lines. */
function describeOffsets(offsets: readonly TopicPartitionOffset[]): string[] {
  return offsets.map((o) => `${o.topic}[${o.partition}]@${o.offset}`);
}
