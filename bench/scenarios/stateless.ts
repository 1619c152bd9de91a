import { benchKafka, bulkProduce, createTopics } from '../lib/kafka.js';
import { progress } from '../lib/progress.js';
import { ratioOf, round, type ScenarioResult } from '../lib/result.js';
import type { BenchContext, Scenario } from '../lib/scenario.js';
import { runCeiling } from './stateless/ceiling.js';
import { FaustgenPipeline } from './stateless/faustgen-pipeline.js';
import { measureLatency, measureThroughput, type LatencyFigures, type ThroughputFigures } from './stateless/measure.js';
import type { Pipeline, PipelineTopics } from './stateless/pipeline.js';
import { RawKafkajsPipeline } from './stateless/raw-pipeline.js';
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

function pipelineRow(name: string, measured: Measured, baseline: string, baselineRate: number | undefined): Record<string, number | string | null> & ScenarioResult {
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
    latencySamples: latency === undefined ? null : latency.samples,
    latencyAtRecordsPerSec: measured.latencyRate ?? null,
    ...(throughput.incomplete === undefined ? {} : { incomplete: throughput.incomplete }),
  };
}

/**
 * Issue 3: JSON in → filter (drop 10%) → map → JSON out, through a faustgen agent on kafka:// and
 * through a hand-written kafkajs loop, on the same broker in the same run, with Kafka's perf tools
 * as the ceiling.
 */
export const statelessScenario: Scenario = {
  name: 'stateless',
  rows: ['stateless', 'stateless-sendsoon', 'stateless-kafkajs', 'kafka-perf-producer', 'kafka-perf-consumer'],
  async run(context) {
    const { bootstrap, runId, options } = context;
    const n = options.records;
    const names = (who: string): PipelineTopics => ({
      bootstrap,
      inTopic: `bench-stateless-in-${who}-${runId}`,
      outTopic: `bench-stateless-out-${who}-${runId}`,
      groupId: `bench-stateless-${who}-${runId}`,
      partitions: PARTITIONS,
    });
    const raw = names('kafkajs');
    const fg = names('faustgen');
    const fgSoon = names('faustgen-sendsoon');
    const all = [raw, fg, fgSoon];
    await createTopics(bootstrap, all.flatMap((t) => [t.inTopic, t.outTopic]).map((topic) => ({ topic, numPartitions: PARTITIONS })));

    // Each pipeline gets its own copy of the same input, so each latency phase has its own topic.
    const kafka = benchKafka(bootstrap, 'bench-stateless-setup');
    let bytes = 0;
    for (const topics of all) {
      bytes = await bulkProduce(kafka, {
        topic: topics.inTopic,
        count: n,
        label: `pre-producing ${topics.inTopic}`,
        record: (i) => ({ key: null, value: JSON.stringify(makePayment(i, 0)), partition: i % PARTITIONS }),
      });
    }
    const recordSize = Math.round(bytes / n);
    progress(`input: ${n.toLocaleString('en-US')} JSON records, ${recordSize} B average, ${PARTITIONS} partitions`);

    const ceiling = await runCeiling(bootstrap, `bench-ceiling-${runId}`, n, recordSize, PARTITIONS);
    const rawMeasured = await measurePipeline(context, (t) => new RawKafkajsPipeline(t), raw, { records: n, bytes });
    const fgMeasured = await measurePipeline(context, (t) => new FaustgenPipeline(t), fg, { records: n, bytes });
    const soonMeasured = await measurePipeline(context, (t) => new FaustgenPipeline(t, 'sendSoon'), fgSoon, { records: n, bytes });

    const producerRate = ceiling.producer.recordsPerSec;
    const consumerRate = ceiling.consumer?.fetchRecordsPerSec;
    const fgRow = pipelineRow('stateless', fgMeasured, 'stateless-kafkajs', rawMeasured.throughput.recordsPerSec);
    return [
      {
        ...fgRow,
        ratioVsKafkaPerfProducer: ratioOf(fgMeasured.throughput.recordsPerSec, producerRate),
        ratioVsKafkaPerfConsumer: ratioOf(fgMeasured.throughput.recordsPerSec, consumerRate),
      },
      {
        ...pipelineRow('stateless-sendsoon', soonMeasured, 'stateless-kafkajs', rawMeasured.throughput.recordsPerSec),
        note: 'diagnostic: same agent, sink = (v) => out.sendSoon({ value: v }) instead of sinks: [out]',
      },
      pipelineRow('stateless-kafkajs', rawMeasured, 'kafka-perf-producer', producerRate),
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
