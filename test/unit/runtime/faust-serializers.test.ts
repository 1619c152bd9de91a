import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { faustCodecs, faustJsonString } from '../../../runtime/src/serde/faust.js';
import { getMemoryBroker, memoryBrokerName } from '../../../runtime/src/transport/memory/registry.js';
import { partitionForKey } from '../../../runtime/src/transport/partitioner.js';
import { brokerOf, brokerUrl, testApp, waitFor } from './helpers.js';

/**
 * Wire vectors: the bytes Faust's `json` serializer writes (it calls Python's stdlib
 * `json.dumps`, ensure_ascii; docs/faust-interop.md), produced with
 * `python3 -c 'import json; print(json.dumps(v).encode())'`, and faust.md §2.2/§2.4: a str table key
 * "foo" is the changelog key `"foo"` with the quotes; topic keys are raw UTF-8.
 */
const pythonJson: readonly [string, string][] = [
  ['hello', '"hello"'],
  ['foo', '"foo"'],
  ['', '""'],
  ['héllo', '"h\\u00e9llo"'],
  ['😀 ok', '"\\ud83d\\ude00 ok"'],
  ['a"b\\c\n\u007f', '"a\\"b\\\\c\\n\\u007f"'],
];

test('faust json string: writes exactly the bytes Python Faust writes and reads them back', () => {
  for (const [value, wire] of pythonJson) {
    assert.equal(faustJsonString.encode(value).toString('latin1'), wire, `encode ${JSON.stringify(value)}`);
    assert.equal(faustJsonString.decode(Buffer.from(wire, 'latin1')), value, `decode ${wire}`);
  }
  // orjson (faust[fast]) writes raw UTF-8: read, and re-spelled as stdlib json for table keys.
  const orjson = Buffer.from('"héllo"', 'utf8');
  assert.equal(faustJsonString.decode(orjson), 'héllo');
  assert.equal(faustJsonString.canonical?.(orjson).toString('latin1'), '"h\\u00e9llo"');
  assert.equal(faustJsonString.placementKey?.(Buffer.from('"h\\u00e9llo"')).toString('utf8'), 'héllo', 'the raw topic key of a JSON table key');
});

test('a plain faustgen string codec reads a Faust str value with its quotes (the reported bug); the faust codec does not', () => {
  const fromFaust = Buffer.from('"hello"');
  assert.equal(codecs.string.decode(fromFaust), '"hello"');
  assert.equal(faustCodecs.string.decode(fromFaust), 'hello');
  assert.equal(codecs.string.encode('hello').toString(), 'hello', 'topic keys: Faust raw key serializer');
});

test('faust json string refuses what Faust would not have written for a str', () => {
  assert.throws(() => faustJsonString.decode(Buffer.from('hello')), (e: unknown) => FaustgenError.hasCode(e, 'FG_DECODE') && /with quotes/.test(e.message));
  assert.throws(() => faustJsonString.decode(Buffer.from('42')), (e: unknown) => FaustgenError.hasCode(e, 'FG_DECODE') && /got number/.test(e.message));
  assert.throws(() => faustJsonString.encode(42 as unknown as string), (e: unknown) => FaustgenError.hasCode(e, 'FG_ENCODE'));
});

test('faust table keys: a record key Faust spelled with robinhood separators is re-spelled canonically', () => {
  const key = faustCodecs.tableKey(codecs.json<{ a: string; b: number }>());
  const robinhood = Buffer.from('{"a": "\\u00e9", "b": 1}');
  assert.equal(key.canonical?.(robinhood).toString('utf8'), '{"a":"é","b":1}');
  assert.equal(key.canonical?.(Buffer.from('not json')).toString(), 'not json', 'undecodable bytes stay as they are');
  assert.equal(faustCodecs.tableKey(faustJsonString), faustJsonString, 'a codec with its own canonical form is kept');
});

function wordCounter(broker: string) {
  const { app } = testApp({ id: 'faust-counts', broker });
  // A Faust agent's topic: raw str keys (key_serializer raw), JSON str values (value_serializer json).
  const words = app.topic('words', { key: codecs.string, value: faustCodecs.string, partitions: 2 });
  // A Faust table: JSON str keys, JSON int values.
  const counts = app.table('counts', { key: faustCodecs.string, value: codecs.number, default: () => 0, partitions: 2 });
  const seen: string[] = [];
  app.agent('count', { source: words, tables: [counts] }, async (stream) => {
    for await (const word of stream) {
      counts.update(word, (n) => n + 1);
      seen.push(word);
    }
  });
  return { app, words, counts, seen };
}

