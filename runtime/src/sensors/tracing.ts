import { ROOT_CONTEXT, SpanKind, propagation, trace, type Span, type TextMapGetter, type TextMapSetter, type Tracer } from '@opentelemetry/api';
import { actorStorage, type ActorContext } from '../streams/current.js';
import type { Event } from '../streams/event.js';
import type { Headers, ProducerRecord } from '../types/transport.js';

const INVALID_TRACE_ID = '00000000000000000000000000000000';

const headerGetter: TextMapGetter<Headers> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key]?.toString('latin1'),
};

const headerSetter: TextMapSetter<Record<string, Buffer>> = {
  set: (carrier, key, value) => {
    carrier[key] = Buffer.from(value, 'latin1');
  },
};

/** The span of the event an actor processes, kept on its context. */
const spans = new WeakMap<ActorContext, Span>();

/**
 * OpenTelemetry tracing through `@opentelemetry/api`: a span per event an agent processes (a child
 * of the `traceparent` the record carries), and the span's context written into the headers of the
 * records sent while processing it, so a trace follows events across topics. Without an installed
 * SDK the API is a no-op, detected once at start: then nothing is done per event.
 */
export class EventTracing {
  private tracer: Tracer | undefined;

  /** Looks for an SDK (a tracer that makes real trace ids, even for a span it does not record); call at start. */
  detect(): boolean {
    const tracer = trace.getTracer('faustgen');
    const probe = tracer.startSpan('faustgen.probe');
    const real = probe.spanContext().traceId !== INVALID_TRACE_ID;
    probe.end();
    this.tracer = real ? tracer : undefined;
    return real;
  }

  get enabled(): boolean {
    return this.tracer !== undefined;
  }

  /** An actor took `event`: opens its span. */
  eventIn(context: ActorContext, event: Event<unknown, unknown>): void {
    const tracer = this.tracer;
    if (tracer === undefined) return;
    const parent = propagation.extract(ROOT_CONTEXT, event.headers, headerGetter);
    const span = tracer.startSpan(`${event.topic} process`, {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation': 'process',
        'messaging.destination.name': event.topic,
        'messaging.kafka.destination.partition': event.partition,
        'messaging.kafka.message.offset': event.offset,
        'faustgen.agent': context.agent,
      },
    }, parent);
    spans.set(context, span);
  }

  /** The actor is done with its event: closes the span. */
  eventOut(context: ActorContext): void {
    const span = spans.get(context);
    if (span === undefined) return;
    spans.delete(context);
    span.end();
  }

  /** A record sent while an actor processes an event carries that event's span as `traceparent`. */
  stamp(record: ProducerRecord): ProducerRecord {
    if (this.tracer === undefined) return record;
    const context = actorStorage.getStore();
    const span = context === undefined ? undefined : spans.get(context);
    if (span === undefined) return record;
    const headers: Record<string, Buffer> = { ...(record.headers ?? {}) };
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), headers, headerSetter);
    return { ...record, headers };
  }
}
