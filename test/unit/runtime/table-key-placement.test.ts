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
