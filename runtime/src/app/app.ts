import type { Agent, AgentHandler } from '../agents/agent.js';
import { systemClock, type Clock } from '../core/clock.js';
import { FaustgenError, describeError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/logger.js';
import { Service } from '../core/service.js';
import type { Conductor } from '../consumer/conductor.js';
import { isCodecName } from '../serde/codecs.js';
import type { Table } from '../tables/table.js';
import { SetTable } from '../tables/set-table.js';
import type { WindowedTable } from '../tables/windowed-table.js';
import type { Channel } from '../topics/channel.js';
import type { Topic } from '../topics/topic.js';
import type { Admin, GroupAssignment, Headers, RecordMetadata } from '../types/transport.js';
import { keyOwner } from './key-owner.js';
import { AppMetrics } from './metrics.js';
import type { OutputWindow } from './output-window.js';
import type { Scheduler } from './scheduler.js';
import { resolveSettings, type AppSettings, type AppSettingsInput } from './settings.js';
import type { StalledPartition } from './stall-watcher.js';
import { wireApp, type AppParts } from './wiring.js';
import type { PageHandler, PageOptions } from '../web/server.js';
import type { SensorSet, Sensor } from '../sensors/sensor.js';

import type { AgentDefinition, AppOptions, TableDefinitionOptions, TopicOptions, WindowedTableDefinition } from './definitions.js';
export type { AgentDefinition, AppOptions, TableDefinitionOptions, TopicOptions, WindowedTableDefinition } from './definitions.js';

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
  /** What the worker tells its sensors; the Prometheus monitor behind /metrics is the first. */
  readonly sensors: SensorSet;
  /** At-least-once: the records in flight in the producer, bounded (exactly-once: its transactions bound them). */
  readonly outputWindow: OutputWindow | undefined;
  /** Declarations, outputs, consumer, rebalances, start and stop, connected (app/wiring.ts). */
  private readonly parts: AppParts;
  private readonly startupHooks: (() => unknown)[] = [];
  private readonly shutdownHooks: (() => unknown)[] = [];
  private webByDefault = false;
  private crashError: FaustgenError | undefined;
  private readonly stoppedWaiters: ((error: FaustgenError | undefined) => void)[] = [];

  constructor(input: AppSettingsInput, options: AppOptions = {}) {
    super(`app ${input.id}`);
    this.settings = resolveSettings(input, isCodecName);
    this.clock = options.clock ?? systemClock;
    this.log = createLogger({ level: this.settings.logLevel, format: this.settings.logFormat, ...(options.logSink === undefined ? {} : { sink: options.logSink }) }).child(this.settings.id);
    const { settings, clock, log, metrics, shutdownHooks } = this;
    this.parts = wireApp(this, { settings, options, clock, log, metrics, shutdownHooks, webByDefault: () => this.webByDefault });
    this.sensors = this.parts.sensors;
    this.outputWindow = this.parts.outputWindow;
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
    return this.parts.declared.topic(name, options);
  }

  /** An in-memory channel: values reach its agents without a broker or serialization. */
  channel<K = undefined, V = unknown>(name?: string): Channel<K, V> {
    return this.parts.declared.channel<K, V>(name);
  }

  agent<K, V, R = void>(name: string, definition: AgentDefinition<K, V, R>, handler: AgentHandler<K, V, R>): Agent<K, V, R> {
    return this.parts.declared.agent(name, definition, handler);
  }

  /** A dictionary-like table whose writes go to the changelog `<app id>-<name>-changelog`. */
  table<K, V>(name: string, options: TableDefinitionOptions<K, V> & { readonly default: () => V }): Table<K, V, V>;
  table<K, V>(name: string, options?: TableDefinitionOptions<K, V>): Table<K, V, V | undefined>;
  table<K, V>(name: string, options: TableDefinitionOptions<K, V> & { readonly default?: () => V } = {}): Table<K, V, V | undefined> {
    return this.parts.declared.declareTable(name, options, 'table');
  }

  /** A table every worker holds in full, kept in sync from all changelog partitions. */
  globalTable<K, V>(name: string, options: TableDefinitionOptions<K, V> & { readonly default: () => V }): Table<K, V, V>;
  globalTable<K, V>(name: string, options?: TableDefinitionOptions<K, V>): Table<K, V, V | undefined>;
  globalTable<K, V>(name: string, options: TableDefinitionOptions<K, V> & { readonly default?: () => V } = {}): Table<K, V, V | undefined> {
    return this.parts.declared.declareTable(name, { usePartitioner: true, ...options }, 'global');
  }

  /** A table of sets per key (Faust's SetTable). Members are stored as JSON arrays. */
  setTable<K, M>(name: string, options: Omit<TableDefinitionOptions<K, M[]>, 'value'> = {}): SetTable<K, M> {
    return new SetTable<K, M>(this.parts.declared.declareTable<K, M[]>(name, { ...options, value: 'json' }, 'table'));
  }

  /**
   * A windowed table: values per key and time window (tumbling, hopping or sliding), closed and
   * removed after their expiry, with `onWindowClose` fired once per window and key.
   */
  windowedTable<K, V>(name: string, options: WindowedTableDefinition<K, V> & { readonly default: () => V }): WindowedTable<K, V, V>;
  windowedTable<K, V>(name: string, options: WindowedTableDefinition<K, V>): WindowedTable<K, V, V | undefined>;
  windowedTable<K, V>(name: string, options: WindowedTableDefinition<K, V> & { readonly default?: () => V }): WindowedTable<K, V, V | undefined> {
    return this.parts.declared.windowedTable(name, options);
  }

  timer(name: string, options: { readonly intervalMs: number; readonly onLeader?: boolean }, run: () => unknown): void {
    this.parts.declared.timer(name, options, run);
  }

  crontab(name: string, options: { readonly cron: string; readonly timezone?: string; readonly onLeader?: boolean }, run: () => unknown): void {
    this.parts.declared.crontab(name, options, run);
  }

  /** Runs once after the worker is ready. */
  task(name: string, run: () => unknown, options: { readonly onLeader?: boolean } = {}): void {
    this.parts.declared.task(name, run, options);
  }

  page(path: string, handler: PageHandler, options: PageOptions = {}): void {
    this.parts.declared.page(path, handler, options);
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
    return this.parts.declared.topics;
  }
  get agents(): ReadonlyMap<string, Agent<unknown, unknown, unknown>> {
    return this.parts.declared.agents;
  }
  get tables(): ReadonlyMap<string, Table<unknown, unknown, unknown>> {
    return this.parts.declared.tables;
  }
  get jobs(): Scheduler {
    return this.parts.scheduler;
  }
  isLeader(): boolean {
    return this.parts.rebalances.leader;
  }
  /** Assigned partitions with lag that made no progress for `stallTimeoutMs` (for health checks). */
  stalledPartitions(): readonly StalledPartition[] {
    return this.parts.stallWatcher.stalled;
  }
  /** Offsets per assigned partition (committed, delivered, pending). */
  positions(): ReturnType<Conductor['positions']> {
    return this.parts.conductor.positions();
  }
  get assignment(): GroupAssignment | undefined {
    return this.parts.conductor.assignment;
  }
  /**
   * Which worker holds a table key: its changelog partition (murmur2 of the encoded key, as the
   * producer places it) and the URL of the worker that has that partition active, from the last
   * assignment. `local` is true when it is this worker.
   */
  keyOwner<K>(table: { readonly changelogTopic: string; partitionOfKey(key: K): number | undefined }, key: K): { partition: number; url: string | undefined; local: boolean } | undefined {
    return keyOwner(this.assignment, table, key);
  }

  /** Records replayed from changelogs since start, by table. */
  get recoveryReplayed(): ReadonlyMap<string, number> {
    return this.parts.lifecycle.tableManager?.replayed ?? new Map();
  }
  /** True while the tables of the current assignment are being recovered (the worker is not ready). */
  get recovering(): boolean {
    return this.parts.rebalances.recovering;
  }
  /** Low and high offsets of a topic's partitions, from the broker. */
  async fetchOffsets(topic: string): ReturnType<Admin['fetchOffsets']> {
    const { admin } = this.parts.lifecycle;
    if (admin === undefined) throw this.notStartedError(topic);
    return admin.fetchOffsets(topic);
  }
  /** The web server's port once started (0 = not listening). */
  get webPort(): number {
    return this.parts.web.port;
  }
  /** The error that crashed the app, if it crashed. */
  get crashed(): FaustgenError | undefined {
    return this.crashError;
  }
  /** Resolves once the app is ready: tables recovered and the first assignment received. */
  whenReady(): Promise<void> {
    return this.parts.rebalances.whenReady();
  }
  /** Resolves when the app stopped; with the error when it crashed. */
  whenStopped(): Promise<FaustgenError | undefined> {
    if (this.state === 'stopped') return Promise.resolve(this.crashError);
    return new Promise((resolve) => this.stoppedWaiters.push(resolve));
  }
  /** True when every delivered event is processed and no agent has buffered events. */
  idle(): boolean {
    for (const agent of this.parts.declared.agents.values()) if (agent.buffered > 0) return false;
    return this.parts.conductor.idle();
  }
  /** Commits now (the commit timer does it every commitIntervalMs). */
  async commit(): Promise<void> {
    await this.parts.conductor.commit();
  }
  /** Sends raw bytes to a topic by name. */
  sendRaw(topic: string, key: Buffer | null, value: Buffer | null, headers: Headers = {}, partition?: number): Promise<RecordMetadata> {
    return this.parts.producerHost.produce({ topic, key, value, headers, ...(partition === undefined ? {} : { partition }) });
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
    await this.parts.lifecycle.start();
  }

  protected override async onStarted(): Promise<void> {
    await this.whenReadyOrCrash();
    for (const hook of this.startupHooks) await hook();
    this.parts.scheduler.start();
    this.log.info('worker ready', { partitions: this.assignment?.assignment.actives.length ?? 0 });
  }

  protected override async onStop(): Promise<void> {
    await this.parts.lifecycle.stop();
  }

  protected override async onStopped(): Promise<void> {
    this.parts.declared.thaw();
    this.parts.replyTopic.reset();
    this.log.info('stopped', this.crashError === undefined ? {} : { crashed: this.crashError.code });
    for (const waiter of this.stoppedWaiters.splice(0)) waiter(this.crashError);
  }

  // ---- internals ----------------------------------------------------------------------------

  private async whenReadyOrCrash(): Promise<void> {
    await Promise.race([this.parts.rebalances.whenReady(), this.whenStopped().then((error) => { if (error !== undefined) throw error; })]);
  }

  private notStartedError(topic: string): FaustgenError {
    return new FaustgenError('FG_APP_STATE', `cannot send to "${topic}": the app is not started`, { details: { topic } });
  }
}

/** Creates an app; settings are validated at once, with coded errors naming the setting. */
export function createApp(settings: AppSettingsInput, options: AppOptions = {}): App {
  return new App(settings, options);
}
