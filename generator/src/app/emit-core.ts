import type { ModelCatalog } from '../ir/model-catalog.js';
import type { TableSpec, TopicSpec, WindowSpec } from '../topology/types.js';
import { kebabCase } from '../topology/names.js';
import { windowCloseHandlers } from '../topology/validate.js';
import type { EmitContext } from './context.js';
import { docText, literal, relativeSpecifier, windowCloseMembers } from './context.js';
import { ImportSet } from './imports.js';
import { renderTemplate } from './templates.js';
import { modelModule } from './type-resolver.js';
import { tableIsFaust, topicIsFaust, wireCodec } from './wire-codecs.js';


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
  for (const name of ['commitIntervalMs', 'sessionTimeoutMs', 'heartbeatIntervalMs', 'rebalanceTimeoutMs', 'maxOutputsInFlight', 'changelogBufferSize'] as const) {
    const value = settings[name];
    if (value !== undefined) entries.push(`${name}: ${value}`);
  }
  if (settings.webPort !== undefined) entries.push(`webPort: ${settings.webPort}`);
  if (settings.webEnabled !== undefined) entries.push(`webEnabled: ${settings.webEnabled}`);
  if (settings.webHost !== undefined) entries.push(`webHost: ${literal(settings.webHost)}`);
  if (settings.security !== undefined) entries.push(`security: ${JSON.stringify(settings.security)}`);
  if (settings.logLevel !== undefined) entries.push(`logLevel: ${literal(settings.logLevel)}`);
  if (settings.processingGuarantee !== undefined) entries.push(`processingGuarantee: ${literal(settings.processingGuarantee)}`);
  if (settings.schemaRegistryUrl !== undefined) entries.push(`schemaRegistryUrl: ${literal(settings.schemaRegistryUrl)}`);
  if (settings.schemaRegistryAutoRegister !== undefined) entries.push(`schemaRegistryAutoRegister: ${settings.schemaRegistryAutoRegister}`);
  // faustCompat is not a runtime setting: it chose the codecs of topics.ts and tables.ts.
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

/** The key and value codec expressions of a topic (Faust's format under faustCompat, registry framing when asked). */
function topicCodecs(context: EmitContext, topic: TopicSpec, imports: ImportSet): { key: string; value: string } {
  const faust = topicIsFaust(context.topology, topic);
  return {
    key: registryFramed(topic, 'key', wireCodec(context, topic.key.ref, 'topicKey', faust, imports), imports, context.catalog),
    value: singleObject(topic, registryFramed(topic, 'value', wireCodec(context, topic.value.ref, 'topicValue', faust, imports), imports, context.catalog), imports),
  };
}

/** The value codec wrapped in Avro single-object encoding with the topic's older writer schemas (`avro: { history }`). */
function singleObject(topic: TopicSpec, codec: string, imports: ImportSet): string {
  if (topic.avro === undefined) return codec;
  return `${imports.add('faustgen', 'singleObjectAvroCodec')}(${codec}, [${(topic.avro.writers ?? []).join(', ')}])`;
}

/** The codec expression of a topic part, wrapped in registry framing when the topology asks for it. */
function registryFramed(topic: TopicSpec, part: 'key' | 'value', codec: string, imports: ImportSet, catalog: ModelCatalog): string {
  const registry = topic.registry;
  if (registry === undefined || !registry[part]) return codec;
  const options = [`topic: ${literal(topic.name)}`];
  if (part === 'key') options.push('isKey: true');
  if (registry.subjectStrategy !== 'topic') options.push(`subjectStrategy: ${literal(registry.subjectStrategy)}`);
  const use = topic[part];
  const entry = use.ref.kind === 'model' ? catalog.lookup(use.ref.name) : undefined;
  if (entry?.format === 'jsonschema' && entry.jsonSchema !== undefined) {
    return `${imports.add('faustgen', 'registryJsonSchema')}(app, ${codec}, ${JSON.stringify(entry.jsonSchema)}, { ${options.join(', ')} })`;
  }
  return `${imports.add('faustgen', 'registryAvro')}(app, ${codec}, { ${options.join(', ')} })`;
}

