import type { App } from './app.js';
import type { MonitorView } from '../sensors/prometheus.js';
import type { OperationsHost } from '../web/worker-pages.js';

/** The monitor's view of a worker: everything `/metrics` reads at scrape time. */
export function monitorView(app: App): MonitorView {
  return {
    positions: () => app.positions(),
    highWatermarks: async (topic) => new Map((await app.fetchOffsets(topic)).map((o) => [o.partition, o.high])),
    stalled: () => app.stalledPartitions(),
    recoveryReplayed: () => app.recoveryReplayed,
    recovering: () => app.recovering,
    agentFailures: () => app.metrics.agentFailures,
    buffered: () => new Map([...app.agents].map(([name, agent]) => [name, agent.buffered])),
  };
}

/** Why a worker is not ready (empty when it is): not running, not assigned, recovering, stalled. */
export function notReadyReasons(app: App): string[] {
  const reasons: string[] = [];
  if (app.state !== 'running') reasons.push(`the worker is ${app.state}`);
  if (app.assignment === undefined) reasons.push('no partitions assigned yet');
  if (app.recovering) reasons.push('tables are recovering from their changelogs');
  const stalled = app.stalledPartitions();
  if (stalled.length > 0) reasons.push(`${stalled.length} partition(s) stalled: ${stalled.slice(0, 5).map((s) => `${s.topic}[${s.partition}] lag ${s.lag}`).join(', ')}`);
  return reasons;
}

/** What the built-in web pages read from the worker. */
export function operationsHost(app: App, render: () => Promise<{ contentType: string; body: string }>): OperationsHost {
  return {
    id: app.id,
    liveness: () => ({ state: app.state, crashed: app.crashed?.code }),
    readiness: () => {
      const reasons = notReadyReasons(app);
      return { ready: reasons.length === 0, reasons };
    },
    stats: () => ({
      app: app.id,
      state: app.state,
      leader: app.isLeader(),
      ready: notReadyReasons(app).length === 0,
      recovering: app.recovering,
      counters: app.metrics.snapshot(),
      agents: Object.fromEntries([...app.agents].map(([name, agent]) => [name, { buffered: agent.buffered, concurrency: agent.concurrency }])),
      tables: Object.fromEntries([...app.tables].map(([name, table]) => [name, { kind: table.definition.kind, changelog: table.changelogTopic, partitions: [...table.partitions.keys()].sort((a, b) => a - b), replayed: app.recoveryReplayed.get(name) ?? 0 }])),
      partitions: app.positions(),
      stalled: app.stalledPartitions(),
      generation: app.assignment?.generation ?? null,
    }),
    assignment: () => app.assignment,
    table: (name) => app.tables.get(name),
    tableNames: () => [...app.tables.keys()],
    keyOwner: (table, key) => app.keyOwner(table, key),
    metrics: render,
    sendRaw: async (topic, key, value, partition) => {
      const metadata = await app.sendRaw(topic, key, value, {}, partition);
      return { partition: metadata.partition, offset: metadata.offset };
    },
    hasTopic: (topic) => app.topics.has(topic),
  };
}
