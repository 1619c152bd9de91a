/**
 * The stateful benchmark's faustgen side, run as its own process (so its RSS and CPU are its own):
 * an app as a generated one is written, with one agent counting JSON events per key into a RocksDB
 * table with its changelog. Default driver and store settings but for the processing guarantee.
 * It runs on `kafka://`, the default Kafka client; BENCH_CLIENT=kafkajs|platformatic names one (`kafka+kafkajs://`, `kafka+platformatic://`).
 */
import { createApp, codecs } from 'faustgen';
import { benchClient, brokerUrl } from '../../lib/kafka-client-choice.js';
import type { CountEvent } from './events.js';
import { Probe, runWorker, workerEnv } from './probe.js';

const env = workerEnv();
const probe = new Probe(env.expected, env.sampleMinId);
const app = createApp({
  id: env.appId,
  broker: brokerUrl(benchClient(process.env['BENCH_CLIENT']), env.bootstrap),
  store: 'rocksdb://',
  datadir: env.stateDir,
  topicPartitions: env.partitions,
  standbyReplicas: 0,
  logLevel: 'warn',
  processingGuarantee: env.guarantee,
  // Settings to try against the defaults (bench/profile/stateful-faustgen.ts); unset in `npm run bench`.
  ...(JSON.parse(process.env['BENCH_APP_OPTIONS'] ?? '{}') as object),
});
const events = app.topic(env.inTopic, { key: codecs.string, value: codecs.json<CountEvent>(), partitions: env.partitions });
const counts = app.table('counts', { key: codecs.string, value: codecs.json<number>(), default: () => 0, partitions: env.partitions });
app.agent('count', { source: events, tables: [counts] }, async (stream) => {
  for await (const event of stream.events()) {
    const key = event.key;
    if (key === null) continue;
    counts.set(key, counts.get(key) + 1);
    probe.updated(event.value.id, event.timestamp);
  }
});

await runWorker(
  probe,
  () => app.start(),
  () => app.stop(),
);
