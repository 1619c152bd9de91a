import { topologyKeys } from './keys.js';
import { readNamed } from './read-named.js';
import type { Obj, Reader } from './reader.js';
import { joinPointer } from './source-map.js';
import type { AgentSpec, ChannelSpec, ErrorPolicy, GroupBySpec, TopicAvroSpec, TopicRegistrySpec, TopicSpec } from './types.js';

const subjectStrategies = ['topic', 'record', 'topic-record'] as const;

/** `registry: true` (values framed) or `{ key?, value?, subjectStrategy? }`. */
function readTopicRegistry(reader: Reader, object: Obj, pointer: string): TopicRegistrySpec | undefined {
  const value = object['registry'];
  const at = joinPointer(pointer, 'registry');
  if (value === undefined || value === false) return undefined;
  if (value === true) return { key: false, value: true, subjectStrategy: 'topic', pointer: at };
  const spec = reader.object(value, at, topologyKeys.topicRegistry, 'topic registry');
  if (spec === undefined) return undefined;
  const strategy = reader.string(spec, 'subjectStrategy', at) ?? 'topic';
  const known = subjectStrategies.find((s) => s === strategy);
  if (known === undefined) {
    reader.error(joinPointer(at, 'subjectStrategy'), `unknown subject name strategy "${strategy}"`, `use one of ${subjectStrategies.join(', ')}`);
    return undefined;
  }
  return { key: reader.boolean(spec, 'key', at) ?? false, value: reader.boolean(spec, 'value', at) ?? true, subjectStrategy: known, pointer: at };
}

/** `avro: { framing?: single-object, history: [files] }`: the value in single-object encoding with older writer schemas. */
function readTopicAvro(reader: Reader, object: Obj, pointer: string): TopicAvroSpec | undefined {
  if (object['avro'] === undefined) return undefined;
  const at = joinPointer(pointer, 'avro');
  const spec = reader.object(object['avro'], at, topologyKeys.topicAvro, 'topic avro');
  if (spec === undefined) return undefined;
  const framing = reader.string(spec, 'framing', at) ?? 'single-object';
  if (framing !== 'single-object') {
    reader.error(joinPointer(at, 'framing'), `unknown Avro framing "${framing}"`, 'use single-object (Avro single-object encoding: C3 01, the writer schema fingerprint, the binary)');
    return undefined;
  }
  const history: { path: string; pointer: string }[] = [];
  for (const item of reader.list(spec, 'history', at)) {
    if (typeof item.value === 'string' && item.value !== '') history.push({ path: item.value, pointer: item.pointer });
    else reader.error(item.pointer, 'a history entry is the path of an older .avsc file, relative to this file');
  }
  return { framing, history, pointer: at };
}

export function readTopic(reader: Reader, value: unknown, pointer: string): TopicSpec | undefined {
  const object = reader.object(value, pointer, topologyKeys.topic, 'topic');
  if (object === undefined) return undefined;
  const named = readNamed(reader, object, pointer, 'topic');
  const key = reader.type(object, 'key', pointer, false, 'string');
  const valueType = reader.type(object, 'value', pointer, true);
  const partitions = reader.positiveInt(object, 'partitions', pointer, 100_000);
  const replication = reader.positiveInt(object, 'replication', pointer, 32767);
  const configs: Record<string, string> = {};
  if (object['configs'] !== undefined) {
    const configObject = reader.object(object['configs'], joinPointer(pointer, 'configs'), Object.keys(object['configs'] ?? {}), 'topic configs');
    for (const [name, setting] of Object.entries(configObject ?? {})) {
      if (typeof setting === 'string' || typeof setting === 'number' || typeof setting === 'boolean') configs[name] = String(setting);
      else reader.error(joinPointer(pointer, 'configs', name), `topic config "${name}" must be a string, number or boolean`);
    }
  }
  const registry = readTopicRegistry(reader, object, pointer);
  const faustCompat = reader.boolean(object, 'faustCompat', pointer);
  if (faustCompat === true && registry !== undefined) {
    reader.error(joinPointer(pointer, 'faustCompat'), `topic "${named?.name ?? '?'}" cannot be both registry-framed and in Faust's format`, 'Faust does not frame records for a schema registry: drop one of registry and faustCompat', { key: true });
  }
  const avro = readTopicAvro(reader, object, pointer);
  if (avro !== undefined && (faustCompat === true || registry?.value === true)) {
    reader.error(avro.pointer, `topic "${named?.name ?? '?'}" cannot frame its value both ${faustCompat === true ? "in Faust's format" : 'for the schema registry'} and in Avro single-object encoding`, `drop avro or ${faustCompat === true ? 'faustCompat' : 'registry'}`, { key: true });
  }
  if (named === undefined || key === undefined || valueType === undefined) return undefined;
  return {
    name: named.name,
    id: named.id,
    pointer,
    key,
    value: valueType,
    configs,
    ...(registry === undefined ? {} : { registry }),
    ...(avro === undefined ? {} : { avro }),
    ...(faustCompat === undefined ? {} : { faustCompat }),
    ...(partitions === undefined ? {} : { partitions }),
    ...(replication === undefined ? {} : { replication }),
  };
}

export function readChannel(reader: Reader, value: unknown, pointer: string): ChannelSpec | undefined {
  const object = reader.object(value, pointer, topologyKeys.channel, 'channel');
  if (object === undefined) return undefined;
  const named = readNamed(reader, object, pointer, 'channel');
  const key = reader.type(object, 'key', pointer, false, 'string');
  const valueType = reader.type(object, 'value', pointer, true);
  if (named === undefined || key === undefined || valueType === undefined) return undefined;
  return { name: named.name, id: named.id, pointer, key, value: valueType };
}

