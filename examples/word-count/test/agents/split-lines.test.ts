// faustgen:stub agent-test split-lines
// This file is yours: faustgen wrote it once and never touches it again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestDriver } from 'faustgen/testing';
import { wordsOf } from '../../src/agents/split-lines.js';
import { buildApp } from '../../src/generated/app.js';
import { Line } from '../../src/generated/models.js';

test('words are split case-insensitively, keeping inner apostrophes and hyphens', () => {
  assert.deepEqual(wordsOf("Don't panic — it's a well-known towel, TOWEL!"), ["don't", 'panic', "it's", 'a', 'well-known', 'towel', 'towel']);
  assert.deepEqual(wordsOf('  ...  '), []);
});

test('split-lines sends every word to the words topic, keyed by the word', async () => {
  await using driver = await startTestDriver((testing) => buildApp(testing).app);
  await driver.send('lines', { value: new Line({ text: 'to be or not to be', source: 'hamlet' }) });
  await driver.settle();
  const words = driver.records<string, string>('words');
  assert.deepEqual(words.map((record) => record.value).sort(), ['be', 'be', 'not', 'or', 'to', 'to']);
  const partitionOf = new Map<string, number>();
  for (const record of words) {
    assert.equal(record.key, record.value);
    assert.equal(partitionOf.get(record.value) ?? record.partition, record.partition, `"${record.value}" is on one partition`);
    partitionOf.set(record.value, record.partition);
  }
});
