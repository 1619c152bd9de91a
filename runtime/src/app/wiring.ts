import type { AgentHost } from '../agents/agent.js';
import type { Clock } from '../core/clock.js';
import { FaustgenError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { Conductor } from '../consumer/conductor.js';
import { PrometheusMonitor } from '../sensors/prometheus.js';
import { SensorSet } from '../sensors/sensor.js';
import { EventTracing } from '../sensors/tracing.js';
import type { TopicPartitionOffset } from '../types/transport.js';
import { WebServer } from '../web/server.js';
import { addWorkerPages } from '../web/worker-pages.js';
import type { App } from './app.js';
import { CommitLoop } from './commit-loop.js';
import { Declarations } from './declarations.js';
import type { AppOptions } from './definitions.js';
import { ExactlyOnce } from './exactly-once.js';
import { AppLifecycle } from './lifecycle.js';
import type { AppMetrics } from './metrics.js';
import { monitorView, operationsHost } from './operations.js';
import { OutputHold } from './output-hold.js';
import { OutputRouter } from './output-router.js';
import { OutputWindow } from './output-window.js';
import { RebalanceHandler } from './rebalance-handler.js';
import { ReplyTopic } from './reply-topic.js';
import { Scheduler } from './scheduler.js';
import type { AppSettings } from './settings.js';
import { StallWatcher } from './stall-watcher.js';

const LEADER_SUFFIX = '__assignor-__leader';

/** What the app hands its parts: its settings and logger, and the hooks its API collects. */
export interface AppBasics {
  readonly settings: AppSettings;
  readonly options: AppOptions;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: AppMetrics;
  readonly shutdownHooks: readonly (() => unknown)[];
  /** serveWebByDefault() was called (what runWorker does). */
  webByDefault(): boolean;
}

/** The parts behind an App's API, connected to each other and to the app. */
export interface AppParts {
  /** What the app declared: topics, channels, agents, tables (app/declarations.ts). */
  readonly declared: Declarations;
  /** ask()'s replies: the worker's reply topic and the asks waiting on it. */
  readonly replyTopic: ReplyTopic;
  readonly scheduler: Scheduler;
  readonly web: WebServer;
  /** What the worker tells its sensors; the Prometheus monitor behind /metrics is the first. */
  readonly sensors: SensorSet;
  readonly conductor: Conductor;
  /** Every output goes through it; it also knows when a record nobody awaited failed (commits stop). */
  readonly producerHost: OutputRouter;
  /** At-least-once: the records in flight in the producer, bounded (exactly-once: its transactions bound them). */
  readonly outputWindow: OutputWindow | undefined;
  readonly stallWatcher: StallWatcher;
  /** Rebalances: revoked partitions, assignments, leadership, recovery, readiness (app/rebalance-handler.ts). */
  readonly rebalances: RebalanceHandler;
  /** The start and stop sequences, and the broker and store parts a start creates (app/lifecycle.ts). */
  readonly lifecycle: AppLifecycle;
}

/**
 * Builds an app's parts and connects them. The parts call each other (and the app) through
 * closures, so each may be built before the ones it calls; none is called before the constructor
 * returns.
 */
export function wireApp(app: App, basics: AppBasics): AppParts {
  const { settings, options, clock, log, metrics } = basics;
  const leaderTopic = `${settings.id}-${LEADER_SUFFIX}`;
  const tracing = new EventTracing();
  const outputHold = new OutputHold();
  const running = (): boolean => app.state === 'running' || app.state === 'starting';
  const scheduler: Scheduler = new Scheduler(clock, log.child('scheduler'), () => rebalances.leader);
  const web = new WebServer(log.child('web'));
  const replyTopic = new ReplyTopic(settings.topicReplicationFactor);
  const sensors = new SensorSet(log.child('sensors'));
  const monitor = new PrometheusMonitor(settings.id, monitorView(app));
  sensors.add(monitor);
  const outputWindow = settings.processingGuarantee === 'at_least_once' ? new OutputWindow(settings.maxOutputsInFlight) : undefined;
  const producerHost: OutputRouter = new OutputRouter({
    outputWindow,
    log,
    metrics,
    sensors,
    tracing,
    outputHold,
    producer: () => lifecycle.producer,
    exactlyOnce: () => exactlyOnce,
    running,
    crash: (error) => app.crash(error),
    liveOutputDropped: (failure) => {
      conductor.abandonAll('an output of an event still to be committed was dropped');
      if (exactlyOnce?.active === true) exactlyOnce.outputDropped(failure);
      else app.crash(failure);
    },
  });
  web.observe((method, route, status, ms) => sensors.onWebRequest(method, route, status, ms));
  addWorkerPages(web, operationsHost(app, () => monitor.render()));
  const stallWatcher = new StallWatcher(log.child('stall'), settings.stallTimeoutMs);
  const agentHost: AgentHost = {
    appId: settings.id,
    clock,
    log,
    bufferSize: settings.streamBufferSize,
    replies: replyTopic.replies,
    streamHost: (agent) => declared.streamHostFor(agent),
    sensors,
    // Tracing finds the span of the event a send belongs to through the actor's context; exactly-once
    // routes a handler's sends by it.
    tracksEventContext: () => settings.eventContext === 'always' || declared.tables.size > 0 || tracing.enabled || exactlyOnce !== undefined,
    tracing: () => (tracing.enabled ? tracing : undefined),
    crash: (error) => app.crash(error),
    replyTopic: () => replyTopic.ensure(lifecycle.admin, lifecycle.transport),
    recordFailure: () => {
      metrics.agentFailures++;
    },
    sendRaw: (topic, key, value, headers, partition) => app.sendRaw(topic, key, value, headers, partition),
  };
  const exactlyOnce: ExactlyOnce | undefined =
    settings.processingGuarantee === 'exactly_once'
      ? new ExactlyOnce(settings.id, log, {
          abandonPartitions: (why) => conductor.abandonAll(why),
          rejoin: () => {
            const consumer = lifecycle.consumer;
            if (consumer?.rejoin === undefined) return false;
            consumer.rejoin();
            return true;
          },
          crash: (error) => app.crash(error),
          stopping: (): boolean => !lifecycle.handlersMayRun || !running(),
        })
      : undefined;
  const conductor: Conductor = new Conductor({
    ...(exactlyOnce === undefined ? {} : { commitTransactions: (offsets: readonly TopicPartitionOffset[]) => commits.commitTransactions(offsets) }),
    log: log.child('conductor'),
    flushProducer: () => commits.flushProducer(),
    flushTables: () => lifecycle.tableManager?.flush(),
    agentsRunning: () => lifecycle.handlersMayRun,
    isAssignmentOnly: (topic) => topic === leaderTopic || (lifecycle.tableManager?.isChangelog(topic) ?? false),
    onAssigned: (assignment) => rebalances.onAssigned(assignment),
    onRebalancing: () => rebalances.onRebalancing(),
    onMessagesIn: (topic, partition, count) => sensors.onMessagesIn(topic, partition, count),
    ...(outputWindow === undefined ? {} : { outputRoom: () => outputWindow.room() }),
    holdOutputs: () => outputHold.hold(),
    onPartitionsRevoked: (revoked) => rebalances.onPartitionsRevoked(revoked),
    releaseOutputs: (assignment) => outputHold.release(assignment),
    onError: (error) => app.crash(FaustgenError.is(error) ? error : new FaustgenError('FG_TRANSPORT', `consumer failed: ${error.message}`, { cause: error })),
  });
  const declared: Declarations = new Declarations({
    settings,
    clock,
    log,
    producerHost,
    scheduler,
    web,
    sensors,
    agentHost,
    subscribe: (subscriber) => conductor.subscribe(subscriber),
    partitionCount: (topic) => lifecycle.partitionCount(topic),
  });
  const started = { producer: () => lifecycle.producer, consumer: () => lifecycle.consumer, tableManager: () => lifecycle.tableManager };
  const shared = { log, sensors, conductor, exactlyOnce, producerHost, outputHold, leaderTopic };
  const rebalances: RebalanceHandler = new RebalanceHandler({ ...shared, ...started, hasTables: () => declared.tables.size > 0 });
  const commits: CommitLoop = new CommitLoop({ ...shared, ...started });
  const lifecycle: AppLifecycle = new AppLifecycle({
    ...shared,
    settings,
    options,
    declared,
    tracing,
    replyTopic,
    scheduler,
    web,
    stallWatcher,
    commits,
    rebalances,
    shutdownHooks: basics.shutdownHooks,
    webByDefault: () => basics.webByDefault(),
  });
  return { declared, replyTopic, scheduler, web, sensors, conductor, producerHost, outputWindow, stallWatcher, rebalances, lifecycle };
}
