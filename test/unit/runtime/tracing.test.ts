// OpenTelemetry through @opentelemetry/api with an SDK installed in this test process (node --test
// runs each file in its own process, so the global provider stays here): a span per processed event,
// parented by the record's traceparent, and traceparent written on the records sent meanwhile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { testApp, waitFor } from './helpers.js';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

test('a span per event, child of the incoming traceparent; the trace follows the event onto the next topic', async () => {
  const { app, logs } = testApp({});
  const incoming = app.topic('incoming', { key: codecs.string, value: codecs.number, partitions: 1 });
  const doubled = app.topic('doubled', { key: codecs.string, value: codecs.number, partitions: 1 });
  const seen: { value: number; traceparent: string | undefined }[] = [];
  app.agent('double', { source: incoming }, async (stream) => {
    for await (const event of stream.events()) await doubled.send({ key: event.key, value: event.value * 2 });
  });
  app.agent('collect', { source: doubled }, async (stream) => {
    for await (const event of stream.events()) seen.push({ value: event.value, traceparent: event.headers['traceparent']?.toString() });
  });
  await app.start();
  try {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentSpan = '00f067aa0ba902b7';
    await incoming.send({ key: 'a', value: 21, headers: { traceparent: Buffer.from(`00-${traceId}-${parentSpan}-01`) } });
    await waitFor(() => seen.length === 1 && exporter.getFinishedSpans().length >= 1, 'the doubled event and a finished span');
    const first = exporter.getFinishedSpans().find((s) => s.attributes['faustgen.agent'] === 'double');
    assert.ok(first, 'a span for the event of agent double');
    assert.equal(first.spanContext().traceId, traceId);
    assert.equal(first.parentSpanContext?.spanId, parentSpan);
    assert.equal(first.attributes['messaging.destination.name'], 'incoming');
    assert.equal(seen[0]?.value, 42);
    assert.equal(seen[0]?.traceparent, `00-${traceId}-${first.spanContext().spanId}-01`, 'the sent record carries the span of the event that sent it');
    assert.ok(logs.lines.some((l) => l.includes('OpenTelemetry SDK found')));
  } finally {
    await app.stop();
  }
});
