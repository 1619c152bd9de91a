import { performance } from 'node:perf_hooks';
import { FaustgenError, describeError, isAbandonedOutput } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { SensorSet } from '../sensors/sensor.js';
import type { EventTracing } from '../sensors/tracing.js';
import { Event } from '../streams/event.js';
import { trackedEvent } from '../streams/current.js';
import type { TopicProducer } from '../topics/topic.js';
import { settlePromise } from '../transport/delivery.js';
import type { DeliveryListener, Producer, ProducerRecord, RecordMetadata, TopicPartition } from '../types/transport.js';
import type { ExactlyOnce } from './exactly-once.js';
import type { AppMetrics } from './metrics.js';
import type { OutputHold } from './output-hold.js';
import type { OutputWindow } from './output-window.js';

/** What the router needs from its app. */
export interface OutputRouterHost {
  readonly log: Logger;
  readonly metrics: AppMetrics;
  readonly sensors: SensorSet;
  readonly tracing: EventTracing;
  readonly outputHold: OutputHold;
  /** At-least-once: bounds the records in flight (the conductor waits for room); undefined: unbounded. */
  readonly outputWindow?: OutputWindow | undefined;
  producer(): Producer | undefined;
  exactlyOnce(): ExactlyOnce | undefined;
  /** The app runs (or starts): a record nobody awaited that failed then stops the worker. */
  running(): boolean;
  crash(error: FaustgenError): void;
  /** An output of an event that could still be committed was dropped: see OutputRouter.guardDropped. */
  liveOutputDropped(failure: FaustgenError): void;
}

/**
 * Every output of the app goes through here — sink and topic sends, table changelog writes,
 * forwards, replies — to the producer its event's partition calls for: the plain producer, or with
 * exactly-once the transactional producer of the event's source partition; held while the partition
 * may belong to another member (OutputHold), dropped as revoked when its event is processed again.
 */
export class OutputRouter implements TopicProducer {
  private deliveryFailure: FaustgenError | undefined;
  private lastReportedSendError: unknown;

  constructor(private readonly host: OutputRouterHost) {}

  /** A record sent without awaiting it failed: nothing may be committed any more. */
  get failure(): FaustgenError | undefined {
    return this.deliveryFailure;
  }

  reset(): void {
    this.deliveryFailure = undefined;
    this.lastReportedSendError = undefined;
  }

  /** A send from a handler is owned by its event's partition (see OutputHold). */
  produce(original: ProducerRecord): Promise<RecordMetadata> {
    const event = trackedEvent();
    return this.produceOwned(original, event === undefined ? undefined : { topic: event.topic, partition: event.partition });
  }

  produceOwned(original: ProducerRecord, owner: TopicPartition | undefined): Promise<RecordMetadata> {
    const { host } = this;
    const record = host.tracing.stamp(original);
    const event = trackedEvent();
    if (host.producer() === undefined) return Promise.reject(notStarted(record.topic));
    host.metrics.messagesSent++;
    host.sensors.onSend(record.topic);
    const started = performance.now();
    // The producer is chosen when the output goes out: a held output's partition may have a new one.
    const sendNow = (): Promise<RecordMetadata> => {
      const producer = this.outputProducer(event);
      if (producer === undefined) return Promise.reject(abandonedOutput(event, record.topic));
      const window = host.outputWindow;
      if (window === undefined) return producer.send(record);
      return new Promise<RecordMetadata>((resolve, reject) => producer.produce(record, window.take(settlePromise), { resolve, reject }));
    };
    const sent =
      owner === undefined || host.outputHold.passesNow(owner.topic, owner.partition)
        ? sendNow()
        : new Promise<RecordMetadata>((resolve, reject) => host.outputHold.submit(owner, () => void sendNow().then(resolve, reject), reject));
    void sent.then(
      () => host.sensors.onSendDone(record.topic, performance.now() - started),
      (error: unknown) => this.guardDropped(event, record.topic, error),
    );
    return sent;
  }

  produceTo<T>(original: ProducerRecord, listener: DeliveryListener<T>, tag: T): void {
    const { host } = this;
    const record = host.tracing.stamp(original);
    const producer = host.producer();
    if (producer === undefined) {
      const error = notStarted(record.topic);
      queueMicrotask(() => listener.failed(tag, error));
      return;
    }
    host.metrics.messagesSent++;
    host.sensors.onSend(record.topic);
    if (!(tag instanceof Event)) {
      producer.produce(record, host.outputWindow?.take(listener) ?? listener, tag);
      return;
    }
    // The usual case, per record: no closures, no owner object.
    if (host.outputHold.passesNow(tag.topic, tag.partition)) {
      this.produceFor(tag, record, listener, tag);
      return;
    }
    host.outputHold.submit(
      { topic: tag.topic, partition: tag.partition },
      () => this.produceFor(tag, record, listener, tag),
      (error) => queueMicrotask(() => listener.failed(tag, error)),
    );
  }

