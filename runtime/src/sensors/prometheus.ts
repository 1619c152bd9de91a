import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Sensor, TableOperation } from './sensor.js';

/** What the monitor reads from the worker when `/metrics` is scraped. */
export interface MonitorView {
  positions(): readonly { readonly topic: string; readonly partition: number; readonly committed: number | undefined; readonly processed: number | undefined }[];
  /** High watermark per partition of a topic (the broker's log end). */
  highWatermarks(topic: string): Promise<ReadonlyMap<number, number>>;
  stalled(): readonly { readonly topic: string; readonly partition: number; readonly lag: number }[];
  /** Changelog records replayed into each table since start. */
  recoveryReplayed(): ReadonlyMap<string, number>;
  /** True while an assignment's tables are being recovered (the worker is not ready). */
  recovering(): boolean;
  agentFailures(): number;
  buffered(): ReadonlyMap<string, number>;
}

const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The default monitor: a sensor that keeps Faust's metric set in a prom-client registry of its own
 * (one per app, so several apps in one process do not mix), served as `/metrics`.
 */
export class PrometheusMonitor implements Sensor {
  readonly registry = new Registry();
  private readonly messagesIn: Counter<'topic' | 'partition'>;
  private readonly messagesOut: Counter<'topic'>;
  private readonly sendErrors: Counter<'topic'>;
  private readonly sendLatency: Histogram<'topic'>;
  private readonly eventsTotal: Counter<'agent'>;
  private readonly eventsActive: Gauge<'agent'>;
  private readonly eventSeconds: Histogram<'agent'>;
  private readonly commitLatency: Histogram;
  private readonly commitFailures: Counter;
  private readonly rebalances: Counter;
  private readonly rebalanceLatency: Histogram;
  private readonly tableOperations: Counter<'table' | 'operation'>;
  private readonly webRequests: Counter<'method' | 'route' | 'status'>;
  private readonly webLatency: Histogram<'route'>;

