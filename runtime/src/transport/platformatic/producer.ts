import { Producer as PlatformaticProducer, type MessageToProduce, type ProduceResult, type ProducerOptions } from '@platformatic/kafka';
import { FaustgenError } from '../../core/errors.js';
import type { DeliveryListener, Producer, ProducerRecord, RecordMetadata } from '../../types/transport.js';
import { settlePromise, tellDelivered, tellFailed } from '../delivery.js';
import { FlushMark } from '../flush-mark.js';
import type { KafkaDriverOptions } from '../kafka-options.js';
import { partitionForKey } from '../partitioner.js';
import { baseOptions, sleep, waitForBrokers } from './client.js';
import { isRetriable, wrapPlatformaticError } from './errors.js';

interface PendingRecord {
  readonly record: ProducerRecord;
  /** Chosen once, before the first attempt: a retry must not move a round-robin record. */
  partition: number | undefined;
  readonly listener: DeliveryListener<unknown>;
  readonly tag: unknown;
  readonly bytes: number;
}

const RECORD_OVERHEAD_BYTES = 24;
const MAX_BATCH_RECORDS = 4_000;

/**
 * The Producer on @platformatic/kafka. Records of one tick (or `lingerMs`) go out in one `send`,
 * one batch at a time (a retried batch must not land after a later one). Partitions are chosen
 * here, before the client sees the record: its default partitioner is not the Java client's for
 * partition counts that are not a power of two, so keys would land elsewhere than with kafkajs,
 * Java or Faust. Each record's offset is its partition's base offset plus its index in that
 * partition's part of the batch.
 */
export class PlatformaticKafkaProducer implements Producer {
  protected producer: PlatformaticProducer | undefined;
  private pending: PendingRecord[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private batchInFlight: Promise<void> | undefined;
  private readonly flushMark = new FlushMark();
  private stopping = false;
  private readonly nextRoundRobin = new Map<string, number>();

  constructor(protected readonly options: KafkaDriverOptions) {}

  async start(): Promise<void> {
    if (this.producer !== undefined) return;
    await waitForBrokers(this.options);
    this.producer = new PlatformaticProducer(this.clientOptions());
    this.stopping = false;
  }

  protected clientOptions(): ProducerOptions<Buffer, Buffer, Buffer, Buffer> {
    const { acks, idempotent, compression } = this.options.producer;
    return { ...baseOptions(this.options, 'producer'), acks, compression, ...(idempotent ? { idempotent: true } : {}) };
  }

  /**
   * Sends one batch; the transactional producer sends it inside its open transaction. `acks` goes
   * with every send: the client reads it per send and, for a producer that is not idempotent, takes
   * 1 (the leader alone) when a send does not say, whatever its constructor was given.
   */
  protected transmit(producer: PlatformaticProducer, messages: MessageToProduce[]): Promise<ProduceResult> {
    return producer.send({ messages, acks: this.options.producer.acks });
  }

  /**
   * Whether a batch that failed is sent again (until deliveryTimeoutMs). Inside a transaction it is
   * not: the transaction has to abort, and its events are processed again.
   */
  protected resendsFailedBatches(): boolean {
    return true;
  }

  /** The error each record of a batch that failed for good is told. */
  protected unanswered(error: FaustgenError): FaustgenError {
    return error;
  }

  async stop(): Promise<void> {
    const producer = this.producer;
    if (producer === undefined) return;
    this.stopping = true;
    try {
      await this.flush();
    } finally {
      this.producer = undefined;
      await producer.close().catch(() => undefined);
    }
  }

  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise<RecordMetadata>((resolve, reject) => this.produce(record, settlePromise, { resolve, reject }));
  }

