/**
 * The worker's web pages on a real broker, over real HTTP: a table key reads the same from either of
 * two workers (the one without the key forwards to its owner), /ready is 503 until the assignment's
 * tables are recovered and 200 after, /metrics parses as Prometheus text and moves with traffic.
 *
 *   export FAUSTGEN_KAFKA_CACHE=/work/main/.cache/kafka
 *   node --import tsx --test test/integration/app/web-operations.int.test.ts
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';
import { kafkaUrl } from './app-helpers.js';
import { createApp, type App } from '../../../runtime/src/app/app.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { createTopics } from '../../kafka/global.js';
import { highWaterMarks } from '../support/kafka-views.js';
import { WorkerProcess, fillChangelog, sendIncrements, sourcePartition, tableTestBed, uniqueName, waitFor, type WorkerLine } from '../tables/table-helpers.js';

const PARTITIONS = 4;
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => { name: string; metrics: { value?: string; labels?: Record<string, string> }[] }[];

const activesOf = (line: WorkerLine | undefined): number[] => (line?.['actives'] as number[] | undefined) ?? [];

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Two keys per source partition, so that each worker owns some and must forward the others. */
function keysCoveringPartitions(): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < PARTITIONS * 2; i++) {
    const key = `word-${i}`;
    if (keys.filter((k) => sourcePartition(k, PARTITIONS) === sourcePartition(key, PARTITIONS)).length < 2) keys.push(key);
  }
  return keys;
}

