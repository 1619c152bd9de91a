import { benchKafka, bulkProduce, createTopics } from '../lib/kafka.js';
import { progress } from '../lib/progress.js';
import { ratioOf, round, type ScenarioResult } from '../lib/result.js';
import type { Scenario } from '../lib/scenario.js';
import { FaustPythonPipeline } from './faust/faust-pipeline.js';
import { ensureFaustVenv, faustVersions } from './faust/venv.js';
import type { PipelineTopics } from './stateless/pipeline.js';
import { makePayment } from './stateless/records.js';
import { measurePipeline } from './stateless.js';

const PARTITIONS = 4;

function headline(results: readonly ScenarioResult[], name: string): number | undefined {
  const value = results.find((r) => r.name === name)?.['recordsPerSec'];
  return typeof value === 'number' ? value : undefined;
}

/**
 * The stateless pipeline in Python Faust (faust-streaming, in a venv under
 * .cache/bench-venv), same input and measurement. Compared with the faustgen row of this run.
 */
export const faustStatelessScenario: Scenario = {
  name: 'faust-stateless',
  rows: ['faust-stateless'],
  async run(context) {
    let python: string;
    try {
      python = await ensureFaustVenv();
    } catch (error) {
      const why = error instanceof Error ? error.message.split('\n').slice(0, 3).join(' / ') : String(error);
      progress(`faust-stateless skipped: ${why}`);
      return [{ name: 'faust-stateless', baseline: 'stateless', ratio: null, skipped: `could not install faust-streaming: ${why}` }];
    }
    const versions = await faustVersions(python);
    const { bootstrap, runId, options } = context;
    const n = options.records;
    const topics: PipelineTopics = {
      bootstrap,
      inTopic: `bench-stateless-in-faust-${runId}`,
      outTopic: `bench-stateless-out-faust-${runId}`,
      groupId: `bench-stateless-faust-${runId}`,
      partitions: PARTITIONS,
    };
    await createTopics(bootstrap, [topics.inTopic, topics.outTopic].map((topic) => ({ topic, numPartitions: PARTITIONS })));
    const kafka = benchKafka(bootstrap, 'bench-faust');
    const bytes = await bulkProduce(kafka, {
      topic: topics.inTopic,
      count: n,
      label: `pre-producing ${topics.inTopic}`,
      record: (i) => ({ key: null, value: JSON.stringify(makePayment(i, 0)), partition: i % PARTITIONS }),
    });
    const measured = await measurePipeline(context, (t) => new FaustPythonPipeline(t, python), topics, { records: n, bytes });
    const { throughput, latency } = measured;
    const faustgen = headline(context.results, 'stateless');
    return [
      {
        name: 'faust-stateless',
        recordsPerSec: round(throughput.recordsPerSec),
        mbPerSec: round(throughput.mbPerSec),
        latencyP50Ms: latency === undefined ? null : round(latency.p50Ms),
        latencyP99Ms: latency === undefined ? null : round(latency.p99Ms),
        baseline: 'stateless',
        ratio: ratioOf(throughput.recordsPerSec, faustgen),
        faustgenVsFaust: ratioOf(faustgen, throughput.recordsPerSec),
        ratioVsKafkajs: ratioOf(throughput.recordsPerSec, headline(context.results, 'stateless-kafkajs')),
        records: throughput.inputRecords,
        outputs: throughput.outputs,
        seconds: round(throughput.ms / 1000),
        latencySamples: latency === undefined ? null : latency.samples,
        latencyAtRecordsPerSec: measured.latencyRate ?? null,
        versions,
        ...(faustgen === undefined ? { note: 'run together with the stateless scenario for the ratio' } : {}),
        ...(throughput.incomplete === undefined ? {} : { incomplete: throughput.incomplete }),
      },
    ];
  },
};
