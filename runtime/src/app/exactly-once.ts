import { describeError, FaustgenError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Conductor } from '../consumer/conductor.js';
import { PartitionTransactions } from '../consumer/transactions.js';
import type { Admin, GroupAssignment, Producer, TopicPartition, TopicPartitionOffset, Transport } from '../types/transport.js';

/** How the app lets exactly-once start a partition over after a failed transaction. */
export interface RevivalHooks {
  /** Nothing more is taken, committed or written for any partition until the next assignment. */
  abandonPartitions(why: string): void;
  /** Rejoins the group with every partition as new; false when the consumer cannot. */
  rejoin(): boolean;
  crash(error: FaustgenError): void;
  /** True once the app is stopping: a failure then needs no revival. */
  stopping(): boolean;
}

/**
 * Failed transactions in a row (no commit succeeding in between) that are handled in place; one more
 * stops the worker, so a fault that never clears does not loop for ever.
 */
const MAX_REVIVALS_IN_A_ROW = 10;

/**
 * `processingGuarantee: exactly_once` for an app: per-partition transactions on assignment and at
 * each commit. On a driver without transactions (the embedded broker, which lives and dies with its
 * only process) the app runs at-least-once and says so once.
 *
 * A transaction that fails (fenced by a worker that took the partition, a send or an EndTxn a broker
 * failure broke) is handled as Kafka Streams handles a migrated or corrupted task, in place: every
 * partition is abandoned (outputs held, nothing committed), the producers are discarded (their open
 * transactions abort), and the member rejoins with every partition as new, so tables are recovered
 * from the committed changelog and events processed again from the committed offsets.
 */
export class ExactlyOnce {
  private transactions: PartitionTransactions | undefined;
  private admin: Admin | undefined;
  private reviving = false;
  /** Source topics whose events are processed inside transactions (set at the first assignment). */
  private sourceTopics: ReadonlySet<string> = new Set();
  private failuresInARow = 0;

  constructor(
    private readonly appId: string,
    private readonly log: Logger,
    private readonly hooks: RevivalHooks,
  ) {}

  get active(): boolean {
    return this.transactions !== undefined;
  }

  start(transport: Transport, admin: Admin): void {
    const create = transport.createTransactionalProducer?.bind(transport);
    if (create === undefined) {
      this.log.info(`processingGuarantee exactly_once: the ${transport.driver} broker has no transactions; processing is at-least-once there`);
      return;
    }
    this.admin = admin;
    this.transactions = new PartitionTransactions(create, this.appId, this.log.child('transactions'), (error, transactionalId) => this.failed(error, transactionalId));
  }

  /**
   * Before the assignment's tables recover: fence the previous owners of new source partitions (their
   * open transactions abort), then start those partitions at the offsets committed until then.
   */
  async assign(assignment: GroupAssignment, sourceTopics: ReadonlySet<string>, conductor: Conductor): Promise<void> {
    const transactions = this.transactions;
    const admin = this.admin;
    if (transactions === undefined || admin === undefined) return;
    this.sourceTopics = sourceTopics;
    const sources = assignment.assignment.actives.filter((tp) => sourceTopics.has(tp.topic));
    const failuresBefore = this.failuresInARow;
    const fresh = await transactions.assign(sources);
    if (this.failuresInARow !== failuresBefore) {
      // A transaction failed while this assignment started its producers: the producers it kept are
      // as void as the others; the rejoin under way assigns everything anew.
      await transactions.discardAll();
      return;
    }
    this.reviving = false;
    const topics = new Set(fresh.map((tp) => tp.topic));
    for (const topic of topics) {
      const committed = new Map((await admin.fetchCommitted(this.appId, topic)).map((o) => [o.partition, o.offset]));
      for (const tp of fresh) {
        const offset = tp.topic === topic ? committed.get(tp.partition) : undefined;
        if (offset === undefined) continue;
        conductor.startAt({ topic, partition: tp.partition, offset });
        this.log.debug('partition starts at its committed offset', { topic, partition: tp.partition, offset });
      }
    }
  }

  /** True when events of this topic are processed inside transactions (not an in-memory channel). */
  isTransactional(topic: string): boolean {
    return this.transactions !== undefined && this.sourceTopics.has(topic);
  }

  producerFor(topic: string, partition: number): Producer | undefined {
    return this.transactions?.producerFor(topic, partition);
  }

  /** Commits every partition's transaction; a failure starts the partitions over (see the class). */
  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const transactions = this.transactions;
    if (transactions === undefined) return;
    try {
      await transactions.commit(this.appId, offsets);
    } catch (error) {
      this.failed(error, undefined);
      throw error;
    }
    this.failuresInARow = 0;
  }

  /**
   * These partitions were revoked (and may come back, e.g. after a lost membership): their open
   * transactions hold work of events that are processed again from the committed offsets, so their
   * producers are discarded now and a later assignment fences and starts them afresh.
   */
  release(revoked: readonly TopicPartition[]): void {
    void this.transactions?.discard(revoked);
  }

  /** An output of a live event was dropped (OutputRouter.guardDropped): started over like a failed transaction. */
  outputDropped(failure: FaustgenError): void {
    this.failed(failure, undefined);
  }

  async stop(): Promise<void> {
    await this.transactions?.stop();
    this.transactions = undefined;
  }

  private failed(error: unknown, transactionalId: string | undefined): void {
    if (this.reviving || this.hooks.stopping()) return;
    const failure = FaustgenError.is(error) ? error : new FaustgenError('FG_TRANSPORT', `transaction failed: ${describeError(error)}`, { cause: error });
    const where = { ...(transactionalId === undefined ? {} : { transactionalId }), code: failure.code, error: failure.message };
    if (++this.failuresInARow > MAX_REVIVALS_IN_A_ROW) {
      this.log.error(`transactions failed ${this.failuresInARow} times in a row without a commit in between; stopping the worker with its events uncommitted`, where);
      this.hooks.crash(failure);
      return;
    }
    this.reviving = true;
    const why = failure.code === 'FG_FENCED' ? 'another worker fenced a transactional producer of this worker (its partition may have moved)' : 'a transaction failed';
    this.log.warn(`${why}: its open transactions abort; every partition starts over from its committed offset and changelog after a rejoin`, { ...where, attempt: this.failuresInARow });
    this.hooks.abandonPartitions(why);
    void this.transactions?.discardAll();
    if (!this.hooks.rejoin()) this.hooks.crash(failure);
  }
}
