import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { codecs } from '../../../runtime/src/index.js';
import { testApp, waitFor } from './helpers.js';

// Issue 13: a handler exception was logged with its message only, no stack, no file:line. Logs now
// carry `at` (the user's innermost frame, source-mapped: these tests run TypeScript through tsx,
// as `faustgen worker` runs a project) and `stack` (the user's frames; pretty prints them under the line).

const thisFile = relative(process.cwd(), fileURLToPath(import.meta.url));
const sourceLines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
const lineOf = (marker: string): number => sourceLines.findIndex((line) => line.includes(marker) && !line.includes('lineOf(')) + 1;

function checkAmount(amount: number): number {
  if (amount < 0) throw new RangeError(`negative amount ${amount}`); // marker: agent throws
  return amount;
}

async function failingAgent(logFormat: 'json' | 'pretty') {
  const { app, logs } = testApp({ logFormat });
  const source = app.topic('amounts', { value: codecs.json<{ amount: number }>(), partitions: 1 });
  let seen = 0;
  app.agent('checker', { source, onError: 'skip' }, async (stream) => {
    for await (const value of stream) {
      seen++;
      checkAmount(value.amount);
    }
  });
  await app.start();
  await app.sendRaw('amounts', null, Buffer.from('{"amount":-5}'));
  await waitFor(() => seen === 1 && logs.lines.some((line) => line.includes('handler failed')), 'the failure');
  await app.stop();
  return logs.lines.find((line) => line.includes('handler failed')) ?? '';
}

test('a failing handler is logged in JSON with the user file:line (source-mapped) and the user stack', async () => {
  const line = await failingAgent('json');
  const record = JSON.parse(line) as { at?: string; stack?: string; error?: string; code?: string };
  assert.equal(record.code, 'FG_AGENT_FAILED');
  assert.match(record.error ?? '', /negative amount -5/);
  const expected = `${thisFile}:${lineOf('marker: agent throws')}:`;
  assert.ok(record.at?.startsWith(expected), `at=${record.at}, expected ${expected}…`);
  assert.match(record.stack ?? '', /^at checkAmount \(/);
  assert.ok((record.stack ?? '').split('\n').every((frame) => !frame.includes('runtime/src/') && !frame.includes('node:')), record.stack);
});

test('a failing handler is logged pretty with at=file:line and its frames under the line', async () => {
  const line = await failingAgent('pretty');
  const [first, ...frames] = line.split('\n');
  assert.match(first ?? '', new RegExp(`at=${thisFile.replace(/[.\\/]/g, '\\$&')}:${lineOf('marker: agent throws')}:\\d+`));
  assert.ok(frames.length >= 2, line);
  assert.match(frames[0] ?? '', /^ {4}at checkAmount \(/);
});

test('a failing timer is logged with the user file:line', async () => {
  const { app, logs } = testApp({ logFormat: 'json' });
  app.timer('broken', { intervalMs: 5 }, () => {
    throw new Error('timer broke'); // marker: timer throws
  });
  await app.start();
  try {
    await waitFor(() => logs.lines.some((line) => line.includes('timer failed')), 'the timer failure');
  } finally {
    await app.stop();
  }
  const record = JSON.parse(logs.lines.find((line) => line.includes('timer failed')) ?? '{}') as { at?: string };
  assert.ok(record.at?.startsWith(`${thisFile}:${lineOf('marker: timer throws')}:`), record.at);
});
