/**
 * Profiling helper (not part of `npm run bench`): runs one stateless pipeline (faustgen on kafka://,
 * the default client; the raw kafkajs baseline with `raw`; faustgen on kafka+kafkajs:// with
 * `kafkajs`, on kafka+platformatic:// with `platformatic`; that client's raw loop with
 * `raw-platformatic`), so a CPU profile shows that pipeline alone.
 * Runs the built package (npm run build first), as `npm run bench` does:
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile/stateless-faustgen.ts [records] [sendSoon|raw|kafkajs|platformatic|raw-platformatic]
 */
import { startKafkaCluster } from '../../test/kafka/broker.js';
import { benchKafka, bulkProduce, createTopics } from '../lib/kafka.js';
import { progress } from '../lib/progress.js';
import { FaustgenPipeline } from '../scenarios/stateless/faustgen-pipeline.js';
import { measureThroughput } from '../scenarios/stateless/measure.js';
import type { Pipeline, PipelineTopics } from '../scenarios/stateless/pipeline.js';
import { RawKafkajsPipeline } from '../scenarios/stateless/raw-pipeline.js';
import { RawPlatformaticPipeline } from '../scenarios/stateless/raw-platformatic-pipeline.js';
import { keptCount, makePayment } from '../scenarios/stateless/records.js';

const records = Number(process.argv[2] ?? 50_000);
const modeArg = process.argv[3];
const mode = modeArg === 'sendSoon' ? 'sendSoon' : 'topic';
const cluster = await startKafkaCluster({ nodes: 1, heapMb: 1024 });
try {
  const topics: PipelineTopics = { bootstrap: cluster.bootstrap, inTopic: 'prof-in', outTopic: 'prof-out', groupId: 'prof', partitions: 4 };
  await createTopics(cluster.bootstrap, [topics.inTopic, topics.outTopic].map((topic) => ({ topic, numPartitions: 4 })));
  const kafka = benchKafka(cluster.bootstrap, 'prof');
  const bytes = await bulkProduce(kafka, {
    topic: topics.inTopic,
    count: records,
    label: 'pre-producing',
    record: (i) => ({ key: null, value: JSON.stringify(makePayment(i, 0)), partition: i % 4 }),
  });
  const admin = kafka.admin();
  await admin.connect();
  const pipelines: Record<string, () => Pipeline> = {
    raw: () => new RawKafkajsPipeline(topics),
    'raw-platformatic': () => new RawPlatformaticPipeline(topics),
    kafkajs: () => new FaustgenPipeline(topics, 'topic', 'at_least_once', 'kafkajs'),
    platformatic: () => new FaustgenPipeline(topics, 'topic', 'at_least_once', 'platformatic'),
  };
  const pipeline = (pipelines[modeArg ?? ''] ?? (() => new FaustgenPipeline(topics, mode)))();
  const figures = await measureThroughput(pipeline, admin, topics, { records, bytes, expectedOutputs: keptCount(0, records) }, 40_000);
  progress(JSON.stringify(figures));
  await pipeline.stop();
  await admin.disconnect();
} finally {
  await cluster.stop();
}
