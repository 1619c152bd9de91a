import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApp } from '../../../runtime/src/app/app.js';
import { FaustgenError, type ErrorCode } from '../../../runtime/src/core/errors.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { brokerOf, brokerUrl, testApp, waitFor } from './helpers.js';

function expectError(fn: () => unknown, code: ErrorCode, setting: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(FaustgenError.is(e), `a FaustgenError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.ok(e.message.includes(setting), `message names "${setting}": ${e.message}`);
    return true;
  });
}

test('invalid settings give coded errors naming the setting', () => {
  expectError(() => createApp({ id: 'x', broker: 'kafka://' }), 'FG_BROKER_URL_INVALID', 'broker');
  expectError(() => createApp({ id: 'x', broker: 'kafka://host:99999' }), 'FG_BROKER_URL_INVALID', 'broker');
  expectError(() => createApp({ id: 'x', broker: 'amqp://host' }), 'FG_BROKER_URL_INVALID', 'broker');
  expectError(() => createApp({ id: 'x', broker: 'localhost:9092' }), 'FG_BROKER_URL_INVALID', 'broker');
  expectError(() => createApp({ id: 'x', store: 'redis://x' }), 'FG_STORE_URL_INVALID', 'store');
  expectError(() => createApp({ id: 'x', topicPartitions: 0 }), 'FG_SETTING_INVALID', 'topicPartitions');
  expectError(() => createApp({ id: 'x', topicPartitions: -3 }), 'FG_SETTING_INVALID', 'topicPartitions');
  expectError(() => createApp({ id: 'x', valueSerializer: 'avro' }), 'FG_CODEC_UNKNOWN', 'valueSerializer');
  expectError(() => createApp({ id: 'x', keySerializer: 'yaml' }), 'FG_CODEC_UNKNOWN', 'keySerializer');
  expectError(() => createApp({ id: 'bad id!' }), 'FG_SETTING_INVALID', 'id');
  expectError(() => createApp({ id: 'x', eventContext: 'sometimes' as never }), 'FG_SETTING_INVALID', 'eventContext');
  const app = createApp({ id: 'ok', broker: 'kafka://a:1;b' });
  assert.deepEqual(app.settings.broker.hosts, ['a:1', 'b:9092']);
  expectError(() => app.topic('t', { partitions: 0 }), 'FG_SETTING_INVALID', 'partitions');
  expectError(() => app.topic('t2', { value: 'protobuf' as never }), 'FG_CODEC_UNKNOWN', 'protobuf');
  expectError(() => app.agent('a', { concurrency: 0 }, async () => undefined), 'FG_SETTING_INVALID', 'concurrency');
  expectError(() => app.agent('b', { onError: 'ignore' as never }, async () => undefined), 'FG_SETTING_INVALID', 'onError');
});

async function decodeFailure(onError: 'crash' | 'skip' | { deadLetter: string }) {
  const { app, logs } = testApp({ id: 'decoder', broker: brokerUrl() });
  const source = app.topic('json-in', { value: codecs.json<{ n: number }>(), partitions: 1 });
  if (typeof onError === 'object') app.topic(onError.deadLetter, { partitions: 1 });
  const got: number[] = [];
  app.agent('reader', { source, onError }, async (stream) => {
    for await (const value of stream) got.push(value.n);
  });
  await app.start();
  await app.sendRaw('json-in', null, Buffer.from('{"n":1}'));
  await app.sendRaw('json-in', null, Buffer.from('not json at all'));
  await app.sendRaw('json-in', null, Buffer.from('{"n":3}'));
  return { app, logs, got };
}

test('a value that fails to decode with onError crash stops the worker and is never committed', async () => {
  const { app, logs, got } = await decodeFailure('crash');
  const crashed = await app.whenStopped();
  assert.equal(crashed?.code, 'FG_DECODE');
  assert.deepEqual(got, [1]);
  assert.equal(brokerOf(app).group(app.id).committedOffset('json-in', 0), 1, 'committed up to the bad record, not past it');
  const line = logs.lines.find((l) => l.includes('handler failed'));
  assert.ok(line?.includes('topic=json-in') && line.includes('partition=0') && line.includes('offset=1'), line);
});

test('a value that fails to decode with onError skip is logged with its position and committed past', async () => {
  const { app, logs, got } = await decodeFailure('skip');
  try {
    await waitFor(() => got.length === 2 && app.idle(), 'processing');
    await app.commit();
    assert.deepEqual(got, [1, 3]);
    assert.equal(brokerOf(app).group(app.id).committedOffset('json-in', 0), 3);
    assert.ok(logs.lines.some((l) => l.includes('onError: skip') && l.includes('offset=1') && l.includes('FG_DECODE')));
  } finally {
    await app.stop();
  }
});

test('a value that fails to decode with a dead-letter topic is copied there with the error in headers', async () => {
  const { app, got } = await decodeFailure({ deadLetter: 'json-in-dlq' });
  try {
    await waitFor(() => got.length === 2 && app.idle(), 'processing');
    await app.commit();
    const log = brokerOf(app).log('json-in-dlq', 0);
    assert.equal(log.high, 1);
    const [letter] = log.read(0, 1);
    assert.equal(letter?.value?.toString(), 'not json at all');
    assert.equal(letter?.headers['faustgen-error-code']?.toString(), 'FG_DECODE');
    assert.equal(letter?.headers['faustgen-origin-offset']?.toString(), '1');
    assert.equal(brokerOf(app).group(app.id).committedOffset('json-in', 0), 3);
  } finally {
    await app.stop();
  }
});

test('a handler that throws with onError restart is restarted, the failure logged, the event acked', async () => {
  const { app, logs } = testApp({});
  const source = app.topic('work', { value: codecs.number, partitions: 1 });
  const done: number[] = [];
  let starts = 0;
  app.agent('flaky', { source, onError: 'restart' }, async (stream) => {
    starts++;
    for await (const n of stream) {
      if (n === 2) throw new Error('boom on two');
      done.push(n);
    }
  });
  await app.start();
  try {
    for (let n = 0; n < 5; n++) await source.send({ value: n });
    await waitFor(() => done.length === 4 && app.idle(), 'processing');
    assert.deepEqual(done, [0, 1, 3, 4]);
    assert.equal(starts, 2);
    assert.ok(logs.lines.some((l) => l.includes('boom on two') && l.includes('offset=2')));
    assert.equal(app.metrics.agentFailures, 1);
  } finally {
    await app.stop();
  }
});

test('a handler that throws with the default policy crashes the app with FG_AGENT_FAILED and the position', async () => {
  const { app } = testApp({});
  const source = app.topic('fatal', { value: codecs.number, partitions: 1 });
  app.agent('fragile', { source }, async (stream) => {
    for await (const n of stream) if (n === 1) throw new Error('fatal one');
  });
  await app.start();
  await source.send({ value: 0 });
  await source.send({ value: 1 });
  const error = await app.whenStopped();
  assert.equal(error?.code, 'FG_AGENT_FAILED');
  assert.match(error?.message ?? '', /topic "fatal" partition 0 offset 1: fatal one/);
  assert.equal(brokerOf(app).group(app.id).committedOffset('fatal', 0), 1);
});

test('a sink send that fails keeps its event uncommitted (crash) or records and acks it (skip)', async () => {
  for (const policy of ['crash', 'skip'] as const) {
    const { app, logs } = testApp({});
    const source = app.topic('out-fail', { value: codecs.number, partitions: 1 });
    const failing = { name: 'flaky-sink', send: ({ value }: { value: number }) => (value === 2 ? Promise.reject(new Error('broker said no')) : Promise.resolve()) };
    const handled: number[] = [];
    app.agent('emitter', { source, sinks: [failing], onError: policy }, async function* (stream) {
      for await (const n of stream) {
        handled.push(n);
        yield n;
      }
    });
    await app.start();
    for (let n = 0; n < 5; n++) await source.send({ value: n });
    const group = brokerOf(app).group(app.id);
    if (policy === 'crash') {
      const error = await app.whenStopped();
      assert.equal(error?.code, 'FG_AGENT_FAILED');
      assert.match(error?.message ?? '', /offset 2 failed: broker said no/);
      assert.ok((group.committedOffset('out-fail', 0) ?? 0) <= 2, 'never committed past the event whose output failed');
    } else {
      await waitFor(() => handled.length === 5 && app.idle(), 'processing');
      await app.commit();
      assert.equal(group.committedOffset('out-fail', 0), 5);
      assert.ok(logs.lines.some((l) => l.includes('broker said no') && l.includes('offset=2')));
      await app.stop();
    }
  }
});
