import type { Logger } from '../core/logger.js';
import type { Conductor } from '../consumer/conductor.js';
import { PartitionTransactions } from '../consumer/transactions.js';
import type { Admin, GroupAssignment, Producer, TopicPartitionOffset, Transport } from '../types/transport.js';

/**
 * `processingGuarantee: exactly_once` for an app: per-partition transactions on assignment and at
 * each commit. On a driver without transactions (the embedded broker, which lives and dies with its
 * only process) the app runs at-least-once and says so once.
 */
export class ExactlyOnce {
  private transactions: PartitionTransactions | undefined;
  private admin: Admin | undefined;

  constructor(
    private readonly appId: string,
    private readonly log: Logger,
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
    this.transactions = new PartitionTransactions(create, this.appId, this.log.child('transactions'));
  }

  /**
   * Before the assignment's tables recover: fence the previous owners of new source partitions (their
   * open transactions abort), then start those partitions at the offsets committed until then.
   */
  async assign(assignment: GroupAssignment, sourceTopics: ReadonlySet<string>, conductor: Conductor): Promise<void> {
    const transactions = this.transactions;
    const admin = this.admin;
    if (transactions === undefined || admin === undefined) return;
    const sources = assignment.assignment.actives.filter((tp) => sourceTopics.has(tp.topic));
    const fresh = await transactions.assign(sources);
    const topics = new Set(fresh.map((tp) => tp.topic));
    for (const topic of topics) {
      const committed = new Map((await admin.fetchCommitted(this.appId, topic)).map((o) => [o.partition, o.offset]));
      for (const tp of fresh) {
        const offset = tp.topic === topic ? committed.get(tp.partition) : undefined;
        if (offset !== undefined) conductor.startAt({ topic, partition: tp.partition, offset });
      }
    }
  }

  producerFor(topic: string, partition: number): Producer | undefined {
    return this.transactions?.producerFor(topic, partition);
  }

  commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    return this.transactions?.commit(this.appId, offsets) ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.transactions?.stop();
    this.transactions = undefined;
  }
}
