import { FaustgenError } from '../core/errors.js';
import { isLogLevel, type LogFormat, type LogLevel } from '../core/logger.js';
import type { BrokerSecurityInput } from '../transport/kafka/security.js';
import { nodeRunsPlatformatic } from '../transport/platformatic-node.js';
import { defaultCacheSize } from '../stores/caching-store.js';
import { kafkaClientOfScheme, knownBrokerUrls, type KafkaClientName } from './broker-schemes.js';

/** What a user passes to `createApp`; every field but `id` has a default. */
export interface AppSettingsInput {
  readonly id: string;
  /** `memory://[name]` (embedded broker, default) or `kafka://host:port;host:port`. */
  readonly broker?: string;
  /** `memory://` (default) or `rocksdb://` (under datadir) / `rocksdb:///absolute/dir`. */
  readonly store?: string;
  readonly datadir?: string;
  /** Partitions of the topics faustgen creates (agents' own topics, changelogs, repartition topics). */
  readonly topicPartitions?: number;
  /**
   * Replication factor of the topics faustgen creates; -1 (default): 3 on clusters of 3 or more
   * brokers, else the number of brokers. Topics created with 3 or more replicas get
   * `min.insync.replicas=2` unless their config sets it.
   */
  readonly topicReplicationFactor?: number;
  readonly standbyReplicas?: number;
  /** Default 2,800 ms at-least-once (Faust's), 1,000 ms exactly-once (a transaction's outputs are visible only once it commits). */
  readonly commitIntervalMs?: number;
  /** A worker that sends no heartbeat for this long is dropped from the group and its partitions move. */
  readonly sessionTimeoutMs?: number;
  /** How often a worker heartbeats (and learns that a rebalance started); below sessionTimeoutMs. */
  readonly heartbeatIntervalMs?: number;
  /** How long the group waits for every member to rejoin a rebalance (finishing in-flight events). */
  readonly rebalanceTimeoutMs?: number;
  readonly keySerializer?: string;
  readonly valueSerializer?: string;
  /** Port of the worker's web server (default 6066; 0 = any free port). */
  readonly webPort?: number;
  /** Serve the web server; when not set, `runWorker` (the `faustgen worker` command) serves it and a bare `app.start()` does not. */
  readonly webEnabled?: boolean;
  /** Address the web server binds (default 127.0.0.1; 0.0.0.0 for every interface). */
  readonly webHost?: string;
  /** Largest request body the web server accepts, in bytes (default 1 MiB). */
  readonly webBodyLimit?: number;
  /** A page that has not answered within this time gets 503 (default 30 s). */
  readonly webRequestTimeoutMs?: number;
  readonly logLevel?: LogLevel;
  readonly logFormat?: LogFormat;
  /** How long a rebalance-free partition with lag may make no progress before it is reported stalled. */
  readonly stallTimeoutMs?: number;
  /** How long to keep retrying an unreachable broker at start before giving up. */
  readonly brokerStartupTimeoutMs?: number;
  readonly autoOffsetReset?: 'earliest' | 'latest';
  /** Max events buffered per agent source before the consumer is held back. */
  readonly streamBufferSize?: number;
  /** Entries kept in the read cache of each table partition on a persistent store. */
  readonly tableCacheSize?: number;
  /** How often windowed tables drop expired windows. */
  readonly tableCleanupIntervalMs?: number;
  /**
   * At-least-once: most records handed to the producer and not yet acknowledged (sends and changelog
   * writes); when reached, events wait until half of them are acknowledged. Exactly-once is bounded
   * by its transactions instead.
   */
  readonly maxOutputsInFlight?: number;
  /**
   * Changelog writes kept per table partition until the commit, one per key (the last value wins):
   * a key written N times between two commits costs one changelog record. When full, they are sent
   * early. 0: every write is sent at once.
   */
  readonly changelogBufferSize?: number;
  /**
   * Whether currentEvent() (and tables) can find the event an actor is processing: `tables` (default)
   * tracks it when the app has tables, `always` also without. Tracking costs throughput on Node 20.
   */
  readonly eventContext?: 'tables' | 'always';
  /**
   * Faust's `processing_guarantee`. `exactly_once`: outputs, changelog writes and source offsets of
   * each source partition commit in one Kafka transaction per commit interval (docs/adr/0004).
   */
  readonly processingGuarantee?: ProcessingGuarantee;
  /**
   * TLS and SASL for kafka:// (no secrets: passwords and tokens come from FAUSTGEN_KAFKA_* environment
   * variables, which also override each field; see docs/operations.md).
   */
  readonly security?: BrokerSecurityInput;
  /** Base URL of a Confluent-compatible Schema Registry (credentials come only from the environment). */
  readonly schemaRegistryUrl?: string;
  /** Whether producers register their schema when it is not under its subject yet (default false). */
  readonly schemaRegistryAutoRegister?: boolean;
}

