import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AssignerProtocol } from 'kafkajs';
import { kafkaBrokers } from '../../../generator/src/cli/send-message.js';
import { parseBrokerUrl, resolveSettings } from '../../../runtime/src/app/settings.js';
import { decodeConsumerAssignment, decodeConsumerSubscription, encodeConsumerAssignment, encodeConsumerSubscription } from '../../../runtime/src/transport/consumer-protocol.js';
import { decodeAssignmentUserData, decodeMemberUserData, encodeAssignmentUserData, encodeMemberUserData } from '../../../runtime/src/transport/member-userdata.js';
import { decodePartition, type FetchResponsePartition } from '../../../runtime/src/transport/platformatic/records.js';

const known = (name: string): boolean => ['raw', 'string', 'json'].includes(name);

test('consumer protocol payloads written by the platformatic driver are what kafkajs (and Java) read, and back', () => {
  const metadata = { version: 1, topics: ['orders'], changelogTopics: ['app-t-changelog'], globalTopics: [], standbyReplicas: 1, url: 'http://w1:6066', previous: { actives: [{ topic: 'orders', partition: 2 }], standbys: [] } };
  const subscription = encodeConsumerSubscription({ topics: ['orders', 'app-t-changelog'], userData: encodeMemberUserData(metadata) });
  const byKafkajs = AssignerProtocol.MemberMetadata.decode(subscription);
  assert.deepEqual(byKafkajs?.topics, ['orders', 'app-t-changelog']);
  assert.deepEqual(decodeMemberUserData('m1', byKafkajs?.userData ?? Buffer.alloc(0)), metadata);
  const fromKafkajs = AssignerProtocol.MemberMetadata.encode({ version: 1, topics: ['orders'], userData: encodeMemberUserData(metadata) });
  assert.deepEqual(decodeMemberUserData('m1', decodeConsumerSubscription(fromKafkajs).userData), metadata);

  const plan = { actives: [{ topic: 'orders', partition: 0 }], standbys: [{ topic: 'app-t-changelog', partition: 1 }] };
  const distribution = { 'http://w1:6066': { orders: [0] }, 'http://w2:6066': { orders: [1] } };
  const assignment = encodeConsumerAssignment({ partitions: { orders: [0], 'app-t-changelog': [1] }, userData: encodeAssignmentUserData(plan, distribution) });
  const read = AssignerProtocol.MemberAssignment.decode(assignment);
  assert.deepEqual(read?.assignment, { orders: [0], 'app-t-changelog': [1] });
  assert.deepEqual(decodeAssignmentUserData(read?.userData ?? Buffer.alloc(0)), { version: 1, ...plan, distribution });
  const back = decodeConsumerAssignment(AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: { orders: [3, 1] }, userData: Buffer.from('x') }));
  assert.deepEqual(back.partitions, { orders: [3, 1] });
  assert.equal(back.userData.toString(), 'x');
  // @platformatic/kafka's own assignments end in an empty userData (2.12: its assignmentUserData option, unset by the driver): no faustgen plan in them.
  assert.equal(decodeAssignmentUserData(decodeConsumerAssignment(encodeConsumerAssignment({ partitions: { orders: [0] }, userData: Buffer.alloc(0) })).userData), undefined);
});

function batch(firstOffset: number, records: Array<{ key?: Buffer }>, options: { control?: boolean; transactional?: boolean; producerId?: bigint } = {}): NonNullable<FetchResponsePartition['records']>[number] {
  return {
    firstOffset: BigInt(firstOffset),
    length: 0,
    partitionLeaderEpoch: 0,
    magic: 2,
    crc: 0,
    attributes: (options.transactional === true ? 0x10 : 0) | (options.control === true ? 0x20 : 0),
    lastOffsetDelta: records.length - 1,
    firstTimestamp: 1_700_000_000_000n,
    maxTimestamp: 1_700_000_000_000n,
    producerId: options.producerId ?? -1n,
    producerEpoch: 0,
    firstSequence: 0,
    records: records.map((r, i) => ({ length: 0, attributes: 0, timestampDelta: BigInt(i), offsetDelta: i, key: r.key ?? null, value: Buffer.from(`v${firstOffset + i}`), headers: [[Buffer.from('h'), Buffer.from('1')]] })),
  };
}

