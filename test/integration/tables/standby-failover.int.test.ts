import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTopics } from '../../kafka/global.js';
import {
  WorkerProcess,
  changelogState,
  committedOffsets,
  highWaterMarks,
  readTopic,
  sendIncrements,
  sleep,
  tableTestBed,
  uniqueName,
  waitFor,
  type WorkerLine,
} from './table-helpers.js';

const PARTITIONS = 4;
const KEYS = Array.from({ length: 200 }, (_, i) => `key-${i}`);

const activesOf = (line: WorkerLine | undefined): number[] => (line?.['actives'] as number[] | undefined) ?? [];
const standbysOf = (line: WorkerLine | undefined): number[] => ((line?.['standbys'] as [string, number][] | undefined) ?? []).map(([, p]) => p);

describe('standby failover on Kafka: two RocksDB workers, one SIGKILLed mid-stream', () => {
  const bed = tableTestBed();

  test('the survivor replays only the tail after its standby copy; no committed increment is lost and the excess is bounded by what the killed worker processed without committing', { timeout: 300_000 }, async () => {
    const appId = uniqueName('failover');
    const source = uniqueName('increments');
    const changelog = `${appId}-counts-changelog`;
    await createTopics(bed.bootstrap, [{ topic: source, numPartitions: PARTITIONS }]);
    const env = { FG_BOOTSTRAP: bed.bootstrap, FG_APP_ID: appId, FG_SOURCE: source, FG_STANDBYS: '1', FG_REPORT_EVENTS: '1', FG_COMMIT_INTERVAL_MS: '500' };
    const dirA = await bed.tempDir('failover-a');
    const dirB = await bed.tempDir('failover-b');

    const a = new WorkerProcess('a', { ...env, FG_DATADIR: dirA });
    await a.waitForLine((l) => l.event === 'ready', 'ready');
    const b = new WorkerProcess('b', { ...env, FG_DATADIR: dirB });
    await b.waitForLine((l) => l.event === 'ready', 'ready');
    // Settled: both hold two source partitions and a standby copy of the other two.
    await waitFor(() => {
      const la = a.lastOf('assigned');
      const lb = b.lastOf('assigned');
      return la?.['generation'] === lb?.['generation'] && activesOf(la).length === 2 && activesOf(lb).length === 2 && standbysOf(la).length === 2 && standbysOf(lb).length === 2;
    }, 'both workers with 2 actives and 2 standbys in one generation');
    const bActives = activesOf(b.lastOf('assigned'));
    assert.deepEqual(standbysOf(a.lastOf('assigned')).sort(), [...bActives].sort(), "a holds the standby copies of b's partitions");

    // Increments flow continuously (one per key every 100 ms) until the survivor has taken over.
    const sender = await bed.producer();
    let producing = true;
    const flow = (async () => {
      while (producing) {
        await sendIncrements(sender, source, KEYS);
        await sleep(100);
      }
    })();
    const processed = (w: WorkerProcess): number => w.linesOf('processed').length;
    await waitFor(() => processed(a) >= 8_000 && processed(b) >= 8_000, () => `both workers to process 8000 events (a ${processed(a)}, b ${processed(b)})`, 120_000);

    const generationBefore = a.lastOf('assigned')?.['generation'] as number;
    const killedAt = Date.now();
    b.signal('SIGKILL');
    await b.exited;
    // Nobody else commits b's partitions before the group notices b is gone (session timeout).
    const committed = await committedOffsets(bed.bootstrap, appId, source);
    const changelogAtKill = await highWaterMarks(bed.bootstrap, changelog);

    const takeover = await a.waitForLine((l) => l.event === 'assigned' && (l['generation'] as number) > generationBefore && activesOf(l).length === PARTITIONS, 'all partitions after the kill', 60_000);
    const firstTakenOver = await a.waitForLine((l) => l.event === 'processed' && l.t > killedAt && bActives.includes(l['p'] as number), "an event of b's partitions", 60_000);
    await sleep(1_000);
    producing = false;
    await flow;

    // Recovery of the taken-over partitions: the tail after the standby's applied offset, nothing more.
    const recoveries = a.linesOf('partition-recovered').filter((l) => l.t > killedAt && l['table'] === 'counts');
    for (const partition of bActives) {
      const rec = recoveries.find((l) => l['partition'] === partition);
      assert.ok(rec, `a reports the recovery of partition ${partition}: ${JSON.stringify(recoveries)}`);
      const from = rec['from'] as number;
      const until = rec['until'] as number;
      assert.equal(rec['warm'], true, `partition ${partition} was recovered from a standby copy`);
      assert.equal(until, changelogAtKill.get(partition), `partition ${partition}: recovery ends at the changelog high-water mark left by b`);
      assert.equal(rec['replayed'], until - from, `partition ${partition}: exactly high-water − (standby's applied offset + 1) records replayed`);
      assert.ok((rec['replayed'] as number) < 0.1 * until, `partition ${partition}: replayed ${String(rec['replayed'])} of ${until} changelog records (< 10%)`);
    }

    // Let the survivor finish every input event, then stop it: its table goes to stdout.
    const sourceEnd = await highWaterMarks(bed.bootstrap, source);
    let caughtUp = false;
    const deadline = Date.now() + 120_000;
    while (!caughtUp && Date.now() < deadline) {
      const now = await committedOffsets(bed.bootstrap, appId, source);
      caughtUp = [...sourceEnd].every(([p, high]) => (now.get(p) ?? -1) >= high);
      if (!caughtUp) await sleep(500);
    }
    assert.ok(caughtUp, 'the survivor committed every input event');
    assert.equal((await a.stop()).code, 0, a.stderr.slice(-3000));
    const tableLine = a.lastOf('table');
    assert.ok(tableLine, 'a reported its table at shutdown');
    const finalCounts = new Map(Object.entries(tableLine['entries'] as Record<string, number>));

    // Truth from the source topic itself (a produce retry could have duplicated a record).
    const input = await readTopic(bed.bootstrap, source);
    const trueCounts = new Map<string, number>();
    for (const r of input) trueCounts.set(r.key, (trueCounts.get(r.key) ?? 0) + 1);
    // What b processed past its last commit: the only events that can be counted twice.
    const uncommitted = new Map<string, number>();
    for (const l of b.linesOf('processed')) {
      if ((l['o'] as number) >= (committed.get(l['p'] as number) ?? 0)) uncommitted.set(l['k'] as string, (uncommitted.get(l['k'] as string) ?? 0) + 1);
    }
    let excess = 0;
    const violations: string[] = [];
    for (const [key, truth] of trueCounts) {
      const final = finalCounts.get(key) ?? 0;
      const bound = uncommitted.get(key) ?? 0;
      if (final < truth || final - truth > bound) violations.push(`${key}: final ${final}, true ${truth}, bound ${bound}`);
      excess += final - truth;
    }
    assert.deepEqual(violations.slice(0, 10), [], `${violations.length} keys lost an increment or exceed the bound`);
    assert.equal(finalCounts.size, KEYS.length);
    // The changelog says the same as the survivor's table.
    assert.deepEqual(changelogState(await readTopic(bed.bootstrap, changelog)), finalCounts);

    const uncommittedTotal = [...uncommitted.values()].reduce((s, n) => s + n, 0);
    const replayedTail = bActives.map((p) => recoveries.find((l) => l['partition'] === p)?.['replayed']);
    process.stderr.write(
      `[standby-failover] input ${input.length} events; b processed ${processed(b)} (${uncommittedTotal} uncommitted at the kill); excess ${excess}; ` +
        `taken-over partitions ${bActives.join(',')}: changelog ${bActives.map((p) => changelogAtKill.get(p)).join('/')} records, replayed ${replayedTail.join('/')}; ` +
        `SIGKILL → new assignment ${takeover.t - killedAt} ms, → first taken-over event processed ${firstTakenOver.t - killedAt} ms\n`,
    );
  });
});
