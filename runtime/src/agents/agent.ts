import type { Clock } from '../core/clock.js';
import { errorOrigin } from '../core/error-stack.js';
import { RestartBackoff } from './restart-backoff.js';
import { FaustgenError, describeError, hasErrorCode, isAbandonedOutput } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { AsyncQueue } from '../streams/async-queue.js';
import { runActorBody, type ActorContext, type EventMeter, type EventSpans } from '../streams/current.js';
import { Event, type EventAcker, type EventOwner, type EventSender } from '../streams/event.js';
import { SendWindow } from '../streams/send-window.js';
import { Stream, queueSource, type StreamHost } from '../streams/stream.js';
import type { Channel } from '../topics/channel.js';
import { Topic } from '../topics/topic.js';
import type { ConsumedRecord, DeliveryListener, Headers, RecordMetadata } from '../types/transport.js';
import { deadLetterHeaders, describePolicy, type ErrorPolicy } from './error-policy.js';
import { CORRELATION_HEADER, REPLY_TO_HEADER, encodeReply, replyAddressOf, type ReplyRegistry } from './rpc.js';

/** A handler either yields results (to sinks and RPC replies) or just consumes. */
export type AgentHandler<K, V, R> = (stream: Stream<K, V>) => AsyncIterable<R> | Promise<void>;

export type Sink<R> =
  | { readonly name: string; send(message: { value: R }): Promise<unknown> }
  | ((value: R) => unknown);

export interface AgentHost extends EventSender {
  readonly appId: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly bufferSize: number;
  readonly replies: ReplyRegistry;
  streamHost(agent: string): StreamHost;
  /** Whether actors make their context reachable to tables and currentEvent() (see current.ts). */
  tracksEventContext(): boolean;
  /** Stops the worker because of an unrecoverable failure. */
  crash(error: FaustgenError): void;
  /** The reply topic of this process, created and read on first use. */
  replyTopic(): Promise<string>;
  recordFailure(agent: string): void;
  /** Told of each event an actor takes and finishes. */
  readonly sensors?: EventMeter;
  /** A span per event, when tracing is on (an OpenTelemetry SDK is installed). */
  tracing?(): EventSpans | undefined;
}

export interface AgentOptions<K, V, R> {
  readonly source: Topic<K, V> | Channel<K, V>;
  readonly concurrency: number;
  readonly sinks: readonly Sink<R>[];
  readonly onError: ErrorPolicy;
  /** Decodes reply values for ask(); plain JSON when absent. */
  readonly replyDecode?: (value: unknown) => R;
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/**
 * An agent: `concurrency` actors run the handler over one shared stream of its source. Events reach
 * the actors through a bounded queue; the conductor waits while it is full.
 */
export class Agent<K, V, R = void> implements EventOwner {
  private queue: AsyncQueue<Event<K, V>> | undefined;
  /** Queues of topics the handler reads besides its source (groupBy, through), by topic name. */
  private readonly attached = new Map<string, AsyncQueue<Event<unknown, unknown>>>();
  private actors: Promise<void>[] = [];
  /** Outputs (sink sends, replies) in flight: handlers go on while the producer batches them. */
  private readonly sends = new SendWindow(10_000);
  /** Outcomes of topic-sink records, tagged with their event: frees the window slot, then settles the event's hold. */
  private readonly sinkDeliveries: DeliveryListener<Event<unknown, unknown>> = {
    delivered: (event) => {
      this.sends.release();
      event.outputDone();
    },
    failed: (event, error) => {
      this.sends.release();
      event.outputError(error);
    },
  };
  private running = false;
  private readonly log: Logger;

  constructor(
    readonly name: string,
    private readonly options: AgentOptions<K, V, R>,
    private readonly handler: AgentHandler<K, V, R>,
    private readonly host: AgentHost,
  ) {
    this.log = host.log.child(`agent ${name}`);
  }

  get source(): Topic<K, V> | Channel<K, V> {
    return this.options.source;
  }

  get concurrency(): number {
    return this.options.concurrency;
  }

  get errorPolicy(): ErrorPolicy {
    return this.options.onError;
  }

  /** Events buffered and not yet taken by an actor. */
  get buffered(): number {
    let size = this.queue?.size ?? 0;
    for (const queue of this.attached.values()) size += queue.size;
    return size;
  }

