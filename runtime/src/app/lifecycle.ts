import { hostname } from 'node:os';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Conductor } from '../consumer/conductor.js';
import type { EventTracing } from '../sensors/tracing.js';
import { lockDatadir, openTableStore, type DatadirLock } from '../stores/index.js';
import { TableManager } from '../tables/table-manager.js';
import { createTransport } from '../transport/create.js';
import type { Admin, GroupConsumer, Producer, Transport } from '../types/transport.js';
import type { WebServer } from '../web/server.js';
import type { CommitLoop } from './commit-loop.js';
import type { Declarations } from './declarations.js';
import type { AppOptions } from './definitions.js';
import { discardStateOfEarlierBroker } from './ephemeral-broker-state.js';
import type { ExactlyOnce } from './exactly-once.js';
import { kafkaDriverSettings } from './kafka-settings.js';
import type { OutputRouter } from './output-router.js';
import type { RebalanceHandler } from './rebalance-handler.js';
import type { ReplyTopic } from './reply-topic.js';
import type { Scheduler } from './scheduler.js';
import type { AppSettings } from './settings.js';
import type { StallWatcher } from './stall-watcher.js';
import { reportWhileWaiting } from './startup-progress.js';
import { ensureTopics } from './topic-setup.js';

/** The app's parts that its start and stop run in order. */
export interface LifecycleHost {
  readonly settings: AppSettings;
  readonly options: AppOptions;
  readonly log: Logger;
  readonly declared: Declarations;
  readonly conductor: Conductor;
  readonly exactlyOnce: ExactlyOnce | undefined;
  readonly producerHost: OutputRouter;
  readonly tracing: EventTracing;
  readonly leaderTopic: string;
  readonly replyTopic: ReplyTopic;
  readonly scheduler: Scheduler;
  readonly web: WebServer;
  readonly stallWatcher: StallWatcher;
  readonly commits: CommitLoop;
  readonly rebalances: RebalanceHandler;
  readonly shutdownHooks: readonly (() => unknown)[];
  /** serveWebByDefault() was called (what runWorker does). */
  webByDefault(): boolean;
}

/**
 * The app's start and stop sequences, and the parts a start creates on the broker and the store
 * (transport, admin, producer, tables, consumer) that its stop releases.
 */
export class AppLifecycle {
  transport: Transport | undefined;
  admin: Admin | undefined;
  producer: Producer | undefined;
  consumer: GroupConsumer | undefined;
  tableManager: TableManager | undefined;
  private datadirLock: DatadirLock | undefined;
  private readonly partitionCounts = new Map<string, number>();
  /**
   * True from the agents' start until their stop resolved: a stop begins long before its handlers
   * finish, and a release or revoke running meanwhile must still wait for the events they hold.
   */
  private handlersMayRunNow = false;

  constructor(private readonly host: LifecycleHost) {}

  get handlersMayRun(): boolean {
    return this.handlersMayRunNow;
  }

  /** A topic's partition count, once the start created or found it. */
  partitionCount(topic: string): number | undefined {
    return this.partitionCounts.get(topic);
  }

