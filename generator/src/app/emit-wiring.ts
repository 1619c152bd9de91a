import { agentInput } from '../topology/check-types.js';
import { isIdentifier } from '../topology/names.js';
import type { AgentSpec, CrontabSpec, PageSpec, TaskSpec, TimerSpec } from '../topology/types.js';
import type { ContextMembers, EmitContext, HandlerModule } from './context.js';
import { agentContextMembers, agentCopartitionedTables, agentStreamTypes, contextMembers, docText, handlerModules, literal, windowCloseMembers, windowCloseTable } from './context.js';
import { ImportSet } from './imports.js';
import { renderTemplate } from './templates.js';
import { wireCodec } from './wire-codecs.js';
import { agentsInSinkOrder, windowCloseHandlers } from '../topology/validate.js';
import { sourcePartitions } from '../topology/copartitioning.js';


function render(context: EmitContext, path: string, template: string, imports: ImportSet, view: object): string {
  const body = renderTemplate(template, { topologyFile: context.topology.displayPath, handlersDir: context.topology.paths.handlers, ...view });
  return context.renderer.render(path, context.header, imports.specs(), body);
}

function handlerOf(context: EmitContext, name: string): HandlerModule {
  const found = handlerModules(context.topology).find((module) => module.name === name);
  if (found === undefined) throw new Error(`no handler module for ${name}`);
  return found;
}

/** Object literals of what a context holds, e.g. `{ counts: tables.counts }` or `{}`. */
function contextObject(members: ContextMembers, prefix: { topics: string; tables: string; agents: string }): { topics: string; tables: string; agents: string } {
  const list = (ids: readonly string[], owner: string): string => {
    if (ids.length === 0) return '{}';
    return `{ ${ids.map((id) => (owner === '' ? id : `${id}: ${owner}${id}`)).join(', ')} }`;
  };
  return { topics: list(members.topics, prefix.topics), tables: list(members.tables, prefix.tables), agents: list(members.agents, prefix.agents) };
}

function agentReturnType(context: EmitContext, agent: AgentSpec, imports: ImportSet): string {
  return agent.yields === undefined ? 'Promise<void>' : `AsyncIterable<${context.types.tsType(agent.yields.ref, imports)}> | Promise<void>`;
}


function describeAgent(context: EmitContext, agent: AgentSpec): string {
  const input = agentInput(agent, context.topology);
  const from = agent.source === undefined ? `its own topic "${context.topology.settings.id}-${agent.name}"` : `${agent.source.kind} "${agent.source.name}"`;
  const grouped = agent.groupBy === undefined ? '' : `, grouped by ${agent.groupBy.field}`;
  const yields = agent.yields === undefined ? '' : `; yields ${agent.yields.text}${agent.sinks.length > 0 ? ` to ${agent.sinks.map((sink) => sink.name).join(', ')}` : ''}`;
  return docText(`Agent "${agent.name}": consumes ${from} (key ${input.key?.text ?? '?'}, value ${input.value?.text ?? '?'})${grouped}${yields}.`);
}

function agentResultType(context: EmitContext, agent: AgentSpec, imports: ImportSet): string {
  return agent.yields === undefined ? 'void' : context.types.tsType(agent.yields.ref, imports);
}

