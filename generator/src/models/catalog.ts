import type { ModelCatalog, ModelEntry } from '../ir/model-catalog.js';
import type { ModelRegistry } from './ir.js';
import { sanitizeDoc } from './names.js';
import { Expressions } from './emit/expressions.js';
import { ModuleImports } from './emit/imports.js';
import { ownDeclarations } from './emit/view-models.js';

/** The app emitter's view of the generated models. */
export function buildCatalog(registry: ModelRegistry, modulePaths: ReadonlyMap<string, string>): ModelCatalog {
  const shortNameCount = new Map<string, number>();
  for (const m of registry.values()) shortNameCount.set(m.className, (shortNameCount.get(m.className) ?? 0) + 1);
  const entries: ModelEntry[] = [...registry.values()].map((model) => {
    // Field types are printed as the model's own module would name them.
    const expr = new Expressions(new ModuleImports(model, registry, modulePaths, ownDeclarations(model)), registry);
    const aliases = [...model.aliases];
    if (model.className !== model.fullName && shortNameCount.get(model.className) === 1) aliases.push(model.className);
    const { line, column } = model.source.json.locate(model.pointer);
    return {
      fullName: model.fullName,
      aliases,
      className: model.className,
      modulePath: `${modulePaths.get(model.fullName) ?? ''}.js`,
      kind: model.kind,
      codecs: model.format === 'avro' ? { json: `${model.className}JsonCodec`, avro: `${model.className}AvroCodec` } : { json: `${model.className}JsonCodec` },
      format: model.format,
      location: { file: model.source.relPath, line, column, pointer: model.pointer },
      ...(model.doc === undefined ? {} : { doc: sanitizeDoc(model.doc) }),
      fields: model.kind === 'record' ? model.fields.map((f) => ({ name: f.name, tsType: expr.type(f.type), optional: f.optional })) : [],
      ...(model.format === 'jsonschema' && model.pointer === '' ? { jsonSchema: JSON.stringify(model.source.json.value) } : {}),
    };
  });
  return catalogOf(entries);
}

/** Lookup by full name first, then by alias; a name two entries claim as an alias is ambiguous. */
export function catalogOf(entries: readonly ModelEntry[]): ModelCatalog {
  const byName = new Map<string, ModelEntry | null>();
  for (const entry of entries) {
    for (const alias of entry.aliases) byName.set(alias, byName.has(alias) ? null : entry);
  }
  for (const entry of entries) byName.set(entry.fullName, entry);
  return {
    entries,
    lookup: (name) => byName.get(name) ?? undefined,
  };
}
