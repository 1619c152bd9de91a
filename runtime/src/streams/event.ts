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
/** Who is told when an event is fully processed: the offset tracker of its partition. */
export interface EventAcker {
  ack(offset: number): void;
}

/** Who decides what a failed output means: the agent's error policy. */
export interface EventOwner {
  outputFailed(event: Event<unknown, unknown>, error: unknown): void;
}

export class Event<K, V> {
  private acked = false;
  private ackRequested = false;
  private failed = false;
  private holds = 0;

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
    // Plain references rather than closures: an event is made per record, so it allocates nothing else.
    private readonly acker: EventAcker | undefined,
    private readonly sender: EventSender | undefined,
    /** Told when an output this event caused failed; the event then stays unacked. */
    private readonly owner: EventOwner | undefined = undefined,
    /** The event this one was derived from (map, groupBy key): acks and holds go there. */
    private readonly root: Event<unknown, unknown> | undefined = undefined,
  ) {}

  get isAcked(): boolean {
    return this.root === undefined ? this.acked : this.root.isAcked;
  }

  /**
   * Marks the event processed. The offset counts as done only once every output it caused (sink
   * sends, replies, changelog writes, forwards) is acknowledged by the broker, so a handler can move
   * on without waiting and a commit still never passes an event whose outputs are not durable.
   */
  ack(): void {
    if (this.root !== undefined) {
      this.root.ack();
      return;
    }
    if (this.ackRequested) return;
    this.ackRequested = true;
    if (this.holds === 0) this.complete();
  }

  /** Ties an output to this event: its ack waits for it; its failure keeps the event unacked. */
  hold(output: Promise<unknown>): void {
    this.holdOutput();
    output.then(
      () => this.outputDone(),
      (error: unknown) => this.outputError(error),
    );
  }

  /**
   * @internal The promise-free form of hold() for the producer's delivery listener: count one
   * output now, then report exactly one of outputDone / outputError for it.
   */
  holdOutput(): void {
    if (this.root !== undefined) this.root.holdOutput();
    else this.holds++;
  }

  /** @internal */
  outputDone(): void {
    if (this.root !== undefined) {
      this.root.outputDone();
      return;
    }
    this.holds--;
    if (this.ackRequested && this.holds === 0) this.complete();
  }

  /** @internal */
  outputError(error: unknown): void {
    if (this.root !== undefined) {
      this.root.outputError(error);
      return;
    }
    if (this.failed) return;
    this.failed = true;
    this.owner?.outputFailed(this as Event<unknown, unknown>, error);
  }

  /** Completes the event although an output failed: the error policy recorded the failure. */
  settleAfterFailure(): void {
    if (this.root !== undefined) {
      this.root.settleAfterFailure();
      return;
    }
    if (this.acked) return;
    this.acked = true;
    this.acker?.ack(this.offset);
  }

  private complete(): void {
    if (this.acked || this.failed) return;
    this.acked = true;
    this.acker?.ack(this.offset);
  }

  /** The same event seen with another value (stream.map); acks and holds go to the original. */
  withValue<U>(value: U): Event<K, U> {
    return this.derived(this.key, value);
  }

  /** The same event with another key (groupBy after repartitioning). */
  withKey<K2>(key: K2): Event<K2, V> {
    return this.derived(key, this.value);
  }

  private derived<K2, V2>(key: K2, value: V2): Event<K2, V2> {
    const root = (this.root ?? this) as Event<unknown, unknown>;
    return new Event(key, value, this.headers, this.topic, this.partition, this.offset, this.timestamp, this.rawKey, this.rawValue, undefined, this.sender, undefined, root);
  }

  /** Sends the original key, value and headers bytes to another topic. */
  forward(topic: { readonly name: string }, options: { partition?: number; headers?: Headers } = {}): Promise<RecordMetadata> {
    if (this.sender === undefined) throw new Error(`event from ${this.topic} cannot be forwarded: it did not come from a broker`);
    const sent = this.sender.sendRaw(topic.name, this.rawKey, this.rawValue, { ...this.headers, ...options.headers }, options.partition);
    this.hold(sent);
    return sent;
  }

  /** Re-serializes the key and value with the target's codecs. */
  send<K2, V2>(target: SendTarget<K2, V2>, message: { key?: K2; value: V2; headers?: Headers; partition?: number }): Promise<RecordMetadata> {
    const sent = target.send(message);
    this.hold(sent);
    return sent;
  }
}
