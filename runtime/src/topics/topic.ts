import { FaustgenError } from '../core/errors.js';
import type { Codec } from '../types/codec.js';
import type { DeliveryListener, Headers, ProducerRecord, RecordMetadata } from '../types/transport.js';

export interface TopicMessage<K, V> {
  readonly key?: K;
  readonly value: V;
  readonly partition?: number;
  readonly timestamp?: number;
  readonly headers?: Headers;
}

/** What a topic needs from the app to send. */
export interface TopicProducer {
  produce(record: ProducerRecord): Promise<RecordMetadata>;
  /** The listener form (see Producer.produce): never throws, reports later. */
  produceTo<T>(record: ProducerRecord, listener: DeliveryListener<T>, tag: T): void;
  /** Called for sendSoon failures, which have no caller left to reject. */
  reportSendError(topic: string, error: unknown): void;
}

export interface TopicDefinition<K, V> {
  readonly name: string;
  readonly keyCodec: Codec<K>;
  readonly valueCodec: Codec<V>;
  /** Declared partition count; a declared topic is created when missing. */
  readonly partitions: number | undefined;
  readonly replicationFactor: number | undefined;
  readonly config: Readonly<Record<string, string>>;
  /** Created and owned by faustgen (agent topics, changelogs, repartition and reply topics). */
  readonly internal: boolean;
}

/** A Kafka topic with typed keys and values. */
export class Topic<K, V> implements TopicDefinition<K, V> {
  readonly name: string;
  readonly keyCodec: Codec<K>;
  readonly valueCodec: Codec<V>;
  readonly partitions: number | undefined;
  readonly replicationFactor: number | undefined;
  readonly config: Readonly<Record<string, string>>;
  readonly internal: boolean;
  /** Sends waiting for a codec's prepareEncode (a registry id), in order; undefined when none waits. */
  private encodeQueue: Promise<unknown> | undefined;

  constructor(definition: TopicDefinition<K, V>, private readonly producer: TopicProducer) {
    this.name = definition.name;
    this.keyCodec = definition.keyCodec;
    this.valueCodec = definition.valueCodec;
    this.partitions = definition.partitions;
    this.replicationFactor = definition.replicationFactor;
    this.config = definition.config;
    this.internal = definition.internal;
  }

  encodeKey(key: K | undefined): Buffer | null {
    if (key === undefined || key === null) return null;
    try {
      return this.keyCodec.encode(key);
    } catch (error) {
      throw new FaustgenError('FG_ENCODE', `cannot encode key for topic "${this.name}" with codec ${this.keyCodec.name}: ${(error as Error).message}`, { cause: error, details: { topic: this.name } });
    }
  }

  encodeValue(value: V): Buffer | null {
    if (value === null) return null;
    try {
      return this.valueCodec.encode(value);
    } catch (error) {
      throw new FaustgenError('FG_ENCODE', `cannot encode value for topic "${this.name}" with codec ${this.valueCodec.name}: ${(error as Error).message}`, { cause: error, details: { topic: this.name } });
    }
  }

  /**
   * Runs `run` once the codecs are ready to encode (registry ids known), after every send that
   * waited before it; undefined when nothing has to wait (then the caller runs at once).
   */
  private afterPrepare<R>(run: () => R | Promise<R>): Promise<R> | undefined {
    if (this.encodeQueue === undefined) {
      const key = this.keyCodec.prepareEncode?.();
      const value = this.valueCodec.prepareEncode?.();
      if (key === undefined && value === undefined) return undefined;
      this.encodeQueue = Promise.all([key, value]);
    }
    const result = this.encodeQueue.then(run);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.encodeQueue = tail;
    void tail.then(() => {
      if (this.encodeQueue === tail) this.encodeQueue = undefined;
    });
    return result;
  }

  /** Resolves when the broker acknowledged the record. */
  send(message: TopicMessage<K, V>): Promise<RecordMetadata> {
    return this.afterPrepare(() => this.sendNow(message)) ?? this.sendNow(message);
  }

  private sendNow(message: TopicMessage<K, V>): Promise<RecordMetadata> {
    let record: ProducerRecord;
    try {
      record = this.toRecord(message);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.producer.produce(record);
  }

  /**
   * @internal Sends and reports the outcome to `listener` with `tag` (agents' sinks: no promise
   * per record). An encoding failure is reported the same way, never thrown.
   */
  produceTo<T>(message: TopicMessage<K, V>, listener: DeliveryListener<T>, tag: T): void {
    const waiting = this.afterPrepare(() => this.produceNow(message, listener, tag));
    if (waiting !== undefined) waiting.catch((error: unknown) => listener.failed(tag, error as Error));
    else this.produceNow(message, listener, tag);
  }

  private produceNow<T>(message: TopicMessage<K, V>, listener: DeliveryListener<T>, tag: T): void {
    let record: ProducerRecord;
    try {
      record = this.toRecord(message);
    } catch (error) {
      queueMicrotask(() => listener.failed(tag, error as Error));
      return;
    }
    this.producer.produceTo(record, listener, tag);
  }

  private toRecord(message: TopicMessage<K, V>): ProducerRecord {
    const record: { -readonly [P in keyof ProducerRecord]: ProducerRecord[P] } = {
      topic: this.name,
      key: this.encodeKey(message.key),
      value: this.encodeValue(message.value),
    };
    if (message.partition !== undefined) record.partition = message.partition;
    if (message.timestamp !== undefined) record.timestamp = message.timestamp;
    if (message.headers !== undefined) record.headers = message.headers;
    return record;
  }

  /** Sends without waiting; the commit that follows waits for it, and a failure is logged and counted. */
  sendSoon(message: TopicMessage<K, V>): void {
    this.send(message).catch((error: unknown) => this.producer.reportSendError(this.name, error));
  }
}