  /** A queue for another topic this agent reads (groupBy, through); one per topic name. */
  attach<K2, V2>(topic: string): AsyncQueue<Event<K2, V2>> {
    let queue = this.attached.get(topic);
    if (queue === undefined) {
      queue = new AsyncQueue(this.host.bufferSize);
      this.attached.set(topic, queue);
    }
    return queue as unknown as AsyncQueue<Event<K2, V2>>;
  }

  /** A background forwarder of this agent failed: the same policy as a handler failure applies. */
  fail(error: unknown): void {
    const failure = new FaustgenError('FG_AGENT_FAILED', `agent "${this.name}": forwarding failed: ${describeError(error)}`, { cause: error, details: { agent: this.name } });
    void this.handleFailure(failure, undefined, () => undefined);
  }

  /** Starts the actors; each runs its handler up to its first wait, which registers groupBy topics. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.queue = new AsyncQueue(this.host.bufferSize);
    this.attached.clear();
    const streamHost = this.host.streamHost(this.name);
    const origin = 'valueCodec' in this.options.source
      ? { topic: this.options.source.name, valueCodec: this.options.source.valueCodec as never }
      : { topic: undefined, valueCodec: undefined };
    const queue = this.queue;
    for (let index = 0; index < this.options.concurrency; index++) {
      this.actors.push(this.runActor(index, (context) => Stream.create<K, V>(() => queueSource(queue), streamHost, origin, context)));
    }
  }

  /** Stops handing out events at once (a crash): what is buffered stays unacked and uncommitted. */
  private halt(): void {
    this.running = false;
    this.queue?.close();
    for (const queue of this.attached.values()) queue.close();
  }

  /** Stops taking events, lets in-flight ones finish, and waits for the actors. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.queue?.close();
    for (const queue of this.attached.values()) queue.close();
    await Promise.allSettled(this.actors);
    this.actors = [];
  }

  /** Drops buffered events of partitions being revoked; returns their offsets per partition. */
  dropPartitions(topic: string, partitions: ReadonlySet<number>): Event<unknown, unknown>[] {
    const matches = (event: Event<unknown, unknown>): boolean => event.topic === topic && partitions.has(event.partition);
    const dropped: Event<unknown, unknown>[] = [];
    if (this.options.source.name === topic && this.queue !== undefined) dropped.push(...(this.queue.drop(matches as (e: Event<K, V>) => boolean) as Event<unknown, unknown>[]));
    const attached = this.attached.get(topic);
    if (attached !== undefined) dropped.push(...attached.drop(matches));
    return dropped;
  }

  /** Decodes a record and queues it; a decode failure goes through the error policy. */
  deliver(record: ConsumedRecord, acker: EventAcker, topic: Topic<unknown, unknown>): boolean | Promise<unknown> {
    let preparing: Promise<unknown> | undefined;
    try {
      // Codecs that must fetch something first (a registry writer schema): wait, keeping the order.
      const keyReady = record.key === null ? undefined : topic.keyCodec.prepareDecode?.(record.key);
      const valueReady = record.value === null ? undefined : topic.valueCodec.prepareDecode?.(record.value);
      if (keyReady !== undefined || valueReady !== undefined) preparing = Promise.all([keyReady, valueReady]);
    } catch (error) {
      return this.decodeFailed(error, record, acker);
    }
    if (preparing !== undefined) {
      return preparing.then(
        () => this.deliverDecoded(record, acker, topic),
        (error: unknown) => this.decodeFailed(error, record, acker),
      );
    }
    return this.deliverDecoded(record, acker, topic);
  }

  /** A decode failure keeps its code when it is more precise than FG_DECODE (registry codes) and names the record. */
  private decodeFailed(error: unknown, record: ConsumedRecord, acker: EventAcker): Promise<boolean> {
    const inner = FaustgenError.is(error) && error.code !== 'FG_DECODE' && error.code.startsWith('FG_SCHEMA') ? error : undefined;
    const failure = new FaustgenError(inner?.code ?? 'FG_DECODE', `cannot decode record of topic "${record.topic}" partition ${record.partition} offset ${record.offset}: ${describeError(error)}`, {
      cause: error,
      ...(inner === undefined ? {} : { kind: inner.kind, retriable: inner.retriable }),
      details: { ...(FaustgenError.is(error) ? error.details : {}), topic: record.topic, partition: record.partition, offset: record.offset, agent: this.name },
    });
    return this.handleFailure(failure, record, () => acker.ack(record.offset));
  }

