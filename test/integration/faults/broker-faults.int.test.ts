// Issue 9, "broker faults lose nothing": while 3 workers of the counting app process a steady feed,
// the leader broker of a source partition is SIGKILLed and restarted 20 s later, then another broker
// is SIGSTOPped for 30 s. No output may be lost, no table sum may be below its events (exact with
// exactly_once) and the workers' logs must say what happened. Two controls run through
// the same faults: a plain idempotent kafkajs producer and Kafka's own Java VerifiableProducer.
// npm test runs it under at_least_once; FAUSTGEN_PROCESSING_GUARANTEE=exactly_once runs the other (not yet
// exact every run: docs/faults.md). No worker may stop: a broken transaction starts its partitions over.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTopics, uniqueName } from '../../kafka/global.js';
import { sleep } from '../support/wait.js';
import { FaultBed, Feeder, guaranteesToRun, leaderOf, log } from './fault-bed.js';
import { javaControlLost, startJavaControl } from './java-control.js';
import { describeVerdict, verify, verifyFeeder } from './verify.js';

const EVENTS = 50_000;
/** FAULTS_EVENTS_PER_SECOND overrides it: a faster feed than the workers keep up with leaves a backlog at every handoff. */
const EVENTS_PER_SECOND = Number(process.env['FAULTS_EVENTS_PER_SECOND'] ?? 500);
const KEYS = 1_000;
const PARTITIONS = 12;
const WORKERS = 3;
/** Faults start once the feed is under way. */
const FIRST_FAULT_AFTER_MS = 12_000;
const LEADER_DOWN_MS = 20_000;
const BETWEEN_FAULTS_MS = 8_000;
const PAUSE_MS = 30_000;
const CONTROL_PER_SECOND = 100;

let bed: FaultBed | undefined;
let kafkajsControl: Feeder | undefined;
after(async () => {
  await kafkajsControl?.stop();
  await bed?.teardown();
});

