import { CompressionTypes, type Kafka, type Message, type Producer as KafkaJsProducer, type ProducerBatch, type ProducerConfig, type RecordMetadata as KafkaJsRecordMetadata } from 'kafkajs';
import { describeError, FaustgenError } from '../../core/errors.js';
import type { DeliveryListener, Producer, ProducerRecord, RecordMetadata } from '../../types/transport.js';
import { createKafkaClient, sleep, waitForBrokers } from './client.js';
import type { KafkaDriverOptions } from './config.js';
import { isRetriableThroughCause, rootCause, wrapKafkaError } from './errors.js';
import { settlePromise, tellDelivered, tellFailed } from '../delivery.js';
import { FlushMark } from '../flush-mark.js';
import { OutageLog } from './outage-log.js';
import { retryThroughOutage } from '../outage-retry.js';
import { createFaustgenPartitioner } from './partitioning.js';

interface PendingRecord {
  readonly topic: string;
  /** Handed to kafkajs; its partitioner writes the chosen partition into it. */
  readonly message: Message;
  /** The caller's timestamp; undefined: stamped when the batch is handed to kafkajs. */
  readonly timestamp: number | undefined;
  readonly listener: DeliveryListener<unknown>;
  readonly tag: unknown;
  /** Rough wire size, to cut batches. */
  readonly bytes: number;
}



/** Rough wire size of a record, to split batches below `maxBatchBytes`. */
const RECORD_OVERHEAD_BYTES = 24;
/**
 * kafkajs groups a batch per partition by copying the partition's array for every message
 * (quadratic), so very large sendBatch calls get slower per record; batches are cut at this count.
 */
const MAX_BATCH_RECORDS = 2_000;

/**
 * The Producer on kafkajs. kafkajs's `send` costs one produce request per call, so records sent in
 * the same tick (or within `lingerMs`) are collected and sent with one `sendBatch`, grouped by
 * topic. Each record's offset is its partition's base offset plus its index in that partition's
 * part of the batch: kafkajs keeps the order of a topic's messages within each partition.
 */
export class KafkaProducer implements Producer {
  private readonly kafka: Kafka;
  protected producer: KafkaJsProducer | undefined;
  private pending: PendingRecord[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /**
   * The batch being sent (with its retries). Only one at a time: two batches in flight let a retried
   * earlier one land after a later one, and a table's changelog then ends on an older value of a
   * key (Kafka's producer keeps max.in.flight at 1 without idempotence for the same reason).
   */
  private batchInFlight: Promise<void> | undefined;
  private readonly flushMark = new FlushMark();
  private stopping = false;
  private readonly outage: OutageLog;

  constructor(
    protected readonly options: KafkaDriverOptions,
    /** Partition count per topic as kafkajs's metadata last said (shared by a transport's producers). */
    protected readonly partitionCounts: Map<string, number> = new Map(),
  ) {
    this.kafka = createKafkaClient(options);
    this.outage = new OutageLog(options.log);
  }

  async start(): Promise<void> {
    if (this.producer !== undefined) return;
    await this.awaitBrokers();
    const producer = this.kafka.producer(this.producerConfig());
    try {
      // kafkajs's connect gives up at once when the broker it asks for a producer id (the controller,
      // or the transaction coordinator) refuses the connection: a partition's transactional producer
      // created while a broker restarts otherwise stopped the worker (exactly-once broker-fault run).
      let retrying = false;
      await retryThroughOutage(async () => {
        try {
          await this.connectClient(producer);
        } catch (error) {
          if (!retrying && isRetriableThroughCause(error)) {
            retrying = true;
            this.options.log?.warn('Kafka producer could not connect yet (a broker unreachable); retrying for up to a minute', { error: describeError(rootCause(error)) });
          }
          throw error;
        }
      }, isRetriableThroughCause);
      if (retrying) this.options.log?.info('Kafka producer connected after retrying');
    } catch (error) {
      throw wrapKafkaError(error, `Kafka producer could not connect to ${this.options.brokers.join(', ')}`);
    }
    this.producer = producer;
    this.stopping = false;
  }

  async stop(): Promise<void> {
    const producer = this.producer;
    if (producer === undefined) return;
    this.stopping = true;
    try {
      await this.flush();
    } finally {
      this.producer = undefined;
      await producer.disconnect().catch(() => undefined);
    }
  }

  /** Waits until a broker answers; the seam a test without brokers replaces. */
  protected awaitBrokers(): Promise<void> {
    return waitForBrokers(this.options);
  }

  /** Connects kafkajs's producer (and fetches its producer id when idempotent). */
  protected connectClient(producer: KafkaJsProducer): Promise<void> {
    return producer.connect();
  }

  /** The kafkajs producer's settings; the transactional producer adds its id. */
  protected producerConfig(): ProducerConfig {
    const { idempotent } = this.options.producer;
    return {
      createPartitioner: () => createFaustgenPartitioner(this.partitionCounts),
      allowAutoTopicCreation: false,
      idempotent,
      ...(idempotent ? { maxInFlightRequests: 1 } : {}),
    };
  }

  /** Hands one batch to kafkajs; the transactional producer sends it inside its transaction. */
  protected transmit(producer: KafkaJsProducer, batch: ProducerBatch): Promise<KafkaJsRecordMetadata[]> {
    return producer.sendBatch(batch);
  }

  /**
   * Told when records of a batch got no answer and are not sent again (see resendsFailedBatches);
   * returns the error their senders are told.
   */
  protected unanswered(error: FaustgenError): FaustgenError {
    return error;
  }

  /**
   * Whether a batch that failed as a whole may be sent again. Not inside a transaction: a failed
   * send may still have been written, and the transaction must abort instead.
   */
  protected resendsFailedBatches(): boolean {
    return true;
  }

    send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise<RecordMetadata>((resolve, reject) => this.produce(record, settlePromise, { resolve, reject }));
  }