export type ProcessingGuarantee = 'at_least_once' | 'exactly_once';

function isProcessingGuarantee(value: unknown): value is ProcessingGuarantee {
  return value === 'at_least_once' || value === 'exactly_once';
}

export interface BrokerUrl {
  readonly driver: 'memory' | 'kafka';
  /**
   * kafka only: the client library. `kafka+platformatic://` is @platformatic/kafka and
   * `kafka+kafkajs://` kafkajs; `kafka://` is @platformatic/kafka on Node 22.22 and later, kafkajs on
   * an older Node (docs/adr/0010-second-kafka-driver.md).
   */
  readonly client?: KafkaClientName;
  /** kafka:// left the choice to faustgen, and this Node is too old for the default client. */
  readonly clientFallback?: true;
  readonly url: string;
  /** memory: the broker name shared within the process; kafka: `host:port` list. */
  readonly hosts: readonly string[];
}

export type { KafkaClientName } from './broker-schemes.js';

export interface StoreUrl {
  readonly driver: 'memory' | 'rocksdb';
  readonly url: string;
}

export interface AppSettings {
  readonly id: string;
  readonly broker: BrokerUrl;
  readonly store: StoreUrl;
  readonly datadir: string;
  readonly topicPartitions: number;
  readonly topicReplicationFactor: number;
  readonly standbyReplicas: number;
  readonly commitIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly keySerializer: string;
  readonly valueSerializer: string;
  readonly webPort: number;
  /** undefined: on under `runWorker`, off for a bare `app.start()`. */
  readonly webEnabled: boolean | undefined;
  readonly webHost: string;
  readonly webBodyLimit: number;
  readonly webRequestTimeoutMs: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly stallTimeoutMs: number;
  readonly brokerStartupTimeoutMs: number;
  readonly autoOffsetReset: 'earliest' | 'latest';
  readonly streamBufferSize: number;
  readonly tableCacheSize: number;
  readonly tableCleanupIntervalMs: number;
  readonly maxOutputsInFlight: number;
  readonly changelogBufferSize: number;
  readonly eventContext: 'tables' | 'always';
  readonly processingGuarantee: ProcessingGuarantee;
  readonly security: BrokerSecurityInput | undefined;
  readonly schemaRegistryUrl: string | undefined;
  readonly schemaRegistryAutoRegister: boolean;
}

function invalid(setting: string, value: unknown, why: string): FaustgenError {
  return new FaustgenError('FG_SETTING_INVALID', `setting "${setting}" is invalid (${JSON.stringify(value)}): ${why}`, {
    details: { setting, value },
  });
}

function positiveInt(setting: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min) throw invalid(setting, v, `must be an integer ≥ ${min}`);
  return v;
}

const hostPort = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:(\d{1,5}))?$/;

