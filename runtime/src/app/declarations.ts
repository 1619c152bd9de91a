/**
 * What an app declares — topics, channels, agents, tables, timers, tasks and pages — with the checks
 * on names, duplicates and settings, and the maps that hold them. Kept apart from the App, which
 * composes the running parts (transport, conductor, tables, web, lifecycle) around these.
 */
import { Agent, type AgentHandler, type AgentHost } from '../agents/agent.js';
import { validateErrorPolicy } from '../agents/error-policy.js';
import type { Clock } from '../core/clock.js';
import { FaustgenError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Subscriber } from '../consumer/conductor.js';
import { resolveCodec } from '../serde/codecs.js';
import type { SensorSet } from '../sensors/sensor.js';
import { queueSource, type AttachedTopic, type RepartitionSpec, type StreamHost } from '../streams/stream.js';
import { Table } from '../tables/table.js';
import { WindowedTable } from '../tables/windowed-table.js';
import { Channel } from '../topics/channel.js';
import { Topic } from '../topics/topic.js';
import type { Headers } from '../types/transport.js';
import type { PageHandler, PageOptions, WebServer } from '../web/server.js';
import { windowChangelogConfig } from '../windows/window.js';
import { parseCron } from './cron.js';
import type { AgentDefinition, TableDefinitionOptions, TopicOptions, WindowedTableDefinition } from './definitions.js';
import type { OutputRouter } from './output-router.js';
import type { Scheduler } from './scheduler.js';
import type { AppSettings } from './settings.js';

/** The parts of the app that declarations are built on. */
export interface DeclarationHost {
  readonly settings: AppSettings;
  readonly clock: Clock;
  readonly log: Logger;
  /** Every output goes through it: topics, changelogs and attached streams send there. */
  readonly producerHost: OutputRouter;
  readonly scheduler: Scheduler;
  readonly web: WebServer;
  readonly sensors: SensorSet;
  readonly agentHost: AgentHost;
  /** The conductor routes this topic's records to the agent. */
  subscribe(subscriber: Subscriber): void;
  /** The partition count of a topic, known once the app started (topics created or checked). */
  partitionCount(topic: string): number | undefined;
}

/** The declaration registry of one app: what `app.topic/agent/table/timer/page/...` declared. */
export class Declarations {
  private readonly topicsByName = new Map<string, Topic<unknown, unknown>>();
  private readonly agentsByName = new Map<string, Agent<unknown, unknown, unknown>>();
  private readonly tablesByName = new Map<string, Table<unknown, unknown, unknown>>();
  private readonly channels = new Map<string, Channel<unknown, unknown>>();
  private readonly agentTables = new Map<string, readonly string[]>();
  private readonly attachedSubscriptions = new Set<string>();
  /** Topics an agent reads besides its source (groupBy, through), in declaration order. */
  private readonly attachedTopics = new Map<string, string[]>();
  private frozen = false;

  constructor(private readonly host: DeclarationHost) {}

  get topics(): ReadonlyMap<string, Topic<unknown, unknown>> {
    return this.topicsByName;
  }
  get agents(): ReadonlyMap<string, Agent<unknown, unknown, unknown>> {
    return this.agentsByName;
  }
  get tables(): ReadonlyMap<string, Table<unknown, unknown, unknown>> {
    return this.tablesByName;
  }