  private deliverDecoded(record: ConsumedRecord, acker: EventAcker, topic: Topic<unknown, unknown>): boolean | Promise<unknown> {
    let key: unknown;
    let value: unknown;
    try {
      key = record.key === null ? undefined : topic.keyCodec.decode(record.key);
      value = record.value === null ? null : topic.valueCodec.decode(record.value);
    } catch (error) {
      return this.decodeFailed(error, record, acker);
    }
    const event = new Event<unknown, unknown>(key, value, record, acker, this.host, this);
    const queue = record.topic === this.options.source.name ? (this.queue as AsyncQueue<Event<unknown, unknown>> | undefined) : this.attached.get(record.topic);
    return queue?.put(event) ?? false;
  }

  /** Queues a value from an in-memory channel. */
  async deliverLocal(message: { key: K | undefined; value: V; headers: Headers; offset: number; timestamp: number }): Promise<void> {
    const record: ConsumedRecord = { topic: this.options.source.name, partition: 0, offset: message.offset, timestamp: message.timestamp, key: null, value: null, headers: message.headers };
    const event = new Event<K, V>(message.key as K, message.value, record, undefined, this.host, this);
    await this.queue?.put(event);
  }

  async send(message: { key?: K; value: V; partition?: number; headers?: Headers; timestamp?: number }): Promise<RecordMetadata | void> {
    return this.options.source.send(message);
  }

  async cast(value: V, options: { key?: K; partition?: number } = {}): Promise<void> {
    await this.send({ value, ...options });
  }

  /** Sends `value` to the agent and waits for the first value it yields in reply. */
  async ask(value: V, options: { key?: K; partition?: number; timeoutMs?: number } = {}): Promise<R> {
    const source = this.options.source;
    if (!('valueCodec' in source)) {
      throw new FaustgenError('FG_STREAM_STATE', `agent "${this.name}" reads an in-memory channel: ask() needs a topic so the reply can come back`);
    }
    const replyTo = await this.host.replyTopic();
    const correlationId = this.host.replies.newCorrelationId();
    const timeoutMs = options.timeoutMs ?? 30_000;
    const reply = this.host.replies.wait(correlationId, timeoutMs, `ask() to agent "${this.name}"`);
    await source.send({
      value,
      ...(options.key === undefined ? {} : { key: options.key }),
      ...(options.partition === undefined ? {} : { partition: options.partition }),
      headers: { [REPLY_TO_HEADER]: Buffer.from(replyTo), [CORRELATION_HEADER]: Buffer.from(correlationId) },
    });
    const raw = await reply;
    return this.options.replyDecode === undefined ? (raw as R) : this.options.replyDecode(raw);
  }

  private async runActor(index: number, makeStream: (context: ActorContext) => Stream<K, V>): Promise<void> {
    const backoff = new RestartBackoff();
    const tracked = this.host.tracksEventContext();
    while (this.running) {
      const context: ActorContext = { current: undefined, agent: this.name, meter: this.host.sensors, tracing: this.host.tracing?.() };
      try {
        await runActorBody(context, tracked, async () => {
          const result = this.handler(makeStream(context));
          if (isAsyncIterable(result)) {
            for await (const value of result) {
              const emitting = this.emit(value as R, context.current as Event<K, V> | undefined);
              if (emitting !== undefined) await emitting;
            }
          } else {
            await result;
          }
        });
        context.current?.ack();
        return;
      } catch (error) {
        const event = context.current as Event<K, V> | undefined;
        const record = event === undefined ? undefined : { topic: event.topic, partition: event.partition, offset: event.offset, key: event.rawKey, value: event.rawValue, headers: event.headers, timestamp: event.timestamp };
        const failure = FaustgenError.is(error) && error.code === 'FG_AGENT_FAILED' ? error : new FaustgenError('FG_AGENT_FAILED', `agent "${this.name}" actor ${index} failed${record === undefined ? '' : ` on topic "${record.topic}" partition ${record.partition} offset ${record.offset}`}: ${describeError(error)}`, {
          cause: error,
          details: { agent: this.name, actor: index, ...(record === undefined ? {} : { topic: record.topic, partition: record.partition, offset: record.offset }) },
        });
        const stop = await this.handleFailure(failure, record, () => event?.ack());
        if (stop) return;
        // A handler that fails at once on every start would spin: back off a little, capped.
        const delay = backoff.next(event !== undefined);
        if (delay > 0) await this.host.clock.sleep(delay).catch(() => undefined);
      }
    }
  }

