import type { TableSpec, WindowSpec } from '../topology/types.js';
import type { EmitContext } from './context.js';
import { docText, literal } from './context.js';
import { ImportSet } from './imports.js';
import { renderTemplate } from './templates.js';
import { modelModule } from './type-resolver.js';


function render(context: EmitContext, path: string, template: string, imports: ImportSet, view: object): string {
  const body = renderTemplate(template, { topologyFile: context.topology.displayPath, ...view });
  return context.renderer.render(path, context.header, imports.specs(), body);
}

export function emitSettings(context: EmitContext): string {
  const { settings } = context.topology;
  const imports = new ImportSet(['settings']);
  imports.add('faustgen', 'AppSettingsInput', { typeOnly: true });
  const entries = [`id: ${literal(settings.id)}`, `broker: ${literal(settings.broker)}`, `store: ${literal(settings.store)}`];
  if (settings.datadir !== undefined) entries.push(`datadir: ${literal(settings.datadir)}`);
  if (settings.topicPartitions !== undefined) entries.push(`topicPartitions: ${settings.topicPartitions}`);
  if (settings.topicReplicationFactor !== undefined) entries.push(`topicReplicationFactor: ${settings.topicReplicationFactor}`);
  if (settings.webPort !== undefined) entries.push(`webPort: ${settings.webPort}`);
  if (settings.webEnabled !== undefined) entries.push(`webEnabled: ${settings.webEnabled}`);
  if (settings.logLevel !== undefined) entries.push(`logLevel: ${literal(settings.logLevel)}`);
  return render(context, 'settings.ts', 'app/settings.ts.hbs', imports, { idLiteral: literal(settings.id), entries });
}

export function emitApp(context: EmitContext): string {
  const imports = new ImportSet(['buildApp', 'BuiltApp', 'AppOverrides', 'app', 'topics', 'channels', 'tables', 'agents']);
  imports.add('faustgen', 'createApp');
  imports.add('faustgen', 'settingsFromEnv');
  imports.add('faustgen', 'AppOptions', { typeOnly: true });
  imports.add('faustgen', 'AppSettingsInput', { typeOnly: true });
  imports.add('./settings.js', 'settings');
  imports.add('./topics.js', 'declareTopics');
  imports.add('./tables.js', 'declareTables');
  imports.add('./agents.js', 'declareAgents');
  imports.add('./schedules.js', 'declareSchedules');
  return render(context, 'app.ts', 'app/app.ts.hbs', imports, {});
}

export function emitTopics(context: EmitContext): string {
  const imports = new ImportSet(['declareTopics', 'Topics', 'Channels', 'topics', 'channels', 'app']);
  imports.add('faustgen', 'App', { typeOnly: true });
  const topics = context.topology.topics.map((topic) => {
    const options = [`key: ${context.types.codec(topic.key.ref, imports)}`, `value: ${context.types.codec(topic.value.ref, imports)}`];
    if (topic.partitions !== undefined) options.push(`partitions: ${topic.partitions}`);
    if (topic.replication !== undefined) options.push(`replicationFactor: ${topic.replication}`);
    const configs = Object.entries(topic.configs);
    if (configs.length > 0) options.push(`config: { ${configs.map(([key, value]) => `${literal(key)}: ${literal(value)}`).join(', ')} }`);
    return {
      id: topic.id,
      nameLiteral: literal(topic.name),
      options: options.join(', '),
      doc: docText(`Topic "${topic.name}": key ${topic.key.text}, value ${topic.value.text}.`),
    };
  });
  const channels = context.topology.channels.map((channel) => ({
    id: channel.id,
    nameLiteral: literal(channel.name),
    keyType: context.types.tsType(channel.key.ref, imports),
    valueType: context.types.tsType(channel.value.ref, imports),
    doc: docText(`Channel "${channel.name}": key ${channel.key.text}, value ${channel.value.text}.`),
  }));
  const appParam = topics.length + channels.length > 0 ? 'app' : '_app';
  return render(context, 'topics.ts', 'app/topics.ts.hbs', imports, { topics, channels, appParam });
}

function windowExpression(window: WindowSpec, imports: ImportSet): string {
  const expires = window.expiresMs === undefined ? '' : `, { expiresMs: ${window.expiresMs} }`;
  switch (window.type) {
    case 'tumbling':
      return `${imports.add('faustgen', 'tumbling')}(${window.sizeMs}${expires})`;
    case 'hopping':
      return `${imports.add('faustgen', 'hopping')}(${window.sizeMs}, ${window.stepMs}${expires})`;
    case 'sliding':
      return `${imports.add('faustgen', 'sliding')}(${window.beforeMs}, ${window.afterMs}${expires})`;
  }
}

