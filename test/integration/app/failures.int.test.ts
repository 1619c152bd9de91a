import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import type { App } from '../../../runtime/src/app/app.js';
import { createKafkaTransport } from '../../../runtime/src/transport/kafka/index.js';
import type { Producer } from '../../../runtime/src/types/transport.js';
import { freePorts, startKafkaCluster, type KafkaCluster } from '../../kafka/broker.js';
import { createTopics } from '../../kafka/global.js';
import { TopicTail, WorkerProcess, feedUrl, kafkaApp, uniqueName, waitFor } from './app-helpers.js';

const WORKER_SCRIPT = 'test/fixtures/kafka-apps/counting-worker.ts';

async function rejection(promise: Promise<unknown>): Promise<FaustgenError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(FaustgenError.is(error), `a FaustgenError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('failures on kafka://', () => {
  let cluster: KafkaCluster;
  const apps: App[] = [];
  let producer: Producer | undefined;
  let tail: TopicTail | undefined;

  before(async () => {
    cluster = await startKafkaCluster({ nodes: 1 });
  });

  after(async () => {
    await WorkerProcess.killAll();
    for (const app of apps) await app.stop().catch(() => undefined);
    await tail?.stop();
    await producer?.stop().catch(() => undefined);
    await cluster?.stop({ graceMs: 5_000 });
  });

  test('a table declared with 3 partitions on a 4-partition source: start() rejects naming topics and counts', async () => {
    const source = uniqueName('four');
    await createTopics(cluster.bootstrap, [{ topic: source, numPartitions: 4 }]);
    const { app } = kafkaApp(cluster.bootstrap, { id: uniqueName('mismatch') });
    apps.push(app);
    const events = app.topic(source, { key: codecs.string, value: codecs.json<number>() });
    const totals = app.table('totals', { key: codecs.string, value: codecs.json<number>(), default: () => 0, partitions: 3 });
    app.agent('sum', { source: events, tables: [totals] }, async (stream) => {
      for await (const event of stream.events()) totals.update(event.key, (n) => n + event.value);
    });
    const error = await rejection(app.start());
    assert.equal(error.code, 'FG_TOPIC_PARTITIONS_MISMATCH');
    assert.match(error.message, new RegExp(`${source}=4`));
    assert.match(error.message, new RegExp(`${app.id}-totals-changelog=3`));
    assert.match(error.message, /agent "sum"/);
    await app.stop();
  });

  test('a topic declared with a partition count other than the existing one: start() rejects', async () => {
    const existing = uniqueName('existing');
    await createTopics(cluster.bootstrap, [{ topic: existing, numPartitions: 4 }]);
    const { app } = kafkaApp(cluster.bootstrap, { id: uniqueName('declared') });
    apps.push(app);
    const topic = app.topic(existing, { value: codecs.json<number>(), partitions: 2 });
    app.agent('noop', { source: topic }, async (stream) => {
      for await (const _ of stream) void _;
    });
    const error = await rejection(app.start());
    assert.equal(error.code, 'FG_TOPIC_PARTITIONS_MISMATCH');
    assert.match(error.message, new RegExp(`topic "${existing}" has 4 partitions but is declared with 2`));
    await app.stop();
  });

  test('an unreachable broker: the worker process exits non-zero after brokerStartupTimeoutMs with FG_BROKER_UNREACHABLE', async (t) => {
    const [port] = await freePorts(1);
    const worker = new WorkerProcess('unreachable', WORKER_SCRIPT, {
      FG_BROKER: `kafka://127.0.0.1:${port}`,
      FG_APP_ID: uniqueName('unreachable'),
      FG_STARTUP_TIMEOUT_MS: '3000',
    });
    // Bounded so that a hang fails the test: 3 s of retries plus process start-up on a busy box.
    const deadline = setTimeout(() => worker.signal('SIGKILL'), 30_000);
    const exit = await worker.exited;
    clearTimeout(deadline);
    assert.notEqual(exit.signal, 'SIGKILL', `the worker did not exit by itself; stderr:\n${worker.stderr.slice(-3000)}`);
    assert.equal(exit.code, 1, `exit code; stderr:\n${worker.stderr.slice(-3000)}`);
    const line = worker.stderr.split('\n').find((l) => l.includes('FG_BROKER_UNREACHABLE'));
    assert.ok(line, `an FG_BROKER_UNREACHABLE line; stderr:\n${worker.stderr.slice(-3000)}`);
    const parsed = JSON.parse(line) as { level: string; msg: string; code: string; error: string };
    assert.equal(parsed.level, 'error');
    assert.equal(parsed.code, 'FG_BROKER_UNREACHABLE');
    assert.match(parsed.error, new RegExp(`127\\.0\\.0\\.1:${port} unreachable: gave up after (\\d+) ms \\(brokerStartupTimeoutMs = 3000\\)`));
    assert.ok(worker.stderr.includes('still waiting for Kafka brokers'), `progress lines while retrying; stderr:\n${worker.stderr.slice(-3000)}`);
    const waited = Number(/gave up after (\d+) ms/.exec(parsed.error)?.[1]);
    assert.ok(waited >= 3000, `kept retrying for the whole startup timeout (${waited} ms)`);
    t.diagnostic(`unreachable broker: gave up after ${waited} ms; process exited ${exit.atMs - worker.startedAt} ms after spawn`);
  });

  test('the broker is killed and restarted mid-run: workers lose no event (one rides it out, one with a short delivery timeout crashes uncommitted and a successor resumes)', async (t) => {
    const source = uniqueName('outage-source');
    const outputP = uniqueName('outage-patient');
    const outputI = uniqueName('outage-impatient');
    await createTopics(cluster.bootstrap, [
      { topic: source, numPartitions: 3 },
      { topic: outputP, numPartitions: 3 },
      { topic: outputI, numPartitions: 3 },
    ]);
    const common = { FG_BOOTSTRAP: cluster.bootstrap, FG_SOURCE: source, FG_PARTITIONS: '3' };
    const patientEnv = { ...common, FG_APP_ID: uniqueName('patient'), FG_OUTPUT: outputP };
    const impatientEnv = { ...common, FG_APP_ID: uniqueName('impatient'), FG_OUTPUT: outputI };
    // The default delivery timeout (120 s) outlasts the outage.
    const patient = new WorkerProcess('patient', WORKER_SCRIPT, { ...patientEnv, FG_WORKER: 'patient' });
    // A 1 s delivery timeout does not, and 2 ms per event keeps it busy when the broker goes away.
    const impatient = new WorkerProcess('impatient', WORKER_SCRIPT, { ...impatientEnv, FG_WORKER: 'impatient', FG_DELIVERY_TIMEOUT_MS: '1000', FG_DELAY_MS: '2' });
    await patient.waitForLine((l) => l.event === 'ready', 'ready');
    await impatient.waitForLine((l) => l.event === 'ready', 'ready');
    producer = createKafkaTransport(feedUrl(cluster.bootstrap), { clientId: 'outage-test', logLevel: 'nothing' }).createProducer();
    await producer.start();
    const produce = async (from: number, to: number): Promise<void> => {
      const sends: Promise<unknown>[] = [];
      for (let i = from; i < to; i++) sends.push(producer!.send({ topic: source, key: Buffer.from(`k-${i}`), value: Buffer.from(JSON.stringify({ n: i })) }));
      await Promise.all(sends);
    };
    await produce(0, 5_000);
    await patient.waitForLine((l) => l.event === 'progress', 'some progress before the outage');
    await impatient.waitForLine((l) => l.event === 'progress', 'some progress before the outage');
    const killedAt = Date.now();
    await cluster.kill(1, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await cluster.restart(1);
    const downMs = Date.now() - killedAt;
    assert.ok(patient.alive, `the patient worker survived the outage; stderr:\n${patient.stderr.slice(-3000)}`);
    await produce(5_000, 10_000);

    const timer = setTimeout(() => impatient.signal('SIGKILL'), 60_000);
    const impatientExit = await impatient.exited;
    clearTimeout(timer);
    assert.equal(impatientExit.code, 1, `the impatient worker crashed; stderr:\n${impatient.stderr.slice(-3000)}`);
    assert.match(impatient.stderr, /was not delivered: .*stopping without committing/);
    const successor = new WorkerProcess('successor', WORKER_SCRIPT, { ...impatientEnv, FG_WORKER: 'successor' });

    const tails = { patient: await TopicTail.start(cluster.bootstrap, outputP), successor: await TopicTail.start(cluster.bootstrap, outputI) };
    try {
      const distinct = (tail: TopicTail): number => new Set(tail.records.map((r) => r.key?.toString())).size;
      for (const [name, tail] of Object.entries(tails)) {
        await waitFor(() => distinct(tail) >= 10_000, () => `all 10,000 keys in the ${name} output (have ${distinct(tail)})`, 120_000);
      }
      assert.ok(patient.alive, `the patient worker is still running; stderr:\n${patient.stderr.slice(-4000)}`);
      for (const worker of [patient, successor]) assert.equal((await worker.stop()).code, 0, worker.stderr.slice(-3000));
      const summary: Record<string, unknown> = { downMs };
      for (const [name, tail] of Object.entries(tails)) {
        const records = await tail.drain();
        const keys = new Set(records.map((r) => r.key?.toString()));
        const missing = Array.from({ length: 10_000 }, (_, i) => `k-${i}`).filter((k) => !keys.has(k));
        assert.deepEqual(missing.slice(0, 10), [], `${name}: ${missing.length} keys lost`);
        summary[`${name}Duplicates`] = records.length - 10_000;
      }
      t.diagnostic(`broker outage: ${JSON.stringify(summary)}`);
    } finally {
      await tails.patient.stop();
      await tails.successor.stop();
    }
  });
});