const marker = (type: 0 | 1): Buffer => {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  return key;
};

test('fetched batches read committed: aborted transactions and markers are skipped but passed', () => {
  const partition: FetchResponsePartition = {
    partitionIndex: 3,
    errorCode: 0,
    highWatermark: 12n,
    lastStableOffset: 12n,
    logStartOffset: 0n,
    preferredReadReplica: -1,
    abortedTransactions: [{ producerId: 7n, firstOffset: 4n }],
    records: [
      batch(0, [{}, {}]),
      batch(2, [{}], { transactional: true, producerId: 5n }),
      batch(3, [{ key: marker(1) }], { transactional: true, control: true, producerId: 5n }),
      batch(4, [{}, {}], { transactional: true, producerId: 7n }),
      batch(6, [{ key: marker(0) }], { transactional: true, control: true, producerId: 7n }),
      batch(7, [{}], { transactional: true, producerId: 7n }),
      batch(8, [{ key: marker(1) }], { transactional: true, control: true, producerId: 7n }),
    ],
  };
  const { records, through } = decodePartition('t', partition, 1);
  assert.deepEqual(records.map((r) => r.offset), [1, 2, 7], 'offset 0 is before the position; 4-5 aborted; markers never delivered');
  assert.equal(through, 8, 'the position moves past the last marker');
  assert.deepEqual({ topic: records[0]?.topic, partition: records[0]?.partition, value: records[0]?.value?.toString(), h: records[0]?.headers['h']?.toString(), ts: records[0]?.timestamp }, { topic: 't', partition: 3, value: 'v1', h: '1', ts: 1_700_000_000_001 });
});

test('the scheme picks the Kafka client: kafka:// is @platformatic/kafka on Node 22.22+, kafkajs (said in the log) on an older Node', () => {
  assert.deepEqual(resolveSettings({ id: 'a', broker: 'kafka+platformatic://h1:9093;h2' }, known).broker, { driver: 'kafka', client: 'platformatic', url: 'kafka+platformatic://h1:9093;h2', hosts: ['h1:9093', 'h2:9092'] });
  assert.deepEqual(resolveSettings({ id: 'a', broker: 'kafka+kafkajs://h1' }, known).broker, { driver: 'kafka', client: 'kafkajs', url: 'kafka+kafkajs://h1', hosts: ['h1:9092'] });
  assert.deepEqual(parseBrokerUrl('kafka://h1', '22.23.3'), { driver: 'kafka', client: 'platformatic', url: 'kafka://h1', hosts: ['h1:9092'] });
  assert.deepEqual(parseBrokerUrl('kafka://h1', '22.12.0'), { driver: 'kafka', client: 'kafkajs', clientFallback: true, url: 'kafka://h1', hosts: ['h1:9092'] });
  assert.deepEqual(parseBrokerUrl('kafka://h1', '20.20.2'), { driver: 'kafka', client: 'kafkajs', clientFallback: true, url: 'kafka://h1', hosts: ['h1:9092'] });
  assert.equal(resolveSettings({ id: 'a', broker: 'kafka+platformatic://h1', processingGuarantee: 'exactly_once' }, known).processingGuarantee, 'exactly_once');
  assert.throws(() => resolveSettings({ id: 'a', broker: 'kafka+rdkafka://h1' }, known), /known: memory:\/\/, kafka:\/\/, kafka\+platformatic:\/\/, kafka\+kafkajs:\/\//);
  // `faustgen send` reaches the same brokers from a project on either scheme.
  assert.deepEqual(kafkaBrokers('kafka+platformatic://h1;h2:9093'), ['h1:9092', 'h2:9093']);
  assert.deepEqual(kafkaBrokers('kafka+kafkajs://h1;h2:9093'), ['h1:9092', 'h2:9093']);
});