  produce<T>(record: ProducerRecord, listener: DeliveryListener<T>, tag: T): void {
    if (this.producer === undefined || this.stopping) {
      const error = new FaustgenError('FG_APP_STATE', `Kafka producer is not started: cannot send to topic ${record.topic}`, {
        details: { topic: record.topic },
      });
      queueMicrotask(() => tellFailed(listener, tag, error));
      return;
    }
    const timestamp = record.timestamp;
    const message: Message = { key: record.key, value: record.value };
    if (timestamp !== undefined) message.timestamp = String(timestamp);
    if (record.partition !== undefined) message.partition = record.partition;
    if (record.headers !== undefined) message.headers = { ...record.headers };
    const bytes = recordBytes(record);
    this.pending.push({ topic: record.topic, message, timestamp, listener: listener as DeliveryListener<unknown>, tag, bytes });
    this.flushMark.added();
    this.pendingBytes += bytes;
    if (this.pendingBytes >= this.options.producer.maxBatchBytes || this.pending.length >= MAX_BATCH_RECORDS) this.dispatch();
    else this.schedule();
  }

  /** Waits for the records handed over before the call (see FlushMark), not for those sent meanwhile. */
  async flush(): Promise<void> {
    const mark = this.flushMark.now();
    this.dispatch();
    // Each batch that ends dispatches the records that waited for it: loop until the mark is reached.
    while (!this.flushMark.reached(mark)) {
      if (this.inFlight.size === 0) this.dispatch();
      if (this.inFlight.size === 0) return;
      await Promise.allSettled([...this.inFlight]);
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
    const sending = this.sendBatch(batch).finally(() => {
      this.flushMark.done(batch.length);
      this.inFlight.delete(sending);
      this.batchInFlight = undefined;
      // Records that arrived meanwhile waited long enough: no linger for them.
      if (this.pending.length > 0) this.dispatch();
    });
    this.batchInFlight = sending;
    this.inFlight.add(sending);
  }

  /** The oldest pending records, up to one batch's size; the rest wait for the next one. */
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
    // Records without a timestamp of their own share the batch's (CreateTime: within lingerMs of
    // send()). One string for all of them: kafkajs sorts and parses message timestamps per batch.
    const stamp = Date.now();
    const stampText = String(stamp);
    for (const record of batch) if (record.timestamp === undefined) record.message.timestamp = stampText;
    const deadline = stamp + this.options.producer.deliveryTimeoutMs;
    const outage = this.outage;
    let remaining = batch;
    for (let attempt = 1; ; attempt++) {
      const byTopic = groupByTopic(remaining);
      let results: KafkaJsRecordMetadata[];
      try {
        results = await this.retryUntil(deadline, outage, () => this.sendOnce(byTopic));
      } catch (error) {
        const topics = [...byTopic.keys()];
        const wrapped = wrapKafkaError(error, `Kafka producer failed to send ${remaining.length} record(s) to ${topics.join(', ')}`, { topics });
        outage.gaveUp(wrapped);
        for (const record of remaining) tellFailed(record.listener, record.tag, wrapped);
        return;
      }
      // kafkajs's retry re-sends only to brokers that have not answered yet, after mapping the
      // partitions to leaders again: a partition whose leader failed and moved to a broker that had
      // already answered is never sent, yet sendBatch resolves. Its records are sent again here;
      // without this, a leader failover loses records the caller was told were delivered.
      const answered = new Set(results.map((r) => `${r.topicName}\u0000${r.partition}`));
      const unsent = this.options.producer.acks === 0 ? [] : remaining.filter((r) => !answered.has(`${r.topic}\u0000${r.message.partition ?? 0}`));
      this.settle(byTopic, results, stamp, answered);
      if (unsent.length === 0) {
        outage.recovered();
        return;
      }
      outage.unanswered(unsent.length, [...new Set(unsent.map((r) => `${r.topic}[${r.message.partition ?? 0}]`))]);
      if (!this.resendsFailedBatches()) {
        // Inside a transaction the records may have been written although kafkajs reports no
        // answer: sent again they would commit twice. The transaction must abort instead.
        const error = new FaustgenError('FG_TRANSPORT', `Kafka producer got no answer for ${unsent.length} record(s) of a transaction; it must abort`, {
          details: { topics: [...new Set(unsent.map((r) => r.topic))] },
        });
        const told = this.unanswered(error);
        for (const record of unsent) tellFailed(record.listener, record.tag, told);
        return;
      }
      if (Date.now() >= deadline || this.producer === undefined) {
        const error = new FaustgenError('FG_TRANSPORT', `Kafka producer could not deliver ${unsent.length} record(s): their partitions' leaders did not answer within deliveryTimeoutMs (${this.options.producer.deliveryTimeoutMs} ms)`, {
          retriable: true,
          details: { topics: [...new Set(unsent.map((r) => r.topic))] },
        });
        outage.gaveUp(error);
        for (const record of unsent) tellFailed(record.listener, record.tag, error);
        return;
      }
      remaining = unsent;
      await sleep(Math.min(100 * attempt, 1_000));
    }
  }

