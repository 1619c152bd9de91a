// Issue 9: a partition leader killed while faustgen's Kafka producer sends must not lose a record
// the producer reported delivered. kafkajs's sendBatch retries only brokers that had not answered,
// after mapping partitions to leaders again: the partitions of a failed leader that moved to a
// broker which had already answered were never sent, and sendBatch resolved anyway. Beside it run
// the second driver's producer (@platformatic/kafka, held to the same assertion), faustgen's producer
// with kafkajs's idempotence on, and a plain idempotent kafkajs producer as the control (the last two
// are reported, not asserted).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startKafkaCluster, type KafkaCluster } from '../../kafka/broker.js';
import { createTopics, uniqueName } from '../../kafka/global.js';
import { sleep } from '../support/wait.js';
import { Feeder, leaderOf, log } from '../faults/fault-bed.js';
import { verifyFeeder } from '../faults/verify.js';

const PARTITIONS = 12;
const RECORDS = 12_000;
const PER_SECOND = 600;
const KILL_AFTER_MS = 4_000;
const DOWN_MS = 6_000;

let cluster: KafkaCluster | undefined;
const feeders: Feeder[] = [];

before(async () => {
  cluster = await startKafkaCluster({ nodes: 3, heapMb: 384 });
});

after(async () => {
  for (const feeder of feeders) await feeder.stop();
  await cluster?.stop({ graceMs: 5_000 });
});

test('a partition leader SIGKILLed mid-send: every record faustgen\'s producer reported delivered is in the topic', { timeout: 300_000 }, async (t) => {
  if (cluster === undefined) throw new Error('no cluster');
  const topic = uniqueName('failover');
  const control = uniqueName('failover-kafkajs');
  const idempotentTopic = uniqueName('failover-idempotent');
  const platformaticTopic = uniqueName('failover-platformatic');
  await createTopics(cluster.bootstrap, [
    { topic, numPartitions: PARTITIONS, replicationFactor: 3 },
    { topic: control, numPartitions: PARTITIONS, replicationFactor: 3 },
    { topic: idempotentTopic, numPartitions: PARTITIONS, replicationFactor: 3 },
    { topic: platformaticTopic, numPartitions: PARTITIONS, replicationFactor: 3 },
  ]);
  const faustgen = new Feeder(cluster.bootstrap, topic, 1_000, 'faustgen');
  const kafkajs = new Feeder(cluster.bootstrap, control, 1_000, 'kafkajs');
  const idempotent = new Feeder(cluster.bootstrap, idempotentTopic, 1_000, 'faustgen-idempotent');
  const platformatic = new Feeder(cluster.bootstrap, platformaticTopic, 1_000, 'faustgen-platformatic');
  feeders.push(faustgen, kafkajs, idempotent, platformatic);
  const feeding = faustgen.start(RECORDS, PER_SECOND);
  const platformaticFeeding = platformatic.start(RECORDS, PER_SECOND);
  // kafkajs's idempotence can stay stuck on OUT_OF_ORDER_SEQUENCE_NUMBER after a failover (docs/faults.md):
  // measured like the control, not waited for without end.
  const idempotentFeeding = idempotent.start(RECORDS, PER_SECOND);
  const controlFeeding = kafkajs.start(RECORDS, PER_SECOND);
  const progress = setInterval(() => {
    for (const feeder of feeders) log(feeder.status());
  }, 10_000);
  t.after(() => clearInterval(progress));
  await sleep(KILL_AFTER_MS);
  const leader = await leaderOf(cluster.bootstrap, topic, 0);
  log(`SIGKILL broker ${leader} for ${DOWN_MS} ms`);
  await cluster.kill(leader, 'SIGKILL');
  await sleep(DOWN_MS);
  await cluster.restart(leader);
  await feeding;
  await platformaticFeeding;
  // A kafkajs producer that fails for good is not waited for: what it did not get acknowledged is given up.
  await Promise.race([controlFeeding, sleep(10_000)]);
  await kafkajs.stop();
  await Promise.race([idempotentFeeding, sleep(10_000)]);
  await idempotent.stop();
  const ours = await verifyFeeder(cluster.bootstrap, faustgen);
  const theirs = await verifyFeeder(cluster.bootstrap, kafkajs);
  const ideal = await verifyFeeder(cluster.bootstrap, idempotent);
  const second = await verifyFeeder(cluster.bootstrap, platformatic);
  const figures =
    `faustgen producer: acknowledged ${ours.acked}, missing ${ours.lost}, duplicated ${ours.duplicated}; ` +
    `faustgen producer on @platformatic/kafka: acknowledged ${second.acked}, missing ${second.lost}, duplicated ${second.duplicated}; ` +
    `faustgen producer with idempotence: acknowledged ${ideal.acked}, given up ${ideal.abandoned}, missing ${ideal.lost}, duplicated ${ideal.duplicated}; ` +
    `idempotent kafkajs control: acknowledged ${theirs.acked}, given up ${theirs.abandoned}, missing ${theirs.lost}, duplicated ${theirs.duplicated}`;
  log(figures);
  t.diagnostic(figures);
  assert.equal(ours.acked, RECORDS);
  assert.equal(ours.lost, 0, 'no record reported delivered is missing');
  assert.equal(second.acked, RECORDS, 'the second driver delivered every record');
  assert.equal(second.lost, 0, 'no record the second driver reported delivered is missing');
});
