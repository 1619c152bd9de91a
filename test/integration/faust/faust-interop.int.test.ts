import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureFaustVenv, faustVersions } from '../../../bench/scenarios/faust/venv.js';
import type { App } from '../../../runtime/src/app/app.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { faustCodecs } from '../../../runtime/src/serde/faust.js';
import { startKafkaCluster, REPO_ROOT, type KafkaCluster } from '../../kafka/broker.js';
import { createTopics } from '../../kafka/global.js';
import { kafkaApp, uniqueName, waitFor } from '../app/app-helpers.js';

const PEER = join(REPO_ROOT, 'test/fixtures/faust/faust_peer.py');
const GREETINGS = ['hello', 'héllo', '😀 ok'];

/** A Python Faust worker (test/fixtures/faust/faust_peer.py) whose JSON stdout lines are collected. */
class FaustPeer {
  readonly lines: Record<string, unknown>[] = [];
  stderr = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  constructor(python: string, env: Record<string, string>) {
    this.child = spawn(python, [PEER, 'worker', '-l', process.env['FAUST_PEER_LOG'] ?? 'warn', '--without-web'], { env: { ...process.env, ...env, PYTHONUNBUFFERED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.startsWith('{')) this.lines.push(JSON.parse(line) as Record<string, unknown>);
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-20_000);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve((this.exitCode = code))));
  }

  /** Throws (ending a wait) once the worker has exited by itself. */
  alive(): true {
    if (this.exitCode !== undefined) throw new Error(`the Faust worker exited with ${String(this.exitCode)}: ${this.stderr.slice(-3000)}`);
    return true;
  }

  /** The table as the worker held it once recovered (and not rebalancing), when it got there. */
  ready(): Record<string, unknown> | undefined {
    return this.lines.find((l) => l['event'] === 'ready');
  }

  counted(): [string, string, number][] {
    return this.lines.filter((l) => l['event'] === 'counted').map((l) => [String(l['key']), String(l['value']), Number(l['count'])]);
  }

  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The proof of faustCompat on a real broker: a Python Faust worker and faustgen apps exchange str
 * topics both ways and take over each other's table changelog (one app id, one after the other).
 */
