import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { HotCounter, HotGauge, HotHistogram, type HistogramState } from './hot-metrics.js';
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
  private readonly messagesIn: HotCounter;
  private readonly messagesOut: HotCounter;
  private readonly sendErrors: Counter<'topic'>;
  private readonly sendLatency: Histogram<'topic'>;
  private readonly eventsTotal: HotCounter;
  private readonly eventsActive: HotGauge;
  private readonly eventSeconds: HotHistogram;
  private readonly commitLatency: Histogram;
  private readonly commitFailures: Counter;
  private readonly rebalances: Counter;
  private readonly rebalanceLatency: Histogram;
  private readonly tableOperations: HotCounter;
  private readonly webRequests: Counter<'method' | 'route' | 'status'>;
  private readonly webLatency: Histogram<'route'>;
  private readonly agentSeries = new Map<string, { total: { value: number }; active: { value: number }; seconds: HistogramState }>();

  constructor(appId: string, view: MonitorView) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ app: appId });
    collectDefaultMetrics({ register: this.registry });
    this.messagesIn = new HotCounter('faustgen_messages_received_total', 'Records received from the broker, per topic and partition.', this.registry);
    this.messagesOut = new HotCounter('faustgen_messages_sent_total', 'Records handed to the producer, per topic.', this.registry);
    this.sendErrors = new Counter({ name: 'faustgen_send_errors_total', help: 'Records the broker did not take, per topic.', labelNames: ['topic'], registers });
    this.sendLatency = new Histogram({ name: 'faustgen_send_latency_seconds', help: 'Time from send to broker acknowledgement of awaited sends, per topic.', labelNames: ['topic'], buckets: latencyBuckets, registers });
    this.eventsTotal = new HotCounter('faustgen_events_total', 'Stream events taken by an agent\'s actors.', this.registry);
    this.eventsActive = new HotGauge('faustgen_events_active', 'Stream events being processed right now, per agent.', this.registry);
    this.eventSeconds = new HotHistogram('faustgen_event_processing_seconds', 'Time an actor spent on one event, per agent.', this.registry, latencyBuckets);
    this.commitLatency = new Histogram({ name: 'faustgen_commit_latency_seconds', help: 'Time to flush and commit processed offsets.', buckets: latencyBuckets, registers });
    this.commitFailures = new Counter({ name: 'faustgen_commit_failures_total', help: 'Commits that failed.', registers });
    this.rebalances = new Counter({ name: 'faustgen_rebalances_total', help: 'Group rebalances this worker took part in.', registers });
    this.rebalanceLatency = new Histogram({ name: 'faustgen_rebalance_latency_seconds', help: 'Time from a rebalance starting to its assignment being recovered.', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300], registers });
    this.tableOperations = new HotCounter('faustgen_table_operations_total', 'Table gets, sets and deletes, per table.', this.registry);
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
    this.messagesIn.at(`${topic}\u0000${partition}`, () => ({ topic, partition: String(partition) })).value += count;
  }
  onStreamEventIn(agent: string): void {
    const series = this.seriesOf(agent);
    series.total.value++;
    series.active.value++;
  }
  onStreamEventOut(agent: string, ms: number): void {
    const series = this.seriesOf(agent);
    series.active.value--;
    this.eventSeconds.observe(series.seconds, ms / 1000);
  }
  onTableOperation(table: string, operation: TableOperation): void {
    this.tableOperations.at(`${table}\u0000${operation}`, () => ({ table, operation })).value++;
  }
  onCommit(ms: number, error?: unknown): void {
    if (error !== undefined) this.commitFailures.inc();
    else this.commitLatency.observe(ms / 1000);
  }
  onSend(topic: string): void {
    this.messagesOut.at(topic, () => ({ topic })).value++;
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
  private seriesOf(agent: string): { total: { value: number }; active: { value: number }; seconds: HistogramState } {
    let series = this.agentSeries.get(agent);
    if (series === undefined) {
      const labels = (): Record<string, string> => ({ agent });
      series = { total: this.eventsTotal.at(agent, labels), active: this.eventsActive.at(agent, labels), seconds: this.eventSeconds.at(agent, labels) };
      this.agentSeries.set(agent, series);
    }
    return series;
  }

  onWebRequest(method: string, route: string, status: number, ms: number): void {
    this.webRequests.inc({ method, route, status: String(status) });
    this.webLatency.observe({ route }, ms / 1000);
  }
}
