import { FaustgenError } from '../../core/errors.js';
import type {
  ConsumerListener,
  GroupAssignment,
  GroupConsumer,
  GroupConsumerOptions,
  MemberAssignment,
  MemberMetadata,
  TopicPartition,
  TopicPartitionOffset,
} from '../../types/transport.js';
import type { MemoryBroker } from './broker.js';
import { PartitionFetcher } from './fetcher.js';
import type { GroupCoordinator, GroupMemberHandle } from './group-coordinator.js';
import { describeTp, tpKey } from './topic-partition-key.js';

type State = 'idle' | 'running' | 'stopping' | 'stopped';

const noAssignment: MemberAssignment = { actives: [], standbys: [] };

/**
 * A member of a memory-broker consumer group. It delivers actives and standbys alike through
 * `onRecords`, one delivery loop per partition; the listener tells them apart by the assignment.
 *
 * Start positions: the group's committed offset, else `autoOffsetReset` for actives. Standbys
 * without a committed offset start at the beginning whatever `autoOffsetReset` says, because they
 * mirror changelogs that must be read in full; the runtime may `seek` them inside onAssigned.
 *
 * Revocation stops every loop first, waits for the batches in flight, and only then calls
 * onRevoked: when onRevoked runs, no record of the revoked partitions is being or will be delivered.
 * Ownership (for `commit`) ends when onRevoked resolves, so onRevoked may commit.
 */
export class MemoryGroupConsumer implements GroupConsumer, GroupMemberHandle {
  readonly memberId: string;
  private readonly broker: MemoryBroker;
  private readonly options: GroupConsumerOptions;
  private readonly coordinator: GroupCoordinator;
  private state: State = 'idle';
  private listener: ConsumerListener | undefined;
  private current: GroupAssignment | undefined;
  private owned = new Set<string>();
  private previous: MemberAssignment = noAssignment;
  private readonly fetchers = new Map<string, PartitionFetcher>();
  /** Revoke, assign and stop run one after another, never interleaved. */
  private queue: Promise<void> = Promise.resolve();

  constructor(broker: MemoryBroker, options: GroupConsumerOptions) {
    this.broker = broker;
    this.options = options;
    this.coordinator = broker.group(options.groupId);
    this.memberId = broker.nextMemberId(options.groupId);
  }

  /** The generation and assignment currently held, if any (for tests and diagnostics). */
  get assignment(): GroupAssignment | undefined {
    return this.current;
  }

  /** Joins the group. The assignment arrives later through onAssigned, as with Kafka. */
  async start(listener: ConsumerListener): Promise<void> {
    if (this.state !== 'idle') {
      throw new FaustgenError('FG_APP_STATE', `consumer ${this.memberId} of group "${this.options.groupId}" was already started`, {
        details: { groupId: this.options.groupId, state: this.state },
      });
    }
    this.listener = listener;
    this.state = 'running';
    this.coordinator.join(this);
  }

  /** Revokes everything (onRevoked is awaited), then leaves the group, which rebalances the rest. */
  async stop(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopping';
    await this.serial(() => this.revokeNow());
    this.coordinator.leave(this.memberId);
    this.state = 'stopped';
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    for (const tp of offsets) {
      if (!this.owned.has(tpKey(tp))) {
        throw new FaustgenError(
          'FG_TRANSPORT',
          `cannot commit ${describeTp(tp)} for group "${this.options.groupId}": member ${this.memberId} does not own it (it was revoked or never assigned)`,
          { details: { groupId: this.options.groupId, topic: tp.topic, partition: tp.partition, offset: tp.offset, generation: this.current?.generation } },
        );
      }
      assertOffset(tp);
    }
    this.coordinator.commit(offsets);
  }

  seek(position: TopicPartitionOffset): void {
    assertOffset(position);
    this.fetcherOf(position, 'seek').seek(position.offset);
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.fetchers.get(tpKey(tp))?.pause();
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.fetchers.get(tpKey(tp))?.resume();
  }

  metadata(): MemberMetadata {
    const { version, changelogTopics, globalTopics, standbyReplicas, url } = this.options.metadata;
    return { version, topics: this.options.topics, changelogTopics, globalTopics, standbyReplicas, url, previous: this.previous };
  }

  revokeAll(): Promise<void> {
    return this.serial(() => this.revokeNow());
  }

  assign(assignment: GroupAssignment): Promise<void> {
    return this.serial(() => this.assignNow(assignment));
  }

  private serial(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async revokeNow(): Promise<void> {
    const current = this.current;
    if (current === undefined) return;
    await Promise.all([...this.fetchers.values()].map((fetcher) => fetcher.stop()));
    try {
      await this.listener?.onRevoked([...current.assignment.actives, ...current.assignment.standbys]);
    } catch (error) {
      this.report(error);
    }
    this.fetchers.clear();
    this.owned = new Set();
    this.current = undefined;
  }

  private async assignNow(assignment: GroupAssignment): Promise<void> {
    const listener = this.listener;
    if (this.state !== 'running' || listener === undefined) return;
    this.current = assignment;
    this.previous = assignment.assignment;
    this.owned = new Set(assignment.assignment.actives.map(tpKey));
    const deliver = (records: Parameters<ConsumerListener['onRecords']>[0]): Promise<void> => listener.onRecords(records);
    const onError = (error: unknown): void => this.report(error);
    for (const [tp, isActive] of [
      ...assignment.assignment.actives.map((tp) => [tp, true] as const),
      ...assignment.assignment.standbys.map((tp) => [tp, false] as const),
    ]) {
      const topic = this.broker.topic(tp.topic);
      const log = topic?.partitions[tp.partition];
      // Deleted since the assignor ran: the deletion has already scheduled another rebalance.
      if (log === undefined) continue;
      const committed = this.coordinator.committedOffset(tp.topic, tp.partition);
      const reset = isActive && this.options.autoOffsetReset === 'latest' ? log.high : log.low;
      this.fetchers.set(tpKey(tp), new PartitionFetcher(log, committed ?? reset, deliver, onError));
    }
    try {
      await listener.onAssigned(assignment);
    } catch (error) {
      // Without a successful onAssigned (e.g. failed table recovery) delivering would be wrong.
      this.report(error);
      return;
    }
    if (this.current !== assignment || this.state !== 'running') return;
    for (const fetcher of this.fetchers.values()) fetcher.start();
  }

  private fetcherOf(tp: TopicPartition, operation: string): PartitionFetcher {
    const fetcher = this.fetchers.get(tpKey(tp));
    if (fetcher === undefined) {
      throw new FaustgenError('FG_APP_STATE', `cannot ${operation} ${describeTp(tp)}: it is not assigned to member ${this.memberId} of group "${this.options.groupId}"`, {
        details: { groupId: this.options.groupId, topic: tp.topic, partition: tp.partition },
      });
    }
    return fetcher;
  }

  private report(error: unknown): void {
    this.listener?.onError(error instanceof Error ? error : new Error(String(error)));
  }
}

function assertOffset(tp: TopicPartitionOffset): void {
  if (!Number.isSafeInteger(tp.offset) || tp.offset < 0) {
    throw new FaustgenError('FG_SETTING_INVALID', `offset ${tp.offset} for ${describeTp(tp)} is not a non-negative whole number`, {
      details: { topic: tp.topic, partition: tp.partition, offset: tp.offset },
    });
  }
}
