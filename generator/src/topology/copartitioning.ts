import type { AgentSpec, Topology } from './types.js';

/** The runtime's `topicPartitions` default (runtime/src/app/settings.ts): tables without a count get it. */
export const runtimeDefaultTopicPartitions = 8;

/** The partition count a table's changelog gets, and where that count comes from. */
function tablePartitions(topology: Topology, name: string): { count: number; from: string } | undefined {
  const table = topology.tables.find((candidate) => candidate.name === name);
  if (table === undefined || table.kind === 'global') return undefined;
  if (table.partitions !== undefined) return { count: table.partitions, from: 'its partitions' };
  if (topology.settings.topicPartitions !== undefined) return { count: topology.settings.topicPartitions, from: 'topicPartitions' };
  return { count: runtimeDefaultTopicPartitions, from: 'the topicPartitions default' };
}

/** The partition count of the topic an agent reads, when the topology fixes it. */
export function sourcePartitions(topology: Topology, agent: AgentSpec): number | undefined {
  if (agent.source?.kind !== 'topic') return undefined;
  const name = agent.source.name;
  return topology.topics.find((topic) => topic.name === name)?.partitions;
}

/**
 * Tables an agent updates must be co-partitioned with what it reads (the runtime refuses to start
 * otherwise): report it at codegen time when the topology fixes both counts. A groupBy's repartition
 * topic is generated with the source's count, so the same check covers it.
 */
export function checkCopartitioning(topology: Topology, report: (pointer: string, message: string, hint?: string) => void): void {
  for (const agent of topology.agents) {
    const source = sourcePartitions(topology, agent);
    if (source === undefined || agent.source === undefined) continue;
    for (const ref of agent.tables) {
      const table = tablePartitions(topology, ref.name);
      if (table === undefined || table.count === source) continue;
      report(
        ref.pointer,
        `agent "${agent.name}" reads topic "${agent.source.name}" (${source} partitions) but table "${ref.name}" has ${table.count} (${table.from}): a table an agent uses must have as many partitions as its source`,
        `set partitions: ${source} on table "${ref.name}", or topicPartitions: ${source} at the top of the file`,
      );
    }
  }
}
