import { SchemaRegistryClient, registryFrame } from 'faustgen';
import { startSchemaRegistry, type SchemaRegistryProcess } from '../../test/registry/registry.js';
import { benchKafka, bulkProduce, createTopics } from '../lib/kafka.js';
import { progress } from '../lib/progress.js';
import { ratioOf, round, type ScenarioResult } from '../lib/result.js';
import type { BenchContext, Scenario } from '../lib/scenario.js';
import { generatePaymentCodecs, type PaymentCodecs } from './avro-registry/models.js';
import { FaustgenAvroRegistryPipeline } from './avro-registry/pipeline.js';
import { measureLatency, measureThroughput, type LatencyWire, type ThroughputFigures } from './stateless/measure.js';
import type { PipelineTopics } from './stateless/pipeline.js';
import { keptCount, makePayment } from './stateless/records.js';

const NAME = 'stateless-avro-registry';
const PARTITIONS = 4;
/** Registry framing: magic byte and 4-byte schema id before the Avro binary. */
const FRAME_HEADER = 5;

function headline(results: readonly ScenarioResult[], name: string): number | undefined {
  const value = results.find((r) => r.name === name)?.['recordsPerSec'];
  return typeof value === 'number' ? value : undefined;
}

/** Registers the input schema under `<topic>-value` (as an upstream producer would) and returns the wire of the latency phase. */
async function inputWire(client: SchemaRegistryClient, topic: string, codecs: PaymentCodecs): Promise<{ id: number; wire: LatencyWire }> {
  const { id } = await client.register(`${topic}-value`, JSON.stringify(codecs.payment.schema), 'AVRO');
  return {
    id,
    wire: {
      encode: (payment) => registryFrame(id, codecs.payment.encode(payment)),
      decode: (value) => codecs.enriched.decode(value.subarray(FRAME_HEADER)),
    },
  };
}

function medianRound(figures: readonly ThroughputFigures[]): ThroughputFigures {
  const sorted = [...figures].sort((a, b) => a.recordsPerSec - b.recordsPerSec);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (middle === undefined) throw new Error('no throughput round ran');
  return middle;
}

