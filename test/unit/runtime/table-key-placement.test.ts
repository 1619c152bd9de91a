import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { testApp, waitFor } from './helpers.js';

// Issue 13: a table written from a keyless topic counted wrong (1,050 for 600 words on memory://):
// writes went to the event's partition, reads fell back to another partition's value, and
// entries() listed a word once per partition. Rule: a table write must go to the key's partition:
// the event's own key, or a key murmur2 puts on the event's partition; anything else is refused
// (FG_TABLE_KEY_PARTITION) and the stream must be re-keyed first, as Faust's word count does.

const vocabulary = ['the', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', 'and', 'cat', 'runs', 'far'];
/** 60 lines of 10 words: 600 words; the expected count of each word. */
function corpus(): { lines: string[]; expected: Map<string, number> } {
  const lines: string[] = [];
  const expected = new Map<string, number>();
  for (let line = 0; line < 60; line++) {
    const words = Array.from({ length: 10 }, (_, i) => vocabulary[(line * 7 + i * 3) % vocabulary.length] as string);
    for (const word of words) expected.set(word, (expected.get(word) ?? 0) + 1);
    lines.push(words.join(' '));
  }
  return { lines, expected };
}

test("a table keyed by a keyless topic's value is refused with FG_TABLE_KEY_PARTITION naming the agent and the table", async () => {
  const { app } = testApp({});
  const words = app.topic('words', { value: codecs.string, partitions: 4 });
  const counts = app.table('word-counts', { key: codecs.string, value: codecs.number, default: () => 0, partitions: 4 });
  app.agent('count-words', { source: words, tables: [counts] }, async (stream) => {
    for await (const word of stream) counts.update(word, (n) => n + 1);
  });
  await app.start();
  for (const word of vocabulary) await words.send({ value: word });
  const crashed = await app.whenStopped();
  assert.ok(FaustgenError.is(crashed), String(crashed));
  const root = crashed.cause;
  assert.ok(FaustgenError.hasCode(root, 'FG_TABLE_KEY_PARTITION'), String(root));
  assert.match(root.message, /agent "count-words" wrote key "\w+" to table "word-counts" while processing topic "words" partition \d \(a keyless event\), but that key belongs on partition \d/);
  assert.match(root.message, /groupBy/);
  assert.equal(root.details?.['table'], 'word-counts');
  assert.equal(root.details?.['agent'], 'count-words');
});

test("Faust's word count (lines → words keyed by word → counts[word] += 1) counts 600 words exactly; entries() lists each word once", async () => {
  const { app } = testApp({});
  const posts = app.topic('posts', { value: codecs.string, partitions: 4 });
  const wordTopic = app.topic('words', { key: codecs.string, value: codecs.string, partitions: 4 });
  const counts = app.table('word-counts', { key: codecs.string, value: codecs.number, default: () => 0, partitions: 4 });
  let counted = 0;
  app.agent('shuffle-words', { source: posts }, async (stream) => {
    for await (const post of stream) for (const word of post.split(' ')) await wordTopic.send({ key: word, value: word });
  });
  app.agent('count-words', { source: wordTopic, tables: [counts] }, async (stream) => {
    for await (const word of stream) {
      counts.update(word, (n) => n + 1);
      counted++;
    }
  });
  const { lines, expected } = corpus();
  await app.start();
  try {
    for (const line of lines) await posts.send({ value: line });
    await waitFor(() => counted === 600 && app.idle(), '600 words counted');
    const entries = [...counts.entries()];
    assert.equal(entries.length, expected.size, 'each word once');
    assert.deepEqual(new Map(entries), expected);
    assert.equal([...expected.keys()].reduce((sum, word) => sum + counts.get(word), 0), 600);
  } finally {
    await app.stop();
  }
});

test('the same count re-keyed with groupBy (no topic of your own) is exact too', async () => {
  const { app } = testApp({});
  const words = app.topic('words', { value: codecs.string, partitions: 4 });
  const counts = app.table('word-counts', { key: codecs.string, value: codecs.number, default: () => 0, partitions: 4 });
  let counted = 0;
  app.agent('count-words', { source: words, tables: [counts] }, async (stream) => {
    for await (const word of stream.groupBy((w) => w, { name: 'word', key: codecs.string, partitions: 4 })) {
      counts.update(word, (n) => n + 1);
      counted++;
    }
  });
  const { lines, expected } = corpus();
  await app.start();
  try {
    for (const line of lines) for (const word of line.split(' ')) await words.send({ value: word });
    await waitFor(() => counted === 600 && app.idle(), '600 words counted');
    assert.deepEqual(new Map(counts.entries()), expected);
  } finally {
    await app.stop();
  }
});

test('a table key other than the event key is accepted when murmur2 puts it on the event partition', async () => {
  const { app } = testApp({});
  const events = app.topic('events', { key: codecs.string, value: codecs.string, partitions: 1 });
  const seen = app.table('seen', { key: codecs.string, value: codecs.number, default: () => 0, partitions: 1 });
  let done = 0;
  app.agent('tag', { source: events, tables: [seen] }, async (stream) => {
    for await (const value of stream) {
      seen.update(value, (n) => n + 1);
      done++;
    }
  });
  await app.start();
  try {
    await events.send({ key: 'k', value: 'other' });
    await waitFor(() => done === 1 && app.idle(), 'one event');
    assert.equal(seen.get('other'), 1, 'one partition: every key belongs on it');
  } finally {
    await app.stop();
  }
});

// Issue 14 (stateful throughput): a read of a key its event's partition did not hold asked every
// other partition's store as well, so each new key cost one store read per partition held (three
// RocksDB reads more per new key with four partitions) and filled those partitions' read caches
// with absent keys they never own. By the write rule a key lives on its event's partition or on its
// murmur2 partition; a read looks there only, as Faust and Kafka Streams read only the task's partition.
test('reading a new key inside an event asks only the partitions the key can live on, not every partition held', async () => {
  const { app } = testApp({});
  const events = app.topic('events', { key: codecs.string, value: codecs.string, partitions: 4 });
  const counts = app.table('counts', { key: codecs.string, value: codecs.number, default: () => 0, partitions: 4 });
  let counted = 0;
  const seenOn = new Map<string, number>();
  app.agent('count', { source: events, tables: [counts] }, async (stream) => {
    for await (const event of stream.events()) {
      const key = event.key ?? '';
      counts.set(key, counts.get(key) + 1);
      seenOn.set(key, event.partition);
      counted++;
    }
  });
  await app.start();
  try {
    await events.send({ key: 'warm-up', value: 'x' });
    await waitFor(() => counted === 1 && counts.partitions.size === 4, 'all four partitions held');
    const reads = new Map<number, number>();
    for (const [number, partition] of counts.partitions) {
      const store = partition.store;
      const get = store.get.bind(store);
      store.get = (...args: Parameters<typeof store.get>) => {
        reads.set(number, (reads.get(number) ?? 0) + 1);
        return get(...args);
      };
    }
    for (const key of ['k-1', 'k-2', 'k-3', 'k-4', 'k-5', 'k-6', 'k-7', 'k-8']) await events.send({ key, value: 'x' });
    await waitFor(() => counted === 9, 'eight new keys counted');
    const own = new Set(['k-1', 'k-2', 'k-3', 'k-4', 'k-5', 'k-6', 'k-7', 'k-8'].map((k) => seenOn.get(k)));
    for (const [number, count] of reads) assert.ok(own.has(number), `partition ${number} holds none of the keys but was read ${count} time(s)`);
    assert.equal([...reads.values()].reduce((a, b) => a + b, 0), 8, 'one store read per new key');
    for (const key of ['k-1', 'k-5', 'warm-up']) assert.equal(counts.get(key), 1, `${key} counted once (a read outside an event still finds it)`);
  } finally {
    await app.stop();
  }
});
