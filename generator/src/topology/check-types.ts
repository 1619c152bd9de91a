import type { Diagnostic } from '../ir/diagnostics.js';
import type { ModelCatalog, ModelEntry } from '../ir/model-catalog.js';
import type { SourceDocument } from './source-map.js';
import { didYouMean } from './suggest.js';
import { formatTypeRef } from './type-ref.js';
import { primitiveTypes } from './types.js';
import type { AgentSpec, TableDefault, TopicSpec, Topology, TypeRef, TypeUse } from './types.js';

/** The type a name stands for after resolving model aliases, for comparing two uses. */
export function canonicalType(ref: TypeRef, catalog: ModelCatalog): string {
  if (ref.kind === 'primitive') return ref.name;
  if (ref.kind === 'array') return `${canonicalType(ref.of, catalog)}[]`;
  return catalog.lookup(ref.name)?.fullName ?? ref.name;
}

/** The key and value types an agent's stream carries. */
export function agentInput(agent: AgentSpec, topology: Topology): { key?: TypeUse; value?: TypeUse } {
  if (agent.source === undefined) {
    return { ...(agent.key === undefined ? {} : { key: agent.key }), ...(agent.value === undefined ? {} : { value: agent.value }) };
  }
  const name = agent.source.name;
  const stream = agent.source.kind === 'channel' ? topology.channels.find((c) => c.name === name) : topology.topics.find((t) => t.name === name);
  return stream === undefined ? {} : { key: stream.key, value: stream.value };
}

const setMemberTypes: readonly string[] = ['string', 'int', 'long', 'float', 'double', 'boolean'];

/** Set members survive the JSON changelog and compare by value in a JS Set. */
function isSetMember(ref: TypeRef, catalog: ModelCatalog): boolean {
  if (ref.kind === 'primitive') return setMemberTypes.includes(ref.name);
  return ref.kind === 'model' && catalog.lookup(ref.name)?.kind === 'enum';
}

function defaultFits(value: TableDefault, ref: TypeRef, entry: ModelEntry | undefined): boolean {
  const numeric = ['int', 'long', 'float', 'double'];
  if (ref.kind === 'primitive' && ref.name === 'json') return true;
  switch (value.kind) {
    case 'null':
      return true;
    case 'number':
      return ref.kind === 'primitive' && numeric.includes(ref.name) && (ref.name === 'float' || ref.name === 'double' || Number.isInteger(value.value));
    case 'string':
      return (ref.kind === 'primitive' && ref.name === 'string') || entry?.kind === 'enum';
    case 'boolean':
      return ref.kind === 'primitive' && ref.name === 'boolean';
    case 'emptyArray':
      return ref.kind === 'array';
    case 'emptyObject':
      return false;
  }
}

/**
 * Checks every type the topology names against the model catalog, and that data flowing between
 * agents, topics and tables is typed the same on both ends.
 */
