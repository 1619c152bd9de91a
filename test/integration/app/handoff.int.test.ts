// Safe partition handoff and exactly-once (issue 9, docs/adr/0004-safe-handoff.md), on one broker:
// a stream of repeated keys is counted into a table while workers join, leave and crash.
//
// - Graceful joins and leaves, at-least-once: the previous owner of a partition must release it
//   (finish, flush, commit) before the new owner recovers its table. Before the fix the old owner
//   kept writing the changelog and committed under the new generation after the new owner had
//   recovered: sums below the events counted, or above them with duplicated outputs.
// - SIGKILLed workers, exactly-once: sums exact and every event in the output exactly once (read
//   committed), although the killed workers' open transactions held outputs and changelog records.
// - A zombie fences the worker's transactional producers, exactly-once: a worker that applied an
//   assignment the group had already replaced starts (and so fences) the producers of partitions
//   another worker owns. The fenced worker must carry on in place: abort, rejoin with every
//   partition as new, recover its tables from the committed changelog and process the events again
//   from the committed offsets. Before, it stopped with FG_FENCED and its events waited for a restart.
// The three-broker kill runs with broker faults are in test/integration/faults.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createKafkaTransport } from '../../../runtime/src/transport/kafka/index.js';
import type { Producer } from '../../../runtime/src/types/transport.js';
import { startKafkaCluster, type KafkaCluster } from '../../kafka/broker.js';
import { createTopics, testKafkaClient } from '../../kafka/global.js';
import { WorkerProcess, feedUrl, readAll, uniqueName } from './app-helpers.js';

const WORKER_SCRIPT = 'test/fixtures/kafka-apps/counting-worker.ts';
const PARTITIONS = 8;
const KEYS = 400;
const ROUNDS = 30;

/** `fence`: the test starts producers with the app's transactional ids (the worker name is unused). */
type Step = 'start' | 'stop' | 'kill' | 'fence';
interface Scenario {
  readonly guarantee: 'at_least_once' | 'exactly_once';
  /** Round → what happens to which worker before that round's events are sent. */
  readonly steps: Readonly<Record<number, readonly (readonly [Step, string])[]>>;
}

interface Outcome {
  readonly below: string[];
  readonly above: string[];
  readonly outputs: number;
  readonly distinctOutputs: number;
  readonly exits: readonly (number | null)[];
  /** Every worker's log (stderr), in start order. */
  readonly logs: readonly string[];
}