describe('web pages on Kafka', () => {
  const apps: App[] = [];
  after(async () => {
    for (const app of apps) await app.stop().catch(() => undefined);
  });
  const bed = tableTestBed();

  test('/table/<t>/<k> answers the same value from either of two workers; /router names the owner', { timeout: 300_000 }, async () => {
    const appId = uniqueName('web-table');
    const source = uniqueName('words');
    await createTopics(bed.bootstrap, [{ topic: source, numPartitions: PARTITIONS }]);
    const env = { FG_BOOTSTRAP: bed.bootstrap, FG_APP_ID: appId, FG_SOURCE: source, FG_STANDBYS: '0', FG_STORE: 'memory://' };
    const a = new WorkerProcess('a', { ...env, FG_DATADIR: await bed.tempDir('web-a') });
    const readyA = await a.waitForLine((l) => l.event === 'ready', 'ready');
    const b = new WorkerProcess('b', { ...env, FG_DATADIR: await bed.tempDir('web-b') });
    const readyB = await b.waitForLine((l) => l.event === 'ready', 'ready');
    await waitFor(() => {
      const la = a.lastOf('assigned');
      const lb = b.lastOf('assigned');
      return la?.['generation'] === lb?.['generation'] && activesOf(la).length === 2 && activesOf(lb).length === 2;
    }, 'both workers with 2 source partitions in one generation');
    const urlA = `http://127.0.0.1:${String(readyA['webPort'])}`;
    const urlB = `http://127.0.0.1:${String(readyB['webPort'])}`;

    const keys = keysCoveringPartitions();
    const producer = await bed.producer();
    await sendIncrements(producer, source, keys, 1);
    await sendIncrements(producer, source, keys, 2);

    let forwarded = 0;
    for (const key of keys) {
      let fromA: Record<string, unknown> = {};
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const answer = await getJson(`${urlA}/table/counts/${key}`);
        fromA = answer.body;
        if (answer.status === 200 && fromA['value'] === 3) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(fromA['value'], 3, `key ${key} counted on its owner: ${JSON.stringify(fromA)}`);
      const fromB = await getJson(`${urlB}/table/counts/${key}`);
      assert.equal(fromB.status, 200);
      assert.deepEqual(fromB.body, fromA, `key ${key} reads the same from both workers`);
      const route = (await getJson(`${urlA}/router/counts/${key}`)).body;
      assert.equal(route['partition'], sourcePartition(key, PARTITIONS));
      const owner = activesOf(a.lastOf('assigned')).includes(sourcePartition(key, PARTITIONS)) ? urlA : urlB;
      assert.equal(route['url'], owner);
      if (owner !== urlA) forwarded++;
    }
    assert.equal(forwarded, keys.length / 2, 'half the keys were read on b through a');

    const metricsA = parsePrometheus(await (await fetch(`${urlA}/metrics`)).text());
    const received = metricsA.find((f) => f.name === 'faustgen_messages_received_total')?.metrics.filter((m) => m.labels?.['topic'] === source).reduce((sum, m) => sum + Number(m.value), 0);
    assert.equal(received, keys.length, 'a received the records of its two partitions (half of 2 rounds)');
    await a.stop();
    await b.stop();
  });

  test('/ready is 503 until the tables are recovered, then 200; recovery progress is in /metrics', { timeout: 300_000 }, async () => {
    const appId = uniqueName('web-ready');
    const source = uniqueName('events');
    const changelog = `${appId}-counts-changelog`;
    await createTopics(bed.bootstrap, [{ topic: source, numPartitions: PARTITIONS }, { topic: changelog, numPartitions: PARTITIONS, config: { 'cleanup.policy': 'compact' } }]);
    // A changelog to replay before the worker may call itself ready.
    const producer = await bed.producer();
    const keys = Array.from({ length: 500 }, (_, i) => `k-${i}`);
    const expected = await fillChangelog(producer, changelog, keys, 20, PARTITIONS);
    // The records the changelog holds: an at-least-once producer may have written some twice.
    const inChangelog = [...(await highWaterMarks(bed.bootstrap, changelog)).values()].reduce((a, b) => a + b, 0);
    const app = createApp({ id: appId, broker: kafkaUrl(bed.bootstrap), store: 'memory://', webEnabled: true, webPort: 0, logLevel: 'warn', brokerStartupTimeoutMs: 20_000 }, { kafka: { logLevel: 'nothing' } });
    apps.push(app);
    const events = app.topic(source, { key: codecs.string, value: codecs.json<{ inc: number }>(), partitions: PARTITIONS });
    const counts = app.table('counts', { key: codecs.string, value: codecs.json<number>(), default: () => 0, partitions: PARTITIONS });
    app.agent('count', { source: events, tables: [counts] }, async (stream) => {
      for await (const event of stream.events()) counts.update(event.key, (n) => n + event.value.inc);
    });
    const starting = app.start();
    const seen: { status: number; reasons: string[] }[] = [];
    let started = false;
    void starting.then(() => (started = true), () => (started = true));
    await waitFor(() => app.webPort !== 0 || started, 'the web server listening');
    const base = `http://127.0.0.1:${app.webPort}`;
    // start() resolves a little after the worker became ready, so a poll may see 200 first: then the
    // tables must already hold what the changelog had.
    while (!started) {
      const { status, body } = await getJson(`${base}/ready`);
      if (status === 200) {
        assert.equal(counts.get('k-7'), expected.get('k-7'), 'ready only once the tables are recovered');
        break;
      }
      seen.push({ status, reasons: body['reasons'] as string[] });
    }
    await starting;
    const first = seen[0];
    assert.ok(first !== undefined && first.status === 503, `the first /ready during start is 503: ${JSON.stringify(first)}`);
    assert.ok(first.reasons.length > 0);
    assert.ok(seen.every((s) => s.status === 503 && s.reasons.length > 0), 'every answer before ready is 503 with its reasons');
    const ready = await getJson(`${base}/ready`);
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.equal(counts.get('k-7'), expected.get('k-7'));
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, new RegExp(`^faustgen_recovery_replayed_records\\{[^}]*table="counts"[^}]*\\} ${inChangelog}$`, 'm'));
    assert.match(metrics, /^faustgen_recovering\{[^}]*\} 0$/m);
    const recovering = seen.filter((s) => s.reasons.some((r) => r.includes('recovering'))).length;
    process.stderr.write(`# /ready polled ${seen.length} times during start, ${recovering} of them while recovering\n`);
    await app.stop();
  });
});
