import { parseBrokerUrl, partitionForKey } from 'faustgen';
import { benchKafka, bulkProduce, createTopics } from '../lib/kafka.js';
import { progress } from '../lib/progress.js';
import { ratioOf, round, type ScenarioResult } from '../lib/result.js';
import type { Scenario } from '../lib/scenario.js';
import { eventKey, makeEvent } from './stateful/events.js';
import { ensureStreamsApp, streamsCommand, type StreamsApp } from './stateful/kafka-streams.js';
import { measureLatency, measureRound, type Contender, type LatencyFigures, type RoundFigures, type Setup } from './stateful/measure.js';
import { nodeCommand } from './stateful/node-command.js';

const PARTITIONS = 4;

/** The round with the median rate (the lower middle for an even count). */
function medianRound(rounds: readonly RoundFigures[]): RoundFigures {
  const sorted = [...rounds].sort((a, b) => a.recordsPerSec - b.recordsPerSec);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (middle === undefined) throw new Error('no stateful round ran');
  return middle;
}

/** The largest finite value, or null when there is none (RSS is read from /proc: Linux only). */
function maxOf(values: readonly number[]): number | null {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length === 0 ? null : Math.max(...finite);
}

interface Measured {
  readonly rounds: readonly RoundFigures[];
  readonly median: RoundFigures;
  readonly latency: LatencyFigures;
}

function row(name: string, measured: Measured, baseline: string | null, baselineRate: number | undefined, events: number, keys: number): ScenarioResult {
  const { median, latency, rounds } = measured;
  const checked = rounds.find((r) => r.countCheck !== undefined);
  const incomplete = rounds.find((r) => r.incomplete !== undefined);
  return {
    name,
    recordsPerSec: round(median.recordsPerSec),
    latencyP50Ms: latency.samples > 0 ? latency.p50Ms : null,
    latencyP99Ms: latency.samples > 0 ? latency.p99Ms : null,
    baseline,
    ratio: ratioOf(median.recordsPerSec, baselineRate),
    events,
    keys,
    seconds: round(median.ms / 1000),
    processedPerSec: round(median.processedPerSec),
    cpuUsPerEvent: round(median.cpuUsPerRecord),
    peakRssMb: maxOf(rounds.map((r) => r.peakRssMb)),
    changelogRecords: median.changelogRecords,
    stopMs: round(median.stopMs),
    roundsRecordsPerSec: rounds.map((r) => Math.round(r.recordsPerSec)).join(' '),
    countCheck: checked?.countCheck ?? null,
    latencySamples: latency.samples,
    latencyAtEventsPerSec: latency.rate,
    ...(incomplete?.incomplete === undefined ? {} : { incomplete: incomplete.incomplete }),
  };
}

/**
 * Issue 14 point 2: JSON events keyed by `--stateful-keys` keys, counted per key into a table with
 * its changelog on RocksDB, by faustgen, by Kafka Streams (groupByKey().count(), its defaults, one
 * stream thread) and by a raw kafkajs loop (a Map), at-least-once; faustgen and Kafka Streams also
 * exactly-once. Each contender is its own process. Throughput over interleaved rounds (median), each
 * on the same pre-filled input with a fresh group and state, timed from the first table update until
 * the worker's graceful stop completed (all counted, changelog acknowledged, offsets committed;
 * `processedPerSec` stops at the last update); then latency (event timestamp → the table holds the
 * update) per contender at a paced rate.
 */
/** Every contender, in the order each round runs them. */
export function statefulContenders(streams: StreamsApp): Contender[] {
  return [
    { row: 'stateful-raw', guarantee: 'at_least_once', command: nodeCommand('raw-worker.ts') },
    { row: 'stateful', guarantee: 'at_least_once', command: nodeCommand('faustgen-worker.ts') },
    { row: 'stateful-kafkajs-driver', guarantee: 'at_least_once', command: nodeCommand('faustgen-worker.ts', [], { BENCH_CLIENT: 'kafkajs' }) },
    { row: 'stateful-kafka-streams', guarantee: 'at_least_once', command: (label, env) => streamsCommand(streams, label, env) },
    { row: 'stateful-exactly-once', guarantee: 'exactly_once', command: nodeCommand('faustgen-worker.ts') },
    { row: 'stateful-exactly-once-kafkajs-driver', guarantee: 'exactly_once', command: nodeCommand('faustgen-worker.ts', [], { BENCH_CLIENT: 'kafkajs' }) },
    { row: 'stateful-kafka-streams-exactly-once', guarantee: 'exactly_once', command: (label, env) => streamsCommand(streams, label, env) },
  ];
}