  /**
   * Start order: transport → agents (their handlers run up to their first wait, declaring groupBy
   * topics) → topics → tables → web → consumer (whose first assignment recovers the tables) → the
   * commit timer and the stall watcher.
   */
  async start(): Promise<void> {
    const { settings, log, declared, conductor } = this.host;
    this.host.producerHost.reset();
    if (this.host.tracing.detect()) log.info('OpenTelemetry SDK found: a span per event, traceparent headers on sends');
    log.info('starting', { broker: settings.broker.url, ...(settings.broker.client === undefined ? {} : { kafkaClient: settings.broker.client }), store: settings.store.url, agents: declared.agents.size, tables: declared.tables.size });
    this.transport = await createTransport(settings.broker, { clientId: settings.id, startupTimeoutMs: settings.brokerStartupTimeoutMs, logger: log, security: settings.security, kafka: kafkaDriverSettings(settings, this.host.options.kafka, log.child('kafka')) });
    this.admin = this.transport.createAdmin();
    this.producer = this.transport.createProducer();
    const brokers = settings.broker.driver === 'kafka' ? `Kafka brokers ${settings.broker.hosts.join(', ')}` : 'the embedded broker';
    await reportWhileWaiting(this.admin.start(), { log, what: brokers, setting: 'brokerStartupTimeoutMs', timeoutMs: settings.brokerStartupTimeoutMs });
    await this.producer.start();
    this.host.exactlyOnce?.start(this.transport, this.admin);
    await discardStateOfEarlierBroker(settings, this.admin, [...declared.tables.values()].map((table) => table.changelogTopic), log);
    for (const agent of declared.agents.values()) agent.start();
    this.handlersMayRunNow = true;
    // Let each handler run to its first wait: that is where groupBy/through declare their topics.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    declared.freeze();
    const counts = await ensureTopics(this.admin, {
      topics: [...declared.topics.values()],
      leaderTopic: this.host.leaderTopic,
      driver: this.transport.driver,
      defaults: { partitions: settings.topicPartitions, replicationFactor: settings.topicReplicationFactor },
      subscribed: new Set(conductor.subscribedTopics()),
      copartitioned: declared.copartitionGroups(),
      log,
    });
    for (const [name, count] of counts) this.partitionCounts.set(name, count);
    if (settings.store.driver === 'rocksdb' && declared.tables.size > 0) {
      this.datadirLock = await lockDatadir(settings.store.url, settings.datadir, settings.id);
    }
    this.tableManager = new TableManager(this.admin, this.transport.createPartitionReader(), log.child('tables'), { changelogBufferSize: settings.changelogBufferSize });
    for (const table of declared.tables.values()) {
      const store = await openTableStore(settings.store.url, { appId: settings.id, table: table.name, datadir: settings.datadir, cacheSize: settings.tableCacheSize });
      this.tableManager.register(table, store);
    }
    await this.tableManager.start();
    const webUrl = await this.startWeb();
    const changelogs = [...declared.tables.values()].map((t) => t.changelogTopic);
    const globals = [...declared.tables.values()].filter((t) => t.definition.kind === 'global').map((t) => t.changelogTopic);
    this.consumer = this.transport.createGroupConsumer({
      groupId: settings.id,
      topics: [...new Set([...conductor.subscribedTopics(), ...changelogs, this.host.leaderTopic])],
      autoOffsetReset: settings.autoOffsetReset,
      metadata: { version: 1, changelogTopics: changelogs, globalTopics: globals, standbyReplicas: settings.standbyReplicas, url: webUrl },
    });
    conductor.attach(this.consumer);
    this.host.rebalances.consumerStarting();
    await this.consumer.start(conductor);
    this.host.commits.start(settings.commitIntervalMs);
    this.host.stallWatcher.start(() => conductor.positions(), this.admin, settings.id);
  }

  /** Stops in reverse after the in-flight events are finished, flushed and committed. */
  async stop(): Promise<void> {
    const { log, conductor } = this.host;
    log.info('stopping');
    await this.host.scheduler.stop();
    this.host.commits.stop();
    this.host.stallWatcher.stop();
    for (const hook of this.host.shutdownHooks) {
      try {
        await hook();
      } catch (error) {
        log.error('shutdown hook failed', { error: describeError(error) });
      }
    }
    // Stop taking events, let handlers finish what they hold, then flush and commit it.
    conductor.dropBufferedForStop();
    // The fetch still in flight long-polls while the final commit flushes, not after it.
    this.consumer?.stopFetching?.();
    await Promise.all([...this.host.declared.agents.values()].map((agent) => agent.stop()));
    this.handlersMayRunNow = false;
    await conductor.commit().catch((error: unknown) => log.warn('final commit failed', { error: describeError(error) }));
    await this.consumer?.stop().catch((error: unknown) => log.warn('consumer stop failed', { error: describeError(error) }));
    await this.host.exactlyOnce?.stop();
    await this.tableManager?.stop();
    await this.datadirLock?.release().catch(() => undefined);
    this.datadirLock = undefined;
    await this.host.replyTopic.stop();
    await this.producer?.flush().catch(() => undefined);
    await this.producer?.stop();
    await this.admin?.stop();
    await this.host.web.close();
  }

  /** Starts the web server when enabled (before the consumer, so the group learns its URL); returns that URL. */
  private async startWeb(): Promise<string> {
    const { settings, web } = this.host;
    const enabled = settings.webEnabled ?? this.host.webByDefault();
    if (!enabled) return `http://${settings.webHost}:${settings.webPort}`;
    await web.listen(settings.webHost, settings.webPort, { bodyLimit: settings.webBodyLimit, requestTimeoutMs: settings.webRequestTimeoutMs });
    const host = settings.webHost === '0.0.0.0' || settings.webHost === '::' ? hostname() : settings.webHost.includes(':') ? `[${settings.webHost}]` : settings.webHost;
    return `http://${host}:${web.port}`;
  }
}