  produce<T>(record: ProducerRecord, listener: DeliveryListener<T>, tag: T): void {
    if (this.producer === undefined || this.stopping) {
      const error = new FaustgenError('FG_APP_STATE', `Kafka producer is not started: cannot send to topic ${record.topic}`, { details: { topic: record.topic } });
      queueMicrotask(() => tellFailed(listener, tag, error));
      return;
    }
    const bytes = RECORD_OVERHEAD_BYTES + (record.key?.length ?? 0) + (record.value?.length ?? 0);
    this.pending.push({ record, partition: record.partition, listener: listener as DeliveryListener<unknown>, tag, bytes });
    this.flushMark.added();
    this.pendingBytes += bytes;
    if (this.pendingBytes >= this.options.producer.maxBatchBytes || this.pending.length >= MAX_BATCH_RECORDS) this.dispatch();
    else this.schedule();
  }

  /** Waits for the records handed over before the call (see FlushMark), not for those sent meanwhile. */
  async flush(): Promise<void> {
    const mark = this.flushMark.now();
    this.dispatch();
    while (!this.flushMark.reached(mark)) {
      if (this.batchInFlight === undefined) this.dispatch();
      if (this.batchInFlight === undefined) return;
      await this.batchInFlight.catch(() => undefined);
    }
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const { lingerMs } = this.options.producer;
    this.timer = lingerMs === 0 ? setImmediate(() => this.dispatch()) : setTimeout(() => this.dispatch(), lingerMs);
  }

  private dispatch(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
    if (this.pending.length === 0 || this.batchInFlight !== undefined) return;
    const batch = this.takeBatch();
    this.batchInFlight = this.sendBatch(batch).finally(() => {
      this.flushMark.done(batch.length);
      this.batchInFlight = undefined;
      if (this.pending.length > 0) this.dispatch();
    });
  }

  private takeBatch(): PendingRecord[] {
    let bytes = 0;
    let count = 0;
    const { maxBatchBytes } = this.options.producer;
    while (count < this.pending.length && count < MAX_BATCH_RECORDS) {
      const size = (this.pending[count] as PendingRecord).bytes;
      if (count > 0 && bytes + size > maxBatchBytes) break;
      bytes += size;
      count++;
    }
    const batch = this.pending.slice(0, count);
    this.pending = count === this.pending.length ? [] : this.pending.slice(count);
    this.pendingBytes = Math.max(0, this.pendingBytes - bytes);
    return batch;
  }

  private async sendBatch(batch: readonly PendingRecord[]): Promise<void> {
    const stamp = Date.now();
    const deadline = stamp + this.options.producer.deliveryTimeoutMs;
    let remaining = batch;
    let backoffMs = 200;
    for (;;) {
      const producer = this.producer;
      let result: ProduceResult | undefined;
      let failure: unknown;
      try {
        if (producer === undefined) throw new FaustgenError('FG_APP_STATE', 'Kafka producer stopped before the batch was sent');
        await this.choosePartitions(producer, remaining);
        const batchTimestamp = BigInt(stamp);
        result = await this.transmit(producer, remaining.map((r) => toMessage(r, batchTimestamp)));
      } catch (error) {
        failure = error;
        result = (error as { produced?: ProduceResult } | null)?.produced;
      }
      const answered = this.settle(remaining, result, stamp);
      remaining = remaining.filter((r) => offsetOf(answered, r) === undefined);
      if (this.options.producer.acks === 0 && failure === undefined) remaining = [];
      if (remaining.length === 0) return;
      // A leader missing from the client's cached metadata (a killed broker) is a retriable
      // NetworkError with hasStaleMetadata in 2.x (1.35 failed with a TypeError, "reading 'host'").
      // The client retries with fresh metadata itself, but only a few times: after its retries the
      // driver's own attempt starts from fresh metadata too.
      const retriable = failure === undefined || (isRetriable(failure) && this.resendsFailedBatches());
      if (failure !== undefined) producer?.clearMetadata();
      if (!retriable || Date.now() >= deadline || this.producer === undefined) {
        const topics = [...new Set(remaining.map((r) => r.record.topic))];
        const error = this.unanswered(
          failure === undefined
            ? new FaustgenError('FG_TRANSPORT', `Kafka producer could not deliver ${remaining.length} record(s) within deliveryTimeoutMs (${this.options.producer.deliveryTimeoutMs} ms)`, { retriable: true, details: { topics } })
            : wrapPlatformaticError(failure, `Kafka producer failed to send ${remaining.length} record(s) to ${topics.join(', ')}`, { topics }),
        );
        for (const r of remaining) tellFailed(r.listener, r.tag, error);
        return;
      }
      await sleep(Math.min(backoffMs, Math.max(0, deadline - Date.now())));
      backoffMs = Math.min(backoffMs * 2, 2_000);
    }
  }

