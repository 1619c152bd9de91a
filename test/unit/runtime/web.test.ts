// The worker's web server over real HTTP (loopback, any free port) with the embedded broker: user
// pages refuse what they must refuse without harming the worker, and the built-in operations pages.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type { App } from '../../../runtime/src/app/app.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { testApp, waitFor } from './helpers.js';

interface MetricFamily {
  readonly name: string;
  readonly type: string;
  readonly metrics: readonly { readonly value?: string; readonly labels?: Readonly<Record<string, string>>; readonly buckets?: Readonly<Record<string, string>>; readonly count?: string }[];
}
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => MetricFamily[];

/** A raw request, so that malformed URLs reach the server as they are (fetch would normalize them). */
function raw(port: number, method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
    });
    // The server may answer 413 and close before the whole body is written.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function counter(families: readonly MetricFamily[], name: string, labels: Record<string, string>): number {
  const family = families.find((f) => f.name === name);
  const metric = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(metric?.value ?? metric?.count ?? 0);
}

async function startWithPages(settings: Parameters<typeof testApp>[0] = {}): Promise<{ app: App; processed: number[]; port: number; send: (n: number) => Promise<unknown> }> {
  const { app } = testApp({ webEnabled: true, webPort: 0, ...settings });
  const numbers = app.topic('numbers', { key: codecs.string, value: codecs.number, partitions: 2 });
  const processed: number[] = [];
  app.agent('sum', { source: numbers }, async (stream) => {
    for await (const n of stream) processed.push(n);
  });
  app.page('/x/:id', (req) => ({ body: { id: req.params['id'], method: req.method, body: req.body } }));
  app.page('/only-put', () => ({ body: 'put' }), { methods: ['PUT'] });
  app.page('/boom', () => {
    throw new Error('page bug');
  });
  app.page('/slow', (req) => new Promise((resolve) => req.signal.addEventListener('abort', () => resolve({ body: 'late' }))));
  await app.start();
  return { app, processed, port: app.webPort, send: (n) => numbers.send({ key: String(n), value: n }) };
}

test('a malformed URL on a page with a :param gets 400 and the worker keeps processing (it used to crash)', async () => {
  const { app, processed, port, send } = await startWithPages();
  try {
    const bad = await raw(port, 'GET', '/x/%E0%A4%A');
    assert.equal(bad.status, 400, bad.body);
    assert.equal(app.state, 'running');
    await send(7);
    await waitFor(() => processed.includes(7), 'event processed after the bad request');
    const good = await raw(port, 'GET', '/x/caf%C3%A9');
    assert.equal(good.status, 200);
    assert.deepEqual(JSON.parse(good.body), { id: 'café', method: 'GET' });
  } finally {
    await app.stop();
  }
});

test('wrong methods get 405, oversized bodies 413, throwing pages 500, slow pages 503, unknown paths 404; the worker keeps processing', async () => {
  const { app, processed, port, send } = await startWithPages({ webBodyLimit: 1024, webRequestTimeoutMs: 300 });
  try {
    const wrong = await raw(port, 'GET', '/only-put');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers['allow'], 'PUT');
    assert.equal((await raw(port, 'PUT', '/only-put')).status, 200);
    assert.equal((await raw(port, 'DELETE', '/x/1')).status, 405, 'pages answer GET and POST by default');
    const posted = await raw(port, 'POST', '/x/1', JSON.stringify({ a: 1 }));
    assert.deepEqual(JSON.parse(posted.body), { id: '1', method: 'POST', body: { a: 1 } });
    assert.equal((await raw(port, 'POST', '/x/1', 'x'.repeat(64 * 1024))).status, 413);
    const boom = await raw(port, 'GET', '/boom');
    assert.equal(boom.status, 500);
    assert.match(boom.body, /page bug/);
    assert.equal((await raw(port, 'GET', '/slow')).status, 503);
    assert.equal((await raw(port, 'GET', '/nothing/here')).status, 404);
    assert.equal(app.state, 'running');
    await send(8);
    await waitFor(() => processed.includes(8), 'event processed after the refused requests');
  } finally {
    await app.stop();
  }
});

