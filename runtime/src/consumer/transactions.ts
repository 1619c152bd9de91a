import { partitionKeyOf } from '../core/partition-key.js';
import type { Logger } from '../core/logger.js';
import type { Producer, TopicPartition, TopicPartitionOffset, TransactionalProducer, TransactionEvents } from '../types/transport.js';


/**
 * Exactly-once processing (docs/adr/0004-safe-handoff.md): one transactional producer per active
 * source partition. Everything processing an event of that partition produces (sink records, table
 * changelog records, repartition forwards, replies) goes through its producer, and the partition's
 * offset commits in the same transaction. Starting the producer of a newly assigned partition fences
 * the partition's previous owner, so it runs before that partition's tables recover.
 */
export class PartitionTransactions {
  private readonly producers = new Map<string, { readonly tp: TopicPartition; readonly producer: TransactionalProducer }>();

  constructor(
    private readonly createProducer: (transactionalId: string, events: TransactionEvents) => TransactionalProducer,
    private readonly appId: string,
    private readonly log: Logger,
    /** A current producer's transaction broke (a send failed, or it was fenced). */
    private readonly onBroken: (error: Error, transactionalId: string) => void,
  ) {}

  /** The producer of an event's source partition, or undefined when the partition is not active here. */
  producerFor(topic: string, partition: number): Producer | undefined {
    return this.producers.get(partitionKeyOf(topic, partition))?.producer;
  }

  /** Stops the producers of partitions that left, starts (and so fences) those of new ones. Returns the new partitions. */
  async assign(sources: readonly TopicPartition[]): Promise<TopicPartition[]> {
    const wanted = new Map(sources.map((tp) => [partitionKeyOf(tp.topic, tp.partition), tp]));
    const gone = [...this.producers].filter(([key]) => !wanted.has(key));
    for (const [key] of gone) this.producers.delete(key);
    await Promise.all(gone.map(([, { producer }]) => producer.discard().catch(() => undefined)));
    const fresh = [...wanted].filter(([key]) => !this.producers.has(key)).map(([, tp]) => tp);
    await Promise.all(
      fresh.map(async (tp) => {
        const key = partitionKeyOf(tp.topic, tp.partition);
        const transactionalId = `${this.appId}-${tp.topic}-${tp.partition}`;
        const producer = this.createProducer(transactionalId, {
          // Only the partition's current producer speaks: a discarded one's failures are expected.
          broken: (error) => {
            if (this.producers.get(key)?.producer === producer) this.onBroken(error, transactionalId);
          },
        });
        await producer.start();
        this.producers.set(key, { tp, producer });
      }),
    );
    if (fresh.length > 0 || gone.length > 0) this.log.info('transactional producers assigned', { started: fresh.length, stopped: gone.length, active: this.producers.size });
    return fresh;
  }

  /** Commits every partition's transaction with its offset; throws when any fails (the worker must stop). */
  async commit(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const byPartition = new Map(offsets.map((o) => [partitionKeyOf(o.topic, o.partition), o]));
    await Promise.all(
      [...this.producers].map(([key, { producer }]) => {
        const offset = byPartition.get(key);
        return producer.commitTransaction(groupId, offset === undefined ? [] : [offset]);
      }),
    );
  }

  /**
   * Every partition starts afresh at the next assignment: the producers are discarded (their open
   * transactions abort, what they still send fails as revoked), so new ones fence and start from the
   * committed offsets.
   */
  async discard(partitions: readonly TopicPartition[]): Promise<void> {
    const gone: TransactionalProducer[] = [];
    for (const tp of partitions) {
      const key = partitionKeyOf(tp.topic, tp.partition);
      const entry = this.producers.get(key);
      if (entry === undefined) continue;
      this.producers.delete(key);
      gone.push(entry.producer);
    }
    await Promise.all(gone.map((producer) => producer.discard().catch(() => undefined)));
  }

  async discardAll(): Promise<void> {
    await this.discard([...this.producers.values()].map(({ tp }) => tp));
  }


  async stop(): Promise<void> {
    const all = [...this.producers.values()];
    this.producers.clear();
    await Promise.all(all.map(({ producer }) => producer.stop().catch(() => undefined)));
  }
}