export function emitHandlerTypes(context: EmitContext): string {
  const { topology } = context;
  const modules = handlerModules(topology);
  const imports = new ImportSet(['Agents', ...modules.flatMap((module) => [`${module.typeName}Context`, `${module.typeName}Handler`])]);
  if (modules.length > 0 || topology.agents.length > 0) imports.addNamespace('faustgen', 'fg');
  if (modules.length > 0) {
    imports.add('./topics.js', 'Topics', { typeOnly: true });
    imports.add('./tables.js', 'Tables', { typeOnly: true });
  }
  const keys = (ids: readonly string[]): string => (ids.length === 0 ? 'never' : ids.map((id) => literal(id)).join(' | '));
  const reach = (members: ContextMembers): string => {
    const parts = [['topics', members.topics], ['tables', members.tables], ['agents', members.agents]] as const;
    const described = parts.filter(([, ids]) => ids.length > 0).map(([what, ids]) => `${what} ${ids.join(', ')}`);
    return described.length === 0 ? 'only the app' : described.join('; ');
  };
  const entry = (kind: string, entity: { name: string; typeName: string }, members: ContextMembers, signature: string, doc: string) => ({
    kind,
    nameLiteral: JSON.stringify(entity.name),
    typeName: entity.typeName,
    topicKeys: keys(members.topics),
    tableKeys: keys(members.tables),
    agentKeys: keys(members.agents),
    reach: reach(members),
    signature,
    doc,
    file: handlerOf(context, entity.name).file,
  });
  const agentTypes = topology.agents.map((agent) => {
    const stream = agentStreamTypes(context, agent, imports);
    return { id: agent.id, key: stream.sourceKey, value: stream.value, result: agentResultType(context, agent, imports) };
  });
  const handlers = [
    ...topology.agents.map((agent) => {
      const stream = agentStreamTypes(context, agent, imports);
      const signature = `(stream: fg.Stream<${stream.key}, ${stream.value}>, ctx: ${agent.typeName}Context) => ${agentReturnType(context, agent, imports)}`;
      return entry('agent', agent, agentContextMembers(topology, agent), signature, describeAgent(context, agent));
    }),
    ...topology.timers.map((timer) =>
      entry('timer', timer, contextMembers(topology, timer), `(ctx: ${timer.typeName}Context) => Promise<void>`, docText(`Timer "${timer.name}": runs every ${timer.intervalMs} ms${timer.onLeader ? ' on the leader only' : ''}.`)),
    ),
    ...topology.crontabs.map((crontab) =>
      entry('crontab', crontab, contextMembers(topology, crontab), `(ctx: ${crontab.typeName}Context) => Promise<void>`, docText(`Crontab "${crontab.name}": runs at "${crontab.cron}"${crontab.timezone === undefined ? '' : ` (${crontab.timezone})`}.`)),
    ),
    ...topology.tasks.map((task) =>
      entry('task', task, contextMembers(topology, task), `(ctx: ${task.typeName}Context) => Promise<void>`, docText(`Task "${task.name}": runs once when the worker is ready${task.onLeader ? ', on the leader only' : ''}.`)),
    ),
    ...topology.pages.map((page) =>
      entry('page', page, contextMembers(topology, page, { tables: page.table === undefined ? [] : [page.table] }), `(request: fg.PageRequest, ctx: ${page.typeName}Context) => fg.PageResponse | Promise<fg.PageResponse>`, docText(`Page "${page.name}": serves ${page.path}.`)),
    ),
    ...windowCloseHandlers(topology).map((closer) => {
      const table = windowCloseTable(topology, closer);
      const key = table === undefined ? 'unknown' : context.types.tsType(table.key.ref, imports);
      const value = table === undefined ? 'unknown' : context.types.tsType(table.value.ref, imports);
      const signature = `(key: ${key}, window: fg.WindowRange, value: ${value}, ctx: ${closer.typeName}Context) => void | Promise<void>`;
      const doc = docText(`Called once per key for each window of table "${table?.name ?? '?'}" when it closes (after its expiry), with the window's final value.`);
      return entry('window close handler', closer, windowCloseMembers(topology, closer), signature, doc);
    }),
  ];
  return render(context, 'handlers.ts', 'app/handlers.ts.hbs', imports, { handlers, agentTypes });
}

function fieldAccess(field: string): string {
  return isIdentifier(field) ? `value.${field}` : `value[${literal(field)}]`;
}

const groupKeyCodecs: Readonly<Record<string, string>> = {
  string: 'codecs.string',
  number: 'codecs.json<number>()',
  boolean: 'codecs.json<boolean>()',
  bigint: 'codecs.json<bigint>()',
};

