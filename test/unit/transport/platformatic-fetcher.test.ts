import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Consumer } from '@platformatic/kafka';
import { resolveKafkaOptions } from '../../../runtime/src/transport/kafka-options.js';
import { PartitionFetcher } from '../../../runtime/src/transport/platformatic/fetcher.js';
import type { FetchRequestTopic, FetchResponse } from '../../../runtime/src/transport/platformatic/records.js';
import type { ConsumedRecord } from '../../../runtime/src/types/transport.js';

/**
 * A stand-in for @platformatic/kafka's Consumer with only what the fetch loop calls: metadata() and
 * the raw fetch(), answering from an in-memory log of 10 records per partition (3 per fetch).
 */
class FakeBroker {
  readonly fetched: Array<{ partition: number; offset: number }> = [];
  private held: Array<() => void> = [];
  private heldMetadata: Array<() => void> = [];
  holdAnswers = false;
  holdMetadata = false;

  consumer(): Consumer {
    const metadata = { topics: new Map([['t', { id: 'id-t', partitionsCount: 2, partitions: [{ leader: 1 }, { leader: 1 }] }]]) };
    return {
      metadata: () => (this.holdMetadata ? new Promise((resolve) => this.heldMetadata.push(() => resolve(metadata))) : Promise.resolve(metadata)),
      fetch: (options: { topics: FetchRequestTopic[] }) => this.fetch(options.topics),
      clearMetadata: () => undefined,
    } as unknown as Consumer;
  }

  releaseMetadata(): void {
    const held = this.heldMetadata;
    this.heldMetadata = [];
    for (const answer of held) answer();
  }

  release(): void {
    const held = this.held;
    this.held = [];
    for (const answer of held) answer();
  }

  private fetch(topics: FetchRequestTopic[]): Promise<FetchResponse> {
    const partitions = (topics[0]?.partitions ?? []).map((p) => {
      const offset = Number(p.fetchOffset);
      this.fetched.push({ partition: p.partition, offset });
      const count = Math.max(0, Math.min(3, 10 - offset));
      const records = Array.from({ length: count }, (_, i) => ({ length: 0, attributes: 0, timestampDelta: 0n, offsetDelta: i, key: null, value: Buffer.from(`p${p.partition}-${offset + i}`), headers: [] }));
      return {
        partitionIndex: p.partition,
        errorCode: 0,
        highWatermark: 10n,
        lastStableOffset: 10n,
        logStartOffset: 0n,
        abortedTransactions: [],
        preferredReadReplica: -1,
        records: count === 0 ? [] : [{ firstOffset: BigInt(offset), length: 0, partitionLeaderEpoch: 0, magic: 2, crc: 0, attributes: 0, lastOffsetDelta: count - 1, firstTimestamp: 0n, maxTimestamp: 0n, producerId: -1n, producerEpoch: 0, firstSequence: 0, records }],
      };
    });
    const response: FetchResponse = { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topicId: 'id-t', partitions }] };
    if (!this.holdAnswers) return new Promise((resolve) => setTimeout(() => resolve(response), 1));
    return new Promise((resolve) => this.held.push(() => resolve(response)));
  }
}

const options = resolveKafkaOptions(['fake:9092']);

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  assert.ok(check(), `timed out waiting for ${what}`);
}

test('per partition: a paused partition is not fetched, a seek drops the answer already on its way, records not taken are fetched again', async () => {
  const broker = new FakeBroker();
  const got: string[] = [];
  let refuse = 1;
  const fetcher = new PartitionFetcher(broker.consumer(), options, {
    deliver: async (records: readonly ConsumedRecord[]) => {
      // The first delivery of partition 1 is not taken: its records must come again.
      if (records[0]?.partition === 1 && refuse-- > 0) return false;
      got.push(...records.map((r) => r.value?.toString() ?? ''));
      return true;
    },
    passed: () => undefined,
    failed: (error) => assert.fail(String(error)),
  });
  fetcher.seek({ topic: 't', partition: 0 }, 0);
  fetcher.seek({ topic: 't', partition: 1 }, 5);
  fetcher.pause({ topic: 't', partition: 1 });
  fetcher.start();
  try {
    await check();
  } finally {
    await fetcher.stop();
  }

  async function check(): Promise<void> {
  await until(() => got.includes('p0-9'), 'partition 0 read to its end');
  assert.ok(!broker.fetched.some((f) => f.partition === 1), 'the paused partition was never fetched');

  broker.holdAnswers = true;
  fetcher.resume({ topic: 't', partition: 1 });
  await until(() => broker.fetched.some((f) => f.partition === 1), 'a fetch of partition 1');
  // While that answer (from offset 5) is on its way, partition 1 is moved to offset 8.
  fetcher.seek({ topic: 't', partition: 1 }, 8);
  broker.holdAnswers = false;
  broker.release();
  await until(() => got.includes('p1-9'), 'partition 1 read to its end');
  assert.deepEqual(got.filter((v) => v.startsWith('p1')), ['p1-8', 'p1-9'], 'nothing from before the seek, each record once although the first delivery was refused');
  assert.deepEqual(got.filter((v) => v.startsWith('p0')), Array.from({ length: 10 }, (_, i) => `p0-${i}`));
  }
});

