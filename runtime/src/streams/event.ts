import type { ConsumedRecord, Headers, RecordMetadata } from '../types/transport.js';

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
  /**
   * True once the partition's events are no longer this acker's to commit (revoked, or given up after
   * a failed transaction): an event still running then is processed again elsewhere or later, and
   * must not write tables or outputs.
   */
  readonly retired?: boolean;
}

/** Who decides what a failed output means: the agent's error policy. */
export interface EventOwner {
  outputFailed(event: Event<unknown, unknown>, error: unknown): void;
}

const ACKED = 1;
const ACK_REQUESTED = 2;
const FAILED = 4;

export class Event<K, V> {
  /** ACKED | ACK_REQUESTED | FAILED: one field, as an event is made per record. */
  private flags = 0;
  private holds = 0;

  constructor(
    readonly key: K,
    readonly value: V,
    /** The record as it was consumed: position, headers and bytes (shared by derived events). */
    private readonly record: ConsumedRecord,
    // Plain references rather than closures: an event is made per record, so it allocates nothing else.
    private readonly acker: EventAcker | undefined,
    private readonly sender: EventSender | undefined,
    /** Told when an output this event caused failed; the event then stays unacked. */
    private readonly owner: EventOwner | undefined = undefined,
    /** The event this one was derived from (map, groupBy key): acks and holds go there. */
    private readonly root: Event<unknown, unknown> | undefined = undefined,
  ) {}

  get headers(): Headers {
    return this.record.headers;
  }

  get topic(): string {
    return this.record.topic;
  }

  /** Its partition was revoked or started over since it was delivered: see EventAcker.retired. */
  get isStale(): boolean {
    return (this.root ?? this).acker?.retired === true;
  }

  get partition(): number {
    return this.record.partition;
  }

  get offset(): number {
    return this.record.offset;
  }

  get timestamp(): number {
    return this.record.timestamp;
  }

  /** The key bytes as they arrived, for forward() and dead letters. */
  get rawKey(): Buffer | null {
    return this.record.key;
  }

  /** The value bytes as they arrived. */
  get rawValue(): Buffer | null {
    return this.record.value;
  }

  get isAcked(): boolean {
    return this.root === undefined ? (this.flags & ACKED) !== 0 : this.root.isAcked;
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
    if ((this.flags & ACK_REQUESTED) !== 0) return;
    this.flags |= ACK_REQUESTED;
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
    if ((this.flags & ACK_REQUESTED) !== 0 && this.holds === 0) this.complete();
  }

  /** @internal */
  outputError(error: unknown): void {
    if (this.root !== undefined) {
      this.root.outputError(error);
      return;
    }
    if ((this.flags & FAILED) !== 0) return;
    this.flags |= FAILED;
    this.owner?.outputFailed(this as Event<unknown, unknown>, error);
  }

  /** Completes the event although an output failed: the error policy recorded the failure. */
  settleAfterFailure(): void {
    if (this.root !== undefined) {
      this.root.settleAfterFailure();
      return;
    }
    if ((this.flags & ACKED) !== 0) return;
    this.flags |= ACKED;
    this.acker?.ack(this.record.offset);
  }

  private complete(): void {
    if ((this.flags & (ACKED | FAILED)) !== 0) return;
    this.flags |= ACKED;
    this.acker?.ack(this.record.offset);
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
    return new Event(key, value, this.record, undefined, this.sender, undefined, root);
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