/** `name: Type` parameters, with `_` in front of those the body does not use (noUnusedParameters). */
function parameters(list: readonly [string, string, boolean][]): string {
  return list.map(([name, type, used]) => `${used ? name : `_${name}`}: ${type}`).join(', ');
}

export function emitAgents(context: EmitContext): string {
  const { topology } = context;
  const imports = new ImportSet(['declareAgents', 'app', 'topics', 'channels', 'tables', ...topology.agents.flatMap((agent) => [agent.id, `${agent.id}Context`])]);
  imports.add('faustgen', 'App', { typeOnly: true });
  imports.add('./topics.js', 'Topics', { typeOnly: true });
  imports.add('./topics.js', 'Channels', { typeOnly: true });
  imports.add('./tables.js', 'Tables', { typeOnly: true });
  imports.add('./handlers.js', 'Agents', { typeOnly: true });
  if (topology.agents.length > 0) imports.addNamespace('faustgen', 'fg');
  const used = { topics: false, channels: false, tables: false };
  const agents = agentsInSinkOrder(topology.agents).map((agent) => {
    const module = handlerOf(context, agent.name);
    const handler = imports.add(module.specifier, agent.id, { as: `handle${agent.typeName}` });
    const contextType = imports.add('./handlers.js', `${agent.typeName}Context`, { typeOnly: true });
    const stream = agentStreamTypes(context, agent, imports);
    const options: string[] = [];
    if (agent.source !== undefined) {
      const isChannel = agent.source.kind === 'channel';
      const id = (isChannel ? topology.channels : topology.topics).find((s) => s.name === agent.source?.name)?.id ?? 'unknown';
      used[isChannel ? 'channels' : 'topics'] = true;
      options.push(`source: ${isChannel ? 'channels' : 'topics'}.${id}`);
    } else {
      // The agent's own topic follows the app-wide faustCompat.
      const faust = topology.settings.faustCompat === true;
      if (agent.key !== undefined) options.push(`key: ${wireCodec(context, agent.key.ref, 'topicKey', faust, imports)}`);
      if (agent.value !== undefined) options.push(`value: ${wireCodec(context, agent.value.ref, 'topicValue', faust, imports)}`);
    }
    if (agent.concurrency !== undefined) options.push(`concurrency: ${agent.concurrency}`);
    if (agent.sinks.length > 0) {
      const sinks = agent.sinks.map((sink) => {
        if (sink.kind === 'agent') return topology.agents.find((a) => a.name === sink.name)?.id ?? 'undefined';
        used.topics = true;
        return `topics.${topology.topics.find((t) => t.name === sink.name)?.id ?? 'undefined'}`;
      });
      options.push(`sinks: [${sinks.join(', ')}]`);
    }
    if (agent.onError !== undefined) {
      options.push(`onError: ${typeof agent.onError === 'string' ? literal(agent.onError) : `{ deadLetter: ${literal(agent.onError.deadLetter.name)} }`}`);
    }
    const copartitioned = agentCopartitionedTables(topology, agent);
    if (copartitioned.length > 0) options.push(`tables: [${copartitioned.map((id) => `tables.${id}`).join(', ')}]`);
    const members = agentContextMembers(topology, agent);
    if (members.topics.length > 0) used.topics = true;
    if (members.tables.length > 0) used.tables = true;
    let streamExpression = 'stream';
    if (agent.groupBy !== undefined) {
      const keyCodec = groupKeyCodecs[stream.key] ?? 'codecs.string';
      if (keyCodec.startsWith('codecs.')) imports.add('faustgen', 'codecs');
      // The repartition topic gets the source's partition count, so the tables stay co-partitioned with it.
      const partitions = sourcePartitions(topology, agent);
      streamExpression = `stream.groupBy((value) => ${fieldAccess(agent.groupBy.field)}, { name: ${literal(agent.groupBy.name)}, key: ${keyCodec}${partitions === undefined ? '' : `, partitions: ${partitions}`} })`;
    }
    return {
      id: agent.id,
      nameLiteral: literal(agent.name),
      options: options.join(', '),
      sourceKey: stream.sourceKey,
      value: stream.value,
      returnType: agentReturnType(context, agent, imports),
      handler,
      streamExpression,
      contextType,
      doc: describeAgent(context, agent),
      ...contextObject(members, { topics: 'topics.', tables: 'tables.', agents: '' }),
    };
  });
  const params = parameters([
    ['app', 'App', agents.length > 0],
    ['topics', 'Topics', used.topics],
    ['channels', 'Channels', used.channels],
    ['tables', 'Tables', used.tables],
  ]);
  return render(context, 'agents.ts', 'app/agents.ts.hbs', imports, { agents, params, agentIds: topology.agents.map((agent) => agent.id).join(', ') });
}