// The app on this driver ran at ~0.55 of the raw client loop with its node process 45-70% busy: a
// partition was fetched only after its records were delivered, so the app waited for every fetch.
// Now the next answer is read ahead while the records before it are delivered (one answer, no
// more), and handed over only after them.
test('while a partition\'s records are being delivered, its next answer is read ahead, from after them, and delivered after them (no record twice)', async () => {
  const broker = new FakeBroker();
  const got: string[] = [];
  let finishDelivery: () => void = () => undefined;
  let deliveries = 0;
  const fetcher = new PartitionFetcher(broker.consumer(), options, {
    deliver: async (records: readonly ConsumedRecord[]) => {
      got.push(...records.map((r) => r.value?.toString() ?? ''));
      // The first delivery of partition 0 takes a while.
      if (records[0]?.partition === 0 && deliveries++ === 0) await new Promise<void>((resolve) => (finishDelivery = resolve));
      return true;
    },
    passed: () => undefined,
    failed: (error) => assert.fail(String(error)),
  });
  try {
    broker.holdAnswers = true;
    fetcher.seek({ topic: 't', partition: 0 }, 0);
    fetcher.start();
    await until(() => broker.fetched.length === 1, 'the first fetch');
    // Another partition arrives: its fetch round starts reading metadata while partition 0 is idle...
    broker.holdMetadata = true;
    fetcher.seek({ topic: 't', partition: 1 }, 9);
    // ...and then partition 0's answer comes: its records are being delivered (held).
    broker.holdAnswers = false;
    broker.release();
    await until(() => got.length === 3, 'the first records of partition 0');
    broker.holdMetadata = false;
    broker.releaseMetadata();
    await until(() => got.includes('p1-9'), 'partition 1');
    await until(() => broker.fetched.some((f) => f.partition === 0 && f.offset === 3), 'partition 0 read ahead from offset 3 while offsets 0-2 are delivered');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(got.filter((v) => v.startsWith('p0')), ['p0-0', 'p0-1', 'p0-2'], 'what was read ahead waits for the delivery before it');
    assert.deepEqual(broker.fetched.filter((f) => f.partition === 0).map((f) => f.offset), [0, 3], 'one answer read ahead, no more');
    finishDelivery();
    await until(() => got.includes('p0-9'), 'partition 0 to its end');
  } finally {
    await fetcher.stop();
  }
  assert.deepEqual(got.filter((v) => v.startsWith('p0')), Array.from({ length: 10 }, (_, i) => `p0-${i}`), 'each record of partition 0 once, in order');
  const fetchedBelowEnd = broker.fetched.filter((f) => f.partition === 0 && f.offset < 10).map((f) => f.offset);
  assert.deepEqual(fetchedBelowEnd, [0, 3, 6, 9], 'no offset fetched twice');
});

test('records not taken while the next answer is read ahead: both are read again from the first record not taken, in order', async () => {
  const broker = new FakeBroker();
  const got: string[] = [];
  let refuseNext: (() => void) | undefined;
  let deliveries = 0;
  const fetcher = new PartitionFetcher(broker.consumer(), options, {
    deliver: async (records: readonly ConsumedRecord[]) => {
      // The second delivery (offsets 3-5) is held until the answer after it is read ahead, then refused.
      if (deliveries++ === 1) {
        await new Promise<void>((resolve) => (refuseNext = resolve));
        return false;
      }
      got.push(...records.map((r) => r.value?.toString() ?? ''));
      return true;
    },
    passed: () => undefined,
    failed: (error) => assert.fail(String(error)),
  });
  fetcher.seek({ topic: 't', partition: 0 }, 0);
  fetcher.start();
  try {
    await until(() => refuseNext !== undefined && broker.fetched.some((f) => f.offset === 6), 'offsets 3-5 held and offsets 6-8 read ahead');
    refuseNext?.();
    await until(() => got.includes('p0-9'), 'partition 0 to its end');
  } finally {
    await fetcher.stop();
  }
  assert.deepEqual(got, Array.from({ length: 10 }, (_, i) => `p0-${i}`), 'nothing lost, nothing twice, in order');
  assert.equal(fetcher.position({ topic: 't', partition: 0 }), 10);
});

