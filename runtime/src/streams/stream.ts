import type { Clock } from '../core/clock.js';
import { FaustgenError } from '../core/errors.js';
import type { Codec } from '../types/codec.js';
import type { Headers, RecordMetadata } from '../types/transport.js';
import { NOT_READY, type AsyncQueue } from './async-queue.js';
import type { ActorContext } from './current.js';
import type { Event } from './event.js';
import { SendWindow } from './send-window.js';

/**
 * Pulls events one at a time; undefined means the source is closed. `poll` hands over an event
 * that is ready now without a promise (NOT_READY: wait with `next`), so a chain of operators over
 * a buffered queue costs one promise per event instead of one per operator.
 */
export interface EventSource<K, V> {
  next(): Promise<Event<K, V> | undefined>;
  poll(): Event<K, V> | undefined | typeof NOT_READY;
}

/** An EventSource over a queue of events. */
export function queueSource<K, V>(queue: AsyncQueue<Event<K, V>>): EventSource<K, V> {
  return { next: () => queue.take(), poll: () => queue.poll() };
}

/** A source that can only wait (operators that always do async work). */
function waitingSource<K, V>(next: () => Promise<Event<K, V> | undefined>): EventSource<K, V> {
  return { next, poll: () => NOT_READY };
}

/**
 * Turns a per-event step that may finish now or later into a source. A step that finishes later
 * (an async predicate or mapper) parks its promise; the next `next` returns it first, so order holds.
 */
function steppedSource<K, V, T>(source: EventSource<K, V>, step: (event: Event<K, V>) => Event<K, T> | undefined | Promise<Event<K, T> | undefined>): EventSource<K, T> {
  let parked: Promise<Event<K, T> | undefined> | undefined;
  const run = (event: Event<K, V> | undefined): Event<K, T> | undefined | Promise<Event<K, T> | undefined> => (event === undefined ? undefined : step(event));
  return {
    next: () => {
      if (parked !== undefined) {
        const waiting = parked;
        parked = undefined;
        return waiting;
      }
      return source.next().then(run);
    },
    poll: () => {
      if (parked !== undefined) return NOT_READY;
      const event = source.poll();
      if (event === NOT_READY) return NOT_READY;
      const result = run(event);
      if (result instanceof Promise) {
        parked = result;
        return NOT_READY;
      }
      return result;
    },
  };
}

/** Where a stream's events come from, as far as groupBy and through need to know. */
export interface StreamOrigin {
  /** Topic name, or undefined for an in-memory channel. */
  readonly topic: string | undefined;
  readonly valueCodec: Codec<unknown> | undefined;
}

export interface RepartitionSpec<K> {
  readonly topic: string;
  readonly keyCodec: Codec<K>;
  readonly valueCodec: Codec<unknown>;
  readonly partitions: number | undefined;
}

/** A topic that one agent reads besides its source: repartition and through topics. */
export interface AttachedTopic<K, V> {
  readonly name: string;
  /** Sends bytes as they are; `timestamp` keeps the original event time (windows after groupBy need it). */
  sendRaw(key: Buffer | null, value: Buffer | null, headers: Headers, timestamp?: number): Promise<RecordMetadata>;
  send(message: { key?: K; value: V; headers?: Headers }): Promise<RecordMetadata>;
  open(): EventSource<K, V>;
  /** Reports a failure of a background forwarder to the owning agent. */
  fail(error: unknown): void;
}

/** What streams need from the app; the agent wires it. */
export interface StreamHost {
  readonly clock: Clock;
  readonly appId: string;
  attachRepartition<K>(spec: RepartitionSpec<K>): AttachedTopic<K, unknown>;
  attachTopic<K, V>(name: string): AttachedTopic<K, V>;
  /** Sends to any topic by name with its declared codecs. */
  sendTo<K, V>(topic: string, message: { key?: K; value: V; headers?: Headers }): Promise<RecordMetadata>;
}

interface StreamState {
  readonly host: StreamHost;
  readonly origin: StreamOrigin;
  readonly acks: boolean;
  /** True once values no longer are what the source decoded (map): groupBy would forward stale bytes. */
  readonly transformed: boolean;
  /** The actor iterating this stream: told which event is current. */
  readonly context: ActorContext | undefined;
}

/**
 * An agent's view of its source. Iterating it yields values; the previous event is acked when the
 * next one is requested (Faust's semantics), unless the stream was made with `noack()`.
 */
export class Stream<K, V> implements AsyncIterable<V> {
  constructor(
    private readonly open: () => EventSource<K, V>,
    private readonly state: StreamState,
  ) {}

  /** @internal */
  static create<K, V>(open: () => EventSource<K, V>, host: StreamHost, origin: StreamOrigin, context?: ActorContext): Stream<K, V> {
    return new Stream(open, { host, origin, acks: true, transformed: false, context });
  }

  private derive<K2, V2>(open: () => EventSource<K2, V2>, changes: Partial<StreamState> = {}): Stream<K2, V2> {
    return new Stream(open, { ...this.state, ...changes });
  }

