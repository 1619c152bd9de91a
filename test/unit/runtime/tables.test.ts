import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApp } from '../../../runtime/src/app/app.js';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { brokerUrl, testApp, waitFor } from './helpers.js';

function declare(broker: string) {
  const { app } = testApp({ id: 'counter', broker });
  const words = app.topic('words', { key: codecs.string, value: codecs.string, partitions: 4 });
  const counts = app.table('counts', { key: codecs.string, value: codecs.number, default: () => 0, partitions: 4 });
  let processed = 0;
  app.agent('count', { source: words, tables: [counts] }, async (stream) => {
    for await (const word of stream) {
      if (word.startsWith('-')) counts.delete(word.slice(1));
      else counts.update(word, (n) => n + 1);
      processed++;
    }
  });
  return { app, words, counts, processed: () => processed };
}

test('a table recovers exactly its contents from its changelog in a new app instance', async () => {
  const broker = brokerUrl();
  const first = declare(broker);
  await first.app.start();
  const input = ['a', 'b', 'a', 'c', 'a', 'd', '-d', 'b', 'e', '-e', 'e'];
  for (let round = 0; round < 50; round++) for (const word of input) await first.words.send({ key: word.replace('-', ''), value: word });
  await waitFor(() => first.processed() === input.length * 50 && first.app.idle(), 'processing');
  const expected = new Map([...first.counts.entries()]);
  assert.deepEqual(expected, new Map([['a', 150], ['b', 100], ['c', 50], ['e', 1]]));
  await first.app.stop();

  const second = declare(broker);
  await second.app.start();
  assert.deepEqual(new Map([...second.counts.entries()]), expected);
  assert.equal(second.app.recoveryReplayed.get('counts'), input.length * 50, 'every changelog record replayed once into the memory store');
  assert.equal(second.counts.get('zzz'), 0, 'default for a missing key');
  assert.equal(second.counts.has('d'), false, 'deleted keys stay deleted');
  await second.app.stop();
});

test('writing a table outside stream processing is a coded error unless the table uses the partitioner', async () => {
  const { app } = testApp({});
  const plain = app.table('plain', { key: codecs.string, value: codecs.number });
  const hashed = app.table('hashed', { key: codecs.string, value: codecs.number, usePartitioner: true, partitions: 2 });
  await app.start();
  try {
    assert.throws(() => plain.set('x', 1), (e: unknown) => FaustgenError.hasCode(e, 'FG_TABLE_CONTEXT'));
    hashed.set('x', 1);
    assert.equal(hashed.get('x'), 1);
  } finally {
    await app.stop();
  }
});

test('co-partitioning: a table whose changelog has another partition count than its source stops the start', async () => {
  const broker = brokerUrl();
  const app = createApp({ id: 'copart', broker, logLevel: 'error' });
  const source = app.topic('src', { partitions: 4 });
  const table = app.table('t', { partitions: 3 });
  app.agent('a', { source, tables: [table] }, async (stream) => {
    for await (const _ of stream) void _;
  });
  await assert.rejects(app.start(), (e: unknown) => FaustgenError.hasCode(e, 'FG_TOPIC_PARTITIONS_MISMATCH') && /src=4/.test(e.message) && /copart-t-changelog=3/.test(e.message));
});
