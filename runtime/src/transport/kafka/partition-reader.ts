import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { FaustgenError } from '../../core/errors.js';
import type { ConsumedRecord, PartitionReader, TopicPartition, TopicPartitionOffset } from '../../types/transport.js';
import { createKafkaClient, waitForBrokers } from './client.js';
import type { KafkaDriverOptions } from './config.js';
import { wrapKafkaError } from './errors.js';
import { groupByTopic, partitionKey, toConsumedRecords } from './records.js';

/**
 * Reads chosen partitions outside any application group. kafkajs has no manual `assign()`, so the
 * reader runs a consumer in a throwaway group of its own (unique id, one member, never commits):
 * it is assigned every partition of its topics, seeks the wanted ones to their offsets on each
 * GROUP_JOIN and pauses the others. Adding a topic means resubscribing, which kafkajs only allows
 * on a stopped consumer, so the consumer is restarted then; positions survive the restart.
 * Cost: one group join per (re)start, delayed by the broker's group.initial.rebalance.delay.ms.
 */
export class KafkaPartitionReader implements PartitionReader {
  private readonly kafka: Kafka;
  private readonly positions = new Map<string, TopicPartitionOffset>();
  private consumer: Consumer | undefined;
  private subscribed = new Set<string>();
  private onRecords: ((records: readonly ConsumedRecord[]) => Promise<void>) | undefined;
  private onPassed: ((position: TopicPartitionOffset) => void) | undefined;
  private restarting: Promise<void> = Promise.resolve();
  private stopped = true;

  constructor(private readonly options: KafkaDriverOptions) {
    this.kafka = createKafkaClient(options);
  }

  assign(positions: readonly TopicPartitionOffset[]): void {
    for (const position of positions) this.positions.set(partitionKey(position.topic, position.partition), position);
    if (this.stopped) return;
    if (positions.some((p) => !this.subscribed.has(p.topic))) {
      this.restart();
      return;
    }
    const consumer = this.consumer;
    if (consumer === undefined) return;
    for (const p of positions) consumer.seek({ topic: p.topic, partition: p.partition, offset: String(p.offset) });
    consumer.resume(groupByTopic(positions));
  }

  unassign(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.positions.delete(partitionKey(tp.topic, tp.partition));
    const known = partitions.filter((tp) => this.subscribed.has(tp.topic));
    if (known.length > 0) this.consumer?.pause(groupByTopic(known));
  }

  async start(onRecords: (records: readonly ConsumedRecord[]) => Promise<void>, onPassed?: (position: TopicPartitionOffset) => void): Promise<void> {
    this.onRecords = onRecords;
    this.onPassed = onPassed;
    this.stopped = false;
    await waitForBrokers(this.options);
    this.restart();
    await this.restarting;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.restarting.catch(() => undefined);
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect().catch(() => undefined);
  }

  private restart(): void {
    this.restarting = this.restarting.catch(() => undefined).then(() => this.replaceConsumer());
    this.restarting.catch(() => undefined);
  }

  private async replaceConsumer(): Promise<void> {
    const old = this.consumer;
    this.consumer = undefined;
    await old?.disconnect().catch(() => undefined);
    const topics = new Set([...this.positions.values()].map((p) => p.topic));
    this.subscribed = topics;
    if (this.stopped || topics.size === 0) return;
    const consumer = this.kafka.consumer({
      groupId: `${this.options.clientId}-reader-${randomUUID()}`,
      maxWaitTimeInMs: this.options.consumer.maxWaitTimeMs,
      maxBytesPerPartition: this.options.consumer.maxBytesPerPartition,
      allowAutoTopicCreation: false,
      retry: { restartOnFailure: async () => true },
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.onGroupJoin(consumer, event.payload.memberAssignment));
    // Emitted after each batch, also one of only markers or aborted records that never reaches
    // eachBatch; lastOffset counts those skipped records too.
    // Only a batch with nothing to deliver counts, and only where it follows on from what was read:
    // a stale or skipped data batch must never pass for read.
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { topic, partition, batchSize, firstOffset, lastOffset } = event.payload;
      const key = partitionKey(topic, partition);
      const position = this.positions.get(key);
      // No first offset: nothing at or after the fetch position came back (compaction), so nothing was passed.
      if (firstOffset === null || firstOffset === undefined) return;
      const from = Number(firstOffset);
      const to = Number(lastOffset);
      if (batchSize !== 0 || position === undefined || !Number.isFinite(from) || !Number.isFinite(to) || from > position.offset || to < position.offset) return;
      this.positions.set(key, { topic, partition, offset: to + 1 });
      this.onPassed?.({ topic, partition, offset: to });
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.consumer.maxConcurrency,
        eachBatch: (payload) => this.onBatch(payload),
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw wrapKafkaError(error, `Kafka partition reader could not read topics ${[...topics].join(', ')}`, { topics: [...topics] });
    }
    this.consumer = consumer;
  }

  /** Runs before the first fetch of each generation: position what is wanted, pause the rest. */
  private onGroupJoin(consumer: Consumer, assignment: Readonly<Record<string, number[]>>): void {
    const unwanted: TopicPartition[] = [];
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const position = this.positions.get(partitionKey(topic, partition));
        if (position === undefined) unwanted.push({ topic, partition });
        else consumer.seek({ topic, partition, offset: String(position.offset) });
      }
    }
    if (unwanted.length > 0) consumer.pause(groupByTopic(unwanted));
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale } = payload;
    const key = partitionKey(batch.topic, batch.partition);
    if (!isRunning() || isStale() || this.stopped || !this.positions.has(key) || batch.messages.length === 0) return;
    const handler = this.onRecords;
    if (handler === undefined) throw new FaustgenError('FG_INTERNAL', 'partition reader running without a record handler');
    await handler(toConsumedRecords(batch));
    const last = batch.messages[batch.messages.length - 1];
    if (last === undefined) return;
    payload.resolveOffset(last.offset);
    // Unassigned meanwhile: keep it removed; otherwise a restart resumes after the last record.
    if (!this.positions.has(key)) return;
    this.positions.set(key, { topic: batch.topic, partition: batch.partition, offset: Number(last.offset) + 1 });
    // kafkajs resolves a transaction marker that ends the batch together with the last record.
    const through = Number(batch.lastOffset());
    if (Number.isFinite(through) && through > Number(last.offset)) {
      this.positions.set(key, { topic: batch.topic, partition: batch.partition, offset: through + 1 });
      this.onPassed?.({ topic: batch.topic, partition: batch.partition, offset: through });
    }
  }
}