  reportSendError(topic: string, error: unknown): void {
    const { host } = this;
    if (isAbandonedOutput(error)) {
      host.log.debug('output dropped: its event is processed again (partition moved or transaction failed)', { topic });
      return;
    }
    host.metrics.sendErrors++;
    host.sensors.onSendError(topic, error);
    // A failed batch rejects each of its records with the same error, and once the worker is
    // stopping every batch still in flight fails too: log the first, count them all.
    if (error !== this.lastReportedSendError && this.deliveryFailure === undefined) host.log.error('send failed', { topic, error: describeError(error) });
    else host.log.debug('send failed', { topic, error: describeError(error) });
    this.lastReportedSendError = error;
    // The event that made this record may be acked already; committing past it would lose the
    // record for good. Stop without committing instead, so a restart processes it again.
    if (this.deliveryFailure === undefined && host.producer() !== undefined) {
      this.deliveryFailure = new FaustgenError('FG_TRANSPORT', `a record sent to "${topic}" without awaiting it (sendSoon or a table write) was not delivered: ${describeError(error)}; stopping without committing, so its event is processed again after a restart`, {
        cause: error,
        details: { topic },
      });
      if (host.running()) host.crash(this.deliveryFailure);
    }
  }

  /**
   * A table's coalesced changelog record, sent at commit (or when the table's buffer is full) on
   * behalf of `origin`, the event whose processing wrote the value last: it goes where that event's
   * outputs go (its transaction with exactly-once; dropped if the event is processed again) and is
   * held like the changelog partition `owner`'s outputs.
   *
   * `windowed` false: the record does not count against the output window. The commit sends the
   * whole coalesced buffer at once and awaits it before the next commit can send another, so those
   * records are bounded by the buffer; counted, each commit's burst (tens of thousands of records)
   * held every event until most of it was acknowledged (the stateful worker idle 18% of its time).
   */
  produceFrom<T>(original: ProducerRecord, owner: TopicPartition, origin: Event<unknown, unknown>, listener: DeliveryListener<T>, tag: T, windowed = true): void {
    const { host } = this;
    const record = host.tracing.stamp(original);
    if (host.producer() === undefined) {
      const error = notStarted(record.topic);
      queueMicrotask(() => listener.failed(tag, error));
      return;
    }
    host.metrics.messagesSent++;
    host.sensors.onSend(record.topic);
    if (host.outputHold.passesNow(owner.topic, owner.partition)) {
      this.produceFor(origin, record, listener, tag, windowed);
      return;
    }
    host.outputHold.submit(
      owner,
      () => this.produceFor(origin, record, listener, tag, windowed),
      (error) => queueMicrotask(() => listener.failed(tag, error)),
    );
  }

  private produceFor<T>(event: Event<unknown, unknown>, record: ProducerRecord, listener: DeliveryListener<T>, tag: T, windowed = true): void {
    const target = this.outputProducer(event);
    if (target !== undefined) {
      target.produce(record, (windowed ? this.host.outputWindow?.take(listener) : undefined) ?? listener, tag);
      return;
    }
    const error = abandonedOutput(event, record.topic);
    this.guardDropped(event, record.topic, error);
    queueMicrotask(() => listener.failed(tag, error));
  }

  /**
   * An output is dropped as abandoned on the promise that its event is processed again: its partition
   * moved, or started over, so the event's tracker is retired and its offset is never committed here.
   * An output dropped while its event is still live breaks that promise — the event would be committed
   * without it — so the partitions are given up at once (started over with exactly-once, the worker
   * stopped otherwise) and the case is logged as the bug it is.
   */
  private guardDropped(event: Event<unknown, unknown> | undefined, topic: string, error: unknown): void {
    if (event === undefined || event.isStale || !isAbandonedOutput(error)) return;
    const where = { topic, source: event.topic, partition: event.partition, offset: event.offset };
    const failure = new FaustgenError('FG_OUTPUT_DROPPED', `an output to "${topic}" of the event at ${event.topic}[${event.partition}]@${event.offset} was dropped (${describeError(error)}) while that event could still be committed; its partitions start over from their committed offsets`, {
      cause: error,
      details: where,
    });
    this.host.log.error('an output of a live event was dropped: giving the partitions up rather than commit past it', { ...where, error: describeError(error) });
    this.host.liveOutputDropped(failure);
  }

  /**
   * Where an output goes: with exactly-once, the transactional producer of the event's source
   * partition — never the plain producer, whose records would commit outside the transaction that
   * commits the event (and so again when the event is processed again). Undefined when that
   * partition has no producer here (it left, or its transaction failed) or the event is stale: the
   * output is dropped as revoked.
   */
  private outputProducer(event: Event<unknown, unknown> | undefined): Producer | undefined {
    const producer = this.host.producer();
    if (event === undefined) return producer;
    // Its partition was revoked or started over since: the event is processed again, so its outputs
    // would count twice (and, with exactly-once, land in the new owner's transaction).
    if (event.isStale) return undefined;
    const exactlyOnce = this.host.exactlyOnce();
    if (exactlyOnce?.active !== true || !exactlyOnce.isTransactional(event.topic)) return producer;
    return exactlyOnce.producerFor(event.topic, event.partition);
  }
}

function notStarted(topic: string): FaustgenError {
  return new FaustgenError('FG_APP_STATE', `cannot send to "${topic}": the app is not started`, { details: { topic } });
}

/**
 * An output that must not go out: its event is processed again (its partition moved or started over
 * since it was delivered, or — with exactly-once — the partition has no open transaction here).
 */
function abandonedOutput(event: Event<unknown, unknown> | undefined, topic: string): FaustgenError {
  return new FaustgenError('FG_PARTITION_REVOKED', `output to "${topic}" dropped: ${event === undefined ? 'its event' : `the event at ${event.topic}[${event.partition}]@${event.offset}`} is processed again (its partition moved or started over)`, {
    retriable: true,
    details: { topic, ...(event === undefined ? {} : { source: event.topic, partition: event.partition, offset: event.offset }) },
  });
}