test('/health, /ready, /stats, /assignment and /metrics answer; the metrics parse as Prometheus text and move with traffic', async () => {
  const { app, processed, port, send } = await startWithPages();
  try {
    assert.equal((await raw(port, 'GET', '/health')).status, 200);
    const ready = await raw(port, 'GET', '/ready');
    assert.equal(ready.status, 200, ready.body);
    const stats = JSON.parse((await raw(port, 'GET', '/stats')).body) as { state: string; agents: Record<string, unknown> };
    assert.equal(stats.state, 'running');
    assert.ok(stats.agents['sum']);
    const assignment = JSON.parse((await raw(port, 'GET', '/assignment')).body) as { actives: { topic: string }[] };
    assert.ok(assignment.actives.some((tp) => tp.topic === 'numbers'));
    const before = parsePrometheus((await raw(port, 'GET', '/metrics')).body);
    for (const n of [1, 2, 3, 4, 5]) await send(n);
    await waitFor(() => processed.length >= 5, 'five events processed');
    const response = await raw(port, 'GET', '/metrics');
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const after = parsePrometheus(response.body);
    const received = (families: readonly MetricFamily[]): number => counter(families, 'faustgen_messages_received_total', { topic: 'numbers', partition: '0' }) + counter(families, 'faustgen_messages_received_total', { topic: 'numbers', partition: '1' });
    assert.equal(received(after) - received(before), 5);
    assert.equal(counter(after, 'faustgen_messages_sent_total', { topic: 'numbers' }) - counter(before, 'faustgen_messages_sent_total', { topic: 'numbers' }), 5);
    assert.ok(counter(after, 'faustgen_events_total', { agent: 'sum' }) >= 4, 'events counted per agent');
    const observed = /^faustgen_event_processing_seconds_count\{[^}]*agent="sum"[^}]*\} (\d+)$/m.exec(response.body);
    assert.ok(Number(observed?.[1]) >= 4, 'processing-time histogram observed');
    for (const name of ['faustgen_consumer_lag', 'faustgen_commit_latency_seconds', 'faustgen_rebalances_total', 'faustgen_stalled_partitions', 'faustgen_recovering', 'faustgen_web_requests_total', 'faustgen_send_latency_seconds', 'faustgen_table_operations_total', 'process_cpu_user_seconds_total']) {
      assert.ok(after.some((f) => f.name === name), `metric ${name} is exposed`);
    }
    assert.equal(counter(after, 'faustgen_rebalances_total', {}), 1);
  } finally {
    await app.stop();
  }
});

test('/table and /router read a table key on the worker that holds it; /send writes bytes to a declared topic', async () => {
  const { app } = testApp({ webEnabled: true, webPort: 0 });
  const words = app.topic('words', { key: codecs.string, value: codecs.string, partitions: 4 });
  const counts = app.table('counts', { key: codecs.string, value: codecs.number, default: () => 0, partitions: 4 });
  app.agent('count', { source: words, tables: [counts] }, async (stream) => {
    for await (const event of stream.events()) counts.update(event.key, (n) => n + 1);
  });
  await app.start();
  try {
    const port = app.webPort;
    const sent = await raw(port, 'POST', '/send/words', JSON.stringify({ key: Buffer.from('ada').toString('base64'), value: Buffer.from('hi').toString('base64') }));
    assert.equal(sent.status, 200, sent.body);
    await words.send({ key: 'ada', value: 'again' });
    await waitFor(() => counts.get('ada') === 2, 'both words counted');
    const value = JSON.parse((await raw(port, 'GET', '/table/counts/ada')).body) as { value: number; found: boolean };
    assert.deepEqual({ value: value.value, found: value.found }, { value: 2, found: true });
    const route = JSON.parse((await raw(port, 'GET', '/router/counts/ada')).body) as { local: boolean; url: string; partition: number };
    assert.equal(route.local, true);
    assert.equal(route.url, `http://127.0.0.1:${port}`);
    assert.equal((await raw(port, 'GET', '/table/nope/ada')).status, 404);
    assert.equal((await raw(port, 'POST', '/send/undeclared', JSON.stringify({ value: null }))).status, 404);
    assert.equal((await raw(port, 'GET', '/send/words')).status, 405);
    const metrics = parsePrometheus((await raw(port, 'GET', '/metrics')).body);
    assert.ok(counter(metrics, 'faustgen_table_operations_total', { table: 'counts', operation: 'set' }) >= 2);
  } finally {
    await app.stop();
  }
});

test('a user sensor is told of events and table writes; a throwing sensor does not stop the worker', async () => {
  const { app, logs } = testApp({});
  const seen: string[] = [];
  app.addSensor({ onStreamEventIn: (agent) => seen.push(`in:${agent}`), onStreamEventOut: (agent) => seen.push(`out:${agent}`) });
  app.addSensor({
    onMessagesIn: () => {
      throw new Error('sensor bug');
    },
  });
  const numbers = app.topic('numbers', { value: codecs.number, partitions: 1 });
  const processed: number[] = [];
  app.agent('a', { source: numbers }, async (stream) => {
    for await (const n of stream) processed.push(n);
  });
  await app.start();
  try {
    await numbers.send({ value: 1 });
    await numbers.send({ value: 2 });
    await waitFor(() => processed.length === 2, 'two events');
    await waitFor(() => seen.filter((s) => s === 'out:a').length >= 1, 'an event finished');
    assert.ok(seen.includes('in:a'));
    assert.equal(app.webPort, 0, 'app.start() alone serves no web pages');
    assert.ok(logs.lines.some((l) => l.includes('sensor threw')));
  } finally {
    await app.stop();
  }
});
