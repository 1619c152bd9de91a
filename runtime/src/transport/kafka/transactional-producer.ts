import type { Producer as KafkaJsProducer, ProducerBatch, ProducerConfig, RecordMetadata as KafkaJsRecordMetadata, Transaction } from 'kafkajs';
import { FaustgenError } from '../../core/errors.js';
import type { TopicPartitionOffset, TransactionalProducer, TransactionEvents } from '../../types/transport.js';
import type { KafkaDriverOptions } from './config.js';
import { isFencedError, wrapKafkaError } from './errors.js';
import { partitionForKey } from '../partitioner.js';
import { KafkaProducer } from './producer.js';
import { TransactionState } from '../transaction-state.js';

/**
 * A producer whose records and consumer-group offsets commit atomically (exactly-once). kafkajs's
 * TxnOffsetCommit carries the group id only, so zombies are fenced by the transactional id, one per
 * source partition (`<app id>-<topic>-<partition>`, as Faust does): starting it bumps the id's epoch,
 * which aborts the previous owner's open transaction and makes its every later write fail.
 *
 * A kafkajs transaction is only client-side state until its first send or offsets, so one is opened
 * lazily and committed only when it holds something.
 */
export class KafkaTransactionalProducer extends KafkaProducer implements TransactionalProducer {
  private transaction: Promise<Transaction> | undefined;
  private readonly state: TransactionState;
  /** Batches go out one after another: see transmit(). */
  private sending: Promise<unknown> = Promise.resolve();

  /** Round-robin position per topic for records without key or partition (see onePartitionEach). */
  private readonly nextByTopic = new Map<string, number>();

  constructor(
    options: KafkaDriverOptions,
    readonly transactionalId: string,
    events?: TransactionEvents,
    partitionCounts?: Map<string, number>,
  ) {
    super(options, partitionCounts);
    this.state = new TransactionState(transactionalId, events);
  }

  /** Connects and registers the transactional id with its coordinator: this is the fence. */
  override async start(): Promise<void> {
    await super.start();
    try {
      await this.open();
    } catch (error) {
      await super.stop().catch(() => undefined);
      throw this.wrap(error, 'could not initialise its transactions');
    }
  }

