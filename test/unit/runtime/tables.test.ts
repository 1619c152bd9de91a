import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApp } from '../../../runtime/src/app/app.js';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { brokerOf, brokerUrl, testApp, waitFor } from './helpers.js';

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
  const changelog = brokerOf(second.app);
  const records = [0, 1, 2, 3].reduce((sum, p) => sum + changelog.log(second.counts.changelogTopic, p).high, 0);
  assert.ok(records > 0 && records <= input.length * 50, `at most one changelog record per write (${records})`);
  assert.equal(second.app.recoveryReplayed.get('counts'), records, 'every changelog record replayed once into the memory store');
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

test('a table encodes an object key on every call: the caller may change the object between a read and a write', async () => {
  const { app } = testApp({});
  // The table keeps the last string or number key's bytes (a read-then-write encodes once); an object
  // key must not be taken for the same key because it is the same object.
  const byObject = app.table('by-object', { key: codecs.json<{ id: number }>(), value: codecs.string, usePartitioner: true, partitions: 2 });
  const byString = app.table('by-string', { key: codecs.string, value: codecs.number, default: () => 0, usePartitioner: true, partitions: 2 });
  await app.start();
  try {
    const key = { id: 1 };
    byObject.set(key, 'first');
    assert.equal(byObject.get(key), 'first');
    key.id = 2;
    assert.equal(byObject.get(key), undefined, 'the changed object is another key');
    byObject.set(key, 'second');
    assert.equal(byObject.get({ id: 1 }), 'first');
    assert.equal(byObject.get({ id: 2 }), 'second');
    for (const word of ['a', 'b', 'a', 'a', 'c', 'b']) byString.set(word, byString.get(word) + 1);
    assert.deepEqual(new Map([...byString.entries()]), new Map([['a', 3], ['b', 2], ['c', 1]]));
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

test('SetTable adds and discards members per key, and a global table is readable on every worker', async () => {
  const broker = brokerUrl();
  const { app } = testApp({ id: 'sets', broker });
  const follows = app.topic('follows', { key: codecs.string, value: codecs.string, partitions: 2 });
  const followers = app.setTable<string, string>('followers', { key: codecs.string, partitions: 2 });
  const lastSeen = app.globalTable('last-seen', { key: codecs.string, value: codecs.string, partitions: 2 });
  let n = 0;
  app.agent('track', { source: follows, tables: [followers] }, async (stream) => {
    for await (const event of stream.events()) {
      const [action, who] = event.value.split(':') as [string, string];
      if (action === '+') followers.add(event.key, who);
      else followers.discard(event.key, who);
      lastSeen.set(who, event.key);
      n++;
    }
  });
  await app.start();
  try {
    for (const op of ['+ann', '+bob', '+ann', '-bob', '+cy']) await follows.send({ key: 'star', value: `${op[0]}:${op.slice(1)}` });
    await waitFor(() => n === 5 && app.idle(), 'processing');
    assert.deepEqual([...followers.get('star')].sort(), ['ann', 'cy']);
    assert.equal(followers.has('star', 'bob'), false);
    assert.equal(lastSeen.get('cy'), 'star');
  } finally {
    await app.stop();
  }
});

test('a global table is held in full by every worker of the group', async () => {
  const broker = brokerUrl();
  const make = () => {
    const { app } = testApp({ id: 'global', broker });
    const updates = app.topic('updates', { key: codecs.string, value: codecs.string, partitions: 4 });
    const directory = app.globalTable('directory', { key: codecs.string, value: codecs.string, partitions: 4 });
    app.agent('apply', { source: updates }, async (stream) => {
      for await (const event of stream.events()) directory.set(event.key, event.value);
    });
    return { app, updates, directory };
  };
  const a = make();
  const b = make();
  await a.app.start();
  await b.app.start();
  try {
    await waitFor(() => (a.app.assignment?.assignment.actives.length ?? 0) > 0 && (b.app.assignment?.assignment.actives.length ?? 0) > 0, 'both members assigned');
    const keys = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    for (const key of keys) await a.updates.send({ key, value: `v-${key}` });
    await waitFor(() => keys.every((k) => a.directory.get(k) === `v-${k}` && b.directory.get(k) === `v-${k}`), 'both workers see every key');
    const aSources = a.app.assignment?.assignment.actives.filter((tp) => tp.topic === 'updates').length ?? 0;
    const bSources = b.app.assignment?.assignment.actives.filter((tp) => tp.topic === 'updates').length ?? 0;
    assert.equal(aSources + bSources, 4, 'the source partitions are split between the workers');
    assert.ok(aSources > 0 && bSources > 0);
  } finally {
    await b.app.stop();
    await a.app.stop();
  }
});