/** `source: name` or `source: { topic: name }` / `{ channel: name }`; a bare name is resolved later. */
function readSource(reader: Reader, object: Obj, pointer: string): AgentSpec['source'] {
  const value = object['source'];
  const at = joinPointer(pointer, 'source');
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value !== '') return { kind: 'topic', name: value, pointer: at };
  const source = reader.object(value, at, topologyKeys.agentSource, 'agent source');
  if (source === undefined) return undefined;
  const entries = Object.entries(source).filter(([key]) => key === 'topic' || key === 'channel');
  const [kind, name] = entries[0] ?? [];
  if (entries.length !== 1 || typeof name !== 'string') {
    reader.error(at, 'an agent source names exactly one topic or channel', 'write `source: orders` or `source: { channel: events }`');
    return undefined;
  }
  return { kind: kind === 'channel' ? 'channel' : 'topic', name, pointer: joinPointer(at, kind ?? 'topic') };
}

function readSinks(reader: Reader, object: Obj, pointer: string): AgentSpec['sinks'] {
  const sinks: AgentSpec['sinks'][number][] = [];
  for (const item of reader.list(object, 'sinks', pointer)) {
    if (typeof item.value === 'string' && item.value !== '') {
      sinks.push({ name: item.value, pointer: item.pointer });
      continue;
    }
    const sink = reader.object(item.value, item.pointer, topologyKeys.agentSink, 'sink');
    if (sink === undefined) continue;
    const entries = Object.entries(sink).filter(([key]) => key === 'topic' || key === 'agent');
    const [kind, name] = entries[0] ?? [];
    if (entries.length !== 1 || typeof name !== 'string') {
      reader.error(item.pointer, 'a sink names exactly one topic or agent', 'write `orders`, `{ topic: orders }` or `{ agent: audit }`');
      continue;
    }
    sinks.push({ name, kind: kind === 'agent' ? 'agent' : 'topic', pointer: joinPointer(item.pointer, kind ?? 'topic') });
  }
  return sinks;
}

function readGroupBy(reader: Reader, object: Obj, pointer: string): GroupBySpec | undefined {
  if (object['groupBy'] === undefined) return undefined;
  const at = joinPointer(pointer, 'groupBy');
  const groupBy = reader.object(object['groupBy'], at, topologyKeys.groupBy, 'groupBy');
  if (groupBy === undefined) return undefined;
  const field = reader.string(groupBy, 'field', at, true);
  const name = reader.string(groupBy, 'name', at) ?? field;
  if (field === undefined || name === undefined) return undefined;
  if (!/^[A-Za-z0-9._-]+$/.test(name)) reader.error(joinPointer(at, 'name'), `groupBy name "${name}" must be usable in a topic name`);
  return { field, name, pointer: at };
}

function readOnError(reader: Reader, object: Obj, pointer: string): ErrorPolicy | undefined {
  const value = object['onError'];
  const at = joinPointer(pointer, 'onError');
  if (value === undefined) return undefined;
  if (value === 'crash' || value === 'restart' || value === 'skip') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const policy = reader.object(value, at, topologyKeys.onError, 'onError');
    const topic = policy === undefined ? undefined : reader.string(policy, 'deadLetter', at, true);
    return topic === undefined ? undefined : { deadLetter: { name: topic, pointer: joinPointer(at, 'deadLetter') } };
  }
  reader.error(at, `unknown error policy ${JSON.stringify(value)}`, 'use crash, restart, skip or { deadLetter: <topic> }');
  return undefined;
}

export function readAgent(reader: Reader, value: unknown, pointer: string): AgentSpec | undefined {
  const object = reader.object(value, pointer, topologyKeys.agent, 'agent');
  if (object === undefined) return undefined;
  const named = readNamed(reader, object, pointer, 'agent');
  const source = readSource(reader, object, pointer);
  const hasOwnTopic = object['source'] === undefined;
  if (!hasOwnTopic && (object['key'] !== undefined || object['value'] !== undefined)) {
    reader.error(joinPointer(pointer, object['key'] !== undefined ? 'key' : 'value'), 'an agent with a source takes its key and value types from it', 'remove key/value or remove source', { key: true });
  }
  const key = hasOwnTopic ? reader.type(object, 'key', pointer, false, 'string') : undefined;
  const valueType = hasOwnTopic ? reader.type(object, 'value', pointer, true) : undefined;
  const concurrency = reader.positiveInt(object, 'concurrency', pointer, 1000);
  const yields = object['yields'] === undefined ? undefined : reader.type(object, 'yields', pointer, true);
  const groupBy = readGroupBy(reader, object, pointer);
  const onError = readOnError(reader, object, pointer);
  const sinks = readSinks(reader, object, pointer);
  const uses = {
    topics: reader.names(object, 'topics', pointer),
    tables: reader.names(object, 'tables', pointer),
    agents: reader.names(object, 'agents', pointer),
  };
  if (named === undefined) return undefined;
  return {
    ...named,
    ...uses,
    sinks,
    ...(source === undefined ? {} : { source }),
    ...(key === undefined ? {} : { key }),
    ...(valueType === undefined ? {} : { value: valueType }),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(yields === undefined ? {} : { yields }),
    ...(groupBy === undefined ? {} : { groupBy }),
    ...(onError === undefined ? {} : { onError }),
  };
}