  protected override producerConfig(): ProducerConfig {
    // A send inside a transaction cannot be re-sent by faustgen (the transaction would have to abort),
    // so kafkajs's own retries must outlast a leader failover (about 10 s on a default cluster). They
    // start short: the first sends after a commit routinely meet CONCURRENT_TRANSACTIONS while the
    // coordinator still writes the commit's markers (Java's producer retries those after 20 ms).
    return {
      ...super.producerConfig(),
      transactionalId: this.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 15, initialRetryTime: 50, maxRetryTime: 5_000 },
    };
  }

  protected override resendsFailedBatches(): boolean {
    return false;
  }

  protected override unanswered(error: FaustgenError): FaustgenError {
    return this.state.unanswered(error);
  }

  protected override async transmit(_producer: KafkaJsProducer, batch: ProducerBatch): Promise<KafkaJsRecordMetadata[]> {
    // Inside a transaction a failed send cannot be retried on its own: the transaction aborts.
    // One batch at a time: kafkajs adds a batch's new partitions to the transaction before producing
    // it, and a second batch sent meanwhile overtook the first (a changelog value written before an
    // older one of the same key, found by the exactly-once kill test). Within a batch, one kafkajs
    // call per partition, in turn: see onePartitionEach.
    const previous = this.sending;
    const run = (async (): Promise<KafkaJsRecordMetadata[]> => {
      await previous.catch(() => undefined);
      this.state.checkSend();
      const transaction = await this.open();
      this.state.sent = true;
      // One partition after another: kafkajs's transaction state is not made for concurrent sends
      // (concurrent AddPartitionsToTxn of one producer are refused as CONCURRENT_TRANSACTIONS).
      const results: KafkaJsRecordMetadata[] = [];
      for (const part of onePartitionEach(batch, this.partitionCounts, this.nextByTopic)) results.push(...(await transaction.sendBatch(part)));
      return results;
    })();
    this.sending = run.catch(() => undefined);
    try {
      return await run;
    } catch (error) {
      throw this.state.failedSend(error, (e) => this.wrap(e, 'failed to send inside its transaction'));
    }
  }

  /**
   * Its partition moved to another worker: abort what is open and stop, without waiting for sends
   * that can only fail now. Those fail with FG_PARTITION_REVOKED, which callers drop quietly (the new
   * owner processes their events again), rather than as a fault that stops the worker.
   */
  async discard(): Promise<void> {
    this.state.discarding = true;
    await this.abortTransaction().catch(() => undefined);
    await super.stop().catch(() => undefined);
  }

  async commitTransaction(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const aborts = this.state.aborts;
    await this.flush();
    if (!this.state.readyToCommit(aborts, offsets.length)) return;
    const transaction = await this.open();
    try {
      if (offsets.length > 0) {
        const topics = new Map<string, { partition: number; offset: string }[]>();
        for (const o of offsets) topics.set(o.topic, [...(topics.get(o.topic) ?? []), { partition: o.partition, offset: String(o.offset) }]);
        await transaction.sendOffsets({ consumerGroupId: groupId, topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) });
      }
      await transaction.commit();
    } catch (error) {
      throw this.state.commitFailed(this.wrap(error, 'failed to commit its transaction'));
    }
    this.transaction = undefined;
    this.state.sent = false;
  }

  async abortTransaction(): Promise<void> {
    const transaction = this.transaction;
    this.transaction = undefined;
    this.state.aborted();
    if (transaction === undefined) return;
    const open = await transaction.catch(() => undefined);
    if (open?.isActive() === true) await open.abort().catch(() => undefined);
  }

  override async stop(): Promise<void> {
    await this.abortTransaction().catch(() => undefined);
    await super.stop();
  }

  private open(): Promise<Transaction> {
    const producer = this.producer;
    if (producer === undefined) return Promise.reject(new FaustgenError('FG_APP_STATE', `transactional producer ${this.transactionalId} is not started`));
    this.transaction ??= producer.transaction();
    return this.transaction;
  }

  private wrap(error: unknown, what: string): FaustgenError {
    if (FaustgenError.is(error)) return error;
    if (isFencedError(error)) return this.state.fenced(error);
    return wrapKafkaError(error, `transactional producer ${this.transactionalId} ${what}`, { transactionalId: this.transactionalId });
  }
}

/**
 * Splits a batch into one batch per topic partition (sent one after another). A kafkajs send that spans
 * several brokers writes records twice when one broker's request fails while another's is still in
 * flight: its retry re-sends every broker without an answer yet, the slow one too, with the next
 * sequence numbers — so the broker takes both copies, in the same transaction (the rolling-restart
 * test under exactly_once had 134 outputs twice, identical, after CONCURRENT_TRANSACTIONS retries).
 * A send of one partition goes to one broker, and its retry only follows its own failure.
 */
export function onePartitionEach(batch: ProducerBatch, partitionCounts: ReadonlyMap<string, number>, nextByTopic: Map<string, number>): ProducerBatch[] {
  const parts: ProducerBatch[] = [];
  for (const { topic, messages } of batch.topicMessages ?? []) {
    const count = partitionCounts.get(topic);
    const byPartition = new Map<number, typeof messages>();
    for (const message of messages) {
      // Placed here as the partitioner would place it (it keeps an explicit partition). A topic whose
      // count kafkajs has not told yet (the first batch to it) goes out as one call.
      if ((message.partition === undefined || message.partition === null) && count !== undefined) {
        if (message.key === undefined || message.key === null) {
          const next = nextByTopic.get(topic) ?? 0;
          nextByTopic.set(topic, next + 1);
          message.partition = next % count;
        } else {
          message.partition = partitionForKey(typeof message.key === 'string' ? Buffer.from(message.key) : message.key, count);
        }
      }
      const partition = message.partition ?? -1;
      let list = byPartition.get(partition);
      if (list === undefined) byPartition.set(partition, (list = []));
      list.push(message);
    }
    for (const list of byPartition.values()) parts.push({ ...batch, topicMessages: [{ topic, messages: list }] });
  }
  return parts;
}