  /** Applies the error policy; returns true when the actor must stop (the worker crashes). */
  private async handleFailure(failure: FaustgenError, record: ConsumedRecord | undefined, ack: () => void): Promise<boolean> {
    const policy = this.options.onError;
    const where = record === undefined ? {} : { topic: record.topic, partition: record.partition, offset: record.offset };
    if (isAbandonedOutput(failure)) {
      // Not a failure of the event: its partition moved or its transaction failed, and the event is
      // processed again (by the new owner, or here from the committed offset).
      this.log.debug('event abandoned: it is processed again', { ...where, code: hasErrorCode(failure, 'FG_PARTITION_REVOKED') ? 'FG_PARTITION_REVOKED' : 'FG_TRANSACTION_ABORTED' });
      return false;
    }
    this.host.recordFailure(this.name);
    if (policy === 'crash') {
      this.log.error('handler failed; stopping the worker (onError: crash), offset stays uncommitted', { ...where, code: failure.code, error: failure.message, ...errorOrigin(failure) });
      this.halt();
      this.host.crash(failure);
      return true;
    }
    if (typeof policy === 'object' && record !== undefined) {
      try {
        await this.host.sendRaw(policy.deadLetter, record.key, record.value, { ...record.headers, ...deadLetterHeaders(failure, record, this.name) });
      } catch (error) {
        const crash = new FaustgenError('FG_AGENT_FAILED', `agent "${this.name}": cannot write dead letter to "${policy.deadLetter}": ${describeError(error)}`, { cause: error, details: where });
        this.log.error('dead letter failed; stopping the worker', { ...where, error: crash.message });
        this.halt();
        this.host.crash(crash);
        return true;
      }
    }
    this.log.error(`handler failed; event recorded and acked (onError: ${describePolicy(policy)})`, { ...where, code: failure.code, error: failure.message, ...errorOrigin(failure) });
    ack();
    return false;
  }

  /**
   * Hands a yielded value to the reply topic and the sinks. Topic and agent sinks are not awaited:
   * the send is tied to the event (its ack waits for the broker), so the producer can batch; only a
   * full send window or a function sink makes the handler wait. A topic sink with a current event
   * reports its delivery to `sinkDeliveries` (the event is the tag) instead of through a promise.
   */
  private emit(value: R, event: Event<K, V> | undefined): Promise<void> | undefined {
    const address = event === undefined ? undefined : replyAddressOf(event.headers);
    let waits: Promise<unknown>[] | undefined;
    if (address !== undefined && event !== undefined) {
      waits = this.output(() => this.host.sendRaw(address.replyTo, null, encodeReply(event.key, value, address.correlationId), {}), event, waits);
    }
    for (const sink of this.options.sinks) {
      if (typeof sink === 'function') {
        const result = sink(value);
        if (result instanceof Promise) (waits ??= []).push(result);
      } else if (event !== undefined && sink instanceof Topic && this.sends.tryAcquire()) {
        event.holdOutput();
        (sink as Topic<unknown, R>).produceTo({ value }, this.sinkDeliveries, event as Event<unknown, unknown>);
      } else {
        waits = this.output(() => sink.send({ value }), event, waits);
      }
    }
    return waits === undefined ? undefined : Promise.all(waits).then(() => undefined);
  }

  /** Starts a promise-returning output within the send window; returns the waits the caller must await. */
  private output(send: () => Promise<unknown>, event: Event<K, V> | undefined, waits: Promise<unknown>[] | undefined): Promise<unknown>[] | undefined {
    const sent = this.sends.tryAdmit(send);
    if (sent !== undefined && event !== undefined) {
      event.hold(sent);
      return waits;
    }
    const list = waits ?? [];
    list.push(sent ?? this.sends.admit(send).then(({ sent: admitted }) => (event === undefined ? admitted : event.hold(admitted))));
    return list;
  }

  /** @internal An output of an event failed: the error policy decides, as for a handler failure. */
  outputFailed(event: Event<unknown, unknown>, error: unknown): void {
    const failure = new FaustgenError('FG_AGENT_FAILED', `agent "${this.name}": an output of the event on topic "${event.topic}" partition ${event.partition} offset ${event.offset} failed: ${describeError(error)}`, {
      cause: error,
      details: { agent: this.name, topic: event.topic, partition: event.partition, offset: event.offset },
    });
    const record = { topic: event.topic, partition: event.partition, offset: event.offset, key: event.rawKey, value: event.rawValue, headers: event.headers, timestamp: event.timestamp };
    void this.handleFailure(failure, record, () => event.settleAfterFailure());
  }
}