export function parseBrokerUrl(url: string, nodeVersion: string = process.versions.node): BrokerUrl {
  const match = /^([a-z+]+):\/\/(.*)$/.exec(url);
  if (match === null) {
    throw new FaustgenError('FG_BROKER_URL_INVALID', `setting "broker" is not a URL: ${JSON.stringify(url)} (expected memory:// or kafka://host:port)`, { details: { setting: 'broker', value: url } });
  }
  const scheme = match[1] ?? '';
  const rest = match[2] ?? '';
  if (scheme === 'memory') {
    return { driver: 'memory', url, hosts: [rest === '' ? 'default' : rest] };
  }
  const chosen = kafkaClientOfScheme(scheme);
  if (chosen === undefined) {
    throw new FaustgenError('FG_BROKER_URL_INVALID', `setting "broker" names an unknown transport "${scheme}://" in ${JSON.stringify(url)} (known: ${knownBrokerUrls()})`, { details: { setting: 'broker', value: url } });
  }
  const hosts = rest.split(/[;,]/).map((h) => h.trim()).filter((h) => h !== '');
  if (hosts.length === 0) {
    throw new FaustgenError('FG_BROKER_URL_INVALID', `setting "broker" has no host in ${JSON.stringify(url)} (expected kafka://host:port;host:port)`, { details: { setting: 'broker', value: url } });
  }
  const normalized = hosts.map((host) => {
    const parts = hostPort.exec(host);
    const port = parts?.[3] === undefined ? 9092 : Number(parts[3]);
    if (parts === null || port < 1 || port > 65535) {
      throw new FaustgenError('FG_BROKER_URL_INVALID', `setting "broker" has an invalid host "${host}" in ${JSON.stringify(url)}`, { details: { setting: 'broker', value: url, host } });
    }
    return `${parts[1] ?? ''}:${port}`;
  });
  if (chosen !== 'default') return { driver: 'kafka', client: chosen, url, hosts: normalized };
  return nodeRunsPlatformatic(nodeVersion) ? { driver: 'kafka', client: 'platformatic', url, hosts: normalized } : { driver: 'kafka', client: 'kafkajs', clientFallback: true, url, hosts: normalized };
}

export function parseStoreUrl(url: string): StoreUrl {
  const match = /^([a-z]+):\/\/(.*)$/.exec(url);
  const scheme = match?.[1];
  if (scheme === 'memory' || scheme === 'rocksdb') return { driver: scheme, url };
  throw new FaustgenError('FG_STORE_URL_INVALID', `setting "store" must be memory:// or rocksdb://[/dir], got ${JSON.stringify(url)}`, { details: { setting: 'store', value: url } });
}

function webHost(value: string | undefined): string {
  const host = value ?? '127.0.0.1';
  if (!/^(\[?[0-9a-fA-F:]+\]?|[A-Za-z0-9.-]+)$/.test(host)) throw invalid('webHost', host, 'must be a host name or IP address, e.g. 127.0.0.1 or 0.0.0.0');
  return host.replace(/^\[(.*)\]$/, '$1');
}

