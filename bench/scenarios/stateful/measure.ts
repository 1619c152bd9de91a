/** One contender's run of the stateful benchmark: a throughput round or the paced latency phase. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Kafka, Message } from 'kafkajs';
import { partitionForKey } from 'faustgen';
import { committedCount, topicRecordCount } from '../../lib/kafka.js';
import { progress } from '../../lib/progress.js';
import { perSecond, sleep } from '../../lib/stats.js';
import { finalCountSum } from './changelog.js';
import { LATENCY_ID_BASE, eventKey, makeEvent } from './events.js';
import type { WorkerEnv } from './probe.js';
import { WorkerProcess, peakRssMb, type WorkerCommand } from './worker-process.js';

export interface Contender {
  /** Row name, also part of its topics and group. */
  readonly row: string;
  readonly guarantee: WorkerEnv['guarantee'];
  readonly command: (label: string, env: WorkerEnv) => WorkerCommand;
}

export interface RoundFigures {
  /**
   * Events over first update → graceful stop done: everything counted, its changelog acknowledged
   * and the offsets committed (a worker whose table updates run ahead of its changelog is not done
   * when the last event is counted).
   */
  readonly recordsPerSec: number;
  readonly ms: number;
  /** Events over first update → last update: the processing rate without the final flush. */
  readonly processedPerSec: number;
  readonly processedMs: number;
  readonly processed: number;
  /** CPU time of the worker process per event, READY → LAST (µs; the final flush not included). */
  readonly cpuUsPerRecord: number;
  readonly peakRssMb: number;
  /** Records in the changelog (high-water marks; under exactly-once they include transaction markers). */
  readonly changelogRecords: number;
  /** The group's committed input offsets after the graceful stop. */
  readonly committed: number;
  /** SIGTERM → exit: the final commit and close. */
  readonly stopMs: number;
  /** Set on the round whose changelog was read back: "ok" or what was wrong. */
  readonly countCheck?: string;
  readonly incomplete?: string;
}

export interface Setup {
  readonly bootstrap: string;
  readonly partitions: number;
  readonly keys: number;
  readonly phaseLimitMs: number;
}

/**
 * Starts the contender on the pre-filled input with a fresh group and state dir, times it from its
 * first table update to its `events`-th, then stops it gracefully (SIGTERM: it finishes sending its
 * changelog, commits and closes; timed too) and checks the group committed the whole input (and,
 * with `verify`, that the changelog's last counts add up to `events`).
 */
export async function measureRound(kafka: Kafka, admin: Admin, setup: Setup, contender: Contender, appId: string, inTopic: string, events: number, verify: boolean): Promise<RoundFigures> {
  const stateDir = await mkdtemp(join(tmpdir(), 'faustgen-bench-stateful-'));
  const env: WorkerEnv = { bootstrap: setup.bootstrap, appId, inTopic, partitions: setup.partitions, stateDir, expected: events, sampleMinId: 0, guarantee: contender.guarantee };
  const worker = new WorkerProcess(contender.command(contender.row, env));
  try {
    progress(`${contender.row}: starting (group join and start-up are not timed)`);
    await worker.start();
    const done = await worker.waitForLast(setup.phaseLimitMs);
    const pid = worker.pid;
    const rss = pid === undefined ? Number.NaN : peakRssMb(pid);
    const end = worker.last ?? performance.now();
    const first = worker.first;
    if (first === undefined) throw new Error(`${contender.row}: no event was counted from ${inTopic} within ${setup.phaseLimitMs} ms`);
    const processed = done ? events : worker.count;
    const stopMs = await worker.stop();
    const processedMs = end - first;
    // Only a run that counted everything includes its stop: an incomplete one is rated as far as it got.
    const ms = done ? processedMs + stopMs : processedMs;
    const committed = await committedCount(admin, appId, inTopic);
    const changelog = `${appId}-counts-changelog`;
    const changelogRecords = await topicRecordCount(admin, changelog);
    let countCheck: string | undefined;
    if (verify && done) {
      const check = await finalCountSum(kafka, changelog, changelogRecords);
      countCheck = check.sum === events ? 'ok' : `the last counts of ${check.keys} keys add up to ${check.sum}, not ${events}`;
      progress(`${contender.row}: changelog read back (${check.read} records, ${check.keys} keys): ${countCheck}`);
    }
    if (done && committed !== events) progress(`${contender.row}: the group committed ${committed} of ${events} input offsets after stopping`);
    return {
      recordsPerSec: perSecond(processed, ms),
      ms,
      processedPerSec: perSecond(processed, processedMs),
      processedMs,
      processed,
      cpuUsPerRecord: ((worker.cpuAtLast - worker.cpuAtReady) * 1e6) / processed,
      peakRssMb: rss,
      changelogRecords,
      committed,
      stopMs,
      ...(countCheck === undefined ? {} : { countCheck }),
      ...(done ? {} : { incomplete: `time limit ${Math.round(setup.phaseLimitMs / 1000)} s hit at ${processed}/${events} events` }),
    };
  } finally {
    await worker.stop().catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  }
}

export interface LatencyFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly samples: number;
  readonly expected: number;
  readonly rate: number;
}

const WARMUP_SECONDS = 1;

/**
 * With a fresh instance on a fresh, empty input topic: produces events at a steady `rate` for a
 * warm-up second plus `seconds` (each stamped with its send time as record timestamp) and lets the
 * worker sample, for each event after the warm-up, the time from that timestamp to the table update.
 */
export async function measureLatency(kafka: Kafka, setup: Setup, contender: Contender, appId: string, inTopic: string, rate: number, seconds: number): Promise<LatencyFigures> {
  const warmup = Math.round(rate * WARMUP_SECONDS);
  const total = warmup + Math.round(rate * seconds);
  const stateDir = await mkdtemp(join(tmpdir(), 'faustgen-bench-stateful-'));
  const env: WorkerEnv = {
    bootstrap: setup.bootstrap,
    appId,
    inTopic,
    partitions: setup.partitions,
    stateDir,
    expected: total,
    sampleMinId: LATENCY_ID_BASE + warmup,
    guarantee: contender.guarantee,
  };
  const worker = new WorkerProcess(contender.command(`${contender.row} (latency)`, env));
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  try {
    await worker.start();
    await producer.connect();
    await sleep(1_000);
    progress(`${contender.row}: latency phase, ${rate} events/s for ${WARMUP_SECONDS} s (warm-up) + ${seconds} s`);
    const t0 = Date.now();
    const sends: Promise<unknown>[] = [];
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((Date.now() - t0) / 1000) * rate));
      if (due > sent) {
        const messages: Message[] = [];
        for (let i = sent; i < due; i++) {
          const id = LATENCY_ID_BASE + i;
          const key = eventKey(i, setup.keys);
          messages.push({ key, value: JSON.stringify(makeEvent(id, setup.keys)), partition: partitionForKey(Buffer.from(key), setup.partitions), timestamp: String(Date.now()) });
        }
        sends.push(producer.send({ topic: inTopic, acks: -1, messages }));
        sent = due;
      }
      await sleep(5);
    }
    await Promise.all(sends);
    if (!(await worker.waitForLast(20_000))) progress(`${contender.row}: only ${worker.count}+ of ${total} latency events were counted within 20 s`);
    await worker.stop();
    const stats = worker.stats;
    if (stats === undefined) throw new Error(`${contender.row}: the worker said no STATS at exit`);
    return { p50Ms: stats.p50Ms, p99Ms: stats.p99Ms, samples: stats.samples, expected: total - warmup, rate };
  } finally {
    await producer.disconnect().catch(() => undefined);
    await worker.stop().catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  }
}
