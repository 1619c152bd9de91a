import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { MemoryGroupConsumer } from '../../../runtime/src/transport/memory/group-consumer.js';
import type { TopicPartitionOffset } from '../../../runtime/src/types/transport.js';
import { brokerOf, sleep, testApp, waitFor } from './helpers.js';

test('concurrency 4 processes each of 10,000 messages exactly once and never commits past unprocessed work', async () => {
  const { app } = testApp({ commitIntervalMs: 5 });
  const topic = app.topic('numbers', { key: codecs.string, value: codecs.number, partitions: 4 });
  const processed = new Map<string, Set<number>>();
  const seen = new Map<number, number>();
  app.agent('slow-and-fast', { source: topic, concurrency: 4 }, async (stream) => {
    for await (const event of stream.events()) {
      // Uneven work makes actors finish out of order, which is where Faust commits too far.
      if (event.value % 7 === 0) await sleep(1);
      else if (event.value % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
      seen.set(event.value, (seen.get(event.value) ?? 0) + 1);
      const key = `${event.topic}:${event.partition}`;
      const set = processed.get(key) ?? new Set<number>();
      set.add(event.offset);
      processed.set(key, set);
    }
  });
  const violations: string[] = [];
  let commits = 0;
  const original = MemoryGroupConsumer.prototype.commit;
  MemoryGroupConsumer.prototype.commit = async function (offsets: readonly TopicPartitionOffset[]): Promise<void> {
    commits++;
    for (const { topic: name, partition, offset } of offsets) {
      const done = processed.get(`${name}:${partition}`) ?? new Set<number>();
      for (let o = 0; o < offset; o++) if (!done.has(o)) violations.push(`${name}/${partition}: committed ${offset} but offset ${o} is not processed`);
    }
    return original.call(this, offsets);
  };
  try {
    await app.start();
    for (let i = 0; i < 10_000; i++) topic.sendSoon({ key: `k${i % 97}`, value: i });
    await waitFor(() => seen.size === 10_000 && app.idle(), 'all messages processed', 30_000);
    await app.commit();
    const group = brokerOf(app).group(app.id);
    for (let partition = 0; partition < 4; partition++) {
      const high = brokerOf(app).log('numbers', partition).high;
      assert.equal(group.committedOffset('numbers', partition), high, `partition ${partition} committed up to its end`);
    }
  } finally {
    MemoryGroupConsumer.prototype.commit = original;
    await app.stop();
  }
  assert.deepEqual(violations.slice(0, 5), []);
  assert.ok(commits > 3, `several commits happened during processing (${commits})`);
  assert.equal(seen.size, 10_000);
  for (const [value, count] of seen) assert.equal(count, 1, `message ${value} processed once`);
});
