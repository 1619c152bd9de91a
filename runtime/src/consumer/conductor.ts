import { describeError, FaustgenError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Agent } from '../agents/agent.js';
import type { Topic } from '../topics/topic.js';
import type { ConsumedRecord, ConsumerListener, GroupAssignment, GroupConsumer, TopicPartition, TopicPartitionOffset } from '../types/transport.js';
import { PartitionOffsetTracker } from './offset-tracker.js';

export interface Subscriber {
  readonly agent: Agent<unknown, unknown, unknown>;
  readonly topic: Topic<unknown, unknown>;
}

export interface ConductorHooks {
  readonly log: Logger;
  /** Waits until every record sent so far (sinks, changelogs, forwards) is acknowledged. */
  flushProducer(): Promise<void>;
  /** Moves buffered table writes into the stores. */
  flushTables(): void;
  /** False once the agents are stopped: nothing is in flight any more, so revoke need not wait. */
  agentsRunning(): boolean;
  /** Topics the consumer subscribes for assignment only: their records are read elsewhere. */
  isAssignmentOnly(topic: string): boolean;
  onAssigned(assignment: GroupAssignment): Promise<void>;
  onError(error: Error): void;
  onRebalancing(): void;
  /** Told of each batch of records of one partition (the sensors count them). */
  onMessagesIn?(topic: string, partition: number, count: number): void;
}

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Routes consumed records to the agents subscribed to their topic, tracks which offsets are fully
 * processed, and commits. Every commit first flushes the producer and the tables, so an offset is
 * committed only after everything its events produced is on the broker and in the stores.
 */
export class Conductor implements ConsumerListener {
  private readonly subscribers = new Map<string, Subscriber[]>();
  private readonly trackers = new Map<string, { readonly tp: TopicPartition; readonly tracker: PartitionOffsetTracker }>();
  private readonly revoking = new Set<string>();
  private consumer: GroupConsumer | undefined;
  private commitChain: Promise<void> = Promise.resolve();
  private lastAssignment: GroupAssignment | undefined;
  /** Events handed to agents since start; read by metrics and the test driver. */
  delivered = 0;

  constructor(private readonly hooks: ConductorHooks) {}

  subscribe(subscriber: Subscriber): void {
    const list = this.subscribers.get(subscriber.topic.name) ?? [];
    list.push(subscriber);
    this.subscribers.set(subscriber.topic.name, list);
  }

  subscribedTopics(): string[] {
    return [...this.subscribers.keys()];
  }

  attach(consumer: GroupConsumer): void {
    this.consumer = consumer;
  }

  get assignment(): GroupAssignment | undefined {
    return this.lastAssignment;
  }

  async onAssigned(assignment: GroupAssignment): Promise<void> {
    this.lastAssignment = assignment;
    const keep = new Set<string>();
    const assignmentOnly: TopicPartition[] = [];
    for (const tp of [...assignment.assignment.actives, ...assignment.assignment.standbys]) {
      if (this.hooks.isAssignmentOnly(tp.topic)) {
        assignmentOnly.push(tp);
        continue;
      }
      const key = tpKey(tp.topic, tp.partition);
      keep.add(key);
      if (!this.trackers.has(key)) this.trackers.set(key, { tp, tracker: new PartitionOffsetTracker() });
    }
    for (const key of [...this.trackers.keys()]) if (!keep.has(key)) this.trackers.delete(key);
    if (assignmentOnly.length > 0) this.consumer?.pause(assignmentOnly);
    await this.hooks.onAssigned(assignment);
  }

  async onRevoked(revoked: readonly TopicPartition[]): Promise<void> {
    const byTopic = new Map<string, Set<number>>();
    for (const tp of revoked) {
      this.revoking.add(tpKey(tp.topic, tp.partition));
      const set = byTopic.get(tp.topic) ?? new Set<number>();
      set.add(tp.partition);
      byTopic.set(tp.topic, set);
    }
    // Buffered events nobody started are dropped: the first of them bounds the commit, so the new
    // owner reads them again. Events already in a handler are waited for.
    const firstDropped = new Map<string, number>();
    for (const [topic, partitions] of byTopic) {
      for (const subscriber of this.subscribers.get(topic) ?? []) {
        for (const event of subscriber.agent.dropPartitions(topic, partitions)) {
          const key = tpKey(event.topic, event.partition);
          const known = firstDropped.get(key);
          if (known === undefined || event.offset < known) firstDropped.set(key, event.offset);
        }
      }
    }
    await this.waitForInFlight(revoked, firstDropped);
    await this.commit(firstDropped);
    for (const tp of revoked) {
      const key = tpKey(tp.topic, tp.partition);
      this.trackers.delete(key);
      this.revoking.delete(key);
    }
  }

