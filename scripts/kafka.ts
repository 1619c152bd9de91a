/**
 * A real Apache Kafka broker for local work (see docs/kafka-broker.md).
 *
 *   node --import tsx scripts/kafka.ts start [--nodes 1|3] [--heap-mb 512]
 *       Starts a throwaway cluster, prints its bootstrap string on stdout, and runs in the
 *       foreground until Ctrl-C (or SIGTERM), then stops the brokers and deletes their data.
 *   node --import tsx scripts/kafka.ts fetch
 *       Only downloads the Kafka jars into the cache.
 *   node --import tsx scripts/kafka.ts perf [--bootstrap HOST:PORT] [--topic T] [--records N]
 *                                           [--record-size B] [--acks 0|1|all] [--partitions P]
 *       Runs Kafka's ProducerPerformance then ConsumerPerformance and prints their summaries
 *       (and a JSON line). Without --bootstrap it starts (and afterwards stops) a 1-node broker.
 */
import { parseArgs } from 'node:util';
import { ensureKafkaJars, KAFKA_VERSION, startKafkaCluster, type KafkaCluster } from '../test/kafka/broker.js';
import { runKafkaPerf } from '../test/kafka/perf.js';

const USAGE = `usage:
  node --import tsx scripts/kafka.ts start [--nodes 1|3] [--heap-mb MB]
  node --import tsx scripts/kafka.ts fetch
  node --import tsx scripts/kafka.ts perf [--bootstrap HOST:PORT,...] [--topic T] [--records N]
                                          [--record-size BYTES] [--acks 0|1|all] [--partitions P]`;

const log = (msg: string): void => {
  process.stderr.write(`[kafka] ${msg}\n`);
};

function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

async function cmdStart(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { nodes: { type: 'string' }, 'heap-mb': { type: 'string' } },
    strict: true,
  });
  const nodes = intOption(values.nodes, 'nodes', 1);
  if (nodes !== 1 && nodes !== 3) throw new Error('--nodes must be 1 or 3');
  const heapMb = intOption(values['heap-mb'], 'heap-mb', 512);

  // Our own handlers: the first Ctrl-C stops the cluster cleanly, a second one kills it.
  let cluster: KafkaCluster | undefined;
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopping) {
      log(`${sig} again: killing the brokers`);
      process.exit(130);
    }
    stopping = true;
    if (!cluster) {
      log(`${sig} during startup: aborting`);
      process.exit(130);
    }
    log(`${sig}: stopping Kafka...`);
    const started = Date.now();
    cluster.stop().then(
      () => {
        log(`stopped in ${Date.now() - started} ms`);
        process.exit(0);
      },
      (err: unknown) => {
        log(`stop failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  const started = Date.now();
  log(`starting Kafka ${KAFKA_VERSION}, ${nodes} node(s), -Xmx${heapMb}m...`);
  cluster = await startKafkaCluster({ nodes: nodes as 1 | 3, heapMb, onProgress: log });
  log(`ready in ${Date.now() - started} ms; data in ${cluster.dataDir}`);
  for (const b of cluster.brokers) {
    log(`  node ${b.nodeId}: 127.0.0.1:${b.port} (controller ${b.controllerPort}), pid ${String(b.pid)}`);
  }
  log('press Ctrl-C to stop');
  process.stdout.write(`${cluster.bootstrap}\n`);
  // Keep the process alive until a signal arrives (the broker children are unref'd).
  setInterval(() => undefined, 1 << 30);
}

async function cmdFetch(): Promise<void> {
  const started = Date.now();
  const dir = await ensureKafkaJars({ onProgress: log });
  log(`Kafka ${KAFKA_VERSION} jars in ${dir} (${Date.now() - started} ms)`);
  process.stdout.write(`${dir}\n`);
}

async function cmdPerf(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      bootstrap: { type: 'string' },
      topic: { type: 'string' },
      records: { type: 'string' },
      'record-size': { type: 'string' },
      acks: { type: 'string' },
      partitions: { type: 'string' },
    },
    strict: true,
  });
  const acks = values.acks ?? '1';
  if (acks !== '0' && acks !== '1' && acks !== 'all') throw new Error('--acks must be 0, 1 or all');
  const records = intOption(values.records, 'records', 500_000);
  const recordSize = intOption(values['record-size'], 'record-size', 100);
  const partitions = intOption(values.partitions, 'partitions', 1);
  const topic = values.topic ?? `perf-${Date.now().toString(36)}`;

  let cluster: KafkaCluster | undefined;
  let bootstrap = values.bootstrap;
  if (!bootstrap) {
    log('no --bootstrap: starting a 1-node broker for this run');
    cluster = await startKafkaCluster({ nodes: 1, onProgress: log });
    bootstrap = cluster.bootstrap;
  }
  try {
    log(`perf: topic ${topic}, ${records} records x ${recordSize} B, acks=${acks}, ${partitions} partition(s), ${bootstrap}`);
    const result = await runKafkaPerf({
      bootstrap,
      topic,
      records,
      recordSize,
      acks,
      partitions,
      onProgress: (line) => log(line),
    });
    process.stdout.write(`ProducerPerformance: ${result.producer.summary}\n`);
    if (result.consumer) process.stdout.write(`ConsumerPerformance:\n${result.consumer.summary}\n`);
    process.stdout.write(`${JSON.stringify({ kafkaVersion: KAFKA_VERSION, topic, records, recordSize, acks, partitions, ...result })}\n`);
  } finally {
    if (cluster) await cluster.stop();
  }
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  switch (cmd) {
    case 'start':
      return cmdStart(rest);
    case 'fetch':
      return cmdFetch();
    case 'perf':
      return cmdPerf(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new Error(`unknown command "${cmd}"\n${USAGE}`);
  }
}

main().catch((err: unknown) => {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
