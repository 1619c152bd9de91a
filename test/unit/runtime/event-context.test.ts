import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { currentEvent } from '../../../runtime/src/streams/current.js';
import { brokerOf, testApp, waitFor } from './helpers.js';

/** What currentEvent() gave inside the handler for each value: the event's offset, or the error code. */
async function currentEventsSeen(settings: { eventContext?: 'tables' | 'always' }, withTable: boolean): Promise<(number | string)[]> {
  const { app } = testApp(settings);
  const input = app.topic('ctx-in', { value: codecs.number, partitions: 1 });
  if (withTable) app.table('ctx-table', { key: codecs.string, value: codecs.number, partitions: 1 });
  const seen: (number | string)[] = [];
  app.agent('ctx', { source: input }, async (stream) => {
    for await (const value of stream) {
      // An await between the iteration and the call: the context must follow the handler across it.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        seen.push(currentEvent()?.offset ?? -1);
      } catch (error) {
        seen.push(FaustgenError.is(error) ? `${error.code}:${String(error.details['setting'])}:${value}` : 'other');
      }
    }
  });
  await app.start();
  try {
    for (let n = 0; n < 3; n++) await input.send({ value: n });
    await waitFor(() => seen.length === 3, 'three events');
    return seen;
  } finally {
    await app.stop();
  }
}

test('currentEvent(): tracked in apps with tables or eventContext "always"; otherwise a coded error naming the setting', async () => {
  assert.deepEqual(await currentEventsSeen({}, true), [0, 1, 2]);
  assert.deepEqual(await currentEventsSeen({ eventContext: 'always' }, false), [0, 1, 2]);
  assert.deepEqual(await currentEventsSeen({}, false), ['FG_STREAM_STATE:eventContext:0', 'FG_STREAM_STATE:eventContext:1', 'FG_STREAM_STATE:eventContext:2']);
  assert.equal(currentEvent(), undefined, 'outside any actor, once no untracked actor runs');
});

test('filter and map that are sync for some events and async for others keep order, and every event is acked', async () => {
  const { app } = testApp({});
  const input = app.topic('mixed-in', { value: codecs.number, partitions: 1 });
  const out: number[] = [];
  const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  app.agent('mixed', { source: input }, async (stream) => {
    const kept = stream
      .filter((n) => (n % 3 === 0 ? tick().then(() => n % 2 === 0) : n % 2 === 0))
      .map((n) => (n % 4 === 0 ? tick().then(() => n * 10) : n * 10))
      .filter((n) => n !== 40);
    for await (const value of kept) out.push(value);
  });
  await app.start();
  try {
    // Sent in one go so the queue holds many events at once and the synchronous path is taken.
    await Promise.all(Array.from({ length: 200 }, (_, n) => input.send({ value: n })));
    const expected = Array.from({ length: 200 }, (_, n) => n).filter((n) => n % 2 === 0).map((n) => n * 10).filter((n) => n !== 40);
    await waitFor(() => out.length === expected.length && app.idle(), 'all events');
    assert.deepEqual(out, expected);
    await app.commit();
    assert.equal(brokerOf(app).group(app.id).committedOffset('mixed-in', 0), 200, 'dropped and kept events are all acked');
  } finally {
    await app.stop();
  }
});