test('faustgen recovers a changelog Faust wrote (JSON keys, stdlib and orjson spellings) into a table keyed by Faust JSON strings', async () => {
  const broker = brokerUrl();
  const memory = getMemoryBroker(memoryBrokerName(broker));
  memory.createTopic('faust-counts-counts-changelog', 2, { 'cleanup.policy': 'compact' });
  memory.createTopic('words', 2);
  const write = (partition: number, key: string, value: string | null) =>
    memory.log('faust-counts-counts-changelog', partition).append({ key: Buffer.from(key, 'latin1'), value: value === null ? null : Buffer.from(value), headers: {}, timestamp: 0 });
  // As Faust's table writes them (faust.md §2.4): key json(k), value json(v), null for a delete.
  write(0, '"foo"', '3');
  write(1, '"h\\u00e9llo"', '2');
  write(0, '"gone"', '1');
  write(0, '"gone"', null);
  memory.log('faust-counts-counts-changelog', 1).append({ key: Buffer.from('"wörd"', 'utf8'), value: Buffer.from('5'), headers: {}, timestamp: 0 });
  const { app, counts } = wordCounter(broker);
  await app.start();
  try {
    assert.equal(counts.get('foo'), 3);
    assert.equal(counts.get('héllo'), 2);
    assert.equal(counts.get('wörd'), 5, 'an orjson-spelled key is found by the stdlib spelling faustgen encodes');
    assert.equal(counts.has('gone'), false);
    assert.deepEqual(new Map(counts.entries()), new Map([['foo', 3], ['héllo', 2], ['wörd', 5]]));
  } finally {
    await app.stop();
  }
});

test('faustgen writes a changelog and a topic as Faust does: JSON str keys on the event partition, JSON str values', async () => {
  const broker = brokerUrl();
  const { app, counts, seen } = wordCounter(broker);
  await app.start();
  try {
    const memory = brokerOf(app);
    // Events as a Faust producer sends them: raw key, JSON value.
    for (const [partition, word] of [[0, 'foo'], [1, 'héllo'], [0, 'foo']] as const) {
      memory.log('words', partition).append({ key: Buffer.from(word, 'utf8'), value: Buffer.from(JSON.stringify(word)), headers: {}, timestamp: 0 });
    }
    await waitFor(() => seen.length === 3 && app.idle(), 'processing');
    assert.deepEqual([...seen].sort(), ['foo', 'foo', 'héllo'], 'JSON str values read without their quotes');
    assert.equal(counts.get('foo'), 2);
    await app.commit();
    const changelog = (partition: number) => memory.log('faust-counts-counts-changelog', partition).read(0, 100).map((r) => [r.key?.toString('latin1'), r.value?.toString('utf8')]);
    // One record per write, or one for both when they fell within one commit (coalescing).
    const foo = changelog(0);
    assert.ok(foo.length === 1 || foo.length === 2, `records of foo: ${JSON.stringify(foo)}`);
    assert.ok(foo.every(([key]) => key === '"foo"'), 'partition of the source event, key json(k) as Python writes it');
    assert.deepEqual(foo.at(-1), ['"foo"', '2'], 'the last record holds the last value');
    assert.deepEqual(changelog(1), [['"h\\u00e9llo"', '1']]);
    // Routing by key (app.keyOwner) follows the raw topic key, where Faust's producer puts the key's events.
    for (const word of ['foo', 'héllo', 'bar']) assert.equal(app.keyOwner(counts, word)?.partition, partitionForKey(Buffer.from(word, 'utf8'), 2), word);
    // A value sent to the topic is what Faust's json value serializer reads as a str.
    await app.topics.get('words')?.send({ key: 'bar', value: 'bär', partition: 1 } as never);
    const sent = memory.log('words', 1).read(0, 100).at(-1);
    assert.equal(sent?.key?.toString('latin1'), 'bar');
    assert.equal(sent?.value?.toString('latin1'), '"b\\u00e4r"');
  } finally {
    await app.stop();
  }
});
