import { brokerUrl } from '../lib/kafka-client-choice.js';
import { benchKafka, bulkProduce, createTopics } from '../lib/kafka.js';
import { progress } from '../lib/progress.js';
import { ratioOf, round, type ScenarioResult } from '../lib/result.js';
import type { BenchContext, Scenario } from '../lib/scenario.js';
import { runCeiling } from './stateless/ceiling.js';
import { parseBrokerUrl } from 'faustgen';
import { FaustgenPipeline } from './stateless/faustgen-pipeline.js';
import { measureLatency, measureThroughput, type LatencyFigures, type ThroughputFigures } from './stateless/measure.js';
import type { Pipeline, PipelineTopics } from './stateless/pipeline.js';
import { RawKafkajsPipeline } from './stateless/raw-pipeline.js';
import { RawPlatformaticPipeline } from './stateless/raw-platformatic-pipeline.js';
import { keptCount, makePayment } from './stateless/records.js';

const PARTITIONS = 4;

interface Measured {
  readonly throughput: ThroughputFigures;
  readonly latency: LatencyFigures | undefined;
  /** The paced rate the latency was measured at. */
  readonly latencyRate: number | undefined;
}

/**
 * Throughput on the pre-filled input, then latency at the paced rate (capped at half the
 * throughput the pipeline reached). A pipeline that could not drain the input within the time
 * limit would only measure its backlog, so its latency is taken on a fresh pair of topics with a
 * fresh instance.
 */
export async function measurePipeline(
  context: BenchContext,
  make: (topics: PipelineTopics) => Pipeline,
  topics: PipelineTopics,
  input: { records: number; bytes: number },
): Promise<Measured> {
  const kafka = benchKafka(context.bootstrap, `bench-measure-${topics.groupId}`);
  const admin = kafka.admin();
  await admin.connect();
  const pipeline = make(topics);
  try {
    const expectedOutputs = keptCount(0, input.records);
    const throughput = await measureThroughput(pipeline, admin, topics, { ...input, expectedOutputs }, context.options.phaseLimitMs);
    const { latencyRate, latencySeconds: seconds } = context.options;
    // Paced at no more than half what the pipeline sustained, so the figure is latency, not queueing.
    const rate = Math.max(10, Math.floor(Math.min(latencyRate, throughput.recordsPerSec / 2)));
    if (throughput.incomplete === undefined) {
      const latency = await measureLatency(kafka, admin, topics, { rate, seconds, label: pipeline.name });
      return { throughput, latency, latencyRate: rate };
    }
    await pipeline.stop();
    const slowRate = rate;
    const fresh: PipelineTopics = { ...topics, inTopic: `${topics.inTopic}-lat`, outTopic: `${topics.outTopic}-lat`, groupId: `${topics.groupId}-lat` };
    await createTopics(context.bootstrap, [fresh.inTopic, fresh.outTopic].map((topic) => ({ topic, numPartitions: topics.partitions })));
    const second = make(fresh);
    progress(`${pipeline.name}: latency on fresh topics at ${slowRate} records/s (its backlog is left behind)`);
    try {
      await second.start();
      const latency = await measureLatency(kafka, admin, fresh, { rate: slowRate, seconds, label: pipeline.name });
      return { throughput, latency, latencyRate: slowRate };
    } finally {
      await second.stop().catch((error: unknown) => progress(`${second.name}: stop failed: ${String(error)}`));
    }
  } finally {
    await pipeline.stop().catch((error: unknown) => progress(`${pipeline.name}: stop failed: ${String(error)}`));
    await admin.disconnect();
  }
}

interface Contender {
  /** Row name and topic/group infix. */
  readonly row: string;
  readonly make: (topics: PipelineTopics) => Pipeline;
}

interface RoundsMeasured extends Measured {
  /** records/s of every round, in run order. */
  readonly rounds: readonly number[];
}

/** The round with the median rate (the lower middle for an even count). */
function medianRound(figures: readonly ThroughputFigures[]): ThroughputFigures {
  const sorted = [...figures].sort((a, b) => a.recordsPerSec - b.recordsPerSec);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (middle === undefined) throw new Error('no throughput round ran');
  return middle;
}

