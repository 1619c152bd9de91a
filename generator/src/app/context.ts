import { posix } from 'node:path';
import type { ModelCatalog } from '../ir/model-catalog.js';
import { agentInput } from '../topology/check-types.js';
import { kebabCase } from '../topology/names.js';
import type { AgentSpec, NameRef, TableSpec, Topology, Uses, WindowCloseSpec } from '../topology/types.js';
import { windowCloseHandlers } from '../topology/validate.js';
import { generatedHeader } from './header.js';
import type { ImportSet } from './imports.js';
import type { ModuleRenderer } from './render-module.js';
import { TypeResolver } from './type-resolver.js';

export type HandlerKind = 'agent' | 'timer' | 'crontab' | 'task' | 'page' | 'window-close';

/** A user-owned handler module and how generated code reaches it. */
export interface HandlerModule {
  readonly kind: HandlerKind;
  readonly name: string;
  readonly id: string;
  readonly typeName: string;
  /** Project-relative path of the stub, e.g. `src/agents/print-greetings.ts`. */
  readonly file: string;
  /** Specifier from the generated folder, e.g. `../agents/print-greetings.js`. */
  readonly specifier: string;
}

/** Everything the app emitters share. */
export interface EmitContext {
  readonly topology: Topology;
  readonly catalog: ModelCatalog;
  readonly types: TypeResolver;
  readonly renderer: ModuleRenderer;
  readonly header: string;
}

export function createEmitContext(topology: Topology, catalog: ModelCatalog, renderer: ModuleRenderer): EmitContext {
  return { topology, catalog, types: new TypeResolver(catalog), renderer, header: generatedHeader(topology.displayPath, topology.sha256) };
}

export function relativeSpecifier(fromFolder: string, toFile: string): string {
  const path = posix.relative(fromFolder, toFile).replace(/\.ts$/, '.js');
  return path.startsWith('.') ? path : `./${path}`;
}

export function handlerModules(topology: Topology): HandlerModule[] {
  const { output, handlers } = topology.paths;
  const entries: [HandlerKind, { name: string; id: string; typeName: string }][] = [
    ...topology.agents.map((agent) => ['agent', agent] as [HandlerKind, AgentSpec]),
    ...topology.timers.map((timer) => ['timer', timer] as [HandlerKind, typeof timer]),
    ...topology.crontabs.map((crontab) => ['crontab', crontab] as [HandlerKind, typeof crontab]),
    ...topology.tasks.map((task) => ['task', task] as [HandlerKind, typeof task]),
    ...topology.pages.map((page) => ['page', page] as [HandlerKind, typeof page]),
    ...windowCloseHandlers(topology).map((handler) => ['window-close', handler] as [HandlerKind, WindowCloseSpec]),
  ];
  return entries.map(([kind, entity]) => {
    const file = `${handlers}/${kebabCase(entity.name)}.ts`;
    return { kind, name: entity.name, id: entity.id, typeName: entity.typeName, file, specifier: relativeSpecifier(output, file) };
  });
}

/** Identifiers of what a handler's context exposes. */
export interface ContextMembers {
  readonly topics: readonly string[];
  readonly tables: readonly string[];
  readonly agents: readonly string[];
}

function ids(refs: readonly NameRef[], entities: readonly { readonly name: string; readonly id: string }[]): string[] {
  const found = refs.map((ref) => entities.find((entity) => entity.name === ref.name)?.id).filter((id): id is string => id !== undefined);
  return [...new Set(found)];
}

export function contextMembers(topology: Topology, uses: Uses, extra: { topics?: readonly NameRef[]; tables?: readonly NameRef[]; agents?: readonly NameRef[] } = {}): ContextMembers {
  return {
    topics: ids([...(extra.topics ?? []), ...uses.topics], topology.topics),
    tables: ids([...(extra.tables ?? []), ...uses.tables], topology.tables),
    agents: ids([...(extra.agents ?? []), ...uses.agents], topology.agents),
  };
}

export function agentContextMembers(topology: Topology, agent: AgentSpec): ContextMembers {
  return contextMembers(topology, agent, {
    topics: [...(agent.source?.kind === 'topic' ? [agent.source] : []), ...agent.sinks.filter((sink) => sink.kind === 'topic')],
    agents: agent.sinks.filter((sink) => sink.kind === 'agent'),
  });
}

/** The table whose windows a window close handler receives. */
export function windowCloseTable(topology: Topology, handler: { readonly name: string }): TableSpec | undefined {
  return topology.tables.find((table) => table.onWindowClose?.name === handler.name);
}

export function windowCloseMembers(topology: Topology, handler: WindowCloseSpec): ContextMembers {
  return contextMembers(topology, { topics: handler.topics, tables: [], agents: [] });
}

/** Tables an agent's context holds that the runtime must co-partition with its source (not global ones). */
export function agentCopartitionedTables(topology: Topology, agent: AgentSpec): string[] {
  const used = new Set(agentContextMembers(topology, agent).tables);
  return topology.tables.filter((table) => used.has(table.id) && table.kind !== 'global').map((table) => table.id);
}

/** The stream types an agent's handler receives, after groupBy. */
export function agentStreamTypes(context: EmitContext, agent: AgentSpec, imports: ImportSet): { key: string; value: string; sourceKey: string } {
  const input = agentInput(agent, context.topology);
  const sourceKey = input.key === undefined ? 'unknown' : context.types.tsType(input.key.ref, imports);
  const value = input.value === undefined ? 'unknown' : context.types.tsType(input.value.ref, imports);
  let key = sourceKey;
  if (agent.groupBy !== undefined && input.value?.ref.kind === 'model') {
    const entry = context.catalog.lookup(input.value.ref.name);
    key = entry?.fields.find((field) => field.name === agent.groupBy?.field)?.tsType ?? 'unknown';
  }
  return { key, value, sourceKey };
}

export function literal(value: string | number | boolean): string {
  return typeof value === 'string' ? `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'` : String(value);
}

/** One-line description for doc comments; never contains a comment terminator. */
export function docText(text: string): string {
  return text.replaceAll('*/', '* /').replace(/\s+/g, ' ').trim();
}
