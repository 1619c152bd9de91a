import avro from 'avsc';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { modelLogicalTypes } from '../../../runtime/src/codegen/avro-logical-types.js';
import type { Diagnostic } from '../ir/diagnostics.js';
import type { ModelCatalog, ModelEntry } from '../ir/model-catalog.js';
import type { SourceDocument } from './source-map.js';
import type { TopicSpec, Topology } from './types.js';

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function buildType(schema: unknown, registry: Record<string, avro.Type>): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { logicalTypes: modelLogicalTypes, wrapUnions: true, registry });
}

/** avsc's reason, prefixed with the top-level field whose type does not resolve when there is one. */
function resolutionProblem(reader: avro.Type, writer: avro.Type, error: unknown): string {
  if (reader instanceof avro.types.RecordType && writer instanceof avro.types.RecordType) {
    for (const field of reader.fields) {
      const names = [field.name, ...field.aliases];
      const written = writer.fields.find((candidate) => names.includes(candidate.name));
      if (written === undefined) continue;
      try {
        field.type.createResolver(written.type);
      } catch (inner) {
        return `field ${field.name}: ${message(inner)}`;
      }
    }
  }
  return message(error);
}

/**
 * The current (reader) Avro type of a model, from its schema file, or undefined when the file does
 * not build on its own (a schema naming types of other files); the runtime then checks the history
 * versions when it makes the codec (FG_SCHEMA_INCOMPATIBLE), codegen cannot.
 */
async function readerType(entry: ModelEntry, projectRoot: string): Promise<avro.Type | undefined> {
  const file = isAbsolute(entry.location.file) ? entry.location.file : join(projectRoot, entry.location.file);
  try {
    const registry: Record<string, avro.Type> = {};
    const type = buildType(JSON.parse(await readFile(file, 'utf8')), registry);
    return registry[entry.fullName] ?? (type.name === entry.fullName ? type : undefined);
  } catch {
    return undefined;
  }
}

/**
 * Reads the older writer schemas of topics with `avro: { history }` (paths relative to the topology
 * file), checks that each is an Avro schema the topic's current value model can read (Avro schema
 * resolution, as the runtime does), and returns the topology with each history's compact schema
 * texts attached for the generated codec. Problems are diagnostics at the history entry.
 */
export async function withAvroHistory(
  topology: Topology,
  catalog: ModelCatalog,
  document: SourceDocument,
  topologyDir: string,
  projectRoot: string,
): Promise<{ topology: Topology; diagnostics: Diagnostic[]; files: string[] }> {
  const diagnostics: Diagnostic[] = [];
  const files: string[] = [];
  const report = (pointer: string, text: string, hint?: string): void => {
    const where = document.locate(pointer);
    diagnostics.push(hint === undefined ? { message: text, where } : { message: text, where, hint });
  };
  const topics: TopicSpec[] = [];
  for (const topic of topology.topics) {
    const spec = topic.avro;
    if (spec === undefined) {
      topics.push(topic);
      continue;
    }
    const use = topic.value;
    const entry = use.ref.kind === 'model' ? catalog.lookup(use.ref.name) : undefined;
    if (entry === undefined || entry.format !== 'avro' || entry.codecs.avro === undefined) {
      // An unknown type is reported by checkTypes already.
      if (use.ref.kind !== 'model' || entry !== undefined) {
        report(spec.pointer, `topic "${topic.name}" reads its value in Avro single-object encoding, but its value type ${use.text} is not an Avro model`, 'avro: { history } needs an Avro record, enum or fixed from an .avsc file');
      }
      topics.push(topic);
      continue;
    }
    const reader = await readerType(entry, projectRoot);
    const writers: string[] = [];
    for (const item of spec.history) {
      const file = resolve(topologyDir, item.path);
      let schema: unknown;
      try {
        schema = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        report(item.pointer, `history schema ${item.path} of topic "${topic.name}" cannot be read: ${message(error)}`, 'give the path of an older .avsc file, relative to this file');
        continue;
      }
      files.push(file);
      let writer: avro.Type;
      try {
        writer = buildType(schema, {});
      } catch (error) {
        report(item.pointer, `history schema ${item.path} of topic "${topic.name}" is not a usable Avro schema: ${message(error)}`);
        continue;
      }
      if (reader !== undefined) {
        try {
          reader.createResolver(writer);
        } catch (error) {
          report(item.pointer, `history schema ${item.path} cannot be read as the current schema ${entry.fullName} of topic "${topic.name}": ${resolutionProblem(reader, writer, error)}`, 'Avro schema resolution: give added fields a default, keep field types promotable, match renamed fields with aliases');
          continue;
        }
      }
      writers.push(JSON.stringify(schema));
    }
    topics.push({ ...topic, avro: { ...spec, writers } });
  }
  return { topology: { ...topology, topics }, diagnostics, files };
}
