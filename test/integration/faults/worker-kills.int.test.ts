// Issue 9, "nothing lost": while a feeder produces keyed events, random workers of the counting app
// are SIGKILLed and restarted (same datadir, as a process manager would). Afterwards, with
// at_least_once no key's table sum may be below the sum of its events and every event must be in
// the output at least once; with exactly_once every sum is exact and
// every event is in the output exactly once (read committed). It also measures how long the
// partitions of a killed worker stay unprocessed. npm test runs both guarantees (FAUSTGEN_PROCESSING_GUARANTEE picks one; docs/faults.md).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from '../support/wait.js';
import { FaultBed, guaranteesToRun, log, randomInt } from './fault-bed.js';
import { describeVerdict, verify } from './verify.js';

const EVENTS = 50_000;
/** FAULTS_EVENTS_PER_SECOND overrides it: a faster feed than the workers keep up with leaves a backlog at every handoff. */
const EVENTS_PER_SECOND = Number(process.env['FAULTS_EVENTS_PER_SECOND'] ?? 500);
const KEYS = 1_000;
const PARTITIONS = 12;
const WORKERS = 3;
const KILLS = 4;
/** Pause before each kill, and how long a killed worker stays down. */
const BETWEEN_KILLS_MS: readonly [number, number] = [8_000, 14_000];
const DOWN_MS = 2_000;

let bed: FaultBed | undefined;
after(async () => {
  await bed?.teardown();
});

for (const guarantee of guaranteesToRun(['at_least_once', 'exactly_once'])) test(`${KILLS} random worker SIGKILLs + restarts under load: tables never below (exact with exactly_once), every output at least once [${guarantee}]`, {
  timeout: 600_000,
}, async (t) => {
  // Each run gets its own cluster; the previous one is gone before this one starts.
  await bed?.teardown();
  bed = undefined;
  bed = await FaultBed.start({ partitions: PARTITIONS, keys: KEYS, workers: WORKERS, guarantee });
  await bed.startAll();
  const feeding = bed.feeder.start(EVENTS, EVENTS_PER_SECOND);
  const failovers: number[] = [];
  for (let kill = 1; kill <= KILLS; kill++) {
    await sleep(randomInt(...BETWEEN_KILLS_MS));
    const alive = bed.alive();
    const victim = alive[randomInt(0, alive.length - 1)];
    if (victim === undefined) throw new Error('no worker alive');
    const others = alive.filter((i) => i !== victim).map((i) => bed?.worker(i)).filter((w) => w !== undefined);
    const assignedBefore = others.map((w) => w.linesOf('assigned').length);
    const killedAt = Date.now();
    log(`kill ${kill}/${KILLS}: SIGKILL worker ${victim} (${bed.worker(victim)?.name ?? ''}); fed ${bed.feeder.ackedCount}`);
    await bed.kill(victim, 'SIGKILL');
    await sleep(DOWN_MS);
    await bed.startWorker(victim);
    // Failover: the first new assignment a survivor got after the kill (its partitions moved on).
    const firstReassigned = others
      .map((w, i) => w.linesOf('assigned').slice(assignedBefore[i]).map((l) => l.t))
      .flat()
      .sort((a, b) => a - b)[0];
    if (firstReassigned !== undefined) failovers.push(firstReassigned - killedAt);
    log(`worker ${victim} back after ${Date.now() - killedAt} ms; survivors reassigned ${firstReassigned === undefined ? '(not before the restart)' : `${firstReassigned - killedAt} ms`} after the kill`);
  }
  await feeding;
  log(`feed done: ${bed.feeder.ackedCount} acknowledged`);
  await bed.drain();
  await bed.stopWorkers();
  const verdict = await verify(bed.cluster.bootstrap, { source: bed.source, changelog: bed.changelog, output: bed.output }, bed.feeder);
  log(`worker kills (${guarantee}, ${KILLS} kills): ${describeVerdict(verdict)}; kill → survivors reassigned (ms): ${failovers.join(', ')}`);
  t.diagnostic(describeVerdict(verdict));

  assert.equal(verdict.sourceLost, 0, 'every acknowledged event is in the source');
  assert.equal(verdict.keysBelow, 0, `no key's table sum below its events (deficit ${verdict.deficit})`);
  assert.equal(verdict.outLost, 0, 'every event in the output at least once');
  if (guarantee === 'exactly_once') {
    assert.equal(verdict.keysAbove, 0, `exactly once: no key's table sum above its events (surplus ${verdict.surplus})`);
    assert.equal(verdict.outDuplicated, 0, 'exactly once: no output duplicated');
  }
});