  async onRecords(records: readonly ConsumedRecord[]): Promise<void> {
    const first = records[0];
    if (first === undefined || this.hooks.isAssignmentOnly(first.topic)) return;
    const key = tpKey(first.topic, first.partition);
    const entry = this.trackers.get(key);
    if (entry === undefined) return;
    this.hooks.onMessagesIn?.(first.topic, first.partition, records.length);
    const subscribers = this.subscribers.get(first.topic) ?? [];
    const tracker = entry.tracker;
    // A revoke can only start while this loop waits: checked before the first record and before
    // each record that follows a wait (a record is given to all its subscribers or to none).
    let waited = true;
    for (const record of records) {
      if (waited && this.revoking.has(key)) return;
      waited = false;
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

  /** Commits every partition up to its first unprocessed event; commits run one at a time. */
  commit(bounds: ReadonlyMap<string, number> = new Map()): Promise<void> {
    const run = this.commitChain.then(() => this.commitNow(bounds));
    this.commitChain = run.catch(() => undefined);
    return run;
  }

  /**
   * Offsets per partition (for tests and health): committed by this worker, delivered up to
   * (`position`), and processed up to (`processed`: the first event not fully acked, or the end of
   * what was delivered); the last two are undefined until something was delivered.
   */
  positions(): { topic: string; partition: number; committed: number | undefined; pending: number; position: number | undefined; processed: number | undefined }[] {
    return [...this.trackers.values()].map(({ tp, tracker }) => ({
      topic: tp.topic,
      partition: tp.partition,
      committed: tracker.lastCommitted(),
      pending: tracker.pending(),
      position: tracker.position(),
      processed: tracker.firstPending() ?? tracker.position(),
    }));
  }

  /** True when every delivered event is acked. */
  idle(): boolean {
    for (const { tracker } of this.trackers.values()) if (tracker.pending() > 0) return false;
    return true;
  }

  private async commitNow(bounds: ReadonlyMap<string, number>): Promise<void> {
    const offsets: TopicPartitionOffset[] = [];
    const trackers: PartitionOffsetTracker[] = [];
    for (const [key, { tp, tracker }] of this.trackers) {
      let offset = tracker.committable() ?? tracker.lastCommitted();
      const bound = bounds.get(key);
      if (bound !== undefined && (offset === undefined || bound < offset)) offset = bound;
      if (offset === undefined || offset === tracker.lastCommitted()) continue;
      offsets.push({ topic: tp.topic, partition: tp.partition, offset });
      trackers.push(tracker);
    }
    await this.hooks.flushProducer();
    this.hooks.flushTables();
    if (offsets.length === 0 || this.consumer === undefined) return;
    try {
      await this.consumer.commit(offsets);
      offsets.forEach((o, i) => trackers[i]?.markCommitted(o.offset));
      this.hooks.log.debug('committed', { partitions: offsets.length });
    } catch (error) {
      if (FaustgenError.is(error) && error.retriable) {
        this.hooks.log.warn('commit deferred (rebalance in progress)', { error: describeError(error) });
        return;
      }
      throw error;
    }
  }

  private async waitForInFlight(revoked: readonly TopicPartition[], firstDropped: ReadonlyMap<string, number>): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (this.hooks.agentsRunning()) {
      const busy = revoked.filter((tp) => {
        const key = tpKey(tp.topic, tp.partition);
        const pending = this.trackers.get(key)?.tracker.firstPending();
        if (pending === undefined) return false;
        const dropped = firstDropped.get(key);
        return dropped === undefined || pending < dropped;
      });
      if (busy.length === 0) return;
      if (Date.now() > deadline) {
        this.hooks.log.warn('revoke: events still in flight after 30 s; committing up to them', { partitions: busy.length });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
