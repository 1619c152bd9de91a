import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTopics } from '../../kafka/global.js';
import { WorkerProcess, changelogState, highWaterMarks, jsonBytes, readTopic, sleep, tableTestBed, uniqueName, waitFor, type WorkerLine } from './table-helpers.js';

const PARTITIONS = 4;
const KEYS = Array.from({ length: 2_000 }, (_, i) => `user-${i}`);
/** Starting (broker join, topics, recovery) must end within this; a recovery loop never does. */
const START_BOUND_MS = 60_000;

const sizeOf = (w: WorkerProcess): WorkerLine | undefined => w.lastOf('global-size');

describe('a GlobalTable on Kafka with two workers', () => {
  const bed = tableTestBed();

  test('both workers hold every key, each starts within a bounded time, and a joining worker replays the global changelog once', { timeout: 300_000 }, async () => {
    const appId = uniqueName('global');
    const source = uniqueName('global-updates');
    const changelog = `${appId}-latest-changelog`;
    await createTopics(bed.bootstrap, [{ topic: source, numPartitions: PARTITIONS }]);
    const env = { FG_BOOTSTRAP: bed.bootstrap, FG_APP_ID: appId, FG_SOURCE: source, FG_MODE: 'global' };
    const dirA = await bed.tempDir('global-a');
    const dirB = await bed.tempDir('global-b');
    const sender = await bed.producer();
    const send = async (value: number): Promise<void> => {
      await Promise.all(KEYS.map((key) => sender.send({ topic: source, key: Buffer.from(key), value: jsonBytes({ inc: value }) })));
    };
    const holds = (w: WorkerProcess, value: number): boolean => sizeOf(w)?.['size'] === KEYS.length && sizeOf(w)?.['sum'] === KEYS.length * value;

    const a = new WorkerProcess('a', { ...env, FG_DATADIR: dirA });
    const aReady = await a.waitForLine((l) => l.event === 'ready', 'ready', START_BOUND_MS);
    await send(1);
    await waitFor(() => holds(a, 1), () => `a to hold ${KEYS.length} keys of value 1 (${JSON.stringify(sizeOf(a))})`);
    // The writes reach the changelog asynchronously (and at the latest before a's next commit).
    let changelogSize = 0;
    for (let i = 0; i < 100 && changelogSize < KEYS.length; i++) {
      changelogSize = [...(await highWaterMarks(bed.bootstrap, changelog)).values()].reduce((s, n) => s + n, 0);
      if (changelogSize < KEYS.length) await sleep(100);
    }
    assert.equal(changelogSize, KEYS.length, 'one changelog record per key');

    // b joins with an empty datadir: it replays the global changelog once and becomes ready.
    const b = new WorkerProcess('b', { ...env, FG_DATADIR: dirB });
    const bReady = await b.waitForLine((l) => l.event === 'ready', 'ready', START_BOUND_MS);
    await waitFor(() => holds(b, 1), () => `b to hold every key (${JSON.stringify(sizeOf(b))})`);
    await waitFor(() => {
      const la = a.lastOf('assigned');
      return la !== undefined && la['generation'] === b.lastOf('assigned')?.['generation'];
    }, 'a and b in the same generation');
    assert.equal(b.linesOf('recovering').length, 1, 'b recovers once');
    assert.equal(b.linesOf('recovering')[0]?.['records'], changelogSize, 'b replays the whole global changelog, once');
    assert.deepEqual(a.linesOf('recovering'), [], "a's copy follows the changelog: nothing to recover when b joins");

    // Both process half of the next updates; each sees the other's writes through the changelog.
    const aSources = (a.lastOf('assigned')?.['actives'] as number[]).length;
    const bSources = (b.lastOf('assigned')?.['actives'] as number[]).length;
    assert.equal(aSources + bSources, PARTITIONS);
    assert.ok(aSources > 0 && bSources > 0, 'the source partitions are split');
    await send(2);
    await waitFor(() => holds(a, 2) && holds(b, 2), () => `both to hold value 2 for every key (a ${JSON.stringify(sizeOf(a))}, b ${JSON.stringify(sizeOf(b))})`);

    assert.equal((await b.stop()).code, 0, b.stderr.slice(-3000));
    assert.equal((await a.stop()).code, 0, a.stderr.slice(-3000));
    const expected = new Map(KEYS.map((key) => [key, 2]));
    for (const w of [a, b]) assert.deepEqual(new Map(Object.entries(w.lastOf('table')?.['entries'] as Record<string, number>)), expected, `${w.name} holds every key`);
    assert.deepEqual(changelogState(await readTopic(bed.bootstrap, changelog)), expected);
    process.stderr.write(`[global-table] a ready ${aReady.t - a.startedAt} ms after spawn, b ${bReady.t - b.startedAt} ms (replayed ${changelogSize} records)\n`);
  });
});
