import type { Topology } from '../topology/types.js';
import { agentInput } from '../topology/check-types.js';

/** Plain rows for `faustgen agents|topics|tables`, the same with and without --json. */
export function topicRows(topology: Topology): Record<string, unknown>[] {
  return topology.topics.map((topic) => ({
    name: topic.name,
    key: topic.key.text,
    value: topic.value.text,
    partitions: topic.partitions ?? null,
    replication: topic.replication ?? null,
    configs: topic.configs,
  }));
}

export function agentRows(topology: Topology): Record<string, unknown>[] {
  return topology.agents.map((agent) => {
    const input = agentInput(agent, topology);
    return {
      name: agent.name,
      source: agent.source === undefined ? `${topology.settings.id}-${agent.name}` : agent.source.name,
      sourceKind: agent.source?.kind ?? 'own topic',
      key: input.key?.text ?? null,
      value: input.value?.text ?? null,
      yields: agent.yields?.text ?? null,
      sinks: agent.sinks.map((sink) => sink.name),
      concurrency: agent.concurrency ?? 1,
      tables: agent.tables.map((table) => table.name),
      onError: typeof agent.onError === 'object' ? { deadLetter: agent.onError.deadLetter.name } : (agent.onError ?? 'crash'),
    };
  });
}

export function tableRows(topology: Topology): Record<string, unknown>[] {
  return topology.tables.map((table) => ({
    name: table.name,
    kind: table.kind,
    key: table.key.text,
    value: table.value.text,
    changelog: `${topology.settings.id}-${table.name}-changelog`,
    window: table.window === undefined ? null : { ...table.window, pointer: undefined },
    partitions: table.partitions ?? null,
  }));
}

/** Fixed-width text table of the named columns. */
export function formatTable(rows: readonly Record<string, unknown>[], columns: readonly string[]): string[] {
  const cell = (value: unknown): string => (value === null || value === undefined ? '-' : Array.isArray(value) ? value.join(',') || '-' : typeof value === 'object' ? JSON.stringify(value) : String(value));
  const cells = rows.map((row) => columns.map((column) => cell(row[column])));
  const widths = columns.map((column, index) => Math.max(column.length, ...cells.map((row) => row[index]?.length ?? 0)));
  const line = (values: readonly string[]): string => values.map((value, index) => value.padEnd(widths[index] ?? 0)).join('  ').trimEnd();
  return [line(columns.map((column) => column.toUpperCase())), ...cells.map(line)];
}