export function checkTypes(topology: Topology, catalog: ModelCatalog, document: SourceDocument): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = (pointer: string, message: string, hint?: string): void => {
    const where = document.locate(pointer);
    diagnostics.push(hint === undefined ? { message, where } : { message, where, hint });
  };
  const known = [...primitiveTypes, ...catalog.entries.flatMap((entry) => [entry.fullName, ...entry.aliases])];
  const resolves = (use: TypeUse | undefined): boolean => {
    if (use === undefined) return false;
    let ref = use.ref;
    while (ref.kind === 'array') ref = ref.of;
    if (ref.kind === 'primitive' || catalog.lookup(ref.name) !== undefined) return true;
    const ambiguous = catalog.entries.filter((entry) => entry.fullName.endsWith(`.${ref.name}`) || entry.aliases.includes(ref.name));
    if (ambiguous.length > 1) report(use.pointer, `type "${ref.name}" is ambiguous`, `write one of ${ambiguous.map((entry) => `"${entry.fullName}"`).join(', ')}`);
    else report(use.pointer, `unknown type "${ref.name}" (not a primitive nor a model from the schemas)`, didYouMean(ref.name, known));
    return false;
  };
  const same = (a: TypeUse, b: TypeUse): boolean => {
    if (b.ref.kind === 'primitive' && b.ref.name === 'json') return true;
    return canonicalType(a.ref, catalog) === canonicalType(b.ref, catalog);
  };

  for (const topic of topology.topics) {
    const keyOk = resolves(topic.key);
    const valueOk = resolves(topic.value);
    checkRegistryFraming(topic, keyOk, valueOk, catalog, report);
  }
  for (const channel of topology.channels) [channel.key, channel.value].forEach(resolves);
  for (const table of topology.tables) {
    const valueOk = resolves(table.value);
    resolves(table.key);
    if (valueOk && table.kind === 'set' && !isSetMember(table.value.ref, catalog)) {
      report(table.value.pointer, `set table "${table.name}" has members of type ${table.value.text}`, 'members are compared by value: use string, int, long, float, double, boolean or an enum');
    }
    if (valueOk && table.default !== undefined) {
      const entry = table.value.ref.kind === 'model' ? catalog.lookup(table.value.ref.name) : undefined;
      if (!defaultFits(table.default, table.value.ref, entry)) {
        report(table.default.pointer, `default does not fit the table value type "${table.value.text}"`, table.default.kind === 'emptyObject' ? 'use {} only with value: json' : undefined);
      }
    }
  }
  for (const agent of topology.agents) {
    if (agent.source === undefined) [agent.key, agent.value].forEach(resolves);
    const yieldsOk = agent.yields !== undefined && resolves(agent.yields);
    if (agent.groupBy !== undefined) checkGroupBy(agent, topology, catalog, report);
    if (!yieldsOk || agent.yields === undefined) continue;
    for (const sink of agent.sinks) {
      const target =
        sink.kind === 'topic'
          ? topology.topics.find((topic) => topic.name === sink.name)?.value
          : agentInput(topology.agents.find((other) => other.name === sink.name) ?? agent, topology).value;
      if (target === undefined || sink.kind === undefined) continue;
      if (!same(agent.yields, target)) {
        report(sink.pointer, `agent "${agent.name}" yields ${agent.yields.text} but ${sink.kind} "${sink.name}" takes ${target.text}`, `make the agent yield ${target.text} or sink it elsewhere`);
      }
    }
  }
  return diagnostics;
}

/** Registry framing needs an Avro model on each framed part (JSON Schema framing is not generated yet). */
function checkRegistryFraming(topic: TopicSpec, keyOk: boolean, valueOk: boolean, catalog: ModelCatalog, report: (pointer: string, message: string, hint?: string) => void): void {
  const registry = topic.registry;
  if (registry === undefined) return;
  for (const [part, use, ok, framed] of [['key', topic.key, keyOk, registry.key], ['value', topic.value, valueOk, registry.value]] as const) {
    if (!framed || !ok) continue;
    const entry = use.ref.kind === 'model' ? catalog.lookup(use.ref.name) : undefined;
    const framable = entry !== undefined && ((entry.format === 'avro' && entry.codecs.avro !== undefined) || (entry.format === 'jsonschema' && entry.jsonSchema !== undefined));
    if (entry === undefined || !framable) {
      report(registry.pointer, `topic "${topic.name}" frames its ${part} through the schema registry, but its ${part} type ${use.text} is not an Avro model nor a JSON Schema declared at the root of its file`, 'registry framing is generated for Avro models (.avsc) and root JSON Schemas; remove registry or use such a type');
    } else if (registry.subjectStrategy !== 'topic' && entry.kind !== 'record') {
      report(registry.pointer, `subject strategy "${registry.subjectStrategy}" needs a record ${part}, but ${use.text} is a ${entry.kind}`, 'use subjectStrategy: topic');
    }
  }
}

function checkGroupBy(agent: AgentSpec, topology: Topology, catalog: ModelCatalog, report: (pointer: string, message: string, hint?: string) => void): void {
  const groupBy = agent.groupBy;
  const value = agentInput(agent, topology).value;
  if (groupBy === undefined || value === undefined) return;
  const entry = value.ref.kind === 'model' ? catalog.lookup(value.ref.name) : undefined;
  if (entry === undefined || entry.kind !== 'record') {
    if (value.ref.kind !== 'model' || catalog.lookup(value.ref.name) !== undefined) {
      report(`${groupBy.pointer}/field`, `groupBy needs a record value, but agent "${agent.name}" consumes ${formatTypeRef(value.ref)}`);
    }
    return;
  }
  const field = entry.fields.find((candidate) => candidate.name === groupBy.field);
  if (field === undefined) {
    report(`${groupBy.pointer}/field`, `record ${entry.fullName} has no field "${groupBy.field}"`, didYouMean(groupBy.field, entry.fields.map((f) => f.name)));
  } else if (!/^(string|number|bigint|boolean)$/.test(field.tsType)) {
    report(`${groupBy.pointer}/field`, `groupBy field "${groupBy.field}" has type ${field.tsType}`, 'group by a string, number or boolean field');
  }
}
