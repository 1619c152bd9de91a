/**
 * Profiling helper (not part of `npm run bench`): one round of the stateful benchmark's faustgen
 * worker (or `raw`, or `eos` for exactly-once, or `kafkajs` for the app on kafka+kafkajs://; the app runs on kafka://, the default client) on its own broker, the worker run with
 * `node --cpu-prof` so its profile lands in the given directory. Runs the built package (npm run
 * build first):
 *   node --import tsx bench/profile/stateful-faustgen.ts [events] [faustgen|eos|raw|kafkajs] [profile dir]
 * A profile dir of `none` runs the worker without a profiler (its figures undisturbed);
 * BENCH_APP_OPTIONS (JSON) adds app settings to the faustgen worker, e.g. '{"tableCacheSize":10000}'.
 */
import { startKafkaCluster } from '../../test/kafka/broker.js';
import { partitionForKey } from 'faustgen';
import { benchKafka, bulkProduce, createTopics } from '../lib/kafka.js';
import { progress } from '../lib/progress.js';
import { eventKey, makeEvent } from '../scenarios/stateful/events.js';
import { measureRound, type Contender } from '../scenarios/stateful/measure.js';
import { nodeCommand } from '../scenarios/stateful/node-command.js';

const events = Number(process.argv[2] ?? 300_000);
const mode = process.argv[3] ?? 'faustgen';
const profileDir = process.argv[4] ?? '/tmp/faustgen-prof';
const keys = Math.min(100_000, events);
const nodeArgs = profileDir === 'none' ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
const contender: Contender =
  mode === 'raw'
    ? { row: 'stateful-raw', guarantee: 'at_least_once', command: nodeCommand('raw-worker.ts', nodeArgs) }
    : {
        row: mode === 'eos' ? 'stateful-exactly-once' : 'stateful',
        guarantee: mode === 'eos' ? 'exactly_once' : 'at_least_once',
        command: nodeCommand('faustgen-worker.ts', nodeArgs, mode === 'kafkajs' ? { BENCH_CLIENT: 'kafkajs' } : {}),
      };
const cluster = await startKafkaCluster({ nodes: 1, heapMb: 1024 });
try {
  const inTopic = 'prof-stateful-in';
  await createTopics(cluster.bootstrap, [{ topic: inTopic, numPartitions: 4 }]);
  const kafka = benchKafka(cluster.bootstrap, 'prof');
  await bulkProduce(kafka, {
    topic: inTopic,
    count: events,
    label: 'pre-producing',
    record: (i) => {
      const key = eventKey(i, keys);
      return { key, value: JSON.stringify(makeEvent(i, keys)), partition: partitionForKey(Buffer.from(key), 4) };
    },
  });
  const admin = kafka.admin();
  await admin.connect();
  const setup = { bootstrap: cluster.bootstrap, partitions: 4, keys, phaseLimitMs: 120_000 };
  const figures = await measureRound(kafka, admin, setup, contender, `prof-stateful-${Date.now().toString(36)}`, inTopic, events, true);
  progress(JSON.stringify(figures));
  await admin.disconnect();
} finally {
  await cluster.stop();
}
