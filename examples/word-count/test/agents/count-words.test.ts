// faustgen:stub agent-test count-words
// This file is yours: faustgen wrote it once and never touches it again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestDriver } from 'faustgen/testing';
import { buildApp } from '../../src/generated/app.js';
import { Line } from '../../src/generated/models.js';
import type { Tables } from '../../src/generated/tables.js';

test('lines in, words counted in the word-counts table', async () => {
  let tables: Tables | undefined;
  await using driver = await startTestDriver((testing) => {
    const built = buildApp(testing);
    tables = built.tables;
    return built.app;
  });
  await driver.send('lines', { value: new Line({ text: 'the quick brown fox' }) });
  await driver.send('lines', { value: new Line({ text: 'jumps over the lazy dog' }) });
  await driver.send('lines', { value: new Line({ text: 'The end.' }) });
  await driver.settle();

  const counts = tables?.wordCounts;
  assert.ok(counts);
  assert.equal(counts.get('the'), 3);
  assert.equal(counts.get('fox'), 1);
  assert.equal(counts.get('cat'), 0);
  assert.equal([...counts.entries()].reduce((sum, [, count]) => sum + count, 0), 11);
  assert.equal(counts.size, 9);
});

test('a line that does not fit the Line schema is refused before it is sent', async () => {
  await using driver = await startTestDriver((testing) => buildApp(testing).app);
  await assert.rejects(driver.send('lines', { value: { txt: 'typo' } }), /text/);
  assert.deepEqual(driver.records('lines'), []);
});