describe('faustCompat with a Python Faust worker on Kafka', () => {
  let cluster: KafkaCluster;
  let python: string;
  const peers: FaustPeer[] = [];
  const apps: App[] = [];
  const dirs: string[] = [];

  before(async () => {
    python = await ensureFaustVenv();
    process.stderr.write(`[faust-interop] ${await faustVersions(python)}\n`);
    cluster = await startKafkaCluster({ nodes: 1 });
  });

  after(async () => {
    for (const peer of peers) await peer.stop().catch(() => undefined);
    for (const app of apps) await app.stop().catch(() => undefined);
    await cluster?.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test('str values and keys both ways; a changelog written by Faust recovered by faustgen, and one written by faustgen by Faust', { timeout: 600_000 }, async () => {
    const appId = uniqueName('faust-peer');
    const topicNames = { greetings: uniqueName('greetings'), words1: uniqueName('words-1'), words2: uniqueName('words-2'), words3: uniqueName('words-3') };
    await createTopics(cluster.bootstrap, Object.values(topicNames).map((topic) => ({ topic, numPartitions: 2 })));
    const datadir = await mkdtemp(join(tmpdir(), 'faustgen-faust-peer-'));
    dirs.push(datadir);
    const peerEnv = (words: string, send: readonly string[]): Record<string, string> => ({
      FP_APP_ID: appId, FP_BOOTSTRAP: cluster.bootstrap, FP_DATADIR: datadir, FP_WORDS: words, FP_GREETINGS: topicNames.greetings, FP_SEND: send.join('|'),
    });

    // A faustgen app beside Faust: reads Faust's greetings, sends words to Faust's agent.
    const { app: side } = kafkaApp(cluster.bootstrap, { id: uniqueName('faustgen-side') });
    apps.push(side);
    const greetings = side.topic(topicNames.greetings, { key: codecs.string, value: faustCodecs.string });
    const wordTopics = Object.fromEntries([topicNames.words1, topicNames.words2, topicNames.words3].map((name) => [name, side.topic(name, { key: codecs.string, value: faustCodecs.string })]));
    const received: [string | undefined, string][] = [];
    side.agent('read-greetings', { source: greetings }, async (stream) => {
      for await (const event of stream.events()) received.push([event.key, event.value]);
    });
    await side.start();
    const sendWords = async (topic: string, list: readonly string[]): Promise<void> => {
      for (const word of list) await wordTopics[topic]?.send({ key: word, value: word });
    };

    // 1. Faust's topic → faustgen, faustgen's topic → Faust, and Faust writes its changelog.
    const first = new FaustPeer(python, peerEnv(topicNames.words1, GREETINGS));
    peers.push(first);
    await waitFor(() => first.alive() && first.ready() !== undefined, () => `the Faust worker to be ready (stderr: ${first.stderr.slice(-3000)})`, 180_000);
    await sendWords(topicNames.words1, ['foo', 'héllo', 'foo']);
    await waitFor(() => first.alive() && received.length === GREETINGS.length, () => `faustgen to read Faust's greetings (got ${JSON.stringify(received)}; faust stderr: ${first.stderr.slice(-2000)})`, 180_000);
    assert.deepEqual(received.map(([, value]) => value).sort(), [...GREETINGS].sort(), "Faust's str values, read without their JSON quotes");
    assert.deepEqual(received.map(([key, value]) => key === value), GREETINGS.map(() => true), "Faust's raw str keys");
    await waitFor(() => first.alive() && first.counted().length === 3, () => `Faust to count faustgen's words (${JSON.stringify(first.counted())}; stderr: ${first.stderr.slice(-2000)})`, 180_000);
    assert.deepEqual(first.counted().filter(([key]) => key === 'foo'), [['foo', 'foo', 1], ['foo', 'foo', 2]], "faustgen's str values and keys, as Faust reads them");
    assert.deepEqual(first.counted().filter(([key]) => key === 'héllo'), [['héllo', 'héllo', 1]]);
    assert.equal(await first.stop(), 0, first.stderr.slice(-3000));

    // 2. faustgen takes the app id over: it recovers Faust's changelog, then counts on.
    const { app: takeover } = kafkaApp(cluster.bootstrap, { id: appId });
    apps.push(takeover);
    const words2 = takeover.topic(topicNames.words2, { key: codecs.string, value: faustCodecs.string });
    const counts = takeover.table('counts', { key: faustCodecs.string, value: codecs.number, default: () => 0, partitions: 2 });
    let processed = 0;
    takeover.agent('count', { source: words2, tables: [counts] }, async (stream) => {
      for await (const event of stream.events()) {
        counts.update(event.key as string, (n) => n + 1);
        processed++;
      }
    });
    await takeover.start();
    assert.deepEqual(new Map(counts.entries()), new Map([['foo', 2], ['héllo', 1]]), "Faust's changelog, recovered by faustgen");
    await sendWords(topicNames.words2, ['foo', 'new', 'héllo']);
    await waitFor(() => processed === 3 && takeover.idle(), 'faustgen to count', 60_000);
    assert.deepEqual(new Map(counts.entries()), new Map([['foo', 3], ['héllo', 2], ['new', 1]]));
    await takeover.stop();

    // 3. Faust again: it recovers a changelog faustgen wrote last, becomes ready and counts on.
    const third = new FaustPeer(python, peerEnv(topicNames.words3, []));
    peers.push(third);
    await waitFor(() => third.alive() && third.ready() !== undefined, () => `Faust to recover the changelog faustgen wrote and become ready (stderr: ${third.stderr.slice(-3000)})`, 180_000);
    assert.deepEqual(third.ready()?.['counts'], { foo: 3, 'héllo': 2, new: 1 }, "faustgen's changelog, recovered by Faust");
    await sendWords(topicNames.words3, ['foo', 'new', 'héllo']);
    await waitFor(() => third.alive() && third.counted().length === 3, () => `Faust to recover faustgen's changelog and count (${JSON.stringify(third.counted())}; stderr: ${third.stderr.slice(-3000)})`, 180_000);
    assert.deepEqual(new Map(third.counted().map(([key, , count]) => [key, count])), new Map([['foo', 4], ['new', 2], ['héllo', 3]]), "faustgen's changelog, recovered by Faust");
    assert.equal(await third.stop(), 0, third.stderr.slice(-3000));
    await side.stop();
  });
});
