/**
 * Helpers for integration tests that need a real Kafka broker.
 *
 * Two ways to get one:
 * - The test runner calls `setupKafkaForTests()` once, which starts a single broker (or reuses the
 *   one named by `FAUSTGEN_KAFKA_BOOTSTRAP`) and exports `FAUSTGEN_KAFKA_BOOTSTRAP` so every child
 *   test process inherits it; tests call `kafkaBootstrap()`.
 * - A test that needs its own cluster (failover, restarts) uses `withKafka(fn, { nodes: 3 })`.
 *
 * Topic auto-creation is off on these brokers: create topics with `createTopics()`.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type ITopicConfig } from 'kafkajs';
import { startKafkaCluster, type KafkaCluster, type StartKafkaClusterOptions } from './broker.js';

export const BOOTSTRAP_ENV = 'FAUSTGEN_KAFKA_BOOTSTRAP';

let counter = 0;

/**
 * A topic / group / transactional-id name that is unique across processes and runs:
 * `<prefix>-<pid>-<time36>-<n>-<rand>`. Only `[A-Za-z0-9._-]` (legal Kafka topic characters).
 */
export function uniqueName(prefix = 'test'): string {
  const clean = prefix.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 120) || 'test';
  counter += 1;
  return `${clean}-${process.pid}-${Date.now().toString(36)}-${counter}-${randomBytes(3).toString('hex')}`;
}

/** Starts a cluster, runs `fn`, and always stops the cluster afterwards. */
export async function withKafka<T>(
  fn: (cluster: KafkaCluster) => Promise<T>,
  opts: StartKafkaClusterOptions = {},
): Promise<T> {
  const cluster = await startKafkaCluster(opts);
  try {
    return await fn(cluster);
  } finally {
    await cluster.stop();
  }
}

export interface KafkaTestSetup {
  bootstrap: string;
  /** The cluster this setup started, or undefined when `FAUSTGEN_KAFKA_BOOTSTRAP` was given. */
  cluster: KafkaCluster | undefined;
  /** Stops the broker this setup started (no-op for an external one) and unsets the env var. */
  teardown(): Promise<void>;
}

/**
 * Global setup for an integration-test run: reuses `$FAUSTGEN_KAFKA_BOOTSTRAP` if set, otherwise
 * starts a single-node broker; sets `process.env.FAUSTGEN_KAFKA_BOOTSTRAP` so child processes
 * (spawned after this call) inherit it.
 */
export async function setupKafkaForTests(opts: StartKafkaClusterOptions = {}): Promise<KafkaTestSetup> {
  const external = process.env[BOOTSTRAP_ENV];
  if (external && external.length > 0) {
    return { bootstrap: external, cluster: undefined, teardown: () => Promise.resolve() };
  }
  const cluster = await startKafkaCluster({ nodes: 1, ...opts });
  process.env[BOOTSTRAP_ENV] = cluster.bootstrap;
  return {
    bootstrap: cluster.bootstrap,
    cluster,
    async teardown(): Promise<void> {
      if (process.env[BOOTSTRAP_ENV] === cluster.bootstrap) delete process.env[BOOTSTRAP_ENV];
      await cluster.stop();
    },
  };
}

let shared: Promise<KafkaTestSetup> | undefined;

/**
 * The bootstrap string for tests: `$FAUSTGEN_KAFKA_BOOTSTRAP` when the runner provided a broker,
 * otherwise a single-node broker started on first use and shared by this process (it is killed
 * when the process exits; call `stopSharedKafka()` to stop it earlier). This lets one test file be
 * run on its own with `node --import tsx --test <file>`.
 */
export async function kafkaBootstrap(): Promise<string> {
  const external = process.env[BOOTSTRAP_ENV];
  if (external && external.length > 0 && !shared) return external;
  shared ??= setupKafkaForTests();
  return (await shared).bootstrap;
}

/** Stops the broker `kafkaBootstrap()` started in this process, if any. */
export async function stopSharedKafka(): Promise<void> {
  const s = shared;
  shared = undefined;
  if (s) await (await s).teardown();
}

/** A kafkajs client for tests; kafkajs logging off unless `FAUSTGEN_KAFKA_LOG=debug|info|warn|error`. */
export function testKafkaClient(bootstrap: string, clientId = 'faustgen-test', options: { readonly retries?: number } = {}): Kafka {
  const levels: Record<string, logLevel> = {
    debug: logLevel.DEBUG,
    info: logLevel.INFO,
    warn: logLevel.WARN,
    error: logLevel.ERROR,
  };
  const level = levels[(process.env['FAUSTGEN_KAFKA_LOG'] ?? '').toLowerCase()] ?? logLevel.NOTHING;
  return new Kafka({ clientId, brokers: bootstrap.split(','), logLevel: level, ...(options.retries === undefined ? {} : { retry: { retries: options.retries } }) });
}

export interface CreateTopicSpec {
  topic: string;
  /** Default 1. */
  numPartitions?: number;
  /** Default: the broker's default.replication.factor (1 on a single node, 3 on three). */
  replicationFactor?: number;
  /** Topic configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  config?: Record<string, string>;
}

/**
 * Creates topics and waits until every broker's metadata shows a leader for every partition.
 *
 * kafkajs's own `createTopics({ waitForLeaders: true })` is not enough on a 3-node KRaft cluster:
 * the metadata reaches brokers at slightly different times and kafkajs gives up with
 * UNKNOWN_TOPIC_OR_PARTITION when it asks a broker that has not caught up yet.
 */
export async function createTopics(
  bootstrap: string,
  specs: readonly CreateTopicSpec[],
  timeoutMs = 30_000,
): Promise<void> {
  const topics: ITopicConfig[] = specs.map((s) => ({
    topic: s.topic,
    numPartitions: s.numPartitions ?? 1,
    ...(s.replicationFactor !== undefined ? { replicationFactor: s.replicationFactor } : {}),
    ...(s.config
      ? { configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })) }
      : {}),
  }));
  const admin = testKafkaClient(bootstrap, 'faustgen-test-admin').admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics, waitForLeaders: false });
  } finally {
    await admin.disconnect();
  }
  const deadline = Date.now() + timeoutMs;
  const names = specs.map((s) => s.topic);
  // Ask each broker on its own (a client seeded with one address talks to that broker first).
  for (const address of bootstrap.split(',')) {
    const one = testKafkaClient(address, 'faustgen-test-meta').admin();
    await one.connect();
    try {
      for (;;) {
        let why: string;
        try {
          const { topics: meta } = await one.fetchTopicMetadata({ topics: names });
          const ok =
            meta.length === names.length &&
            meta.every((t) => {
              const spec = specs.find((s) => s.topic === t.name);
              return (
                t.partitions.length === (spec?.numPartitions ?? 1) &&
                t.partitions.every((p) => p.leader >= 0)
              );
            });
          if (ok) break;
          why = 'partitions without leader';
        } catch (err) {
          why = err instanceof Error ? err.message : String(err);
        }
        if (Date.now() > deadline) {
          throw new Error(`Topics [${names.join(', ')}] not ready on ${address} within ${timeoutMs} ms: ${why}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await one.disconnect();
    }
  }
}

/** Convenience: one topic. */
export async function createTopic(bootstrap: string, spec: CreateTopicSpec): Promise<void> {
  await createTopics(bootstrap, [spec]);
}