// A 3-broker at-least-once run on this driver stalled for good after the source leader's SIGKILL:
// the fetch loop kept the cached metadata (the dead leader) on a connection error, since only a few
// protocol errors cleared it, and fetched from the dead broker again and again. Any failed fetch now
// clears the metadata, so the next round asks who leads.
test('a fetch that fails with a connection error asks for the leaders again (a dead leader is not fetched for ever)', async () => {
  let cleared = false;
  const fetchedFrom: number[] = [];
  const consumer = {
    metadata: () => Promise.resolve({ topics: new Map([['t', { id: 'id-t', partitionsCount: 1, partitions: [{ leader: cleared ? 2 : 1 }] }]]) }),
    clearMetadata: () => {
      cleared = true;
    },
    fetch: (request: { node: number; topics: FetchRequestTopic[] }): Promise<FetchResponse> => {
      fetchedFrom.push(request.node);
      if (request.node === 1) return Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }));
      const offset = Number(request.topics[0]?.partitions[0]?.fetchOffset ?? 0n);
      const records = offset === 0 ? [{ length: 0, attributes: 0, timestampDelta: 0n, offsetDelta: 0, key: null, value: Buffer.from('r0'), headers: [] }] : [];
      return new Promise((resolve) =>
        setTimeout(() => resolve({
          throttleTimeMs: 0,
          errorCode: 0,
          sessionId: 0,
          responses: [{ topicId: 'id-t', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 1n, lastStableOffset: 1n, logStartOffset: 0n, abortedTransactions: [], preferredReadReplica: -1, records: records.length === 0 ? [] : [{ firstOffset: 0n, length: 0, partitionLeaderEpoch: 0, magic: 2, crc: 0, attributes: 0, lastOffsetDelta: 0, firstTimestamp: 0n, maxTimestamp: 0n, producerId: -1n, producerEpoch: 0, firstSequence: 0, records }] }] }],
        }), 1),
      );
    },
  } as unknown as Consumer;
  const got: string[] = [];
  const failures: boolean[] = [];
  const recoveries: number[] = [];
  const fetcher = new PartitionFetcher(consumer, options, {
    deliver: (records: readonly ConsumedRecord[]) => {
      got.push(...records.map((r) => r.value?.toString() ?? ''));
      return Promise.resolve(true);
    },
    passed: () => undefined,
    failed: (_error, first) => void failures.push(first),
    recovered: (count) => void recoveries.push(count),
  });
  fetcher.seek({ topic: 't', partition: 0 }, 0);
  fetcher.start();
  await until(() => got.length > 0, 'the record from the new leader');
  await fetcher.stop();
  assert.deepEqual(got, ['r0']);
  assert.equal(fetchedFrom[0], 1, 'the first fetch went to the dead leader');
  assert.ok(fetchedFrom.includes(2), 'then to the new one');
  assert.equal(failures[0], true, 'the first failure of the outage is marked (logged as a warning)');
  assert.ok(failures.slice(1).every((first) => !first));
  assert.deepEqual(recoveries, [failures.length], 'the recovery is told once, with the failures it ended');
});

// The 3-broker broker-fault run on 2.12.1 logged the dead leader's fetch failure as a warning four
// times per worker in six seconds: fetches from the other leaders succeeded in between and ended the
// "outage" each time. The outage is per partition now: it ends when the failed partitions are
// fetched again (from their new leader), whatever the other leaders do meanwhile.
test('one dead leader among healthy ones: one warning and one recovery for its outage', async () => {
  let failuresLeft = 3;
  const leaderOf = (partition: number): number => (partition === 0 && failuresLeft > 0 ? 1 : 2);
  const consumer = {
    metadata: () => Promise.resolve({ topics: new Map([['t', { id: 'id-t', partitionsCount: 2, partitions: [{ leader: leaderOf(0) }, { leader: leaderOf(1) }] }]]) }),
    clearMetadata: () => undefined,
    fetch: (request: { node: number; topics: FetchRequestTopic[] }): Promise<FetchResponse> => {
      if (request.node === 1) {
        // The leader moves when the third failure is answered, not before: while a fetch to the dead
        // leader is on its way, partition 0 must still be led by it.
        return new Promise((_resolve, reject) =>
          setTimeout(() => {
            failuresLeft--;
            reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }));
          }, 5),
        );
      }
      const partitions = (request.topics[0]?.partitions ?? []).map((p) => ({ partitionIndex: p.partition, errorCode: 0, highWatermark: 0n, lastStableOffset: 0n, logStartOffset: 0n, abortedTransactions: null, preferredReadReplica: -1, records: [] }));
      return new Promise((resolve) => setTimeout(() => resolve({ throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topicId: 'id-t', partitions }] } as unknown as FetchResponse), 2));
    },
  } as unknown as Consumer;
  const failures: boolean[] = [];
  const recoveries: number[] = [];
  const fetcher = new PartitionFetcher(consumer, options, {
    deliver: () => Promise.resolve(true),
    passed: () => undefined,
    failed: (_error, first) => void failures.push(first),
    recovered: (count) => void recoveries.push(count),
  });
  fetcher.seek({ topic: 't', partition: 0 }, 0);
  fetcher.seek({ topic: 't', partition: 1 }, 0);
  fetcher.start();
  try {
    // Three failures, each followed by the fetch loop's 500 ms back-off.
    for (let i = 0; i < 1_000 && recoveries.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    await fetcher.stop();
  }
  assert.deepEqual(failures, [true, false, false], 'only the first failure of the outage is a warning');
  assert.deepEqual(recoveries, [3], 'one recovery, after the three failures');
});