export const statefulScenario: Scenario = {
  name: 'stateful',
  rows: ['stateful', 'stateful-kafkajs-driver', 'stateful-exactly-once', 'stateful-exactly-once-kafkajs-driver', 'stateful-raw', 'stateful-kafka-streams', 'stateful-kafka-streams-exactly-once'],
  async run(context) {
    const { bootstrap, runId, options } = context;
    const events = options.statefulEvents;
    const keys = Math.min(options.statefulKeys, events);
    const streams = await ensureStreamsApp();
    const all = statefulContenders(streams);
    // `--only stateful` runs every row; naming rows runs just those.
    const contenders = all.filter((c) => options.only.length === 0 || options.only.includes('stateful') || options.only.includes(c.row));

    const inTopic = `bench-stateful-in-${runId}`;
    await createTopics(bootstrap, [{ topic: inTopic, numPartitions: PARTITIONS }]);
    const kafka = benchKafka(bootstrap, 'bench-stateful');
    const bytes = await bulkProduce(kafka, {
      topic: inTopic,
      count: events,
      label: `pre-producing ${inTopic}`,
      record: (i) => {
        const key = eventKey(i, keys);
        return { key, value: JSON.stringify(makeEvent(i, keys)), partition: partitionForKey(Buffer.from(key), PARTITIONS) };
      },
    });
    progress(`input: ${events.toLocaleString('en-US')} JSON events, ${Math.round(bytes / events)} B average, ${keys.toLocaleString('en-US')} keys, ${PARTITIONS} partitions; ${options.rounds} interleaved round(s) of ${contenders.map((c) => c.row).join(', ')}`);

    // Three phase limits (180 s by default) per round: 1M events took faustgen up to 106 s on a loaded box.
    const setup: Setup = { bootstrap, partitions: PARTITIONS, keys, phaseLimitMs: options.phaseLimitMs * 3 };
    const admin = kafka.admin();
    await admin.connect();
    const measured = new Map<string, Measured>();
    try {
      const rounds = new Map<string, RoundFigures[]>(contenders.map((c) => [c.row, []]));
      for (let r = 1; r <= options.rounds; r++) {
        for (const contender of contenders) {
          const figures = await measureRound(kafka, admin, setup, contender, `bench-stateful-${contender.row}-${runId}-r${r}`, inTopic, events, r === 1);
          rounds.get(contender.row)?.push(figures);
          progress(
            `round ${r}/${options.rounds}: ${contender.row} ${Math.round(figures.recordsPerSec).toLocaleString('en-US')} events/s (processed ${Math.round(figures.processedPerSec).toLocaleString('en-US')}/s), ${figures.cpuUsPerRecord.toFixed(1)} µs CPU/event, ` +
              `peak RSS ${figures.peakRssMb} MB, ${figures.changelogRecords.toLocaleString('en-US')} changelog records, stop ${Math.round(figures.stopMs)} ms`,
          );
        }
      }
      for (const contender of contenders) {
        const all = rounds.get(contender.row) ?? [];
        const median = medianRound(all);
        const rate = Math.max(10, Math.floor(Math.min(options.latencyRate, median.recordsPerSec / 2)));
        const latIn = `bench-stateful-lat-in-${contender.row}-${runId}`;
        await createTopics(bootstrap, [{ topic: latIn, numPartitions: PARTITIONS }]);
        const latency = await measureLatency(kafka, setup, contender, `bench-stateful-lat-${contender.row}-${runId}`, latIn, rate, options.latencySeconds);
        progress(`${contender.row}: latency p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms (${latency.samples}/${latency.expected} samples at ${rate}/s)`);
        measured.set(contender.row, { rounds: all, median, latency });
      }
    } finally {
      await admin.disconnect();
    }

    const rate = (name: string): number | undefined => measured.get(name)?.median.recordsPerSec;
    // Ratio of each round to the baseline's round run right after it: on a busy machine the median of
    // these is steadier than the ratio of the two medians.
    const ratioRounds = (name: string, baseline: string): string | null => {
      const mine = measured.get(name)?.rounds;
      const theirs = measured.get(baseline)?.rounds;
      if (mine === undefined || theirs === undefined) return null;
      return mine.map((r, i) => ratioOf(r.recordsPerSec, theirs[i]?.recordsPerSec) ?? Number.NaN).join(' ');
    };
    const results: ScenarioResult[] = [];
    const add = (name: string, baseline: string | null, extra: Record<string, number | string | null> = {}): void => {
      const m = measured.get(name);
      if (m === undefined) return;
      results.push({ ...row(name, m, baseline, baseline === null ? undefined : rate(baseline), events, keys), ...extra });
    };
    const defaultClient = parseBrokerUrl('kafka://localhost').client ?? 'kafkajs';
    add('stateful', 'stateful-kafka-streams', {
      kafkaClient: defaultClient,
      ratioRounds: ratioRounds('stateful', 'stateful-kafka-streams'),
      ratioVsRaw: ratioOf(rate('stateful'), rate('stateful-raw')),
      note:
        `faustgen app on kafka:// (the default Kafka client on this Node: ${defaultClient}): one agent counting per key into a RocksDB table with its changelog (defaults, at-least-once); rate = first update → graceful stop done (changelog acknowledged, offsets committed); ` +
        'latency = event timestamp → the table holds the update, in the worker; goal ratio ≥ 1.0; where the time goes: docs/benchmarks.md, "Stateful"',
    });
    add('stateful-kafkajs-driver', 'stateful-kafka-streams', {
      kafkaClient: 'kafkajs',
      ratioRounds: ratioRounds('stateful-kafkajs-driver', 'stateful-kafka-streams'),
      ratioVsStateful: ratioOf(rate('stateful-kafkajs-driver'), rate('stateful')),
      note: 'the same app on the kafkajs driver (kafka+kafkajs://), at-least-once',
    });
    add('stateful-exactly-once', 'stateful-kafka-streams-exactly-once', {
      kafkaClient: defaultClient,
      ratioRounds: ratioRounds('stateful-exactly-once', 'stateful-kafka-streams-exactly-once'),
      ratioVsAtLeastOnce: ratioOf(rate('stateful-exactly-once'), rate('stateful')),
      note: 'same app with processingGuarantee: exactly_once; changelogRecords include transaction markers',
    });
    add('stateful-exactly-once-kafkajs-driver', 'stateful-kafka-streams-exactly-once', {
      kafkaClient: 'kafkajs',
      ratioRounds: ratioRounds('stateful-exactly-once-kafkajs-driver', 'stateful-kafka-streams-exactly-once'),
      ratioVsExactlyOnce: ratioOf(rate('stateful-exactly-once-kafkajs-driver'), rate('stateful-exactly-once')),
      note: 'the exactly-once app on the kafkajs driver (kafka+kafkajs://); changelogRecords include transaction markers',
    });
    add('stateful-raw', 'stateful-kafka-streams', {
      note: 'raw kafkajs loop: count in a Map (no RocksDB), one changelog record per update, commit after acks',
    });
    add('stateful-kafka-streams', null, {
      version: streams.version,
      note: 'groupByKey().count() into the default RocksDB store with its record cache and changelog; one stream thread, defaults, at-least-once',
    });
    add('stateful-kafka-streams-exactly-once', 'stateful-kafka-streams', {
      version: streams.version,
      note: 'same app with processing.guarantee=exactly_once_v2; ratio = its rate over at-least-once; changelogRecords include transaction markers',
    });
    return results;
  },
};