  private sendOnce(byTopic: ReadonlyMap<string, readonly PendingRecord[]>): Promise<KafkaJsRecordMetadata[]> {
    const producer = this.producer;
    if (producer === undefined) return Promise.reject(new FaustgenError('FG_APP_STATE', 'Kafka producer stopped before the batch was sent'));
    const { acks, compression } = this.options.producer;
    return this.transmit(producer, {
      acks,
      compression: compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, records]) => ({ topic, messages: records.map((r) => r.message) })),
    });
  }

  /**
   * kafkajs gives up on a batch after its own few retries (about 10 s), and reports a broker that is
   * down as a non-retriable "retries exhausted" error around a retriable connection error. Judged by
   * that root cause, the batch is sent again until the delivery deadline: a broker restart then
   * costs latency instead of records. Partitions that succeeded before a retry get their records
   * twice (at-least-once, as with kafkajs's own retries).
   */
  private async retryUntil<T>(deadline: number, outage: OutageLog, attempt: () => Promise<T>): Promise<T> {
    let backoffMs = 200;
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        const remaining = deadline - Date.now();
        if (remaining <= 0 || this.producer === undefined || !this.resendsFailedBatches() || !isRetriableThroughCause(error)) throw error;
        outage.failed(error);
        await sleep(Math.min(backoffMs, remaining));
        backoffMs = Math.min(backoffMs * 2, 2_000);
      }
    }
  }

  private settle(byTopic: ReadonlyMap<string, readonly PendingRecord[]>, results: readonly KafkaJsRecordMetadata[], stamp: number, answered: ReadonlySet<string>): void {
    const everything = this.options.producer.acks === 0;
    for (const [topic, records] of byTopic) {
      // Per partition of this topic: the batch's base offset and append time, and the next index.
      const baseOffsets: number[] = [];
      const appendTimes: number[] = [];
      const nextIndex: number[] = [];
      for (const result of results) {
        if (result.topicName !== topic) continue;
        baseOffsets[result.partition] = result.baseOffset === undefined ? -1 : Number(result.baseOffset);
        appendTimes[result.partition] = result.logAppendTime === undefined ? -1 : Number(result.logAppendTime);
      }
      for (const record of records) {
        const partition = record.message.partition ?? 0;
        if (!everything && !answered.has(`${topic}\u0000${partition}`)) continue;
        const index = nextIndex[partition] ?? 0;
        nextIndex[partition] = index + 1;
        // acks = 0: the broker does not answer, so offsets are unknown (-1, as in the Java client).
        const baseOffset = baseOffsets[partition] ?? -1;
        const appendTime = appendTimes[partition] ?? -1;
        tellDelivered(record.listener, record.tag, {
          topic,
          partition,
          offset: baseOffset < 0 ? -1 : baseOffset + index,
          timestamp: appendTime > 0 ? appendTime : (record.timestamp ?? stamp),
        });
      }
    }
  }
}

function recordBytes(record: ProducerRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  if (record.headers !== undefined) {
    for (const [name, value] of Object.entries(record.headers)) bytes += name.length + value.length + 2;
  }
  return bytes;
}

function groupByTopic(records: readonly PendingRecord[]): Map<string, PendingRecord[]> {
  const byTopic = new Map<string, PendingRecord[]>();
  for (const record of records) {
    let list = byTopic.get(record.topic);
    if (list === undefined) byTopic.set(record.topic, (list = []));
    list.push(record);
  }
  return byTopic;
}
