import type { Diagnostic } from '../ir/diagnostics.js';
import { checkCopartitioning } from './copartitioning.js';
import { kebabCase } from './names.js';
import type { SourceDocument } from './source-map.js';
import { didYouMean } from './suggest.js';
import type { AgentSpec, NameRef, Topology, WindowCloseSpec } from './types.js';

interface Entity {
  readonly name: string;
  readonly id: string;
  readonly pointer: string;
}

/**
 * Cross-reference checks inside the topology: duplicates, identifier collisions, dangling names, sink
 * cycles. Returns the topology with bare source/sink names resolved to their kind.
 */
export function validateReferences(topology: Topology, document: SourceDocument): { topology: Topology; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const report = (pointer: string, message: string, hint?: string): void => {
    const where = document.locate(pointer);
    diagnostics.push(hint === undefined ? { message, where } : { message, where, hint });
  };

  // One report per entity, even when its name clashes in several ways (name, identifier, file).
  const reported = new Set<string>();
  const checkUnique = (entities: readonly Entity[], what: string, derive: (entity: Entity) => string, describe: string): void => {
    const seen = new Map<string, Entity>();
    for (const entity of entities) {
      const derived = derive(entity);
      const first = seen.get(derived);
      if (first === undefined) seen.set(derived, entity);
      else if (reported.has(entity.pointer)) continue;
      else if ((reported.add(entity.pointer), first.name === entity.name)) report(`${entity.pointer}/name`, `duplicate ${what} name "${entity.name}"`, `first declared at ${first.pointer}`);
      else report(`${entity.pointer}/name`, `${what} "${entity.name}" collides with "${first.name}": both become ${describe} "${derived}"`, 'rename one of them');
    }
  };
  const streams = [...topology.topics, ...topology.channels];
  checkUnique(streams, 'topic or channel', (entity) => entity.name, 'name');
  checkUnique(topology.topics, 'topic', (entity) => entity.id, 'identifier');
  checkUnique(topology.channels, 'channel', (entity) => entity.id, 'identifier');
  checkUnique(topology.tables, 'table', (entity) => entity.name, 'name');
  checkUnique(topology.tables, 'table', (entity) => entity.id, 'identifier');
  const handlers = [...topology.agents, ...topology.timers, ...topology.crontabs, ...topology.tasks, ...topology.pages, ...windowCloseHandlers(topology)];
  const handlerWhat = 'agent, timer, crontab, task, page or window close handler';
  checkUnique(handlers, handlerWhat, (entity) => entity.name, 'name');
  checkUnique(handlers, handlerWhat, (entity) => entity.id, 'identifier');
  checkUnique(handlers, handlerWhat, (entity) => kebabCase(entity.name), 'handler file');
  checkUnique(topology.pages.map((page) => ({ ...page, name: page.path })), 'page path', (entity) => entity.name, 'path');

  const topicNames = topology.topics.map((topic) => topic.name);
  const channelNames = topology.channels.map((channel) => channel.name);
  const tableNames = topology.tables.map((table) => table.name);
  const agentNames = topology.agents.map((agent) => agent.name);
  const expect = (ref: NameRef, names: readonly string[], what: string): boolean => {
    if (names.includes(ref.name)) return true;
    report(ref.pointer, `unknown ${what} "${ref.name}"`, didYouMean(ref.name, names));
    return false;
  };
  const checkUses = (uses: { readonly topics: readonly NameRef[]; readonly tables: readonly NameRef[]; readonly agents: readonly NameRef[] }): void => {
    for (const ref of uses.topics) expect(ref, topicNames, 'topic');
    for (const ref of uses.tables) expect(ref, tableNames, 'table');
    for (const ref of uses.agents) expect(ref, agentNames, 'agent');
  };

  const agents = topology.agents.map((agent): AgentSpec => {
    checkUses(agent);
    let source = agent.source;
    if (source !== undefined) {
      const isChannel = channelNames.includes(source.name) && !topicNames.includes(source.name);
      if (source.kind === 'topic' && isChannel) source = { ...source, kind: 'channel' };
      else expect(source, source.kind === 'channel' ? channelNames : topicNames, source.kind);
    }
    const sinks = agent.sinks.map((sink) => {
      if (sink.kind !== undefined) {
        expect(sink, sink.kind === 'agent' ? agentNames : topicNames, sink.kind);
        return sink;
      }
      const isTopic = topicNames.includes(sink.name);
      const isAgent = agentNames.includes(sink.name);
      if (isTopic && isAgent) {
        report(sink.pointer, `sink "${sink.name}" is both a topic and an agent`, `write { topic: ${sink.name} } or { agent: ${sink.name} }`);
        return sink;
      }
      if (!isTopic && !isAgent) {
        report(sink.pointer, `unknown sink "${sink.name}" (neither a topic nor an agent)`, didYouMean(sink.name, [...topicNames, ...agentNames]));
        return sink;
      }
      return { ...sink, kind: isTopic ? ('topic' as const) : ('agent' as const) };
    });
    if (agent.groupBy !== undefined && source?.kind === 'channel') {
      report(agent.groupBy.pointer, `agent "${agent.name}" cannot groupBy a channel`, 'groupBy repartitions through a topic: read from a topic instead');
    }
    if (typeof agent.onError === 'object') {
      expect(agent.onError.deadLetter, topicNames, 'dead-letter topic');
      if (source !== undefined && agent.onError.deadLetter.name === source.name) {
        report(agent.onError.deadLetter.pointer, `agent "${agent.name}" sends its failed events to its own source "${source.name}": they would fail again, forever`, 'use a topic of its own for dead letters, e.g. ' + `${source.name}-dead-letters`);
      }
    }
    if (sinks.length > 0 && agent.yields === undefined) {
      report(agent.pointer, `agent "${agent.name}" has sinks but does not declare what it yields`, 'add `yields: <type>` (the value type its handler yields)');
    }
    return { ...agent, sinks, ...(source === undefined ? {} : { source }) };
  });
  for (const handler of windowCloseHandlers(topology)) for (const ref of handler.topics) expect(ref, topicNames, 'topic');
  for (const timer of topology.timers) checkUses(timer);
  for (const crontab of topology.crontabs) checkUses(crontab);
  for (const task of topology.tasks) checkUses(task);
  for (const page of topology.pages) {
    checkUses(page);
    if (page.table !== undefined) expect(page.table, tableNames, 'table');
  }
  // Internal topics: a declared topic with a changelog's name would share it with the table.
  const changelogs = new Map(topology.tables.map((table) => [`${topology.settings.id}-${table.name}-changelog`, table.name]));
  for (const topic of topology.topics) {
    const table = changelogs.get(topic.name);
    if (table !== undefined) report(`${topic.pointer}/name`, `topic "${topic.name}" is the changelog of table "${table}": faustgen writes every change of the table there`, 'rename the topic; changelogs are internal');
  }
  if (diagnostics.length === 0) checkCopartitioning({ ...topology, agents }, report);
  for (const cycle of sinkCycles(agents)) report(cycle.pointer, `agent sinks form a cycle: ${cycle.path.join(' → ')}`, 'an agent cannot forward to itself through sinks; send explicitly from the handler instead');
  return { topology: { ...topology, agents }, diagnostics };
}