  /** Java's partitioner (murmur2 of the key, round-robin for null keys), from the topic's partition count. */
  private async choosePartitions(producer: PlatformaticProducer, records: readonly PendingRecord[]): Promise<void> {
    const unplaced = records.filter((r) => r.partition === undefined);
    if (unplaced.length === 0) return;
    const topics = [...new Set(unplaced.map((r) => r.record.topic))];
    const metadata = await producer.metadata({ topics });
    for (const r of unplaced) {
      const count = metadata.topics.get(r.record.topic)?.partitionsCount ?? 0;
      if (count === 0) throw new FaustgenError('FG_TRANSPORT', `Kafka topic ${r.record.topic} has no partitions in the metadata`, { retriable: true, details: { topic: r.record.topic } });
      if (r.record.key === null) {
        const next = this.nextRoundRobin.get(r.record.topic) ?? 0;
        this.nextRoundRobin.set(r.record.topic, next + 1);
        r.partition = next % count;
      } else {
        r.partition = partitionForKey(r.record.key, count);
      }
    }
  }

  /** Tells the records of every answered partition their offsets; returns the base offset of each answered partition, by topic. */
  private settle(records: readonly PendingRecord[], result: ProduceResult | undefined, stamp: number): BaseOffsets {
    // Keyed by topic, then partition number: no key string is built per record on this hot path.
    const base: BaseOffsets = new Map();
    for (const o of result?.offsets ?? []) {
      const partitions = base.get(o.topic) ?? new Map<number, { offset: number; next: number }>();
      partitions.set(o.partition, { offset: Number(o.offset), next: 0 });
      base.set(o.topic, partitions);
    }
    const acksZero = this.options.producer.acks === 0 && result !== undefined;
    for (const r of records) {
      const answer = offsetOf(base, r);
      if (answer === undefined && !acksZero) continue;
      const index = answer === undefined ? 0 : answer.next++;
      tellDelivered(r.listener, r.tag, {
        topic: r.record.topic,
        partition: r.partition ?? 0,
        offset: answer === undefined || answer.offset < 0 ? -1 : answer.offset + index,
        timestamp: r.record.timestamp ?? stamp,
      });
    }
    return base;
  }
}

/** Base offset of each answered partition and how many of the batch's records for it were told. */
type BaseOffsets = Map<string, Map<number, { readonly offset: number; next: number }>>;

function offsetOf(base: BaseOffsets, r: PendingRecord): { readonly offset: number; next: number } | undefined {
  return base.get(r.record.topic)?.get(r.partition ?? -1);
}

function toMessage(pending: PendingRecord, batchTimestamp: bigint): MessageToProduce {
  const { record } = pending;
  const message: MessageToProduce = {
    topic: record.topic,
    timestamp: record.timestamp === undefined ? batchTimestamp : BigInt(record.timestamp),
  };
  if (pending.partition !== undefined) message.partition = pending.partition;
  if (record.key !== null) message.key = record.key;
  if (record.value !== null) message.value = record.value;
  if (record.headers !== undefined) message.headers = new Map(Object.entries(record.headers).map(([k, v]) => [Buffer.from(k), v]));
  return message;
}
