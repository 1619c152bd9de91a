// Issue 9: a rolling restart (a deploy) under load, the handoff path without crashes: each worker in
// turn is stopped with SIGTERM (finishes in-flight events, flushes, commits) and started again, the
// next one only once it is back. Tables must never be below their events with at_least_once, and
// exact (outputs exactly once) with exactly_once; npm test runs both, FAUSTGEN_PROCESSING_GUARANTEE picks one. See docs/faults.md.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from '../support/wait.js';
import { FaultBed, guaranteesToRun, log } from './fault-bed.js';
import { describeVerdict, verify } from './verify.js';

const EVENTS = 50_000;
/** FAULTS_EVENTS_PER_SECOND overrides it: a faster feed than the workers keep up with leaves a backlog at every handoff. */
const EVENTS_PER_SECOND = Number(process.env['FAULTS_EVENTS_PER_SECOND'] ?? 500);
const KEYS = 1_000;
const PARTITIONS = 12;
const WORKERS = 3;
/** Load before the first restart, and between one worker being back and the next stop. */
const SETTLE_MS = 8_000;

let bed: FaultBed | undefined;
after(async () => {
  await bed?.teardown();
});

for (const guarantee of guaranteesToRun(['at_least_once', 'exactly_once'])) test(`a rolling restart of every worker under load: tables never below (exact with exactly_once), every output at least once [${guarantee}]`, { timeout: 600_000 }, async (t) => {
  // Each run gets its own cluster; the previous one is gone before this one starts.
  await bed?.teardown();
  bed = undefined;
  bed = await FaultBed.start({ partitions: PARTITIONS, keys: KEYS, workers: WORKERS, guarantee });
  await bed.startAll();
  const feeding = bed.feeder.start(EVENTS, EVENTS_PER_SECOND);
  const restarts: number[] = [];
  for (let index = 0; index < WORKERS; index++) {
    await sleep(SETTLE_MS);
    const started = Date.now();
    log(`rolling restart: SIGTERM worker ${index}; fed ${bed.feeder.ackedCount}`);
    await bed.kill(index, 'SIGTERM');
    await bed.startWorker(index);
    restarts.push(Date.now() - started);
    log(`worker ${index} back after ${Date.now() - started} ms`);
  }
  await feeding;
  log(`feed done: ${bed.feeder.ackedCount} acknowledged`);
  await bed.drain();
  await bed.stopWorkers();
  const verdict = await verify(bed.cluster.bootstrap, { source: bed.source, changelog: bed.changelog, output: bed.output }, bed.feeder);
  log(`rolling restart (${guarantee}): ${describeVerdict(verdict)}; stop → back (ms): ${restarts.join(', ')}`);
  t.diagnostic(describeVerdict(verdict));

  assert.equal(verdict.sourceLost, 0, 'every acknowledged event is in the source');
  assert.equal(verdict.keysBelow, 0, `no key's table sum below its events (deficit ${verdict.deficit})`);
  assert.equal(verdict.outLost, 0, 'every event in the output at least once');
  if (guarantee === 'exactly_once') {
    assert.equal(verdict.keysAbove, 0, `exactly once: no key's table sum above its events (surplus ${verdict.surplus})`);
    assert.equal(verdict.outDuplicated, 0, 'exactly once: no output duplicated');
  }
});
