import type { Headers, RecordMetadata } from '../types/transport.js';

/** What an event needs from the app to send: kept abstract so events do not depend on the App. */
export interface EventSender {
  /** Sends already-serialized bytes (forward keeps the original bytes). */
  sendRaw(topic: string, key: Buffer | null, value: Buffer | null, headers: Headers, partition?: number): Promise<RecordMetadata>;
}

/** Anything with a name and codecs that an event can be sent or forwarded to. */
export interface SendTarget<K, V> {
  readonly name: string;
  send(message: { key?: K; value: V; headers?: Headers; partition?: number; timestamp?: number }): Promise<RecordMetadata>;
}

/**
 * One record as an agent sees it. `ack()` marks it processed (idempotent); the committed offset of
 * its partition never passes an event that is not acked.
 */
export class Event<K, V> {
  private acked = false;

  constructor(
    readonly key: K,
    readonly value: V,
    readonly headers: Headers,
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    readonly timestamp: number,
    /** The bytes as they arrived, for forward() and dead letters. */
    readonly rawKey: Buffer | null,
    readonly rawValue: Buffer | null,
    private readonly onAck: () => void,
    private readonly sender: EventSender | undefined,
  ) {}

  get isAcked(): boolean {
    return this.acked;
  }

  ack(): void {
    if (this.acked) return;
    this.acked = true;
    this.onAck();
  }

  /** The same event seen with another value (stream.map); acking either acks the original. */
  withValue<U>(value: U): Event<K, U> {
    return new Event(this.key, value, this.headers, this.topic, this.partition, this.offset, this.timestamp, this.rawKey, this.rawValue, () => this.ack(), this.sender);
  }

  /** The same event with another key (groupBy after repartitioning). */
  withKey<K2>(key: K2): Event<K2, V> {
    return new Event(key, this.value, this.headers, this.topic, this.partition, this.offset, this.timestamp, this.rawKey, this.rawValue, () => this.ack(), this.sender);
  }

  /** Sends the original key, value and headers bytes to another topic. */
  forward(topic: { readonly name: string }, options: { partition?: number; headers?: Headers } = {}): Promise<RecordMetadata> {
    if (this.sender === undefined) throw new Error(`event from ${this.topic} cannot be forwarded: it did not come from a broker`);
    return this.sender.sendRaw(topic.name, this.rawKey, this.rawValue, { ...this.headers, ...options.headers }, options.partition);
  }

  /** Re-serializes the key and value with the target's codecs. */
  send<K2, V2>(target: SendTarget<K2, V2>, message: { key?: K2; value: V2; headers?: Headers; partition?: number }): Promise<RecordMetadata> {
    return target.send(message);
  }
}