export function emitSchedules(context: EmitContext): string {
  const { topology } = context;
  const imports = new ImportSet(['declareSchedules', 'app', 'topics', 'tables', 'agents', ...[...topology.timers, ...topology.crontabs, ...topology.tasks, ...topology.pages].map((entity) => `${entity.id}Context`)]);
  imports.add('faustgen', 'App', { typeOnly: true });
  imports.add('./topics.js', 'Topics', { typeOnly: true });
  imports.add('./tables.js', 'Tables', { typeOnly: true });
  imports.add('./handlers.js', 'Agents', { typeOnly: true });
  const used = { topics: false, tables: false, agents: false };
  const contexts: object[] = [];
  const wire = (entity: TimerSpec | CrontabSpec | TaskSpec | PageSpec, members: ContextMembers) => {
    const module = handlerOf(context, entity.name);
    const handler = imports.add(module.specifier, entity.id, { as: `handle${entity.typeName}` });
    const contextType = imports.add('./handlers.js', `${entity.typeName}Context`, { typeOnly: true });
    used.topics ||= members.topics.length > 0;
    used.tables ||= members.tables.length > 0;
    used.agents ||= members.agents.length > 0;
    contexts.push({ id: entity.id, contextType, ...contextObject(members, { topics: 'topics.', tables: 'tables.', agents: 'agents.' }) });
    return { id: entity.id, nameLiteral: literal(entity.name), handler };
  };
  const timers = topology.timers.map((timer) => ({
    ...wire(timer, contextMembers(topology, timer)),
    options: `intervalMs: ${timer.intervalMs}, onLeader: ${timer.onLeader}`,
    doc: docText(`Timer "${timer.name}", every ${timer.intervalMs} ms.`),
  }));
  const crontabs = topology.crontabs.map((crontab) => ({
    ...wire(crontab, contextMembers(topology, crontab)),
    options: [`cron: ${literal(crontab.cron)}`, ...(crontab.timezone === undefined ? [] : [`timezone: ${literal(crontab.timezone)}`]), `onLeader: ${crontab.onLeader}`].join(', '),
    doc: docText(`Crontab "${crontab.name}" at "${crontab.cron}".`),
  }));
  const tasks = topology.tasks.map((task) => ({
    ...wire(task, contextMembers(topology, task)),
    options: task.onLeader ? 'onLeader: true' : '',
    doc: docText(`Task "${task.name}", once when the worker is ready${task.onLeader ? ', on the leader' : ''}.`),
  }));
  const pages = topology.pages.map((page) => ({
    ...wire(page, contextMembers(topology, page, { tables: page.table === undefined ? [] : [page.table] })),
    pathLiteral: literal(page.path),
    options: page.methods === undefined ? '' : `methods: [${page.methods.map((m) => literal(m)).join(', ')}]`,
    doc: docText(`Page "${page.name}" at ${page.path}.`),
  }));
  const params = parameters([
    ['app', 'App', contexts.length > 0],
    ['topics', 'Topics', used.topics],
    ['tables', 'Tables', used.tables],
    ['agents', 'Agents', used.agents],
  ]);
  return render(context, 'schedules.ts', 'app/schedules.ts.hbs', imports, { timers, crontabs, tasks, pages, contexts, params });
}
