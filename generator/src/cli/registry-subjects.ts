import avro from 'avsc';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { SchemaRegistryClient, registryAuthFromEnv } from '../../../runtime/src/registry/client.js';
import { subjectName } from '../../../runtime/src/registry/subject.js';
import type { ModelCatalog } from '../ir/model-catalog.js';
import type { Topology } from '../topology/types.js';

/** One registry subject the app writes to: its topic part, model and the local schema text. */
export interface SubjectTarget {
  readonly subject: string;
  readonly topic: string;
  readonly part: 'key' | 'value';
  readonly model: string;
  readonly file: string;
  readonly schema: string;
  readonly schemaType: 'AVRO' | 'JSON';
}

/** The registry client for CLI commands: `--registry`, else FAUSTGEN_SCHEMA_REGISTRY_URL, else faustgen.yaml; credentials from the environment. */
export function cliRegistry(flag: string | undefined, topology: Topology | undefined): SchemaRegistryClient {
  const url = flag ?? process.env['FAUSTGEN_SCHEMA_REGISTRY_URL'] ?? topology?.settings.schemaRegistryUrl;
  if (url === undefined || url === '') {
    throw new FaustgenError('FG_SETTING_INVALID', 'no schema registry: pass --registry <url>, set FAUSTGEN_SCHEMA_REGISTRY_URL or schemaRegistry.url in faustgen.yaml', { details: { setting: 'schemaRegistry.url' } });
  }
  const auth = registryAuthFromEnv(process.env);
  return new SchemaRegistryClient({ url, ...(auth === undefined ? {} : { auth }) });
}

/** Every (subject, local schema) pair of the topology's registry-framed topics, in topology order. */
export async function subjectTargets(topology: Topology, catalog: ModelCatalog, root: string): Promise<SubjectTarget[]> {
  const targets: SubjectTarget[] = [];
  for (const topic of topology.topics) {
    const registry = topic.registry;
    if (registry === undefined) continue;
    for (const part of ['key', 'value'] as const) {
      const use = topic[part];
      if (!registry[part] || use.ref.kind !== 'model') continue;
      const entry = catalog.lookup(use.ref.name);
      if (entry === undefined) continue;
      const file = isAbsolute(entry.location.file) ? entry.location.file : join(root, entry.location.file);
      const schemaType = entry.format === 'avro' ? 'AVRO' : 'JSON';
      const schema = entry.jsonSchema ?? JSON.stringify(JSON.parse(await readFile(file, 'utf8')));
      targets.push({ subject: subjectName(registry.subjectStrategy, topic.name, part === 'key', entry.fullName), topic: topic.name, part, model: entry.fullName, file: entry.location.file, schema, schemaType });
    }
  }
  return targets;
}

/**
 * Why two Avro schemas do not resolve, in avsc's words (it names the field), for registries whose
 * compatibility API answers only true/false (Apicurio): the new schema reading the latest version's
 * records (what BACKWARD requires), then the reverse (FORWARD).
 */
export function explainAvroIncompatibility(latest: string, local: string): string[] {
  const reasons: string[] = [];
  const build = (text: string): avro.Type => avro.Type.forSchema(JSON.parse(text) as avro.Schema, { wrapUnions: true, registry: {} });
  try {
    const previous = build(latest);
    const next = build(local);
    for (const [reader, writer, what] of [[next, previous, 'the new schema cannot read records of the latest version'], [previous, next, 'the latest version cannot read records of the new schema']] as const) {
      try {
        reader.createResolver(writer);
      } catch (error) {
        reasons.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } catch (error) {
    reasons.push(`cannot compare the schemas locally: ${error instanceof Error ? error.message : String(error)}`);
  }
  return reasons;
}