/**
 * Throughput of every contender over `rounds` rounds, interleaved (A B C A B C ...) so a machine
 * that gets busier or quieter during the run affects all of them alike; each round reads the same
 * pre-filled input with its own group into its own output topic. Then latency, per contender, on a
 * fresh pair of topics with a fresh instance, paced at no more than half its median throughput (so
 * the figure is latency, not queueing).
 */
async function measureContenders(context: BenchContext, contenders: readonly Contender[], inTopic: string, input: { records: number; bytes: number }): Promise<Map<string, RoundsMeasured>> {
  const { bootstrap, runId, options } = context;
  const kafka = benchKafka(bootstrap, `bench-measure-${runId}`);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const expectedOutputs = keptCount(0, input.records);
    const figures = new Map<string, ThroughputFigures[]>(contenders.map((c) => [c.row, []]));
    for (let round = 1; round <= options.rounds; round++) {
      for (const contender of contenders) {
        const topics: PipelineTopics = {
          bootstrap,
          inTopic,
          outTopic: `bench-stateless-out-${contender.row}-${runId}-r${round}`,
          groupId: `bench-stateless-${contender.row}-${runId}-r${round}`,
          partitions: PARTITIONS,
        };
        await createTopics(bootstrap, [{ topic: topics.outTopic, numPartitions: PARTITIONS }]);
        const pipeline = contender.make(topics);
        try {
          const measured = await measureThroughput(pipeline, admin, topics, { ...input, expectedOutputs }, options.phaseLimitMs);
          figures.get(contender.row)?.push(measured);
          progress(`round ${round}/${options.rounds}: ${contender.row} ${Math.round(measured.recordsPerSec).toLocaleString('en-US')} records/s`);
        } finally {
          await pipeline.stop().catch((error: unknown) => progress(`${pipeline.name}: stop failed: ${String(error)}`));
        }
      }
    }
    const results = new Map<string, RoundsMeasured>();
    for (const contender of contenders) {
      const rounds = figures.get(contender.row) ?? [];
      const throughput = medianRound(rounds);
      const rate = Math.max(10, Math.floor(Math.min(options.latencyRate, throughput.recordsPerSec / 2)));
      const fresh: PipelineTopics = {
        bootstrap,
        inTopic: `bench-stateless-lat-in-${contender.row}-${runId}`,
        outTopic: `bench-stateless-lat-out-${contender.row}-${runId}`,
        groupId: `bench-stateless-lat-${contender.row}-${runId}`,
        partitions: PARTITIONS,
      };
      await createTopics(bootstrap, [fresh.inTopic, fresh.outTopic].map((topic) => ({ topic, numPartitions: PARTITIONS })));
      const pipeline = contender.make(fresh);
      try {
        await pipeline.start();
        const latency = await measureLatency(kafka, admin, fresh, { rate, seconds: options.latencySeconds, label: pipeline.name });
        results.set(contender.row, { throughput, latency, latencyRate: rate, rounds: rounds.map((r) => r.recordsPerSec) });
      } finally {
        await pipeline.stop().catch((error: unknown) => progress(`${pipeline.name}: stop failed: ${String(error)}`));
      }
    }
    return results;
  } finally {
    await admin.disconnect();
  }
}

function pipelineRow(name: string, measured: Measured | RoundsMeasured, baseline: string, baselineRate: number | undefined): Record<string, number | string | null> & ScenarioResult {
  const { throughput, latency } = measured;
  return {
    name,
    recordsPerSec: round(throughput.recordsPerSec),
    mbPerSec: round(throughput.mbPerSec),
    latencyP50Ms: latency === undefined ? null : round(latency.p50Ms),
    latencyP99Ms: latency === undefined ? null : round(latency.p99Ms),
    baseline,
    ratio: ratioOf(throughput.recordsPerSec, baselineRate),
    records: throughput.inputRecords,
    outputs: throughput.outputs,
    seconds: round(throughput.ms / 1000),
    nodeCpuPct: throughput.nodeCpuPct,
    ...('rounds' in measured ? { roundsRecordsPerSec: measured.rounds.map((r) => Math.round(r)).join(' ') } : {}),
    latencySamples: latency === undefined ? null : latency.samples,
    latencyAtRecordsPerSec: measured.latencyRate ?? null,
    ...(throughput.incomplete === undefined ? {} : { incomplete: throughput.incomplete }),
  };
}

