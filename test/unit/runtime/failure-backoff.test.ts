import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestartBackoff } from '../../../runtime/src/agents/restart-backoff.js';
import { ManualClock } from '../../../runtime/src/core/clock.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { testApp, waitFor } from './helpers.js';

// Issue 13: after an actor's 100th failure every further failure blocked it for 1 s and the count
// never reset (130 bad + 130 good events took 81 s). The clock here never moves: any backoff sleep
// after a failing event would stall the agent, so these finish only if no event-failure waits.
test('failures on events never throttle an agent: 130 bad then 130 good events go through without any wait', async () => {
  const clock = new ManualClock(Date.UTC(2026, 11, 5));
  const { app } = testApp({}, { clock });
  const source = app.topic('numbers', { value: codecs.json<number>(), partitions: 1 });
  let good = 0;
  let failures = 0;
  app.agent('picky', { source, onError: 'skip' }, async (stream) => {
    for await (const n of stream) {
      if (n < 0) {
        failures++;
        throw new Error(`bad ${n}`);
      }
      good++;
    }
  });
  await app.start();
  try {
    for (let i = 1; i <= 130; i++) await source.send({ value: -i });
    for (let i = 1; i <= 130; i++) await source.send({ value: i });
    await waitFor(() => good === 130, `130 good events (got ${good} after ${failures} failures)`, 30_000);
    assert.equal(failures, 130);
  } finally {
    await app.stop();
  }
});

test('a handler that fails before taking any event backs off on the app clock (10 ms, 20 ms, …), and resets once it takes one', async () => {
  const clock = new ManualClock(Date.UTC(2026, 11, 5));
  const { app } = testApp({}, { clock });
  const source = app.topic('numbers', { value: codecs.json<number>(), partitions: 1 });
  let starts = 0;
  let got = 0;
  app.agent('flaky-start', { source, onError: 'restart' }, async (stream) => {
    starts++;
    if (starts <= 3) throw new Error('not ready yet');
    for await (const _ of stream) got++;
  });
  await app.start();
  try {
    await waitFor(() => starts === 1, 'first start');
    await clock.advance(9);
    assert.equal(starts, 1, 'waits 10 ms after the first idle failure');
    await clock.advance(1);
    await waitFor(() => starts === 2, 'second start');
    await clock.advance(19);
    assert.equal(starts, 2, 'then 20 ms');
    await clock.advance(1);
    await waitFor(() => starts === 3, 'third start');
    await clock.advance(30);
    await waitFor(() => starts === 4, 'fourth start');
    await source.send({ value: 1 });
    await waitFor(() => got === 1, 'an event');
  } finally {
    await app.stop();
  }
});

test('RestartBackoff: idle failures grow to 1 s; a life that took an event resets to none', () => {
  const backoff = new RestartBackoff();
  assert.deepEqual([1, 2, 3].map(() => backoff.next(false)), [10, 20, 30]);
  for (let i = 0; i < 200; i++) backoff.next(false);
  assert.equal(backoff.next(false), 1000);
  assert.equal(backoff.next(true), 0);
  assert.equal(backoff.next(false), 10);
  for (let i = 0; i < 500; i++) assert.equal(backoff.next(true), 0, 'failures on events never wait');
});