const appId = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Validates settings and fills in defaults; every error names the setting. */
export function resolveSettings(input: AppSettingsInput, knownCodecs: (name: string) => boolean): AppSettings {
  if (typeof input.id !== 'string' || !appId.test(input.id)) {
    throw invalid('id', input.id, 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-" (it names the consumer group and internal topics)');
  }
  const keySerializer = input.keySerializer ?? 'raw';
  const valueSerializer = input.valueSerializer ?? 'json';
  for (const [setting, name] of [['keySerializer', keySerializer], ['valueSerializer', valueSerializer]] as const) {
    if (!knownCodecs(name)) {
      throw new FaustgenError('FG_CODEC_UNKNOWN', `setting "${setting}" names an unknown codec "${name}" (known: raw, string, json)`, { details: { setting, value: name } });
    }
  }
  const logLevel = input.logLevel ?? 'info';
  if (!isLogLevel(logLevel)) throw invalid('logLevel', logLevel, 'must be debug, info, warn or error');
  const logFormat = input.logFormat ?? 'pretty';
  if (logFormat !== 'pretty' && logFormat !== 'json') throw invalid('logFormat', logFormat, 'must be pretty or json');
  const autoOffsetReset = input.autoOffsetReset ?? 'earliest';
  if (autoOffsetReset !== 'earliest' && autoOffsetReset !== 'latest') throw invalid('autoOffsetReset', autoOffsetReset, 'must be earliest or latest');
  const eventContext = input.eventContext ?? 'tables';
  if (eventContext !== 'tables' && eventContext !== 'always') throw invalid('eventContext', eventContext, 'must be tables or always');
  const processingGuarantee = input.processingGuarantee ?? 'at_least_once';
  if (!isProcessingGuarantee(processingGuarantee)) throw invalid('processingGuarantee', processingGuarantee, 'must be at_least_once or exactly_once');
  const broker = parseBrokerUrl(input.broker ?? 'memory://');
  const topicReplicationFactor = input.topicReplicationFactor ?? -1;
  if (topicReplicationFactor !== -1) positiveInt('topicReplicationFactor', topicReplicationFactor, 1);
  const sessionTimeoutMs = positiveInt('sessionTimeoutMs', input.sessionTimeoutMs, 10_000);
  const heartbeatIntervalMs = positiveInt('heartbeatIntervalMs', input.heartbeatIntervalMs, 1_000);
  if (heartbeatIntervalMs >= sessionTimeoutMs) throw invalid('heartbeatIntervalMs', heartbeatIntervalMs, `must be lower than sessionTimeoutMs (${sessionTimeoutMs}); a third of it or less is usual`);
  const webPort = input.webPort ?? 6066;
  if (!Number.isInteger(webPort) || webPort < 0 || webPort > 65535) throw invalid('webPort', webPort, 'must be a port number 0-65535');
  return {
    id: input.id,
    broker,
    store: parseStoreUrl(input.store ?? 'memory://'),
    datadir: input.datadir ?? `${input.id}-data`,
    topicPartitions: positiveInt('topicPartitions', input.topicPartitions, 8),
    topicReplicationFactor,
    standbyReplicas: positiveInt('standbyReplicas', input.standbyReplicas, 1, 0),
    // At-least-once: Faust's broker_commit_interval. Changelog writes coalesce within one commit
    // interval; at 1 s a key counted ~25 times a second still cost ~0.8 changelog records per update,
    // at 2.8 s ~0.2-0.37 (docs/benchmarks.md, "Session 23"). Exactly-once keeps 1 s, as Kafka Streams
    // keeps a shorter interval there: outputs reach read_committed readers only at the commit, and at
    // 2.8 s the stateless pipeline's median latency went from ~0.5 s to 1.3 s.
    commitIntervalMs: positiveInt('commitIntervalMs', input.commitIntervalMs, processingGuarantee === 'exactly_once' ? 1000 : 2800),
    sessionTimeoutMs,
    heartbeatIntervalMs,
    rebalanceTimeoutMs: positiveInt('rebalanceTimeoutMs', input.rebalanceTimeoutMs, 60_000),
    keySerializer,
    valueSerializer,
    webPort,
    webEnabled: input.webEnabled,
    webHost: webHost(input.webHost),
    webBodyLimit: positiveInt('webBodyLimit', input.webBodyLimit, 1_048_576),
    webRequestTimeoutMs: positiveInt('webRequestTimeoutMs', input.webRequestTimeoutMs, 30_000),
    logLevel,
    logFormat,
    stallTimeoutMs: positiveInt('stallTimeoutMs', input.stallTimeoutMs, 60_000),
    brokerStartupTimeoutMs: positiveInt('brokerStartupTimeoutMs', input.brokerStartupTimeoutMs, 30_000),
    autoOffsetReset,
    streamBufferSize: positiveInt('streamBufferSize', input.streamBufferSize, 4096),
    tableCacheSize: positiveInt('tableCacheSize', input.tableCacheSize, defaultCacheSize),
    tableCleanupIntervalMs: positiveInt('tableCleanupIntervalMs', input.tableCleanupIntervalMs, 30_000),
    // Half of it (where waiting events resume) must still hold a few of the producer's batches (up to
    // 4,000 records): at 10,000 the consumer stalled on every other produce round trip and the
    // stateless benchmark ran ~15% slower (docs/benchmarks.md, "Session 22").
    maxOutputsInFlight: positiveInt('maxOutputsInFlight', input.maxOutputsInFlight, 20_000),
    // Unsent writes are held in the partition's pending writes until the commit anyway: the limit
    // only decides when they go out early. At 10,000 a partition with more distinct keys per commit
    // interval sent nearly every write (docs/benchmarks.md, "Session 23").
    changelogBufferSize: positiveInt('changelogBufferSize', input.changelogBufferSize, 100_000, 0),
    eventContext,
    processingGuarantee,
    security: input.security,
    schemaRegistryUrl: input.schemaRegistryUrl,
    schemaRegistryAutoRegister: input.schemaRegistryAutoRegister ?? false,
  };
}

/** Reads `FAUSTGEN_*` environment variables as overrides, like Faust's env settings. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Partial<AppSettingsInput> {
  const out: { -readonly [K in keyof AppSettingsInput]?: AppSettingsInput[K] } = {};
  if (env['FAUSTGEN_BROKER'] !== undefined) out.broker = env['FAUSTGEN_BROKER'];
  if (env['FAUSTGEN_STORE'] !== undefined) out.store = env['FAUSTGEN_STORE'];
  if (env['FAUSTGEN_DATADIR'] !== undefined) out.datadir = env['FAUSTGEN_DATADIR'];
  if (env['FAUSTGEN_WEB_PORT'] !== undefined) {
    out.webPort = Number(env['FAUSTGEN_WEB_PORT']);
    out.webEnabled = true;
  }
  if (env['FAUSTGEN_WEB_BIND'] !== undefined) out.webHost = env['FAUSTGEN_WEB_BIND'];
  const web = env['FAUSTGEN_WEB_ENABLED'];
  if (web !== undefined) {
    if (!['true', 'false', '1', '0'].includes(web)) throw invalid('FAUSTGEN_WEB_ENABLED', web, 'must be true or false');
    out.webEnabled = web === 'true' || web === '1';
  }
  const level = env['FAUSTGEN_LOG_LEVEL'];
  if (level !== undefined) {
    if (!isLogLevel(level)) throw invalid('FAUSTGEN_LOG_LEVEL', level, 'must be debug, info, warn or error');
    out.logLevel = level;
  }
  const guarantee = env['FAUSTGEN_PROCESSING_GUARANTEE'];
  if (guarantee !== undefined) {
    if (!isProcessingGuarantee(guarantee)) throw invalid('FAUSTGEN_PROCESSING_GUARANTEE', guarantee, 'must be at_least_once or exactly_once');
    out.processingGuarantee = guarantee;
  }
  const numbers = [
    ['FAUSTGEN_COMMIT_INTERVAL_MS', 'commitIntervalMs'],
    ['FAUSTGEN_SESSION_TIMEOUT_MS', 'sessionTimeoutMs'],
    ['FAUSTGEN_HEARTBEAT_INTERVAL_MS', 'heartbeatIntervalMs'],
    ['FAUSTGEN_REBALANCE_TIMEOUT_MS', 'rebalanceTimeoutMs'],
  ] as const;
  for (const [name, setting] of numbers) {
    const text = env[name];
    if (text === undefined) continue;
    const value = Number(text);
    if (text.trim() === '' || !Number.isInteger(value) || value < 1) throw invalid(name, text, 'must be a whole number of milliseconds ≥ 1');
    out[setting] = value;
  }
  const counts = [
    ['FAUSTGEN_MAX_OUTPUTS_IN_FLIGHT', 'maxOutputsInFlight', 1],
    ['FAUSTGEN_CHANGELOG_BUFFER_SIZE', 'changelogBufferSize', 0],
  ] as const;
  for (const [name, setting, min] of counts) {
    const text = env[name];
    if (text === undefined) continue;
    const value = Number(text);
    if (text.trim() === '' || !Number.isInteger(value) || value < min) throw invalid(name, text, `must be a whole number ≥ ${min}`);
    out[setting] = value;
  }
  const registryUrl = env['FAUSTGEN_SCHEMA_REGISTRY_URL'];
  if (registryUrl !== undefined && registryUrl !== '') out.schemaRegistryUrl = registryUrl;
  const format = env['FAUSTGEN_LOG_FORMAT'];
  if (format === 'json' || format === 'pretty') out.logFormat = format;
  return out;
}