/** Agents feeding agents through sinks must form a DAG so that each is declared after its sinks. */
function sinkCycles(agents: readonly AgentSpec[]): { pointer: string; path: string[] }[] {
  const byName = new Map(agents.map((agent) => [agent.name, agent]));
  const cycles: { pointer: string; path: string[] }[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (agent: AgentSpec, path: string[]): void => {
    state.set(agent.name, 'visiting');
    for (const sink of agent.sinks) {
      if (sink.kind !== 'agent') continue;
      const target = byName.get(sink.name);
      if (target === undefined) continue;
      if (state.get(target.name) === 'visiting') {
        const chain = [...path, agent.name];
        cycles.push({ pointer: sink.pointer, path: [...chain.slice(chain.indexOf(target.name)), target.name] });
      } else if (state.get(target.name) === undefined) visit(target, [...path, agent.name]);
    }
    state.set(agent.name, 'done');
  };
  for (const agent of agents) if (state.get(agent.name) === undefined) visit(agent, []);
  return cycles;
}

/** Agents ordered so that an agent comes after every agent it sinks to. */
export function agentsInSinkOrder(agents: readonly AgentSpec[]): AgentSpec[] {
  const byName = new Map(agents.map((agent) => [agent.name, agent]));
  const ordered: AgentSpec[] = [];
  const placed = new Set<string>();
  const place = (agent: AgentSpec, guard: Set<string>): void => {
    if (placed.has(agent.name) || guard.has(agent.name)) return;
    guard.add(agent.name);
    for (const sink of agent.sinks) {
      const target = sink.kind === 'agent' ? byName.get(sink.name) : undefined;
      if (target !== undefined) place(target, guard);
    }
    placed.add(agent.name);
    ordered.push(agent);
  };
  for (const agent of agents) place(agent, new Set());
  return ordered;
}

/** The `onWindowClose` handlers of the windowed tables, in table order. */
export function windowCloseHandlers(topology: Pick<Topology, 'tables'>): WindowCloseSpec[] {
  return topology.tables.flatMap((table) => (table.onWindowClose === undefined ? [] : [table.onWindowClose]));
}