async function measure(context: BenchContext, registry: SchemaRegistryProcess, codecs: PaymentCodecs): Promise<ScenarioResult> {
  const { bootstrap, runId, options } = context;
  const n = options.records;
  const client = new SchemaRegistryClient({ url: registry.url });
  const inTopic = `bench-avro-registry-in-${runId}`;
  await createTopics(bootstrap, [{ topic: inTopic, numPartitions: PARTITIONS }]);
  const input = await inputWire(client, inTopic, codecs);
  const bytes = await bulkProduce(benchKafka(bootstrap, 'bench-avro-registry-setup'), {
    topic: inTopic,
    count: n,
    label: `pre-producing ${inTopic}`,
    record: (i) => ({ key: null, value: input.wire.encode(makePayment(i, 0)), partition: i % PARTITIONS }),
  });
  const recordSize = Math.round(bytes / n);
  progress(`input: ${n.toLocaleString('en-US')} registry-framed Avro records (schema id ${input.id}), ${recordSize} B average, ${PARTITIONS} partitions; ${options.rounds} round(s)`);

  const kafka = benchKafka(bootstrap, `bench-measure-avro-registry-${runId}`);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const rounds: ThroughputFigures[] = [];
    for (let r = 1; r <= options.rounds; r++) {
      const topics: PipelineTopics = { bootstrap, inTopic, outTopic: `bench-avro-registry-out-${runId}-r${r}`, groupId: `bench-avro-registry-${runId}-r${r}`, partitions: PARTITIONS };
      await createTopics(bootstrap, [{ topic: topics.outTopic, numPartitions: PARTITIONS }]);
      const pipeline = new FaustgenAvroRegistryPipeline(topics, registry.url, codecs);
      try {
        const measured = await measureThroughput(pipeline, admin, topics, { records: n, bytes, expectedOutputs: keptCount(0, n) }, options.phaseLimitMs);
        rounds.push(measured);
        progress(`round ${r}/${options.rounds}: ${NAME} ${Math.round(measured.recordsPerSec).toLocaleString('en-US')} records/s`);
      } finally {
        await pipeline.stop().catch((error: unknown) => progress(`${pipeline.name}: stop failed: ${String(error)}`));
      }
    }
    const throughput = medianRound(rounds);
    const rate = Math.max(10, Math.floor(Math.min(options.latencyRate, throughput.recordsPerSec / 2)));
    const fresh: PipelineTopics = { bootstrap, inTopic: `bench-avro-registry-lat-in-${runId}`, outTopic: `bench-avro-registry-lat-out-${runId}`, groupId: `bench-avro-registry-lat-${runId}`, partitions: PARTITIONS };
    await createTopics(bootstrap, [fresh.inTopic, fresh.outTopic].map((topic) => ({ topic, numPartitions: PARTITIONS })));
    const latencyInput = await inputWire(client, fresh.inTopic, codecs);
    const pipeline = new FaustgenAvroRegistryPipeline(fresh, registry.url, codecs);
    let latency;
    try {
      await pipeline.start();
      latency = await measureLatency(kafka, admin, fresh, { rate, seconds: options.latencySeconds, label: pipeline.name, wire: latencyInput.wire });
    } finally {
      await pipeline.stop().catch((error: unknown) => progress(`${pipeline.name}: stop failed: ${String(error)}`));
    }
    const json = headline(context.results, 'stateless');
    const kafkajs = headline(context.results, 'stateless-kafkajs');
    return {
      name: NAME,
      recordsPerSec: round(throughput.recordsPerSec),
      mbPerSec: round(throughput.mbPerSec),
      latencyP50Ms: round(latency.p50Ms),
      latencyP99Ms: round(latency.p99Ms),
      baseline: 'stateless',
      ratio: ratioOf(throughput.recordsPerSec, json),
      ratioVsKafkajs: ratioOf(throughput.recordsPerSec, kafkajs),
      records: throughput.inputRecords,
      outputs: throughput.outputs,
      recordSize,
      seconds: round(throughput.ms / 1000),
      nodeCpuPct: throughput.nodeCpuPct,
      roundsRecordsPerSec: rounds.map((f) => Math.round(f.recordsPerSec)).join(' '),
      latencySamples: latency.samples,
      latencyAtRecordsPerSec: rate,
      registryStartMs: registry.startMs,
      ...(throughput.incomplete === undefined ? {} : { incomplete: throughput.incomplete }),
      note:
        json === undefined
          ? 'run together with the stateless scenario for the ratio'
          : 'same filter/map agent as stateless, values registry-framed Avro in and out (Apicurio on loopback); its rounds run after the stateless rounds, not interleaved with them',
    };
  } finally {
    await admin.disconnect();
  }
}

/**
 * The `stateless` pipeline with registry-framed Avro values (input written by an upstream producer
 * through the registry, output schema auto-registered by the app) against a real Apicurio Registry
 * started on loopback for the scenario and always stopped. Compared with the JSON `stateless` row
 * and raw kafkajs of the same run.
 */
export const statelessAvroRegistryScenario: Scenario = {
  name: NAME,
  rows: [NAME],
  async run(context) {
    let registry: SchemaRegistryProcess;
    try {
      progress('starting Apicurio Registry on loopback');
      registry = await startSchemaRegistry({ timeoutMs: 180_000 });
      progress(`registry ready at ${registry.url} in ${registry.startMs} ms`);
    } catch (error) {
      const why = error instanceof Error ? error.message.split('\n').slice(0, 3).join(' / ') : String(error);
      progress(`${NAME} skipped: ${why}`);
      return [{ name: NAME, baseline: 'stateless', ratio: null, skipped: `could not start Apicurio Registry: ${why}` }];
    }
    try {
      const codecs = await generatePaymentCodecs();
      try {
        return [await measure(context, registry, codecs)];
      } finally {
        codecs.cleanup();
      }
    } finally {
      await registry.stop();
    }
  },
};