for (const guarantee of guaranteesToRun(['at_least_once'])) test(`broker faults (leader SIGKILL ${LEADER_DOWN_MS / 1000} s, another broker SIGSTOP ${PAUSE_MS / 1000} s): no output lost, tables never below (exact with exactly_once), the log tells [${guarantee}]`, { timeout: 600_000 }, async (t) => {
  // Each run gets its own cluster; the previous one is gone before this one starts.
  await bed?.teardown();
  bed = undefined;
  // With exactly_once, a transaction that a broker failure broke starts the worker's partitions over
  // in place (aborted, rejoined, tables recovered): no worker may stop, under either guarantee.
  bed = await FaultBed.start({ partitions: PARTITIONS, keys: KEYS, workers: WORKERS, guarantee });
  const { cluster } = bed;
  const kafkajsTopic = uniqueName('control-kafkajs');
  const javaTopic = uniqueName('control-java');
  await createTopics(cluster.bootstrap, [
    { topic: kafkajsTopic, numPartitions: PARTITIONS, replicationFactor: 3 },
    { topic: javaTopic, numPartitions: PARTITIONS, replicationFactor: 3 },
  ]);
  await bed.startAll();
  const feedMs = (EVENTS / EVENTS_PER_SECOND) * 1000;
  const feeding = bed.feeder.start(EVENTS, EVENTS_PER_SECOND);
  kafkajsControl = new Feeder(cluster.bootstrap, kafkajsTopic, KEYS, 'kafkajs');
  const kafkajsFeeding = kafkajsControl.start(Math.round((feedMs / 1000) * CONTROL_PER_SECOND), CONTROL_PER_SECOND);
  const javaControl = await startJavaControl(cluster.bootstrap, javaTopic, Math.round((feedMs / 1000) * CONTROL_PER_SECOND), CONTROL_PER_SECOND, feedMs + 180_000);

  await sleep(FIRST_FAULT_AFTER_MS);
  const leader = await leaderOf(cluster.bootstrap, bed.source, 0);
  log(`SIGKILL broker ${leader} (leader of ${bed.source}[0]) for ${LEADER_DOWN_MS} ms; fed ${bed.feeder.ackedCount}`);
  const killedAt = Date.now();
  await cluster.kill(leader, 'SIGKILL');
  await sleep(LEADER_DOWN_MS);
  await cluster.restart(leader);
  log(`broker ${leader} back after ${Date.now() - killedAt} ms`);
  const afterRestart = bed.untilEveryPartitionMoves();

  await sleep(BETWEEN_FAULTS_MS);
  const others = [1, 2, 3].filter((id) => id !== leader);
  const paused = (await leaderOf(cluster.bootstrap, bed.output, 0)) === others[0] ? others[0] : others[1];
  if (paused === undefined) throw new Error('no broker to pause');
  log(`SIGSTOP broker ${paused} for ${PAUSE_MS} ms; fed ${bed.feeder.ackedCount}`);
  await cluster.kill(paused, 'SIGSTOP');
  await sleep(PAUSE_MS);
  await cluster.kill(paused, 'SIGCONT');
  const resumedAt = Date.now();
  log(`broker ${paused} resumed; fed ${bed.feeder.ackedCount}`);
  const afterResume = bed.untilEveryPartitionMoves();
  log(`every source partition committed further ${await afterRestart} ms after the killed broker was back, ${await afterResume} ms after the paused one resumed`);

  await feeding;
  log(`feed done: ${bed.feeder.ackedCount} acknowledged, ${bed.feeder.failedAttempts} failed attempts`);
  await bed.drain();
  log(`drained ${Date.now() - resumedAt} ms after the pause ended`);
  for (const index of [0, 1, 2]) assert.ok(bed.worker(index)?.alive, `worker ${index} survived the broker faults; stderr:\n${bed.worker(index)?.stderr.slice(-3000) ?? ''}`);
  log(`workers that stopped on their own and were restarted: ${bed.crashRestarts.length === 0 ? 'none' : bed.crashRestarts.join(', ')}`);
  await bed.stopWorkers();
  // The controls had the whole feed's time; a kafkajs producer that fails for good is not waited for.
  await Promise.race([kafkajsFeeding, sleep(10_000)]);
  await kafkajsControl.stop();
  await javaControl.done;

  const verdict = await verify(cluster.bootstrap, { source: bed.source, changelog: bed.changelog, output: bed.output }, bed.feeder);
  const kafkajsFigures = await verifyFeeder(cluster.bootstrap, kafkajsControl);
  const javaFigures = await javaControlLost(cluster.bootstrap, javaTopic, javaControl);
  const told = bed.logLines(/Kafka produce|leader moved|broker|coordinator|connection|rebalanc|transaction/i).filter((l) => /"level":"(warn|info|error)"/.test(l));
  log(`broker faults (${guarantee}): ${describeVerdict(verdict)}`);
  log(`control, idempotent kafkajs producer: acknowledged ${kafkajsFigures.acked}, given up ${kafkajsFigures.abandoned}, in topic ${kafkajsFigures.inTopic}, acknowledged but missing ${kafkajsFigures.lost}, duplicated ${kafkajsFigures.duplicated}`);
  log(`control, Java VerifiableProducer acks=all: acknowledged ${javaFigures.acked}, send errors ${javaFigures.errors}, acknowledged but missing ${javaFigures.lost}`);
  log(`worker log lines about the faults: ${told.length}\n${told.slice(0, 40).join('\n')}`);
  t.diagnostic(describeVerdict(verdict));

  assert.equal(javaFigures.lost, 0, 'the Java client lost no acknowledged record: the cluster keeps what it acknowledges');
  assert.equal(verdict.sourceLost, 0, 'every event faustgen\'s producer had acknowledged is in the source');
  assert.equal(verdict.outLost, 0, 'no output lost');
  assert.equal(verdict.keysBelow, 0, `no table sum below its events (deficit ${verdict.deficit})`);
  // A coordinator that moves can take longer than the session timeout: the group rebalances, and
  // at_least_once then processes again what was not committed (sums above, outputs twice).
  if (guarantee === 'exactly_once') {
    assert.equal(verdict.keysAbove, 0, `exactly once: no table sum above its events (surplus ${verdict.surplus})`);
    assert.equal(verdict.outDuplicated, 0, 'exactly once: no output duplicated');
  }
  // What a worker meets depends on where the leaders sat and how fast kafkajs's own retries got
  // through (a produce that kafkajs retried successfully is not a faustgen failure): the broker
  // connections it lost, or sends that failed, or a rebalance or transaction the faults broke.
  assert.ok(told.some((l) => /Kafka produce failed|leader moved|Connection error|transaction|rebalanc|coordinator/i.test(l)), 'a worker logged what the faults did to it');
  if (told.some((l) => /Kafka produce failed/.test(l))) assert.ok(told.some((l) => /Kafka produce recovered/.test(l)), 'a worker that logged a failing produce logged its recovery');
});