  /** Once the agents ran to their first wait at start, nothing more may be declared until the app stopped. */
  freeze(): void {
    this.frozen = true;
  }
  thaw(): void {
    this.frozen = false;
  }

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
        keyCodec: resolveCodec(options.key, this.host.settings.keySerializer, `topic "${name}" key`),
        valueCodec: resolveCodec(options.value, this.host.settings.valueSerializer, `topic "${name}" value`),
        partitions: options.partitions,
        replicationFactor: options.replicationFactor,
        config: options.config ?? {},
        internal: options.internal ?? false,
      },
      this.host.producerHost,
    );
    this.topicsByName.set(name, topic as Topic<unknown, unknown>);
    return topic;
  }

  /** An in-memory channel: values reach its agents without a broker or serialization. */
  channel<K = undefined, V = unknown>(name: string = `channel-${this.channels.size + 1}`): Channel<K, V> {
    this.assertDeclarable(`channel "${name}"`);
    const channel = new Channel<K, V>(name, () => this.host.clock.now());
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
      this.topic<K, V>(`${this.host.settings.id}-${name}`, {
        ...(definition.key === undefined ? {} : { key: definition.key }),
        ...(definition.value === undefined ? {} : { value: definition.value }),
        partitions: definition.partitions ?? this.host.settings.topicPartitions,
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
      this.host.agentHost,
    );
    const untyped = agent as unknown as Agent<unknown, unknown, unknown>;
    this.agentsByName.set(name, untyped);
    this.agentTables.set(name, (definition.tables ?? []).map((t) => t.name));
    if (source instanceof Topic) this.host.subscribe({ agent: untyped, topic: source as Topic<unknown, unknown> });
    else source.subscribe({ deliver: (message) => agent.deliverLocal(message) });
    return agent;
  }

  /**
   * A windowed table: values per key and time window (tumbling, hopping or sliding), closed and
   * removed after their expiry, with `onWindowClose` fired once per window and key.
   */
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
      this.host.clock,
      this.host.log.child(`table ${name}`),
    );
    this.host.scheduler.add({ name: `${name}-window-expiry`, kind: 'timer', onLeader: false, intervalMs: this.host.settings.tableCleanupIntervalMs, run: () => windowed.expire() });
    return windowed;
  }

  timer(name: string, options: { readonly intervalMs: number; readonly onLeader?: boolean }, run: () => unknown): void {
    this.assertDeclarable(`timer "${name}"`);
    if (!(options.intervalMs > 0)) throw new FaustgenError('FG_SETTING_INVALID', `timer "${name}": intervalMs must be > 0`, { details: { timer: name } });
    this.host.scheduler.add({ name, kind: 'timer', onLeader: options.onLeader ?? false, intervalMs: options.intervalMs, run });
  }

  crontab(name: string, options: { readonly cron: string; readonly timezone?: string; readonly onLeader?: boolean }, run: () => unknown): void {
    this.assertDeclarable(`crontab "${name}"`);
    this.host.scheduler.add({ name, kind: 'crontab', onLeader: options.onLeader ?? false, cron: parseCron(options.cron, options.timezone ?? 'UTC'), run });
  }

  /** Runs once after the worker is ready. */
  task(name: string, run: () => unknown, options: { readonly onLeader?: boolean } = {}): void {
    this.assertDeclarable(`task "${name}"`);
    this.host.scheduler.add({ name, kind: 'task', onLeader: options.onLeader ?? false, run });
  }

  page(path: string, handler: PageHandler, options: PageOptions = {}): void {
    this.assertDeclarable(`page "${path}"`);
    this.host.web.route(path, handler, options);
  }

  /** A table of kind `table` or `global`, with its changelog topic `<app id>-<name>-changelog`. */
  declareTable<K, V>(name: string, options: TableDefinitionOptions<K, V> & { readonly default?: () => V }, kind: 'table' | 'global'): Table<K, V, V | undefined> {
    this.assertDeclarable(`table "${name}"`);
    if (this.tablesByName.has(name)) throw new FaustgenError('FG_DUPLICATE_NAME', `two tables are named "${name}"`, { details: { table: name } });
    const changelogTopic = `${this.host.settings.id}-${name}-changelog`;
    const partitions = options.partitions ?? this.host.settings.topicPartitions;
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
          return this.host.producerHost.produceOwned(record, owned);
        },
        // Only tables of kind 'table' without the partitioner coalesce: their changelog partition owns the write.
        sendChangelogFrom: (topic, partition, key, value, origin, listener, tag, windowed) => this.host.producerHost.produceFrom({ topic, key, value, partition }, { topic, partition }, origin, listener, tag, windowed),
        reportSendError: (topic, error) => this.host.producerHost.reportSendError(topic, error),
        partitionCount: (topic) => this.host.partitionCount(topic),
        onOperation: (table, operation) => this.host.sensors.onTableOperation(table, operation),
      },
    );
    this.tablesByName.set(name, table as unknown as Table<unknown, unknown, unknown>);
    return table;
  }

  /** Agent sources and the changelogs of the tables they write must have equal partition counts. */
  copartitionGroups(): { agent: string; topics: string[] }[] {
    const groups: { agent: string; topics: string[] }[] = [];
    for (const [name, agent] of this.agentsByName) {
      const tables = this.agentTables.get(name) ?? [];
      if (tables.length === 0 || !(agent.source instanceof Topic)) continue;
      // After groupBy/through the handler processes (and writes tables from) the last topic it reads.
      const read = this.attachedTopics.get(name)?.at(-1) ?? agent.source.name;
      groups.push({ agent: name, topics: [read, ...tables.map((t) => `${this.host.settings.id}-${t}-changelog`)] });
    }
    return groups;
  }

  /** What an agent's streams declare and send through: a topic they attach (groupBy, through) is subscribed for the agent. */
  streamHostFor(agentName: string): StreamHost {
    const agent = this.agentsByName.get(agentName);
    if (agent === undefined) throw new FaustgenError('FG_INTERNAL', `no agent ${agentName}`, { kind: 'internal' });
    const attach = <K, V>(topic: Topic<K, V>): AttachedTopic<K, V> => {
      const id = `${agentName}\u0000${topic.name}`;
      if (!this.attachedSubscriptions.has(id)) {
        if (this.frozen) this.assertDeclarable(`stream topic "${topic.name}" of agent "${agentName}"`);
        this.attachedSubscriptions.add(id);
        this.attachedTopics.set(agentName, [...(this.attachedTopics.get(agentName) ?? []), topic.name]);
        this.host.subscribe({ agent, topic: topic as Topic<unknown, unknown> } satisfies Subscriber);
      }
      const queue = agent.attach<K, V>(topic.name);
      return {
        name: topic.name,
        sendRaw: (key, value, headers, timestamp) => this.host.producerHost.produce({ topic: topic.name, key, value, headers, ...(timestamp === undefined ? {} : { timestamp }) }),
        send: (message) => topic.send(message),
        open: () => queueSource(queue),
        fail: (error) => agent.fail(error),
      };
    };
    return {
      clock: this.host.clock,
      appId: this.host.settings.id,
      attachRepartition: <K>(spec: RepartitionSpec<K>) =>
        attach(this.topic<K, unknown>(spec.topic, { key: spec.keyCodec, value: spec.valueCodec, partitions: spec.partitions ?? this.host.settings.topicPartitions, internal: true })),
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

  private assertDeclarable(what: string): void {
    if (this.frozen) {
      throw new FaustgenError('FG_APP_STATE', `${what} declared after the app started: declare topics, agents, tables, timers and groupBy before start (a handler must call groupBy before its first await)`, { details: { what } });
    }
  }
}
