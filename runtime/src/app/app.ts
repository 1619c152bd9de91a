import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Agent, AgentHandler, AgentHost } from '../agents/agent.js';
import { systemClock, type Clock } from '../core/clock.js';
import { FaustgenError, describeError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/logger.js';
import { Service } from '../core/service.js';
import { Conductor } from '../consumer/conductor.js';
import { isCodecName } from '../serde/codecs.js';
import { lockDatadir, openTableStore, type DatadirLock } from '../stores/index.js';
import type { Table } from '../tables/table.js';
import { TableManager } from '../tables/table-manager.js';
import { SetTable } from '../tables/set-table.js';
import type { WindowedTable } from '../tables/windowed-table.js';
import type { Channel } from '../topics/channel.js';
import type { Topic } from '../topics/topic.js';
import { createTransport } from '../transport/create.js';
import type { Admin, GroupAssignment, GroupConsumer, Headers, Producer, RecordMetadata, TopicPartitionOffset, Transport } from '../types/transport.js';
import { Declarations } from './declarations.js';
import { discardStateOfEarlierBroker } from './ephemeral-broker-state.js';
import { ReplyTopic } from './reply-topic.js';
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
  /** What the app declared: topics, channels, agents, tables (app/declarations.ts). */
  private readonly declared: Declarations;
  private readonly startupHooks: (() => unknown)[] = [];
  private readonly shutdownHooks: (() => unknown)[] = [];
  /** ask()'s replies: the worker's reply topic and the asks waiting on it. */
  private readonly replyTopic: ReplyTopic;
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
  private readonly leaderTopic: string;
  private transport: Transport | undefined;
  private producer: Producer | undefined;
  private admin: Admin | undefined;
  private consumer: GroupConsumer | undefined;
  private tableManager: TableManager | undefined;
  private datadirLock: DatadirLock | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private readonly stallWatcher: StallWatcher;
  private readonly outputHold = new OutputHold();
  /** Every output goes through it; it also knows when a record nobody awaited failed (commits stop). */
  private readonly producerHost: OutputRouter;
  /** At-least-once: the records in flight in the producer, bounded (exactly-once: its transactions bound them). */
  readonly outputWindow: OutputWindow | undefined;
  private readonly exactlyOnce: ExactlyOnce | undefined;
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
    this.replyTopic = new ReplyTopic(this.settings.topicReplicationFactor);
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
      replies: this.replyTopic.replies,
      streamHost: (agent) => this.declared.streamHostFor(agent),
      sensors: this.sensors,
      // Tracing finds the span of the event a send belongs to through the actor's context; exactly-once
      // routes a handler's sends by it.
      tracksEventContext: () => this.settings.eventContext === 'always' || this.declared.tables.size > 0 || this.tracing.enabled || this.exactlyOnce !== undefined,
      tracing: () => (this.tracing.enabled ? this.tracing : undefined),
      crash: (error) => this.crash(error),
      replyTopic: () => this.replyTopic.ensure(this.admin, this.transport),
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
    this.declared = new Declarations({
      settings: this.settings,
      clock: this.clock,
      log: this.log,
      producerHost: this.producerHost,
      scheduler: this.scheduler,
      web: this.web,
      sensors: this.sensors,
      agentHost: this.agentHost,
      subscribe: (subscriber) => this.conductor.subscribe(subscriber),
      partitionCount: (topic) => this.partitionCounts.get(topic),
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
    return this.declared.topic(name, options);
  }

  /** An in-memory channel: values reach its agents without a broker or serialization. */
  channel<K = undefined, V = unknown>(name?: string): Channel<K, V> {
    return this.declared.channel<K, V>(name);
  }

  agent<K, V, R = void>(name: string, definition: AgentDefinition<K, V, R>, handler: AgentHandler<K, V, R>): Agent<K, V, R> {
    return this.declared.agent(name, definition, handler);
  }

  /** A dictionary-like table whose writes go to the changelog `<app id>-<name>-changelog`. */
  table<K, V>(name: string, options: TableDefinitionOptions<K, V> & { readonly default: () => V }): Table<K, V, V>;
  table<K, V>(name: string, options?: TableDefinitionOptions<K, V>): Table<K, V, V | undefined>;
  table<K, V>(name: string, options: TableDefinitionOptions<K, V> & { readonly default?: () => V } = {}): Table<K, V, V | undefined> {
    return this.declared.declareTable(name, options, 'table');
  }

  /** A table every worker holds in full, kept in sync from all changelog partitions. */
  globalTable<K, V>(name: string, options: TableDefinitionOptions<K, V> & { readonly default: () => V }): Table<K, V, V>;
  globalTable<K, V>(name: string, options?: TableDefinitionOptions<K, V>): Table<K, V, V | undefined>;
  globalTable<K, V>(name: string, options: TableDefinitionOptions<K, V> & { readonly default?: () => V } = {}): Table<K, V, V | undefined> {
    return this.declared.declareTable(name, { usePartitioner: true, ...options }, 'global');
  }

  /** A table of sets per key (Faust's SetTable). Members are stored as JSON arrays. */
  setTable<K, M>(name: string, options: Omit<TableDefinitionOptions<K, M[]>, 'value'> = {}): SetTable<K, M> {
    return new SetTable<K, M>(this.declared.declareTable<K, M[]>(name, { ...options, value: 'json' }, 'table'));
  }

  /**
   * A windowed table: values per key and time window (tumbling, hopping or sliding), closed and
   * removed after their expiry, with `onWindowClose` fired once per window and key.
   */
  windowedTable<K, V>(name: string, options: WindowedTableDefinition<K, V> & { readonly default: () => V }): WindowedTable<K, V, V>;
  windowedTable<K, V>(name: string, options: WindowedTableDefinition<K, V>): WindowedTable<K, V, V | undefined>;
  windowedTable<K, V>(name: string, options: WindowedTableDefinition<K, V> & { readonly default?: () => V }): WindowedTable<K, V, V | undefined> {
    return this.declared.windowedTable(name, options);
  }

  timer(name: string, options: { readonly intervalMs: number; readonly onLeader?: boolean }, run: () => unknown): void {
    this.declared.timer(name, options, run);
  }

  crontab(name: string, options: { readonly cron: string; readonly timezone?: string; readonly onLeader?: boolean }, run: () => unknown): void {
    this.declared.crontab(name, options, run);
  }

  /** Runs once after the worker is ready. */
  task(name: string, run: () => unknown, options: { readonly onLeader?: boolean } = {}): void {
    this.declared.task(name, run, options);
  }

  page(path: string, handler: PageHandler, options: PageOptions = {}): void {
    this.declared.page(path, handler, options);
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
    return this.declared.topics;
  }
  get agents(): ReadonlyMap<string, Agent<unknown, unknown, unknown>> {
    return this.declared.agents;
  }
  get tables(): ReadonlyMap<string, Table<unknown, unknown, unknown>> {
    return this.declared.tables;
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
    for (const agent of this.declared.agents.values()) if (agent.buffered > 0) return false;
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
    this.log.info('starting', { broker: settings.broker.url, ...(settings.broker.client === undefined ? {} : { kafkaClient: settings.broker.client }), store: settings.store.url, agents: this.declared.agents.size, tables: this.declared.tables.size });
    this.transport = await createTransport(settings.broker, { clientId: settings.id, startupTimeoutMs: settings.brokerStartupTimeoutMs, logger: this.log, security: settings.security, kafka: kafkaDriverSettings(settings, this.options.kafka, this.log.child('kafka')) });
    this.admin = this.transport.createAdmin();
    this.producer = this.transport.createProducer();
    const brokers = settings.broker.driver === 'kafka' ? `Kafka brokers ${settings.broker.hosts.join(', ')}` : 'the embedded broker';
    await reportWhileWaiting(this.admin.start(), { log: this.log, what: brokers, setting: 'brokerStartupTimeoutMs', timeoutMs: settings.brokerStartupTimeoutMs });
    await this.producer.start();
    this.exactlyOnce?.start(this.transport, this.admin);
    await discardStateOfEarlierBroker(settings, this.admin, [...this.declared.tables.values()].map((table) => table.changelogTopic), this.log);
    for (const agent of this.declared.agents.values()) agent.start();
    this.handlersMayRun = true;
    // Let each handler run to its first wait: that is where groupBy/through declare their topics.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    this.declared.freeze();
    const counts = await ensureTopics(this.admin, {
      topics: [...this.declared.topics.values()],
      leaderTopic: this.leaderTopic,
      driver: this.transport.driver,
      defaults: { partitions: settings.topicPartitions, replicationFactor: settings.topicReplicationFactor },
      subscribed: new Set(this.conductor.subscribedTopics()),
      copartitioned: this.declared.copartitionGroups(),
      log: this.log,
    });
    for (const [name, count] of counts) this.partitionCounts.set(name, count);
    if (settings.store.driver === 'rocksdb' && this.declared.tables.size > 0) {
      this.datadirLock = await lockDatadir(settings.store.url, settings.datadir, settings.id);
    }
    this.tableManager = new TableManager(this.admin, this.transport.createPartitionReader(), this.log.child('tables'), { changelogBufferSize: settings.changelogBufferSize });
    for (const table of this.declared.tables.values()) {
      const store = await openTableStore(settings.store.url, { appId: settings.id, table: table.name, datadir: settings.datadir, cacheSize: settings.tableCacheSize });
      this.tableManager.register(table, store);
    }
    await this.tableManager.start();
    const webUrl = await this.startWeb();
    const changelogs = [...this.declared.tables.values()].map((t) => t.changelogTopic);
    const globals = [...this.declared.tables.values()].filter((t) => t.definition.kind === 'global').map((t) => t.changelogTopic);
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
    await Promise.all([...this.declared.agents.values()].map((agent) => agent.stop()));
    this.handlersMayRun = false;
    await this.conductor.commit().catch((error: unknown) => this.log.warn('final commit failed', { error: describeError(error) }));
    await this.consumer?.stop().catch((error: unknown) => this.log.warn('consumer stop failed', { error: describeError(error) }));
    await this.exactlyOnce?.stop();
    await this.tableManager?.stop();
    await this.datadirLock?.release().catch(() => undefined);
    this.datadirLock = undefined;
    await this.replyTopic.stop();
    await this.producer?.flush().catch(() => undefined);
    await this.producer?.stop();
    await this.admin?.stop();
    await this.web.close();
  }

  protected override async onStopped(): Promise<void> {
    this.declared.thaw();
    this.replyTopic.reset();
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
    this.recoveringNow = this.declared.tables.size > 0;
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


  private notStartedError(topic: string): FaustgenError {
    return new FaustgenError('FG_APP_STATE', `cannot send to "${topic}": the app is not started`, { details: { topic } });
  }
}

/** Creates an app; settings are validated at once, with coded errors naming the setting. */
export function createApp(settings: AppSettingsInput, options: AppOptions = {}): App {
  return new App(settings, options);
}
