import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createKafkaTransport } from '../../../runtime/src/transport/kafka/index.js';
import type { Producer } from '../../../runtime/src/types/transport.js';
import { startKafkaCluster, type KafkaCluster } from '../../kafka/broker.js';
import { createTopics } from '../../kafka/global.js';
import { TopicTail, WorkerProcess, feedUrl, uniqueName, waitFor, type WorkerLine } from './app-helpers.js';

const WORKER_SCRIPT = 'test/fixtures/kafka-apps/counting-worker.ts';
const PARTITIONS = 6;
const MESSAGES = 100_000;
const CHUNK = 1_000;

interface AssignedLine {
  readonly worker: string;
  readonly generation: number;
  readonly actives: readonly (readonly [string, number])[];
}

const asAssigned = (line: WorkerLine): AssignedLine => line as unknown as AssignedLine;

describe('a group of worker processes on kafka:// through rebalances', () => {
  let cluster: KafkaCluster;
  let producer: Producer | undefined;
  let tail: TopicTail | undefined;

  before(async () => {
    cluster = await startKafkaCluster({ nodes: 1 });
  });

  after(async () => {
    await WorkerProcess.killAll();
    await tail?.stop();
    await producer?.stop().catch(() => undefined);
    await cluster?.stop();
  });

  test('100,000 keys are all processed while a worker joins and another leaves; co-partitioning holds in every generation', async (t) => {
    const appId = uniqueName('rebalance');
    const source = uniqueName('rb-source');
    const output = uniqueName('rb-output');
    const changelog = `${appId}-seen-changelog`;
    await createTopics(cluster.bootstrap, [
      { topic: source, numPartitions: PARTITIONS },
      { topic: output, numPartitions: PARTITIONS },
    ]);
    tail = await TopicTail.start(cluster.bootstrap, output);
    const env = { FG_BOOTSTRAP: cluster.bootstrap, FG_APP_ID: appId, FG_SOURCE: source, FG_OUTPUT: output, FG_PARTITIONS: String(PARTITIONS) };
    const startWorker = (name: string): WorkerProcess => new WorkerProcess(name, WORKER_SCRIPT, { ...env, FG_WORKER: name });
    const sourcePartitionsOf = (w: WorkerProcess): number[] => {
      const last = w.linesOf('assigned').at(-1);
      return last === undefined ? [] : asAssigned(last).actives.filter(([topic]) => topic === source).map(([, p]) => p);
    };

    const a = startWorker('A');
    const b = startWorker('B');
    await a.waitForLine((l) => l.event === 'ready', 'ready');
    await b.waitForLine((l) => l.event === 'ready', 'ready');
    // Both members in one generation: the source is split between them.
    await waitFor(() => sourcePartitionsOf(a).length > 0 && sourcePartitionsOf(b).length > 0 && sourcePartitionsOf(a).length + sourcePartitionsOf(b).length === PARTITIONS, 'A and B to split the source');

    producer = createKafkaTransport(feedUrl(cluster.bootstrap), { clientId: 'rebalance-test', logLevel: 'nothing' }).createProducer();
    await producer.start();
    const started = Date.now();
    let c: WorkerProcess | undefined;
    let stopA: ReturnType<WorkerProcess['stop']> | undefined;
    let outputAtStopA = -1;
    for (let from = 0; from < MESSAGES; from += CHUNK) {
      if (from === 30_000) c = startWorker('C');
      if (from === 60_000) {
        // Keep the stream going only once C took partitions, so both rebalances happen mid-stream.
        await waitFor(() => c !== undefined && sourcePartitionsOf(c).length > 0, 'C to get source partitions', 60_000);
      }
      if (from === 75_000) {
        outputAtStopA = tail.records.length;
        stopA = a.stop();
      }
      const sends: Promise<unknown>[] = [];
      for (let i = from; i < from + CHUNK; i++) {
        sends.push(producer.send({ topic: source, key: Buffer.from(`k-${i}`), value: Buffer.from(JSON.stringify({ n: i })) }));
      }
      await Promise.all(sends);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    const producedMs = Date.now() - started;
    assert.ok(c !== undefined && stopA !== undefined);
    const exitA = await stopA;
    assert.equal(exitA.code, 0, `A exits 0 after SIGTERM; stderr tail:\n${a.stderr.slice(-3000)}`);

    const distinct = (): number => new Set(tail?.records.map((r) => r.key?.toString())).size;
    await waitFor(() => distinct() >= MESSAGES, () => `all ${MESSAGES} keys in the output (have ${distinct()})`, 120_000);
    const processedMs = Date.now() - started;
    const [exitB, exitC] = await Promise.all([b.stop(), c.stop()]);
    assert.equal(exitB.code, 0, `B exit; stderr tail:\n${b.stderr.slice(-3000)}`);
    assert.equal(exitC.code, 0, `C exit; stderr tail:\n${c.stderr.slice(-3000)}`);
    const records = await tail.drain();

    // Every key processed; duplicates only from re-delivery after a rebalance (at-least-once).
    const perKey = new Map<string, number>();
    for (const r of records) {
      const key = r.key?.toString() ?? '';
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
    }
    const missing = Array.from({ length: MESSAGES }, (_, i) => `k-${i}`).filter((k) => !perKey.has(k));
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} keys never processed`);
    assert.equal(perKey.size, MESSAGES, 'no unexpected keys');
    const duplicates = records.length - MESSAGES;
    const byWorker = new Map<string, number>();
    const seenBy = new Set<string>();
    const sameWorkerTwice: string[] = [];
    for (const r of records) {
      const w = (JSON.parse(r.value?.toString() ?? '{}') as { worker?: string }).worker ?? '?';
      byWorker.set(w, (byWorker.get(w) ?? 0) + 1);
      const id = `${w}/${r.key?.toString() ?? ''}`;
      if (seenBy.has(id)) sameWorkerTwice.push(id);
      seenBy.add(id);
    }
    // A duplicate is a hand-over artefact (the new owner re-reads what the old one had not committed
    // yet); a worker processing one record twice would mean its own positions went back.
    assert.deepEqual(sameWorkerTwice.slice(0, 10), [], `${sameWorkerTwice.length} records processed twice by the same worker`);
    assert.ok((byWorker.get('C') ?? 0) > 0, 'C processed part of the stream');
    assert.ok(outputAtStopA > 0 && outputAtStopA < MESSAGES, `A was stopped mid-stream (output had ${outputAtStopA})`);

    // Co-partitioning: in every generation a worker holds source N exactly when it holds changelog N,
    // and no partition is active on two workers of the same generation.
    const assigned = [a, b, c].flatMap((w) => w.linesOf('assigned').map(asAssigned));
    const generations = new Map<number, AssignedLine[]>();
    for (const line of assigned) {
      const sourceParts = line.actives.filter(([topic]) => topic === source).map(([, p]) => p).sort();
      const changelogParts = line.actives.filter(([topic]) => topic === changelog).map(([, p]) => p).sort();
      assert.deepEqual(changelogParts, sourceParts, `worker ${line.worker} generation ${line.generation}: changelog partitions follow the source`);
      generations.set(line.generation, [...(generations.get(line.generation) ?? []), line]);
    }
    for (const [generation, lines] of generations) {
      const owners = new Map<number, string>();
      for (const line of lines) {
        for (const [topic, p] of line.actives) {
          if (topic !== source) continue;
          assert.equal(owners.get(p), undefined, `generation ${generation}: source partition ${p} on ${owners.get(p)} and ${line.worker}`);
          owners.set(p, line.worker);
        }
      }
    }
    const lastGeneration = Math.max(...generations.keys());
    const finalOwners = (generations.get(lastGeneration) ?? []).flatMap((l) => l.actives.filter(([topic]) => topic === source).map(([, p]) => p));
    assert.deepEqual(finalOwners.sort(), Array.from({ length: PARTITIONS }, (_, p) => p), `the last generation (${lastGeneration}) covers every partition`);
    assert.ok(generations.size >= 3, `at least three generations (A+B, A+B+C, B+C); saw ${[...generations.keys()].join(', ')}`);

    const summary = {
      produced: MESSAGES,
      outputRecords: records.length,
      duplicates,
      byWorker: Object.fromEntries(byWorker),
      generations: [...generations.keys()].sort((x, y) => x - y),
      producedSeconds: producedMs / 1000,
      allProcessedSeconds: processedMs / 1000,
    };
    t.diagnostic(`rebalance summary: ${JSON.stringify(summary)}`);
  });
});