describe('partition handoff on kafka:// keeps table counts exact', () => {
  let cluster: KafkaCluster;
  let producer: Producer | undefined;

  before(async () => {
    cluster = await startKafkaCluster({ nodes: 1 });
    producer = createKafkaTransport(feedUrl(cluster.bootstrap), { clientId: 'handoff-test', logLevel: 'nothing' }).createProducer();
    await producer.start();
  });

  after(async () => {
    await WorkerProcess.killAll();
    await producer?.stop().catch(() => undefined);
    await cluster?.stop();
  });

  async function run(name: string, scenario: Scenario): Promise<Outcome> {
    const appId = uniqueName(name);
    const source = uniqueName(`${name}-source`);
    const output = uniqueName(`${name}-output`);
    const changelog = `${appId}-seen-changelog`;
    await createTopics(cluster.bootstrap, [
      { topic: source, numPartitions: PARTITIONS },
      { topic: output, numPartitions: PARTITIONS },
    ]);
    // Busy handlers (2 ms per event) keep events in flight whenever a rebalance starts.
    const env = { FG_BOOTSTRAP: cluster.bootstrap, FG_APP_ID: appId, FG_SOURCE: source, FG_OUTPUT: output, FG_PARTITIONS: String(PARTITIONS), FG_DELAY_MS: '2', FG_GUARANTEE: scenario.guarantee };
    const workers = new Map<string, WorkerProcess>();
    const all: WorkerProcess[] = [];
    const exits: (number | null)[] = [];
    const start = async (worker: string, wait: boolean): Promise<void> => {
      const process_ = new WorkerProcess(worker, WORKER_SCRIPT, { ...env, FG_WORKER: worker });
      workers.set(worker, process_);
      all.push(process_);
      if (wait) await process_.waitForLine((l) => l.event === 'ready', 'ready');
    };
    await start('A', true);
    const sender = producer;
    assert.ok(sender !== undefined);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [step, worker] of scenario.steps[round] ?? []) {
        if (step === 'start') await start(worker, false);
        const running = workers.get(worker);
        if (step === 'stop' && running !== undefined) void running.stop().then((exit) => exits.push(exit.code));
        if (step === 'kill' && running !== undefined) {
          running.signal('SIGKILL');
          await running.stop();
        }
        if (step === 'fence') await fenceTransactionalIds(cluster.bootstrap, Array.from({ length: PARTITIONS }, (_, p) => `${appId}-${source}-${p}`));
      }
      const sends: Promise<unknown>[] = [];
      for (let k = 0; k < KEYS; k++) {
        sends.push(sender.send({ topic: source, key: Buffer.from(`k-${k}`), value: Buffer.from(JSON.stringify({ n: round * KEYS + k })) }));
      }
      await Promise.all(sends);
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    const total = KEYS * ROUNDS;
    // Done when every event (its unique n) is in the output, duplicates aside.
    const distinctEvents = async (): Promise<number> => new Set((await readAll(cluster.bootstrap, output, 30_000)).map((r) => (JSON.parse(r.value?.toString() ?? '{}') as { n?: number }).n)).size;
    let seenEvents = 0;
    for (let i = 0; i < 90 && seenEvents < total; i++) {
      seenEvents = await distinctEvents();
      if (seenEvents < total) await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    const live = [...workers.values()].filter((w) => w.alive);
    for (const exit of await Promise.all(live.map((w) => w.stop()))) exits.push(exit.code);
    const dump = process.env['FG_TEST_DUMP_DIR'];
    if (dump !== undefined) all.forEach((w, i) => writeFileSync(`${dump}/${name}-${w.name}-${i}.log`, w.stderr));

    // The table as a restart would see it: the last committed changelog value of each key.
    const last = new Map<string, number>();
    const history = new Map<string, string[]>();
    for (const record of await readAll(cluster.bootstrap, changelog, 60_000)) {
      if (record.key === null) continue;
      const value = record.value === null ? 0 : (JSON.parse(record.value.toString()) as number);
      last.set(record.key.toString(), value);
      history.set(record.key.toString(), [...(history.get(record.key.toString()) ?? []), `${record.offset}:${value}`]);
    }
    const below: string[] = [];
    const above: string[] = [];
    for (let k = 0; k < KEYS; k++) {
      const count = last.get(`k-${k}`) ?? 0;
      if (count < ROUNDS) below.push(`k-${k}=${count}`);
      if (count > ROUNDS) above.push(`k-${k}=${count}`);
    }
    const records = await readAll(cluster.bootstrap, output, 60_000);
    // What a failure needs to be understood: the changelog and the outputs of a few wrong keys.
    for (const wrong of [...below, ...above].slice(0, 3)) {
      const key = wrong.split('=')[0] ?? '';
      const outs = records
        .filter((r) => r.key?.toString() === key)
        .map((r) => JSON.parse(r.value?.toString() ?? '{}') as { n: number; seen: number; worker: string })
        .sort((a, b) => a.n - b.n)
        .map((o) => `${o.n}:${o.seen}@${o.worker}`);
      process.stderr.write(`${name} ${wrong}: changelog ${(history.get(key) ?? []).join(' ')}\n  outputs ${outs.join(' ')}\n`);
    }
    const distinctOutputs = new Set(records.map((r) => (JSON.parse(r.value?.toString() ?? '{}') as { n?: number }).n)).size;
    return { below, above, outputs: records.length, distinctOutputs, exits, logs: all.map((w) => w.stderr) };
  }

  test(`at-least-once: ${KEYS} keys x ${ROUNDS} events while workers join and leave mid-stream`, async (t) => {
    const outcome = await run('handoff', {
      guarantee: 'at_least_once',
      steps: { 5: [['start', 'B']], 12: [['start', 'C']], 20: [['stop', 'A']], 25: [['start', 'D']] },
    });
    const total = KEYS * ROUNDS;
    t.diagnostic(`handoff summary: ${JSON.stringify({ events: total, keysBelow: outcome.below.length, keysAbove: outcome.above.length, outputs: outcome.outputs, distinctOutputs: outcome.distinctOutputs })}`);
    assert.deepEqual(outcome.exits.filter((code) => code !== 0), [], 'every worker exits 0');
    assert.deepEqual(outcome.below.slice(0, 10), [], `${outcome.below.length} keys counted below their events (stale-base writes after a handoff)`);
    assert.deepEqual(outcome.above.slice(0, 10), [], `${outcome.above.length} keys counted above their events (events processed twice across a graceful handoff)`);
    assert.equal(outcome.distinctOutputs, total, 'every event reached the output');
    assert.equal(outcome.outputs, total, 'a graceful handoff commits everything processed: no event is output twice');
  });

  test(`exactly-once: ${KEYS} keys x ${ROUNDS} events while workers are SIGKILLed and restarted`, async (t) => {
    const outcome = await run('eos', {
      guarantee: 'exactly_once',
      steps: {
        3: [['start', 'B'], ['start', 'C']],
        8: [['kill', 'B']],
        10: [['start', 'B']],
        16: [['kill', 'C']],
        18: [['start', 'C']],
        22: [['kill', 'A']],
        24: [['start', 'A']],
      },
    });
    const total = KEYS * ROUNDS;
    t.diagnostic(`exactly-once summary: ${JSON.stringify({ events: total, keysBelow: outcome.below.length, keysAbove: outcome.above.length, outputs: outcome.outputs, distinctOutputs: outcome.distinctOutputs })}`);
    assert.deepEqual(outcome.below.slice(0, 10), [], `${outcome.below.length} keys counted below their events`);
    assert.deepEqual(outcome.above.slice(0, 10), [], `${outcome.above.length} keys counted above their events`);
    assert.equal(outcome.distinctOutputs, total, 'every event reached the output');
    assert.equal(outcome.outputs, total, 'no event is in the output twice (read committed)');
  });

  test(`exactly-once: ${KEYS} keys x ${ROUNDS} events while a zombie fences the workers' transactional producers twice`, async (t) => {
    const outcome = await run('fenced', {
      guarantee: 'exactly_once',
      steps: { 4: [['start', 'B']], 10: [['fence', '']], 20: [['fence', '']] },
    });
    const total = KEYS * ROUNDS;
    const told = outcome.logs.join('\n').split('\n').filter((line) => line.includes('fenced a transactional producer of this worker'));
    t.diagnostic(`fenced summary: ${JSON.stringify({ events: total, keysBelow: outcome.below.length, keysAbove: outcome.above.length, outputs: outcome.outputs, distinctOutputs: outcome.distinctOutputs, exits: outcome.exits, fencedLines: told.length })}`);
    assert.deepEqual(outcome.exits.filter((code) => code !== 0), [], 'a fenced worker carries on and exits 0 when stopped');
    assert.ok(told.length > 0, 'the fenced worker says so in its log');
    assert.deepEqual(outcome.below.slice(0, 10), [], `${outcome.below.length} keys counted below their events`);
    assert.deepEqual(outcome.above.slice(0, 10), [], `${outcome.above.length} keys counted above their events`);
    assert.equal(outcome.distinctOutputs, total, 'every event reached the output');
    assert.equal(outcome.outputs, total, 'no event is in the output twice (read committed)');
  });
});

/**
 * What a worker holding a stale assignment does to the real owner: initialises producers with its
 * transactional ids, which bumps their epochs and aborts the owner's open transactions.
 */
async function fenceTransactionalIds(bootstrap: string, transactionalIds: readonly string[]): Promise<void> {
  const kafka = testKafkaClient(bootstrap, 'handoff-zombie');
  await Promise.all(
    transactionalIds.map(async (transactionalId) => {
      const zombie = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
      await zombie.connect();
      try {
        const transaction = await zombie.transaction();
        await transaction.abort().catch(() => undefined);
      } finally {
        await zombie.disconnect();
      }
    }),
  );
}
