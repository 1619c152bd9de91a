import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Agent, type AgentHandler, type AgentHost } from '../agents/agent.js';
import { validateErrorPolicy } from '../agents/error-policy.js';
import { ReplyRegistry } from '../agents/rpc.js';
import { systemClock, type Clock } from '../core/clock.js';
import { FaustgenError, describeError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/logger.js';
import { Service } from '../core/service.js';
import { Conductor, type Subscriber } from '../consumer/conductor.js';
import { isCodecName, resolveCodec } from '../serde/codecs.js';
import { queueSource, type AttachedTopic, type RepartitionSpec, type StreamHost } from '../streams/stream.js';
import { lockDatadir, openTableStore, type DatadirLock } from '../stores/index.js';
import { Table } from '../tables/table.js';
import { TableManager } from '../tables/table-manager.js';
import { SetTable } from '../tables/set-table.js';
import { WindowedTable } from '../tables/windowed-table.js';
import { windowChangelogConfig } from '../windows/window.js';
import { Channel } from '../topics/channel.js';
import { Topic } from '../topics/topic.js';
import { createTransport } from '../transport/create.js';
import type { Admin, GroupAssignment, GroupConsumer, Headers, PartitionReader, Producer, RecordMetadata, TopicPartitionOffset, Transport } from '../types/transport.js';
import { parseCron } from './cron.js';
import { discardStateOfEarlierBroker } from './ephemeral-broker-state.js';
import { reportWhileWaiting } from './startup-progress.js';
import { AppMetrics } from './metrics.js';
import { OutputHold } from './output-hold.js';
import { OutputRouter } from './output-router.js';
import { OutputWindow } from './output-window.js';
import { ExactlyOnce } from './exactly-once.js';
import { Scheduler } from './scheduler.js';
import { resolveSettings, type AppSettings, type AppSettingsInput } from './settings.js';
import { ensureTopics } from './topic-setup.js';
import { kafkaDriverSettings } from './kafka-settings.js';
import { StallWatcher, type StalledPartition } from './stall-watcher.js';
import { WebServer, type PageHandler, type PageOptions } from '../web/server.js';
import { addWorkerPages } from '../web/worker-pages.js';
import { SensorSet, type Sensor } from '../sensors/sensor.js';
import { PrometheusMonitor } from '../sensors/prometheus.js';
import { EventTracing } from '../sensors/tracing.js';
import { monitorView, operationsHost } from './operations.js';

import type { AgentDefinition, AppOptions, TableDefinitionOptions, TopicOptions, WindowedTableDefinition } from './definitions.js';
export type { AgentDefinition, AppOptions, TableDefinitionOptions, TopicOptions, WindowedTableDefinition } from './definitions.js';

const LEADER_SUFFIX = '__assignor-__leader';

/**
 * A faustgen application: declare topics, agents, tables and timers, then start it. Start order:
 * transport → agents (their handlers run up to their first wait, declaring groupBy topics) → topics
 * → tables → consumer (whose first assignment recovers the tables) → scheduler and web. Stop runs in
 * reverse after the in-flight events are finished, flushed and committed.
 */
export class App extends Service {
  readonly settings: AppSettings;
  readonly clock: Clock;
  readonly metrics = new AppMetrics();
  protected readonly log: Logger;
  private readonly topicsByName = new Map<string, Topic<unknown, unknown>>();
  private readonly agentsByName = new Map<string, Agent<unknown, unknown, unknown>>();
  private readonly tablesByName = new Map<string, Table<unknown, unknown, unknown>>();
  private readonly channels = new Map<string, Channel<unknown, unknown>>();
  private readonly agentTables = new Map<string, readonly string[]>();
  private readonly startupHooks: (() => unknown)[] = [];
  private readonly shutdownHooks: (() => unknown)[] = [];
  private readonly replies = new ReplyRegistry();
  private readonly scheduler: Scheduler;
  private readonly web: WebServer;
  /** What the worker tells its sensors; the Prometheus monitor behind /metrics is the first. */
  readonly sensors: SensorSet;
  private readonly monitor: PrometheusMonitor;
  private readonly tracing = new EventTracing();
  private webByDefault = false;
  private recoveringNow = false;
  private rebalanceStartedAt: number | undefined;
  private readonly conductor: Conductor;
  private readonly partitionCounts = new Map<string, number>();
  private readonly attachedSubscriptions = new Set<string>();
  /** Topics an agent reads besides its source (groupBy, through), in declaration order. */
  private readonly attachedTopics = new Map<string, string[]>();
  private readonly leaderTopic: string;
  private transport: Transport | undefined;
  private producer: Producer | undefined;
  private admin: Admin | undefined;
  private consumer: GroupConsumer | undefined;
  private tableManager: TableManager | undefined;
  private replyReader: PartitionReader | undefined;
  private datadirLock: DatadirLock | undefined;
  private replyTopicName: Promise<string> | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private readonly stallWatcher: StallWatcher;
  private readonly outputHold = new OutputHold();
  /** Every output goes through it; it also knows when a record nobody awaited failed (commits stop). */
  private readonly producerHost: OutputRouter;
  /** At-least-once: the records in flight in the producer, bounded (exactly-once: its transactions bound them). */
  readonly outputWindow: OutputWindow | undefined;
  private readonly exactlyOnce: ExactlyOnce | undefined;
  private frozen = false;
  private leader = false;
  private crashError: FaustgenError | undefined;
  /**
   * True from the agents' start until their stop resolved: a stop begins long before its handlers
   * finish, and a release or revoke running meanwhile must still wait for the events they hold.
   */
  private handlersMayRun = false;
  private readonly stoppedWaiters: ((error: FaustgenError | undefined) => void)[] = [];
  private readonly ready: { promise: Promise<void>; resolve: () => void };
  private readonly agentHost: AgentHost;

  constructor(input: AppSettingsInput, private readonly options: AppOptions = {}) {
    super(`app ${input.id}`);
    this.settings = resolveSettings(input, isCodecName);
    this.clock = options.clock ?? systemClock;
    this.log = createLogger({ level: this.settings.logLevel, format: this.settings.logFormat, ...(options.logSink === undefined ? {} : { sink: options.logSink }) }).child(this.settings.id);
    this.leaderTopic = `${this.settings.id}-${LEADER_SUFFIX}`;
    this.scheduler = new Scheduler(this.clock, this.log.child('scheduler'), () => this.leader);
    this.web = new WebServer(this.log.child('web'));
    this.sensors = new SensorSet(this.log.child('sensors'));
    this.monitor = new PrometheusMonitor(this.settings.id, monitorView(this));
    this.sensors.add(this.monitor);
    this.outputWindow = this.settings.processingGuarantee === 'at_least_once' ? new OutputWindow(this.settings.maxOutputsInFlight) : undefined;
    this.producerHost = new OutputRouter({
      outputWindow: this.outputWindow,
      log: this.log,
      metrics: this.metrics,
      sensors: this.sensors,
      tracing: this.tracing,
      outputHold: this.outputHold,
      producer: () => this.producer,
      exactlyOnce: () => this.exactlyOnce,
      running: () => this.state === 'running' || this.state === 'starting',
      crash: (error) => this.crash(error),
      liveOutputDropped: (failure) => {
        this.conductor.abandonAll('an output of an event still to be committed was dropped');
        if (this.exactlyOnce?.active === true) this.exactlyOnce.outputDropped(failure);
        else this.crash(failure);
      },
    });
    this.web.observe((method, route, status, ms) => this.sensors.onWebRequest(method, route, status, ms));
    addWorkerPages(this.web, operationsHost(this, () => this.monitor.render()));
    this.stallWatcher = new StallWatcher(this.log.child('stall'), this.settings.stallTimeoutMs);
    let resolve = (): void => undefined;
    const promise = new Promise<void>((r) => (resolve = r));
    this.ready = { promise, resolve };
    this.agentHost = {
      appId: this.settings.id,
      clock: this.clock,
      log: this.log,
      bufferSize: this.settings.streamBufferSize,
      replies: this.replies,
      streamHost: (agent) => this.streamHostFor(agent),
      sensors: this.sensors,
      // Tracing finds the span of the event a send belongs to through the actor's context; exactly-once
      // routes a handler's sends by it.
      tracksEventContext: () => this.settings.eventContext === 'always' || this.tablesByName.size > 0 || this.tracing.enabled || this.exactlyOnce !== undefined,
      tracing: () => (this.tracing.enabled ? this.tracing : undefined),
      crash: (error) => this.crash(error),
      replyTopic: () => this.ensureReplyTopic(),
      recordFailure: () => {
        this.metrics.agentFailures++;
      },
      sendRaw: (topic, key, value, headers, partition) => this.sendRaw(topic, key, value, headers, partition),
    };
    this.exactlyOnce =
      this.settings.processingGuarantee === 'exactly_once'
        ? new ExactlyOnce(this.settings.id, this.log, {
            abandonPartitions: (why) => this.conductor.abandonAll(why),
            rejoin: () => {
              if (this.consumer?.rejoin === undefined) return false;
              this.consumer.rejoin();
              return true;
            },
            crash: (error) => this.crash(error),
            stopping: () => !this.handlersMayRun || (this.state !== 'running' && this.state !== 'starting'),
          })
        : undefined;
    this.conductor = new Conductor({
      ...(this.exactlyOnce === undefined ? {} : { commitTransactions: (offsets: readonly TopicPartitionOffset[]) => this.commitTransactions(offsets) }),
      log: this.log.child('conductor'),
      flushProducer: () => this.flushProducer(),
      flushTables: () => this.tableManager?.flush(),
      agentsRunning: () => this.handlersMayRun,
      isAssignmentOnly: (topic) => topic === this.leaderTopic || (this.tableManager?.isChangelog(topic) ?? false),
      onAssigned: (assignment) => this.onAssigned(assignment),
      onRebalancing: () => {
        this.rebalanceStartedAt ??= performance.now();
        this.sensors.onRebalanceStart();
        this.tableManager?.interruptRecovery();
      },
      onMessagesIn: (topic, partition, count) => this.sensors.onMessagesIn(topic, partition, count),
      ...(this.outputWindow === undefined ? {} : { outputRoom: () => this.outputWindow?.room() }),
      holdOutputs: () => this.outputHold.hold(),
      onPartitionsRevoked: (revoked) => {
        this.tableManager?.release(revoked);
        this.outputHold.drop(revoked);
        this.exactlyOnce?.release(revoked);
      },
      releaseOutputs: (assignment) => this.outputHold.release(assignment),
      onError: (error) => this.crash(FaustgenError.is(error) ? error : new FaustgenError('FG_TRANSPORT', `consumer failed: ${error.message}`, { cause: error })),
    });
  }

  get id(): string {
    return this.settings.id;
  }

  /** The app's logger, for handlers that want structured logs. */
  get logger(): Logger {
    return this.log;
  }

  // ---- declarations -------------------------------------------------------------------------

  topic<K = Buffer, V = unknown>(name: string, options: TopicOptions<K, V> = {}): Topic<K, V> {
    const existing = this.topicsByName.get(name);
    if (existing !== undefined) return existing as Topic<K, V>;
    this.assertDeclarable(`topic "${name}"`);
    if (name.trim() === '' || /[^A-Za-z0-9._-]/.test(name)) {
      throw new FaustgenError('FG_SETTING_INVALID', `topic name "${name}" is invalid: Kafka topic names use letters, digits, ".", "_" and "-"`, { details: { topic: name } });
    }
    if (options.partitions !== undefined && (!Number.isInteger(options.partitions) || options.partitions <= 0)) {
      throw new FaustgenError('FG_SETTING_INVALID', `topic "${name}": partitions must be an integer > 0, got ${String(options.partitions)}`, { details: { topic: name, setting: 'partitions' } });
    }
    const topic = new Topic<K, V>(
      {
        name,
        keyCodec: resolveCodec(options.key, this.settings.keySerializer, `topic "${name}" key`),
        valueCodec: resolveCodec(options.value, this.settings.valueSerializer, `topic "${name}" value`),
        partitions: options.partitions,
        replicationFactor: options.replicationFactor,
        config: options.config ?? {},
        internal: options.internal ?? false,
      },
      this.producerHost,
    );
    this.topicsByName.set(name, topic as Topic<unknown, unknown>);
    return topic;
  }

  /** An in-memory channel: values reach its agents without a broker or serialization. */
  channel<K = undefined, V = unknown>(name: string = `channel-${this.channels.size + 1}`): Channel<K, V> {
    this.assertDeclarable(`channel "${name}"`);
    const channel = new Channel<K, V>(name, () => this.clock.now());
    this.channels.set(name, channel as Channel<unknown, unknown>);
    return channel;
  }

  agent<K, V, R = void>(name: string, definition: AgentDefinition<K, V, R>, handler: AgentHandler<K, V, R>): Agent<K, V, R> {
    this.assertDeclarable(`agent "${name}"`);
    if (this.agentsByName.has(name)) throw new FaustgenError('FG_DUPLICATE_NAME', `two agents are named "${name}"`, { details: { agent: name } });
    const concurrency = definition.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new FaustgenError('FG_SETTING_INVALID', `agent "${name}": concurrency must be an integer ≥ 1, got ${String(concurrency)}`, { details: { agent: name, setting: 'concurrency' } });
    }
    const source =
      definition.source ??
      this.topic<K, V>(`${this.settings.id}-${name}`, {
        ...(definition.key === undefined ? {} : { key: definition.key }),
        ...(definition.value === undefined ? {} : { value: definition.value }),
        partitions: definition.partitions ?? this.settings.topicPartitions,
        internal: true,
      });
    const agent = new Agent<K, V, R>(
      name,
      {
        source,
        concurrency,
        sinks: definition.sinks ?? [],
        onError: validateErrorPolicy(name, definition.onError ?? 'crash'),
        ...(definition.replyDecode === undefined ? {} : { replyDecode: definition.replyDecode }),
      },
      handler,
      this.agentHost,
    );
    const untyped = agent as unknown as Agent<unknown, unknown, unknown>;
    this.agentsByName.set(name, untyped);
    this.agentTables.set(name, (definition.tables ?? []).map((t) => t.name));
    if (source instanceof Topic) this.conductor.subscribe({ agent: untyped, topic: source as Topic<unknown, unknown> });
    else source.subscribe({ deliver: (message) => agent.deliverLocal(message) });
    return agent;
  }

  /** A dictionary-like table whose writes go to the changelog `<app id>-<name>-changelog`. */
  table<K, V>(name: string, options: TableDefinitionOptions<K, V> & { readonly default: () => V }): Table<K, V, V>;
  table<K, V>(name: string, options?: TableDefinitionOptions<K, V>): Table<K, V, V | undefined>;
  table<K, V>(name: string, options: TableDefinitionOptions<K, V> & { readonly default?: () => V } = {}): Table<K, V, V | undefined> {
    return this.declareTable(name, options, 'table');
  }

  /** A table every worker holds in full, kept in sync from all changelog partitions. */
  globalTable<K, V>(name: string, options: TableDefinitionOptions<K, V> & { readonly default: () => V }): Table<K, V, V>;
  globalTable<K, V>(name: string, options?: TableDefinitionOptions<K, V>): Table<K, V, V | undefined>;
  globalTable<K, V>(name: string, options: TableDefinitionOptions<K, V> & { readonly default?: () => V } = {}): Table<K, V, V | undefined> {
    return this.declareTable(name, { usePartitioner: true, ...options }, 'global');
  }

  /** A table of sets per key (Faust's SetTable). Members are stored as JSON arrays. */
  setTable<K, M>(name: string, options: Omit<TableDefinitionOptions<K, M[]>, 'value'> = {}): SetTable<K, M> {
    return new SetTable<K, M>(this.declareTable<K, M[]>(name, { ...options, value: 'json' }, 'table'));
  }

  /**
   * A windowed table: values per key and time window (tumbling, hopping or sliding), closed and
   * removed after their expiry, with `onWindowClose` fired once per window and key.
   */
  windowedTable<K, V>(name: string, options: WindowedTableDefinition<K, V> & { readonly default: () => V }): WindowedTable<K, V, V>;
  windowedTable<K, V>(name: string, options: WindowedTableDefinition<K, V>): WindowedTable<K, V, V | undefined>;
  windowedTable<K, V>(name: string, options: WindowedTableDefinition<K, V> & { readonly default?: () => V }): WindowedTable<K, V, V | undefined> {
    const inner = this.declareTable<Buffer, V>(
      name,
      {
        key: 'raw',
        ...(options.value === undefined ? {} : { value: options.value }),
        ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
        config: { ...windowChangelogConfig(options.window), ...(options.config ?? {}) },
      },
      'table',
    );
    const windowed = new WindowedTable<K, V, V | undefined>(
      inner,
      {
        spec: options.window,
        keyCodec: resolveCodec(options.key, 'json', `table "${name}" key`),
        defaultValue: options.default,
        relativeTo: options.relativeTo ?? 'stream',
        onWindowClose: options.onWindowClose,
      },
      this.clock,
      this.log.child(`table ${name}`),
    );
    this.scheduler.add({ name: `${name}-window-expiry`, kind: 'timer', onLeader: false, intervalMs: this.settings.tableCleanupIntervalMs, run: () => windowed.expire() });
    return windowed;
  }

  timer(name: string, options: { readonly intervalMs: number; readonly onLeader?: boolean }, run: () => unknown): void {
    this.assertDeclarable(`timer "${name}"`);
    if (!(options.intervalMs > 0)) throw new FaustgenError('FG_SETTING_INVALID', `timer "${name}": intervalMs must be > 0`, { details: { timer: name } });
    this.scheduler.add({ name, kind: 'timer', onLeader: options.onLeader ?? false, intervalMs: options.intervalMs, run });
  }

  crontab(name: string, options: { readonly cron: string; readonly timezone?: string; readonly onLeader?: boolean }, run: () => unknown): void {
    this.assertDeclarable(`crontab "${name}"`);
    this.scheduler.add({ name, kind: 'crontab', onLeader: options.onLeader ?? false, cron: parseCron(options.cron, options.timezone ?? 'UTC'), run });
  }

  /** Runs once after the worker is ready. */
  task(name: string, run: () => unknown, options: { readonly onLeader?: boolean } = {}): void {
    this.assertDeclarable(`task "${name}"`);
    this.scheduler.add({ name, kind: 'task', onLeader: options.onLeader ?? false, run });
  }

  page(path: string, handler: PageHandler, options: PageOptions = {}): void {
    this.assertDeclarable(`page "${path}"`);
    this.web.route(path, handler, options);
  }

  /** Adds a sensor: it is told of messages, events, table operations, commits, sends, rebalances and web requests. */
  addSensor(sensor: Sensor): void {
    this.sensors.add(sensor);
  }

  /** Serve the web server unless the settings say `webEnabled: false` (what `runWorker` does, as Faust's worker). */
  serveWebByDefault(): void {
    this.webByDefault = true;
  }

  onStartup(hook: () => unknown): void {
    this.startupHooks.push(hook);
  }

  onShutdown(hook: () => unknown): void {
    this.shutdownHooks.push(hook);
  }

  // ---- introspection ------------------------------------------------------------------------

  get topics(): ReadonlyMap<string, Topic<unknown, unknown>> {
    return this.topicsByName;
  }
  get agents(): ReadonlyMap<string, Agent<unknown, unknown, unknown>> {
    return this.agentsByName;
  }
  get tables(): ReadonlyMap<string, Table<unknown, unknown, unknown>> {
    return this.tablesByName;
  }
  get jobs(): Scheduler {
    return this.scheduler;
  }
  isLeader(): boolean {
    return this.leader;
  }
  /** Assigned partitions with lag that made no progress for `stallTimeoutMs` (for health checks). */
  stalledPartitions(): readonly StalledPartition[] {
    return this.stallWatcher.stalled;
  }
  /** Offsets per assigned partition (committed, delivered, pending). */
  positions(): ReturnType<Conductor['positions']> {
    return this.conductor.positions();
  }
  get assignment(): GroupAssignment | undefined {
    return this.conductor.assignment;
  }
  /**
   * Which worker holds a table key: its changelog partition (murmur2 of the encoded key, as the
   * producer places it) and the URL of the worker that has that partition active, from the last
   * assignment. `local` is true when it is this worker.
   */
  keyOwner<K>(table: { readonly changelogTopic: string; partitionOfKey(key: K): number | undefined }, key: K): { partition: number; url: string | undefined; local: boolean } | undefined {
    const partition = table.partitionOfKey(key);
    if (partition === undefined) return undefined;
    const distribution = this.assignment?.distribution ?? {};
    const url = Object.keys(distribution).find((candidate) => distribution[candidate]?.[table.changelogTopic]?.includes(partition) ?? false);
    const local = this.assignment?.assignment.actives.some((tp) => tp.topic === table.changelogTopic && tp.partition === partition) ?? false;
    return { partition, url, local };
  }

  /** Records replayed from changelogs since start, by table. */
  get recoveryReplayed(): ReadonlyMap<string, number> {
    return this.tableManager?.replayed ?? new Map();
  }
  /** True while the tables of the current assignment are being recovered (the worker is not ready). */
  get recovering(): boolean {
    return this.recoveringNow;
  }
  /** Low and high offsets of a topic's partitions, from the broker. */
  async fetchOffsets(topic: string): ReturnType<Admin['fetchOffsets']> {
    if (this.admin === undefined) throw this.notStartedError(topic);
    return this.admin.fetchOffsets(topic);
  }
  /** The web server's port once started (0 = not listening). */
  get webPort(): number {
    return this.web.port;
  }
  /** The error that crashed the app, if it crashed. */
  get crashed(): FaustgenError | undefined {
    return this.crashError;
  }
  /** Resolves once the app is ready: tables recovered and the first assignment received. */
  whenReady(): Promise<void> {
    return this.ready.promise;
  }
  /** Resolves when the app stopped; with the error when it crashed. */
  whenStopped(): Promise<FaustgenError | undefined> {
    if (this.state === 'stopped') return Promise.resolve(this.crashError);
    return new Promise((resolve) => this.stoppedWaiters.push(resolve));
  }
  /** True when every delivered event is processed and no agent has buffered events. */
  idle(): boolean {
    for (const agent of this.agentsByName.values()) if (agent.buffered > 0) return false;
    return this.conductor.idle();
  }
  /** Commits now (the commit timer does it every commitIntervalMs). */
  async commit(): Promise<void> {
    await this.conductor.commit();
  }
  /** Sends raw bytes to a topic by name. */
  sendRaw(topic: string, key: Buffer | null, value: Buffer | null, headers: Headers = {}, partition?: number): Promise<RecordMetadata> {
    return this.producerHost.produce({ topic, key, value, headers, ...(partition === undefined ? {} : { partition }) });
  }

  /** Stops the worker because of an unrecoverable failure; `whenStopped` resolves with it. */
  crash(error: FaustgenError): void {
    if (this.crashError !== undefined) return;
    this.crashError = error;
    this.log.error('crashed', { code: error.code, error: error.message });
    void this.stop().catch((stopError: unknown) => this.log.error('stop after crash failed', { error: describeError(stopError) }));
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  protected override async onStart(): Promise<void> {
    const { settings } = this;
    this.producerHost.reset();
    if (this.tracing.detect()) this.log.info('OpenTelemetry SDK found: a span per event, traceparent headers on sends');
    this.log.info('starting', { broker: settings.broker.url, store: settings.store.url, agents: this.agentsByName.size, tables: this.tablesByName.size });
    this.transport = await createTransport(settings.broker, { clientId: settings.id, startupTimeoutMs: settings.brokerStartupTimeoutMs, logger: this.log, security: settings.security, kafka: kafkaDriverSettings(settings, this.options.kafka, this.log.child('kafka')) });
    this.admin = this.transport.createAdmin();
    this.producer = this.transport.createProducer();
    const brokers = settings.broker.driver === 'kafka' ? `Kafka brokers ${settings.broker.hosts.join(', ')}` : 'the embedded broker';
    await reportWhileWaiting(this.admin.start(), { log: this.log, what: brokers, setting: 'brokerStartupTimeoutMs', timeoutMs: settings.brokerStartupTimeoutMs });
    await this.producer.start();
    this.exactlyOnce?.start(this.transport, this.admin);
    await discardStateOfEarlierBroker(settings, this.admin, [...this.tablesByName.values()].map((table) => table.changelogTopic), this.log);
    for (const agent of this.agentsByName.values()) agent.start();
    this.handlersMayRun = true;
    // Let each handler run to its first wait: that is where groupBy/through declare their topics.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    this.frozen = true;
    const counts = await ensureTopics(this.admin, {
      topics: [...this.topicsByName.values()],
      leaderTopic: this.leaderTopic,
      driver: this.transport.driver,
      defaults: { partitions: settings.topicPartitions, replicationFactor: settings.topicReplicationFactor },
      subscribed: new Set(this.conductor.subscribedTopics()),
      copartitioned: this.copartitionGroups(),
      log: this.log,
    });
    for (const [name, count] of counts) this.partitionCounts.set(name, count);
    if (settings.store.driver === 'rocksdb' && this.tablesByName.size > 0) {
      this.datadirLock = await lockDatadir(settings.store.url, settings.datadir, settings.id);
    }
    this.tableManager = new TableManager(this.admin, this.transport.createPartitionReader(), this.log.child('tables'), { changelogBufferSize: settings.changelogBufferSize });
    for (const table of this.tablesByName.values()) {
      const store = await openTableStore(settings.store.url, { appId: settings.id, table: table.name, datadir: settings.datadir, cacheSize: settings.tableCacheSize });
      this.tableManager.register(table, store);
    }
    await this.tableManager.start();
    const webUrl = await this.startWeb();
    const changelogs = [...this.tablesByName.values()].map((t) => t.changelogTopic);
    const globals = [...this.tablesByName.values()].filter((t) => t.definition.kind === 'global').map((t) => t.changelogTopic);
    this.consumer = this.transport.createGroupConsumer({
      groupId: settings.id,
      topics: [...new Set([...this.conductor.subscribedTopics(), ...changelogs, this.leaderTopic])],
      autoOffsetReset: settings.autoOffsetReset,
      metadata: { version: 1, changelogTopics: changelogs, globalTopics: globals, standbyReplicas: settings.standbyReplicas, url: webUrl },
    });
    this.conductor.attach(this.consumer);
    this.rebalanceStartedAt = performance.now();
    await this.consumer.start(this.conductor);
    this.commitTimer = setInterval(() => {
      const started = performance.now();
      this.conductor.commitPeriodically().then(
        () => this.sensors.onCommit(performance.now() - started),
        (error: unknown) => {
          this.sensors.onCommit(performance.now() - started, error);
          this.log.warn('commit failed', { error: describeError(error) });
        },
      );
    }, settings.commitIntervalMs);
    this.stallWatcher.start(() => this.conductor.positions(), this.admin, settings.id);
  }

  protected override async onStarted(): Promise<void> {
    await this.whenReadyOrCrash();
    for (const hook of this.startupHooks) await hook();
    this.scheduler.start();
    this.log.info('worker ready', { partitions: this.assignment?.assignment.actives.length ?? 0 });
  }

  protected override async onStop(): Promise<void> {
    this.log.info('stopping');
    await this.scheduler.stop();
    if (this.commitTimer !== undefined) clearInterval(this.commitTimer);
    this.stallWatcher.stop();
    for (const hook of this.shutdownHooks) {
      try {
        await hook();
      } catch (error) {
        this.log.error('shutdown hook failed', { error: describeError(error) });
      }
    }
    // Stop taking events, let handlers finish what they hold, then flush and commit it.
    this.conductor.dropBufferedForStop();
    await Promise.all([...this.agentsByName.values()].map((agent) => agent.stop()));
    this.handlersMayRun = false;
    await this.conductor.commit().catch((error: unknown) => this.log.warn('final commit failed', { error: describeError(error) }));
    await this.consumer?.stop().catch((error: unknown) => this.log.warn('consumer stop failed', { error: describeError(error) }));
    await this.exactlyOnce?.stop();
    await this.tableManager?.stop();
    await this.datadirLock?.release().catch(() => undefined);
    this.datadirLock = undefined;
    await this.replyReader?.stop().catch(() => undefined);
    this.replies.cancelAll(new FaustgenError('FG_APP_STATE', 'the app stopped before the reply arrived'));
    await this.producer?.flush().catch(() => undefined);
    await this.producer?.stop();
    await this.admin?.stop();
    await this.web.close();
  }

  protected override async onStopped(): Promise<void> {
    this.frozen = false;
    this.replyTopicName = undefined;
    this.log.info('stopped', this.crashError === undefined ? {} : { crashed: this.crashError.code });
    for (const waiter of this.stoppedWaiters.splice(0)) waiter(this.crashError);
  }

  // ---- internals ----------------------------------------------------------------------------

  /** Every commit starts here: nothing is committed once a record nobody awaited failed. */
  private async flushProducer(): Promise<void> {
    // Coalesced changelog writes go out first: the offsets about to be committed cover their events.
    this.tableManager?.sendBuffered();
    await this.producer?.flush();
    const failure = this.producerHost.failure;
    if (failure !== undefined) throw failure;
  }

  /** Exactly-once commit; a failed transaction starts every partition over in place (ExactlyOnce). */
  private async commitTransactions(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (this.exactlyOnce?.active === true) await this.exactlyOnce.commit(offsets);
    else if (offsets.length > 0) await this.consumer?.commit(offsets);
  }

  private async whenReadyOrCrash(): Promise<void> {
    await Promise.race([this.ready.promise, this.whenStopped().then((error) => { if (error !== undefined) throw error; })]);
  }

  private async onAssigned(assignment: GroupAssignment): Promise<void> {
    const { actives, standbys } = assignment.assignment;
    this.leader = actives.some((tp) => tp.topic === this.leaderTopic && tp.partition === 0);
    await this.exactlyOnce?.assign(assignment, new Set(this.conductor.subscribedTopics()), this.conductor);
    this.recoveringNow = this.tablesByName.size > 0;
    const recovered = (await this.tableManager?.assign(actives, standbys)) ?? true;
    this.recoveringNow = !recovered;
    if (recovered) {
      this.sensors.onRebalanceEnd(this.rebalanceStartedAt === undefined ? undefined : performance.now() - this.rebalanceStartedAt);
      this.rebalanceStartedAt = undefined;
    }
    this.log.info('partitions assigned', { generation: assignment.generation, actives: actives.length, standbys: standbys.length, leader: this.leader, recovered });
    // An interrupted recovery resumes with the next assignment; the worker is ready only after it.
    if (recovered) this.ready.resolve();
  }

  /** Starts the web server when enabled (before the consumer, so the group learns its URL); returns that URL. */
  private async startWeb(): Promise<string> {
    const { settings } = this;
    const enabled = settings.webEnabled ?? this.webByDefault;
    if (!enabled) return `http://${settings.webHost}:${settings.webPort}`;
    await this.web.listen(settings.webHost, settings.webPort, { bodyLimit: settings.webBodyLimit, requestTimeoutMs: settings.webRequestTimeoutMs });
    const host = settings.webHost === '0.0.0.0' || settings.webHost === '::' ? hostname() : settings.webHost.includes(':') ? `[${settings.webHost}]` : settings.webHost;
    return `http://${host}:${this.web.port}`;
  }

  private assertDeclarable(what: string): void {
    if (this.frozen) {
      throw new FaustgenError('FG_APP_STATE', `${what} declared after the app started: declare topics, agents, tables, timers and groupBy before start (a handler must call groupBy before its first await)`, { details: { what } });
    }
  }

  private declareTable<K, V>(name: string, options: TableDefinitionOptions<K, V> & { readonly default?: () => V }, kind: 'table' | 'global'): Table<K, V, V | undefined> {
    this.assertDeclarable(`table "${name}"`);
    if (this.tablesByName.has(name)) throw new FaustgenError('FG_DUPLICATE_NAME', `two tables are named "${name}"`, { details: { table: name } });
    const changelogTopic = `${this.settings.id}-${name}-changelog`;
    const partitions = options.partitions ?? this.settings.topicPartitions;
    const config = { 'cleanup.policy': 'compact', ...(options.config ?? {}) } as Record<string, string>;
    // Table keys and values default to JSON, as in Faust, whatever the app's topic serializers.
    const keyCodec = resolveCodec(options.key, 'json', `table "${name}" key`);
    const valueCodec = resolveCodec(options.value, 'json', `table "${name}" value`);
    this.topic(changelogTopic, { key: 'raw', value: 'raw', partitions, config, internal: true });
    const table = new Table<K, V, V | undefined>(
      { name, changelogTopic, keyCodec, valueCodec, partitions, kind, defaultValue: options.default, usePartitioner: options.usePartitioner ?? false, config },
      {
        sendChangelog: (topic, partition, key, value) => {
          const record = { topic, key, value, ...(partition === undefined ? {} : { partition }) };
          // A global or partitioner-placed table is written from any worker: no partition owns it.
          const owned = kind === 'global' || options.usePartitioner === true || partition === undefined ? undefined : { topic, partition };
          return this.producerHost.produceOwned(record, owned);
        },
        // Only tables of kind 'table' without the partitioner coalesce: their changelog partition owns the write.
        sendChangelogFrom: (topic, partition, key, value, origin, listener, tag) => this.producerHost.produceFrom({ topic, key, value, partition }, { topic, partition }, origin, listener, tag),
        reportSendError: (topic, error) => this.producerHost.reportSendError(topic, error),
        partitionCount: (topic) => this.partitionCounts.get(topic),
        onOperation: (table, operation) => this.sensors.onTableOperation(table, operation),
      },
    );
    this.tablesByName.set(name, table as unknown as Table<unknown, unknown, unknown>);
    return table;
  }

  /** Agent sources and the changelogs of the tables they write must have equal partition counts. */
  private copartitionGroups(): { agent: string; topics: string[] }[] {
    const groups: { agent: string; topics: string[] }[] = [];
    for (const [name, agent] of this.agentsByName) {
      const tables = this.agentTables.get(name) ?? [];
      if (tables.length === 0 || !(agent.source instanceof Topic)) continue;
      // After groupBy/through the handler processes (and writes tables from) the last topic it reads.
      const read = this.attachedTopics.get(name)?.at(-1) ?? agent.source.name;
      groups.push({ agent: name, topics: [read, ...tables.map((t) => `${this.settings.id}-${t}-changelog`)] });
    }
    return groups;
  }

  private notStartedError(topic: string): FaustgenError {
    return new FaustgenError('FG_APP_STATE', `cannot send to "${topic}": the app is not started`, { details: { topic } });
  }

  private streamHostFor(agentName: string): StreamHost {
    const agent = this.agentsByName.get(agentName);
    if (agent === undefined) throw new FaustgenError('FG_INTERNAL', `no agent ${agentName}`, { kind: 'internal' });
    const attach = <K, V>(topic: Topic<K, V>): AttachedTopic<K, V> => {
      const id = `${agentName}\u0000${topic.name}`;
      if (!this.attachedSubscriptions.has(id)) {
        if (this.frozen) this.assertDeclarable(`stream topic "${topic.name}" of agent "${agentName}"`);
        this.attachedSubscriptions.add(id);
        this.attachedTopics.set(agentName, [...(this.attachedTopics.get(agentName) ?? []), topic.name]);
        this.conductor.subscribe({ agent, topic: topic as Topic<unknown, unknown> } satisfies Subscriber);
      }
      const queue = agent.attach<K, V>(topic.name);
      return {
        name: topic.name,
        sendRaw: (key, value, headers, timestamp) => this.producerHost.produce({ topic: topic.name, key, value, headers, ...(timestamp === undefined ? {} : { timestamp }) }),
        send: (message) => topic.send(message),
        open: () => queueSource(queue),
        fail: (error) => agent.fail(error),
      };
    };
    return {
      clock: this.clock,
      appId: this.settings.id,
      attachRepartition: <K>(spec: RepartitionSpec<K>) =>
        attach(this.topic<K, unknown>(spec.topic, { key: spec.keyCodec, value: spec.valueCodec, partitions: spec.partitions ?? this.settings.topicPartitions, internal: true })),
      attachTopic: <K, V>(name: string) => {
        const topic = this.topicsByName.get(name);
        if (topic === undefined) throw new FaustgenError('FG_TOPIC_MISSING', `through("${name}"): declare the topic with app.topic() first`, { details: { topic: name } });
        return attach(topic as unknown as Topic<K, V>);
      },
      sendTo: <K, V>(name: string, message: { key?: K; value: V; headers?: Headers }) => {
        const topic = this.topicsByName.get(name) as Topic<K, V> | undefined;
        if (topic === undefined) return Promise.reject(new FaustgenError('FG_TOPIC_MISSING', `echo("${name}"): declare the topic with app.topic() first`, { details: { topic: name } }));
        return topic.send(message);
      },
    };
  }

  private ensureReplyTopic(): Promise<string> {
    this.replyTopicName ??= (async () => {
      const admin = this.admin;
      const transport = this.transport;
      if (admin === undefined || transport === undefined) throw new FaustgenError('FG_APP_STATE', 'ask() needs a started app');
      const name = `f-reply-${randomUUID()}`;
      await admin.ensureTopic({ name, partitions: 1, replicationFactor: this.settings.topicReplicationFactor, config: { 'cleanup.policy': 'delete', 'retention.ms': String(86_400_000) } });
      this.replyReader = transport.createPartitionReader();
      this.replyReader.assign([{ topic: name, partition: 0, offset: 0 }]);
      await this.replyReader.start(async (records) => {
        for (const record of records) this.replies.deliver(record.value);
      });
      return name;
    })();
    return this.replyTopicName;
  }
}

/** Creates an app; settings are validated at once, with coded errors naming the setting. */
export function createApp(settings: AppSettingsInput, options: AppOptions = {}): App {
  return new App(settings, options);
}
