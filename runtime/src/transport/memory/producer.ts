import { FaustgenError } from '../../core/errors.js';
import type { DeliveryListener, Headers, Producer, ProducerRecord, RecordMetadata } from '../../types/transport.js';
import { tellDelivered, tellFailed } from '../delivery.js';
import { partitionForKey } from '../partitioner.js';
import type { MemoryBroker } from './broker.js';

const noHeaders: Headers = Object.freeze({});

interface Notice {
  readonly listener: DeliveryListener<unknown>;
  readonly tag: unknown;
  readonly metadata: RecordMetadata | undefined;
  readonly error: Error | undefined;
}

/**
 * Appends records straight to the partition logs. Partitioning follows Kafka's default
 * partitioner: an explicit partition wins, a key is hashed with murmur2, a null key goes
 * round-robin. Every send is acknowledged at once, so `flush` has nothing to wait for.
 *
 * The broker keeps the key, value and header buffers it is given: do not mutate them after send.
 */
export class MemoryProducer implements Producer {
  private readonly broker: MemoryBroker;
  private started = false;
  private readonly nextPartition = new Map<string, number>();
  /** Outcomes of produce() calls, told to their listeners together in the next microtask. */
  private notices: Notice[] = [];

  constructor(broker: MemoryBroker) {
    this.broker = broker;
  }

  async start(): Promise<void> {
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  async send(record: ProducerRecord): Promise<RecordMetadata> {
    return this.append(record);
  }

  produce<T>(record: ProducerRecord, listener: DeliveryListener<T>, tag: T): void {
    let metadata: RecordMetadata | undefined;
    let error: Error | undefined;
    try {
      metadata = this.append(record);
    } catch (caught) {
      error = caught instanceof Error ? caught : new Error(String(caught));
    }
    if (this.notices.length === 0) queueMicrotask(() => this.notify());
    this.notices.push({ listener: listener as DeliveryListener<unknown>, tag, metadata, error });
  }

  private notify(): void {
    const notices = this.notices;
    this.notices = [];
    for (const { listener, tag, metadata, error } of notices) {
      if (metadata !== undefined) tellDelivered(listener, tag, metadata);
      else tellFailed(listener, tag, error ?? new Error('record was not appended'));
    }
  }

  private append(record: ProducerRecord): RecordMetadata {
    if (!this.started) {
      throw new FaustgenError('FG_APP_STATE', `cannot send to "${record.topic}": the producer is not started`, {
        details: { topic: record.topic },
      });
    }
    const partition = record.partition ?? this.choosePartition(record);
    const log = this.broker.log(record.topic, partition);
    const stored = log.append({
      timestamp: record.timestamp ?? Date.now(),
      key: record.key,
      value: record.value,
      headers: record.headers ?? noHeaders,
    });
    return { topic: stored.topic, partition: stored.partition, offset: stored.offset, timestamp: stored.timestamp };
  }

  async flush(): Promise<void> {}

  private choosePartition(record: ProducerRecord): number {
    const count = this.broker.describe(record.topic)?.partitions;
    // A missing topic falls through to broker.log, which reports it.
    if (count === undefined) return 0;
    if (record.key !== null) return partitionForKey(record.key, count);
    const next = this.nextPartition.get(record.topic) ?? 0;
    this.nextPartition.set(record.topic, next + 1);
    return next % count;
  }
}