  constructor(appId: string, view: MonitorView) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ app: appId });
    collectDefaultMetrics({ register: this.registry });
    this.messagesIn = new Counter({ name: 'faustgen_messages_received_total', help: 'Records received from the broker, per topic and partition.', labelNames: ['topic', 'partition'], registers });
    this.messagesOut = new Counter({ name: 'faustgen_messages_sent_total', help: 'Records handed to the producer, per topic.', labelNames: ['topic'], registers });
    this.sendErrors = new Counter({ name: 'faustgen_send_errors_total', help: 'Records the broker did not take, per topic.', labelNames: ['topic'], registers });
    this.sendLatency = new Histogram({ name: 'faustgen_send_latency_seconds', help: 'Time from send to broker acknowledgement of awaited sends, per topic.', labelNames: ['topic'], buckets: latencyBuckets, registers });
    this.eventsTotal = new Counter({ name: 'faustgen_events_total', help: 'Stream events taken by an agent\'s actors.', labelNames: ['agent'], registers });
    this.eventsActive = new Gauge({ name: 'faustgen_events_active', help: 'Stream events being processed right now, per agent.', labelNames: ['agent'], registers });
    this.eventSeconds = new Histogram({ name: 'faustgen_event_processing_seconds', help: 'Time an actor spent on one event, per agent.', labelNames: ['agent'], buckets: latencyBuckets, registers });
    this.commitLatency = new Histogram({ name: 'faustgen_commit_latency_seconds', help: 'Time to flush and commit processed offsets.', buckets: latencyBuckets, registers });
    this.commitFailures = new Counter({ name: 'faustgen_commit_failures_total', help: 'Commits that failed.', registers });
    this.rebalances = new Counter({ name: 'faustgen_rebalances_total', help: 'Group rebalances this worker took part in.', registers });
    this.rebalanceLatency = new Histogram({ name: 'faustgen_rebalance_latency_seconds', help: 'Time from a rebalance starting to its assignment being recovered.', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300], registers });
    this.tableOperations = new Counter({ name: 'faustgen_table_operations_total', help: 'Table gets, sets and deletes, per table.', labelNames: ['table', 'operation'], registers });
    this.webRequests = new Counter({ name: 'faustgen_web_requests_total', help: 'Web requests answered, per method, route and status.', labelNames: ['method', 'route', 'status'], registers });
    this.webLatency = new Histogram({ name: 'faustgen_web_request_seconds', help: 'Time to answer a web request, per route.', labelNames: ['route'], buckets: latencyBuckets, registers });
    new Gauge({
      name: 'faustgen_consumer_lag',
      help: 'Records in a partition not yet processed (log end minus processed position), per assigned partition.',
      labelNames: ['topic', 'partition'],
      registers,
      collect: async function collect(this: Gauge<'topic' | 'partition'>) {
        this.reset();
        const positions = view.positions();
        const highs = new Map<string, ReadonlyMap<number, number>>();
        for (const topic of new Set(positions.map((p) => p.topic))) highs.set(topic, await view.highWatermarks(topic).catch(() => new Map<number, number>()));
        for (const p of positions) {
          const high = highs.get(p.topic)?.get(p.partition);
          const done = p.processed ?? p.committed;
          if (high !== undefined && done !== undefined) this.set({ topic: p.topic, partition: String(p.partition) }, Math.max(0, high - done));
        }
      },
    });
    new Gauge({
      name: 'faustgen_committed_offset',
      help: 'Offset this worker committed last, per assigned partition.',
      labelNames: ['topic', 'partition'],
      registers,
      collect: function collect(this: Gauge<'topic' | 'partition'>) {
        this.reset();
        for (const p of view.positions()) if (p.committed !== undefined) this.set({ topic: p.topic, partition: String(p.partition) }, p.committed);
      },
    });
    new Gauge({
      name: 'faustgen_assigned_partitions',
      help: 'Partitions of consumed topics assigned to this worker.',
      registers,
      collect: function collect(this: Gauge) {
        this.set(view.positions().length);
      },
    });
    new Gauge({
      name: 'faustgen_stalled_partitions',
      help: 'Assigned partitions with lag that made no progress for stallTimeoutMs.',
      registers,
      collect: function collect(this: Gauge) {
        this.set(view.stalled().length);
      },
    });
    new Gauge({
      name: 'faustgen_partition_stalled',
      help: 'Lag of each stalled partition (absent when none is stalled).',
      labelNames: ['topic', 'partition'],
      registers,
      collect: function collect(this: Gauge<'topic' | 'partition'>) {
        this.reset();
        for (const s of view.stalled()) this.set({ topic: s.topic, partition: String(s.partition) }, s.lag);
      },
    });
    new Gauge({
      name: 'faustgen_recovery_replayed_records',
      help: 'Changelog records replayed into each table since the worker started.',
      labelNames: ['table'],
      registers,
      collect: function collect(this: Gauge<'table'>) {
        for (const [table, count] of view.recoveryReplayed()) this.set({ table }, count);
      },
    });
    new Gauge({
      name: 'faustgen_recovering',
      help: '1 while tables are being recovered from their changelogs, else 0.',
      registers,
      collect: function collect(this: Gauge) {
        this.set(view.recovering() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'faustgen_agent_buffered_events',
      help: 'Events buffered for an agent and not yet taken by an actor.',
      labelNames: ['agent'],
      registers,
      collect: function collect(this: Gauge<'agent'>) {
        for (const [agent, count] of view.buffered()) this.set({ agent }, count);
      },
    });
    new Gauge({
      name: 'faustgen_agent_failures',
      help: 'Handler failures recorded by the agents\' error policies since start.',
      registers,
      collect: function collect(this: Gauge) {
        this.set(view.agentFailures());
      },
    });
  }

  /** The metrics in Prometheus text exposition format. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  onMessagesIn(topic: string, partition: number, count: number): void {
    this.messagesIn.inc({ topic, partition: String(partition) }, count);
  }
  onStreamEventIn(agent: string): void {
    this.eventsTotal.inc({ agent });
    this.eventsActive.inc({ agent });
  }
  onStreamEventOut(agent: string, ms: number): void {
    this.eventsActive.dec({ agent });
    this.eventSeconds.observe({ agent }, ms / 1000);
  }
  onTableOperation(table: string, operation: TableOperation): void {
    this.tableOperations.inc({ table, operation });
  }
  onCommit(ms: number, error?: unknown): void {
    if (error !== undefined) this.commitFailures.inc();
    else this.commitLatency.observe(ms / 1000);
  }
  onSend(topic: string): void {
    this.messagesOut.inc({ topic });
  }
  onSendDone(topic: string, ms: number): void {
    this.sendLatency.observe({ topic }, ms / 1000);
  }
  onSendError(topic: string): void {
    this.sendErrors.inc({ topic });
  }
  onRebalanceEnd(ms: number | undefined): void {
    this.rebalances.inc();
    if (ms !== undefined) this.rebalanceLatency.observe(ms / 1000);
  }
  onWebRequest(method: string, route: string, status: number, ms: number): void {
    this.webRequests.inc({ method, route, status: String(status) });
    this.webLatency.observe({ route }, ms / 1000);
  }
}