export function emitTopics(context: EmitContext): string {
  const imports = new ImportSet(['declareTopics', 'Topics', 'Channels', 'topics', 'channels', 'app']);
  imports.add('faustgen', 'App', { typeOnly: true });
  const topics = context.topology.topics.map((topic) => {
    const codecs = topicCodecs(context, topic, imports);
    const options = [`key: ${codecs.key}`, `value: ${codecs.value}`];
    if (topic.partitions !== undefined) options.push(`partitions: ${topic.partitions}`);
    if (topic.replication !== undefined) options.push(`replicationFactor: ${topic.replication}`);
    const configs = Object.entries(topic.configs);
    if (configs.length > 0) options.push(`config: { ${configs.map(([key, value]) => `${literal(key)}: ${literal(value)}`).join(', ')} }`);
    return {
      id: topic.id,
      nameLiteral: literal(topic.name),
      options: options.join(', '),
      doc: docText(`Topic "${topic.name}": key ${topic.key.text}, value ${topic.value.text}${topicIsFaust(context.topology, topic) ? ", in Faust's wire format" : ''}.`),
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

function tableDoc(table: TableSpec): string {
  const what = { table: 'Table', global: 'Global table', set: 'Set table' }[table.kind];
  const types = table.kind === 'set' ? `${table.key.text} → set of ${table.value.text}` : `${table.key.text} → ${table.value.text}`;
  const window = table.window === undefined ? '' : `, ${table.window.type} window${table.onWindowClose === undefined ? '' : `, closed windows go to ${table.onWindowClose.name}`}`;
  return docText(`${what} "${table.name}": ${types}${window}.`);
}

/** `app.table(...)`, `app.globalTable(...)`, `app.setTable<K, M>(...)` or `app.windowedTable<K, V>(...)`. */
function tableDeclaration(context: EmitContext, table: TableSpec, imports: ImportSet): string {
  const { types } = context;
  const partitions = table.partitions === undefined ? [] : [`partitions: ${table.partitions}`];
  const faust = tableIsFaust(context.topology, table);
  const key = `key: ${wireCodec(context, table.key.ref, 'tableKey', faust, imports)}`;
  if (table.kind === 'set') {
    // Members travel as JSON (the runtime's choice), so only the key codec is ours to give.
    const typeArgs = `${types.tsType(table.key.ref, imports)}, ${types.tsType(table.value.ref, imports)}`;
    return `app.setTable<${typeArgs}>(${literal(table.name)}, { ${[key, ...partitions].join(', ')} })`;
  }
  const options = [key, `value: ${wireCodec(context, table.value.ref, 'tableValue', faust, imports)}`];
  const fallback = defaultExpression(table);
  if (fallback !== undefined) options.push(`default: ${fallback}`);
  options.push(...partitions);
  if (table.window === undefined) return `app.${table.kind === 'global' ? 'globalTable' : 'table'}(${literal(table.name)}, { ${options.join(', ')} })`;
  options.push(`window: ${windowExpression(table.window, imports)}`);
  const onClose = table.onWindowClose;
  if (onClose !== undefined) {
    const handler = imports.add(relativeSpecifier(context.topology.paths.output, `${context.topology.paths.handlers}/${kebabCase(onClose.name)}.ts`), onClose.id, { as: `handle${onClose.typeName}` });
    options.push(`onWindowClose: (key, window, value) => ${handler}(key, window, value, ${onClose.id}Context)`);
  }
  // Explicit type arguments: the close callback is context-sensitive, so K and V are not inferred from it.
  const typeArgs = `${types.tsType(table.key.ref, imports)}, ${types.tsType(table.value.ref, imports)}`;
  return `app.windowedTable<${typeArgs}>(${literal(table.name)}, { ${options.join(', ')} })`;
}

export function emitTables(context: EmitContext): string {
  const { topology } = context;
  const closers = windowCloseHandlers(topology);
  const imports = new ImportSet(['declareTables', 'Tables', 'app', 'topics', ...closers.map((closer) => `${closer.id}Context`)]);
  imports.add('faustgen', 'App', { typeOnly: true });
  imports.add('./topics.js', 'Topics', { typeOnly: true });
  const tables = topology.tables.map((table) => ({ id: table.id, declaration: tableDeclaration(context, table, imports), doc: tableDoc(table) }));
  const contexts = closers.map((closer) => {
    const members = windowCloseMembers(topology, closer);
    const topics = members.topics.length === 0 ? '{}' : `{ ${members.topics.map((id) => `${id}: topics.${id}`).join(', ')} }`;
    return { id: closer.id, contextType: imports.add('./handlers.js', `${closer.typeName}Context`, { typeOnly: true }), topics };
  });
  const usesTopics = contexts.some((entry) => entry.topics !== '{}');
  const params = `${tables.length > 0 ? 'app' : '_app'}: App, ${usesTopics ? 'topics' : '_topics'}: Topics`;
  return render(context, 'tables.ts', 'app/tables.ts.hbs', imports, { tables, contexts, params });
}

export function emitRegistry(context: EmitContext): string {
  const imports = new ImportSet(['topicCodecs', 'agentTopics', 'app']);
  const { topology } = context;
  const entries: { nameLiteral: string; keyCodec: string; valueCodec: string; framed?: boolean }[] = topology.topics.map((topic) => {
    const codecs = topicCodecs(context, topic, imports);
    return { nameLiteral: literal(topic.name), keyCodec: codecs.key, valueCodec: codecs.value, framed: topic.registry !== undefined };
  });
  const framed = entries.some((entry) => entry.framed === true);
  if (framed) {
    imports.add('faustgen', 'settingsFromEnv');
    imports.add('./settings.js', 'settings');
  }
  const agents: { nameLiteral: string; topicLiteral: string }[] = [];
  for (const agent of topology.agents) {
    if (agent.source?.kind === 'topic') agents.push({ nameLiteral: literal(agent.name), topicLiteral: literal(agent.source.name) });
    if (agent.source === undefined && agent.key !== undefined && agent.value !== undefined) {
      const topicName = `${topology.settings.id}-${agent.name}`;
      agents.push({ nameLiteral: literal(agent.name), topicLiteral: literal(topicName) });
      entries.push({
        nameLiteral: literal(topicName),
        keyCodec: wireCodec(context, agent.key.ref, 'topicKey', topology.settings.faustCompat === true, imports),
        valueCodec: wireCodec(context, agent.value.ref, 'topicValue', topology.settings.faustCompat === true, imports),
      });
    }
  }
  return render(context, 'registry.ts', 'app/registry.ts.hbs', imports, { entries, agents, framed });
}

export function emitMain(context: EmitContext): string {
  const imports = new ImportSet(['built', 'app', 'topics', 'channels', 'tables', 'agents']);
  imports.add('./app.js', 'buildApp');
  return render(context, 'main.ts', 'app/main.ts.hbs', imports, {});
}

/** A barrel of every model class, type and codec; the first of two models with one class name wins. */
export function emitModelsBarrel(context: EmitContext): string {
  const seen = new Set<string>();
  const byModule = new Map<string, string[]>();
  for (const entry of [...context.catalog.entries].sort((a, b) => a.fullName.localeCompare(b.fullName))) {
    const values = [...(entry.kind === 'enum' ? [`${entry.className}Symbols`] : []), ...Object.values(entry.codecs)];
    const names = [entry.className, ...values].filter((name): name is string => name !== undefined && !seen.has(name));
    for (const name of names) seen.add(name);
    // Only records are classes; the other models are types (verbatimModuleSyntax wants `type` on them).
    const specifiers = names.map((name) => (name === entry.className && entry.kind !== 'record' ? `type ${name}` : name));
    if (specifiers.length > 0) byModule.set(modelModule(entry), [...(byModule.get(modelModule(entry)) ?? []), ...specifiers]);
  }
  const exports = [...byModule].map(([module, names]) => ({ moduleLiteral: literal(module), names: names.join(', ') }));
  return render(context, 'models.ts', 'app/models.ts.hbs', new ImportSet(), { exports });
}