export const statelessScenario: Scenario = {
  name: 'stateless',
  rows: ['stateless', 'stateless-exactly-once', 'stateless-sendsoon', 'stateless-kafkajs-driver', 'stateless-exactly-once-kafkajs-driver', 'stateless-kafkajs', 'stateless-raw-platformatic', 'kafka-perf-producer', 'kafka-perf-consumer'],
  async run(context) {
    const { bootstrap, runId, options } = context;
    const n = options.records;
    const inTopic = `bench-stateless-in-${runId}`;
    await createTopics(bootstrap, [{ topic: inTopic, numPartitions: PARTITIONS }]);
    const kafka = benchKafka(bootstrap, 'bench-stateless-setup');
    const bytes = await bulkProduce(kafka, {
      topic: inTopic,
      count: n,
      label: `pre-producing ${inTopic}`,
      record: (i) => ({ key: null, value: JSON.stringify(makePayment(i, 0)), partition: i % PARTITIONS }),
    });
    const recordSize = Math.round(bytes / n);
    progress(`input: ${n.toLocaleString('en-US')} JSON records, ${recordSize} B average, ${PARTITIONS} partitions; ${options.rounds} interleaved round(s) per pipeline`);

    const ceiling = await runCeiling(bootstrap, `bench-ceiling-${runId}`, n, recordSize, PARTITIONS);
    const measured = await measureContenders(
      context,
      [
        { row: 'kafkajs', make: (t) => new RawKafkajsPipeline(t) },
        { row: 'faustgen', make: (t) => new FaustgenPipeline(t) },
        { row: 'faustgen-sendsoon', make: (t) => new FaustgenPipeline(t, 'sendSoon') },
        { row: 'faustgen-eos', make: (t) => new FaustgenPipeline(t, 'topic', 'exactly_once') },
        { row: 'platformatic', make: (t) => new RawPlatformaticPipeline(t) },
        { row: 'faustgen-kafkajs', make: (t) => new FaustgenPipeline(t, 'topic', 'at_least_once', 'kafkajs') },
        { row: 'faustgen-eos-kafkajs', make: (t) => new FaustgenPipeline(t, 'topic', 'exactly_once', 'kafkajs') },
      ],
      inTopic,
      { records: n, bytes },
    );
    const rawMeasured = measured.get('kafkajs');
    const fgMeasured = measured.get('faustgen');
    const soonMeasured = measured.get('faustgen-sendsoon');
    const eosMeasured = measured.get('faustgen-eos');
    const rawPlatformatic = measured.get('platformatic');
    const fgKafkajs = measured.get('faustgen-kafkajs');
    const eosKafkajs = measured.get('faustgen-eos-kafkajs');
    if (rawMeasured === undefined || fgMeasured === undefined || soonMeasured === undefined || eosMeasured === undefined || rawPlatformatic === undefined || fgKafkajs === undefined || eosKafkajs === undefined) {
      throw new Error('a stateless pipeline was not measured');
    }

    const producerRate = ceiling.producer.recordsPerSec;
    const consumerRate = ceiling.consumer?.fetchRecordsPerSec;
    const rawRate = rawMeasured.throughput.recordsPerSec;
    // The app is held to the fastest raw client loop of this run, whichever client that was.
    const fastestRaw =
      rawPlatformatic.throughput.recordsPerSec > rawRate
        ? { row: 'stateless-raw-platformatic', measured: rawPlatformatic }
        : { row: 'stateless-kafkajs', measured: rawMeasured };
    const fastestRate = fastestRaw.measured.throughput.recordsPerSec;
    const fgRow = pipelineRow('stateless', fgMeasured, fastestRaw.row, fastestRate);
    const defaultClient = parseBrokerUrl(brokerUrl('default', bootstrap)).client ?? 'kafkajs';
    return [
      {
        ...fgRow,
        kafkaClient: defaultClient,
        ratioRounds: fgMeasured.rounds.map((rate, i) => ratioOf(rate, fastestRaw.measured.rounds[i]) ?? Number.NaN).join(' '),
        ratioVsKafkajs: ratioOf(fgMeasured.throughput.recordsPerSec, rawRate),
        ratioVsRawPlatformatic: ratioOf(fgMeasured.throughput.recordsPerSec, rawPlatformatic.throughput.recordsPerSec),
        ratioVsKafkaPerfProducer: ratioOf(fgMeasured.throughput.recordsPerSec, producerRate),
        ratioVsKafkaPerfConsumer: ratioOf(fgMeasured.throughput.recordsPerSec, consumerRate),
        note: `faustgen on kafka://, the default Kafka client on this Node (${defaultClient})`,
      },
      {
        ...pipelineRow('stateless-exactly-once', eosMeasured, 'stateless', fgMeasured.throughput.recordsPerSec),
        kafkaClient: defaultClient,
        ratioVsKafkajs: ratioOf(eosMeasured.throughput.recordsPerSec, rawRate),
        note: 'same pipeline with processingGuarantee: exactly_once (a transaction per source partition and commit interval); timed until the group committed the whole input, outputs counted read committed',
      },
      {
        ...pipelineRow('stateless-sendsoon', soonMeasured, 'stateless', fgMeasured.throughput.recordsPerSec),
        kafkaClient: defaultClient,
        note: 'diagnostic: same agent, sink = (v) => out.sendSoon({ value: v }) instead of sinks: [out]',
      },
      {
        ...pipelineRow('stateless-kafkajs-driver', fgKafkajs, fastestRaw.row, fastestRate),
        kafkaClient: 'kafkajs',
        ratioRounds: fgKafkajs.rounds.map((rate, i) => ratioOf(rate, fastestRaw.measured.rounds[i]) ?? Number.NaN).join(' '),
        ratioVsKafkajs: ratioOf(fgKafkajs.throughput.recordsPerSec, rawRate),
        ratioVsStateless: ratioOf(fgKafkajs.throughput.recordsPerSec, fgMeasured.throughput.recordsPerSec),
        note: 'same pipeline on the kafkajs driver (kafka+kafkajs://)',
      },
      {
        ...pipelineRow('stateless-exactly-once-kafkajs-driver', eosKafkajs, 'stateless-kafkajs-driver', fgKafkajs.throughput.recordsPerSec),
        kafkaClient: 'kafkajs',
        ratioVsExactlyOnce: ratioOf(eosKafkajs.throughput.recordsPerSec, eosMeasured.throughput.recordsPerSec),
        note: 'the exactly-once pipeline on the kafkajs driver (kafka+kafkajs://); ratio = its rate over the same driver at-least-once',
      },
      pipelineRow('stateless-kafkajs', rawMeasured, 'kafka-perf-producer', producerRate),
      {
        ...pipelineRow('stateless-raw-platformatic', rawPlatformatic, 'stateless-kafkajs', rawRate),
        note: 'second baseline: the raw loop on @platformatic/kafka (MessagesStream, send per 2,000 records, commit after acks)',
      },
      {
        name: 'kafka-perf-producer',
        recordsPerSec: round(producerRate),
        mbPerSec: round(ceiling.producer.mbPerSec),
        latencyP50Ms: ceiling.producer.p50Ms,
        latencyP99Ms: ceiling.producer.p99Ms,
        baseline: null,
        ratio: null,
        records: ceiling.producer.records,
        recordSize,
        note: 'ProducerPerformance, unthrottled, acks=all linger.ms=5 batch.size=262144 (latency is under saturation)',
      },
      {
        name: 'kafka-perf-consumer',
        recordsPerSec: consumerRate === undefined ? null : round(consumerRate),
        mbPerSec: ceiling.consumer === undefined ? null : round(ceiling.consumer.fetchMbPerSec),
        baseline: null,
        ratio: null,
        records: ceiling.consumer?.records ?? null,
        withGroupJoinRecordsPerSec: ceiling.consumer === undefined ? null : round(ceiling.consumer.recordsPerSec),
        note: 'ConsumerPerformance, fetch phase (group join excluded)',
      },
    ];
  },
};
