// Offsets looked up while a broker is down (issue 9, broker-fault runs: two workers crashed in a table
// recovery with "Cannot fetch offsets … ECONNREFUSED" while the killed broker's partitions moved).
// The look-up is retried through the outage; a non-retriable failure still fails at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KafkaAdmin } from '../../../runtime/src/transport/kafka/admin.js';
import { resolveKafkaOptions } from '../../../runtime/src/transport/kafka/config.js';

function adminFailing(times: number, retriable: boolean): { admin: KafkaAdmin; calls: () => number } {
  const admin = new KafkaAdmin(resolveKafkaOptions(['127.0.0.1:9']));
  let calls = 0;
  const fake = {
    fetchTopicOffsets: () => {
      calls++;
      if (calls <= times) return Promise.reject(Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9'), { name: 'KafkaJSConnectionError', retriable }));
      return Promise.resolve([{ partition: 1, offset: '7', high: '7', low: '0' }, { partition: 0, offset: '3', high: '3', low: '1' }]);
    },
  };
  (admin as unknown as { admin: unknown }).admin = fake;
  return { admin, calls: () => calls };
}

test('a look-up that meets a broker outage is retried until the partitions answer', async () => {
  const { admin, calls } = adminFailing(2, true);
  assert.deepEqual(await admin.fetchOffsets('sums-changelog'), [
    { partition: 0, low: 1, high: 3 },
    { partition: 1, low: 0, high: 7 },
  ]);
  assert.equal(calls(), 3);
});

test('a failure that retrying cannot fix is reported at once, with the topic', async () => {
  const { admin, calls } = adminFailing(1, false);
  await assert.rejects(admin.fetchOffsets('sums-changelog'), /Cannot fetch offsets of Kafka topic sums-changelog/);
  assert.equal(calls(), 1);
});