function defaultExpression(table: TableSpec): string | undefined {
  const value = table.default;
  if (value === undefined) return undefined;
  switch (value.kind) {
    case 'number':
    case 'boolean':
      return `() => ${String(value.value)}`;
    case 'string':
      return `() => ${literal(value.value)}`;
    case 'emptyArray':
      return '() => []';
    case 'emptyObject':
      return '() => ({})';
    case 'null':
      // A null default reads as "no entry": missing keys give undefined.
      return undefined;
  }
}

const tableFactory: Readonly<Record<TableSpec['kind'], string>> = { table: 'table', global: 'globalTable', set: 'setTable' };

export function emitTables(context: EmitContext): string {
  const imports = new ImportSet(['declareTables', 'Tables', 'app']);
  imports.add('faustgen', 'App', { typeOnly: true });
  const tables = context.topology.tables.map((table) => {
    const options = [`key: ${context.types.codec(table.key.ref, imports)}`, `value: ${context.types.codec(table.value.ref, imports)}`];
    const fallback = defaultExpression(table);
    if (fallback !== undefined) options.push(`default: ${fallback}`);
    if (table.partitions !== undefined) options.push(`partitions: ${table.partitions}`);
    if (table.window !== undefined) options.push(`window: ${windowExpression(table.window, imports)}`);
    const windowDoc = table.window === undefined ? '' : `, ${table.window.type} window`;
    return {
      id: table.id,
      factory: tableFactory[table.kind],
      nameLiteral: literal(table.name),
      options: options.join(', '),
      doc: docText(`${table.kind === 'table' ? 'Table' : table.kind === 'global' ? 'Global table' : 'Set table'} "${table.name}": ${table.key.text} → ${table.value.text}${windowDoc}.`),
    };
  });
  return render(context, 'tables.ts', 'app/tables.ts.hbs', imports, { tables, appParam: tables.length > 0 ? 'app' : '_app' });
}

export function emitRegistry(context: EmitContext): string {
  const imports = new ImportSet(['topicCodecs', 'agentTopics']);
  const { topology } = context;
  const entries = topology.topics.map((topic) => ({
    nameLiteral: literal(topic.name),
    keyCodec: context.types.codec(topic.key.ref, imports),
    valueCodec: context.types.codec(topic.value.ref, imports),
  }));
  const agents: { nameLiteral: string; topicLiteral: string }[] = [];
  for (const agent of topology.agents) {
    if (agent.source?.kind === 'topic') agents.push({ nameLiteral: literal(agent.name), topicLiteral: literal(agent.source.name) });
    if (agent.source === undefined && agent.key !== undefined && agent.value !== undefined) {
      const topicName = `${topology.settings.id}-${agent.name}`;
      agents.push({ nameLiteral: literal(agent.name), topicLiteral: literal(topicName) });
      entries.push({
        nameLiteral: literal(topicName),
        keyCodec: context.types.codec(agent.key.ref, imports),
        valueCodec: context.types.codec(agent.value.ref, imports),
      });
    }
  }
  return render(context, 'registry.ts', 'app/registry.ts.hbs', imports, { entries, agents });
}

export function emitMain(context: EmitContext): string {
  const imports = new ImportSet(['built', 'app', 'topics', 'channels', 'tables', 'agents']);
  imports.add('./app.js', 'buildApp');
  return render(context, 'main.ts', 'app/main.ts.hbs', imports, {});
}

/** A barrel of every model class and codec; the first of two models with one class name wins. */
export function emitModelsBarrel(context: EmitContext): string {
  const seen = new Set<string>();
  const byModule = new Map<string, string[]>();
  for (const entry of [...context.catalog.entries].sort((a, b) => a.fullName.localeCompare(b.fullName))) {
    const names = [entry.className, ...Object.values(entry.codecs)].filter((name): name is string => name !== undefined && !seen.has(name));
    for (const name of names) seen.add(name);
    if (names.length > 0) byModule.set(modelModule(entry), [...(byModule.get(modelModule(entry)) ?? []), ...names]);
  }
  const exports = [...byModule].map(([module, names]) => ({ moduleLiteral: literal(module), names: names.join(', ') }));
  return render(context, 'models.ts', 'app/models.ts.hbs', new ImportSet(), { exports });
}