  /**
   * The iteration every consumer of a stream goes through: acks the previous event when the next is
   * requested and records the current event for the actor. Written as a plain iterator rather than an
   * async generator because it runs once per event and generators cost several promises each.
   */
  private iterate<T>(project: (event: Event<K, V>) => T): AsyncIterableIterator<T> {
    const source = this.open();
    const { acks, context } = this.state;
    let previous: Event<K, V> | undefined;
    let done = false;
    const finished: IteratorResult<T> = { done: true, value: undefined };
    const onEvent = (event: Event<K, V> | undefined): IteratorResult<T> => {
      if (event === undefined) {
        done = true;
        return finished;
      }
      if (context !== undefined) {
        context.current = event as Event<unknown, unknown>;
        if (context.meter !== undefined) {
          context.meter.onStreamEventIn(context.agent);
          context.startedAt = performance.now();
        }
        context.tracing?.eventIn(context, event as Event<unknown, unknown>);
      }
      previous = event;
      return { done: false, value: project(event) };
    };
    return {
      next: () => {
        if (previous !== undefined) {
          if (acks) previous.ack();
          if (context?.meter !== undefined && context.startedAt !== undefined) context.meter.onStreamEventOut(context.agent, performance.now() - context.startedAt);
          if (context?.tracing !== undefined) context.tracing.eventOut(context);
        }
        previous = undefined;
        if (done) return Promise.resolve(finished);
        try {
          const ready = source.poll();
          if (ready !== NOT_READY) return Promise.resolve(onEvent(ready));
        } catch (error) {
          return Promise.reject(error);
        }
        return source.next().then(onEvent);
      },
      // Leaving the loop (break or throw) does not ack: the actor decides by how the handler ended.
      return: () => {
        done = true;
        return Promise.resolve(finished);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  events(): AsyncIterableIterator<Event<K, V>> {
    return this.iterate((event) => event);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<V> {
    return this.iterate((event) => event.value);
  }

  items(): AsyncIterableIterator<[K, V]> {
    return this.iterate((event) => [event.key, event.value]);
  }

  enumerate(start = 0): AsyncIterableIterator<[number, V]> {
    let index = start;
    return this.iterate((event) => [index++, event.value] as [number, V]);
  }

  /** Keeps events whose value passes; the others are acked at once. */
  filter(predicate: (value: V, event: Event<K, V>) => boolean | Promise<boolean>): Stream<K, V> {
    return this.derive(() => {
      const source = this.open();
      // Skipping an event either continues synchronously with what is buffered or waits for more.
      const step = (event: Event<K, V>): Event<K, V> | undefined | Promise<Event<K, V> | undefined> => {
        let current = event;
        for (;;) {
          const keep = predicate(current.value, current);
          if (keep === true) return current;
          if (keep !== false) return keep.then((passed) => (passed ? current : skip(current)));
          current.ack();
          const ready = source.poll();
          if (ready === NOT_READY) return source.next().then((next) => (next === undefined ? undefined : step(next)));
          if (ready === undefined) return undefined;
          current = ready;
        }
      };
      const skip = (event: Event<K, V>): Promise<Event<K, V> | undefined> => {
        event.ack();
        return source.next().then((next) => (next === undefined ? undefined : step(next)));
      };
      return steppedSource(source, step);
    });
  }

  map<U>(fn: (value: V, event: Event<K, V>) => U | Promise<U>): Stream<K, U> {
    return this.derive(
      () =>
        steppedSource(this.open(), (event): Event<K, U> | Promise<Event<K, U>> => {
          const mapped = fn(event.value, event);
          return mapped instanceof Promise ? mapped.then((value) => event.withValue(value)) : event.withValue(mapped);
        }),
      { transformed: true },
    );
  }

  /** A stream whose events the handler acks itself (`event.ack()`). */
  noack(): Stream<K, V> {
    return this.derive(this.open, { acks: false });
  }

  /**
   * Repartitions by a new key: each event is forwarded (original value bytes and headers, new key)
   * to an internal topic, to the partition murmur2 gives for the new key, and the returned stream
   * reads that topic. The original event is acked once the broker has the forwarded copy.
   */
  groupBy<K2>(
    keyOf: (value: V, event: Event<K, V>) => K2 | Promise<K2>,
    options: { readonly name: string; readonly key: Codec<K2>; readonly topic?: string; readonly partitions?: number },
  ): Stream<K2, V> {
    const { origin, host } = this.state;
    if (this.state.transformed) {
      throw new FaustgenError('FG_STREAM_STATE', `groupBy("${options.name}") after map(): group before mapping, the repartition topic carries the source bytes`);
    }
    if (origin.topic === undefined || origin.valueCodec === undefined) {
      throw new FaustgenError('FG_STREAM_STATE', `groupBy("${options.name}") needs a stream read from a topic, not from a channel`);
    }
    const topic = options.topic ?? `${host.appId}-${origin.topic}-${options.name}-repartition`;
    const attached = host.attachRepartition({ topic, keyCodec: options.key, valueCodec: origin.valueCodec, partitions: options.partitions });
    const forward = this.open;
    let forwarding: Promise<void> | undefined;
    const startForwarding = (): Promise<void> => {
      forwarding ??= (async () => {
        const source = forward();
        const window = new SendWindow(10_000);
        for (;;) {
          const event = await source.next();
          if (event === undefined) return;
          const key = await keyOf(event.value, event);
          const send = (): Promise<RecordMetadata> => attached.sendRaw(options.key.encode(key), event.rawValue, event.headers, event.timestamp);
          event.hold(window.tryAdmit(send) ?? (await window.admit(send)).sent);
          event.ack();
        }
      })();
      return forwarding;
    };
    return new Stream<K2, V>(
      () => {
        const source = attached.open() as EventSource<K2, V>;
        void startForwarding().catch((error: unknown) => attached.fail(error));
        return source;
      },
      { ...this.state, origin: { topic, valueCodec: origin.valueCodec } },
    );
  }

  /** Sends every value to `topic` (with its codecs) and continues from that topic. */
  through<V2 extends V>(topic: { readonly name: string }): Stream<K, V2> {
    const attached = this.state.host.attachTopic<K, V2>(topic.name);
    const source = this.open;
    let started = false;
    return new Stream<K, V2>(
      () => {
        if (!started) {
          started = true;
          void (async () => {
            const events = source();
            const window = new SendWindow(10_000);
            for (;;) {
              const event = await events.next();
              if (event === undefined) return;
              const send = (): Promise<RecordMetadata> => attached.send({ key: event.key, value: event.value as V2, headers: event.headers });
              event.hold(window.tryAdmit(send) ?? (await window.admit(send)).sent);
              event.ack();
            }
          })().catch((error: unknown) => attached.fail(error));
        }
        return attached.open();
      },
      { ...this.state, origin: { topic: topic.name, valueCodec: undefined } },
    );
  }

  /** Sends every value to the topics as it passes, then lets it through. */
  echo(...topics: readonly { readonly name: string }[]): Stream<K, V> {
    const host = this.state.host;
    return this.derive(() =>
      steppedSource(this.open(), (event) => {
        for (const t of topics) event.hold(host.sendTo(t.name, { key: event.key, value: event.value }));
        return event;
      }),
    );
  }

  /** At most `perSecond` events a second, by the app clock. */
  rateLimit(perSecond: number): Stream<K, V> {
    if (!(perSecond > 0)) throw new FaustgenError('FG_STREAM_STATE', `rateLimit(${perSecond}): the rate must be > 0`);
    const clock = this.state.host.clock;
    const interval = 1000 / perSecond;
    return this.derive(() => {
      const source = this.open();
      let nextAt = 0;
      return waitingSource(async () => {
        const event = await source.next();
        if (event === undefined) return undefined;
        const now = clock.now();
        if (nextAt > now) await clock.sleep(nextAt - now);
        nextAt = Math.max(now, nextAt) + interval;
        return event;
      });
    });
  }

  /**
   * Batches of up to `max` values; a batch is yielded early when `withinMs` passed since its first
   * value arrived. The events of a batch are acked when the next batch is requested.
   */
  async *take(max: number, withinMs: number): AsyncGenerator<V[], void, undefined> {
    for await (const batch of this.takeEvents(max, withinMs)) yield batch.map((event) => event.value);
  }

  async *takeEvents(max: number, withinMs: number): AsyncGenerator<Event<K, V>[], void, undefined> {
    if (!Number.isInteger(max) || max < 1) throw new FaustgenError('FG_STREAM_STATE', `take(${max}): max must be an integer ≥ 1`);
    const clock = this.state.host.clock;
    const source = this.open();
    let pending: Promise<Event<K, V> | undefined> | undefined;
    let previous: Event<K, V>[] = [];
    for (;;) {
      if (this.state.acks) for (const event of previous) event.ack();
      previous = [];
      const batch: Event<K, V>[] = [];
      let deadline: Promise<'timeout'> | undefined;
      const abort = new AbortController();
      let closed = false;
      while (batch.length < max) {
        pending ??= source.next();
        const winner = deadline === undefined ? await pending : await Promise.race([pending, deadline]);
        if (winner === 'timeout') break;
        pending = undefined;
        if (winner === undefined) {
          closed = true;
          break;
        }
        batch.push(winner);
        deadline ??= clock.sleep(withinMs, abort.signal).then(() => 'timeout' as const, () => 'timeout' as const);
      }
      abort.abort();
      if (batch.length > 0) {
        const context = this.state.context;
        if (context !== undefined) context.current = batch[batch.length - 1] as Event<unknown, unknown>;
        previous = batch;
        yield batch;
      }
      if (closed) {
        if (this.state.acks) for (const event of previous) event.ack();
        return;
      }
    }
  }
}

