/**
 * The part of the Avro schema that one generated module holds: its own definition, with the named
 * types it uses referenced by name (`deps`, in first-use order). The runtime assembles the
 * self-contained writer schema from these parts (runtime/src/codegen/avro-schema.ts), so that each
 * definition is generated once instead of once per module that uses it.
 */
export function exportAvroFragment(rootName: string, registry: ModelRegistry): { own: unknown; deps: string[] } {
  const deps: string[] = [];
  const own = exportSchema(rootName, registry, (name) => {
    if (!deps.includes(name)) deps.push(name);
  });
  return { own, deps };
}

/**
 * The self-contained Avro schema a generated codec writes with: the named type plus, inline at first
 * use, every named type it references (from any file), with full names and without docs.
 */
import type { IrType, ModelIr, ModelRegistry } from '../ir.js';

function namespaceOf(fullName: string): string | undefined {
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? undefined : fullName.slice(0, dot);
}

export function exportAvroSchema(rootName: string, registry: ModelRegistry): unknown {
  return exportSchema(rootName, registry, undefined);
}

/** With `external`, named types other than the root are only referenced (and reported to it). */
function exportSchema(rootName: string, registry: ModelRegistry, external: ((name: string) => void) | undefined): unknown {
  const defined = new Set<string>();

  const reference = (name: string, enclosing: string | undefined): string =>
    // avsc reads a leading dot as "null namespace" where a bare name would be qualified by the enclosing one.
    namespaceOf(name) === undefined && enclosing !== undefined ? `.${name}` : name;

  const named = (name: string, enclosing: string | undefined): unknown => {
    if (defined.has(name)) return reference(name, enclosing);
    if (external !== undefined && name !== rootName) {
      external(name);
      return reference(name, enclosing);
    }
    defined.add(name);
    const model: ModelIr | undefined = registry.get(name);
    if (model === undefined) throw new Error(`internal: unknown Avro type ${name}`);
    const ns = namespaceOf(name);
    const head = {
      name,
      // A part may be inlined anywhere, so a null-namespace name always says so.
      ...(ns === undefined && (enclosing !== undefined || external !== undefined) ? { namespace: '' } : {}),
      ...(model.aliases.length > 0 ? { aliases: model.aliases } : {}),
    };
    switch (model.kind) {
      case 'record':
        return {
          type: 'record',
          ...head,
          fields: model.fields.map((f) => ({
            name: f.name,
            type: type(f.type, ns),
            ...(f.avroDefault === undefined ? {} : { default: f.avroDefault.json }),
            ...(f.aliases.length > 0 ? { aliases: f.aliases } : {}),
          })),
        };
      case 'enum':
        return { type: 'enum', ...head, symbols: model.symbols, ...(model.avroDefault === undefined ? {} : { default: model.avroDefault }) };
      case 'fixed':
        return { type: 'fixed', ...head, size: model.size, ...(model.logical === undefined ? {} : logicalAttrs(model.logical)) };
      default:
        throw new Error(`internal: ${name} is not an Avro named type`);
    }
  };

  const type = (t: IrType, enclosing: string | undefined): unknown => {
    switch (t.kind) {
      case 'ref':
        return named(t.name, enclosing);
      case 'array':
        return { type: 'array', items: type(t.items, enclosing) };
      case 'map':
        return { type: 'map', values: type(t.values, enclosing) };
      case 'union':
        return t.branches.map((b) => type(b, enclosing));
      case 'logical':
        return { type: t.base.kind, ...logicalAttrs(t) };
      case 'null':
      case 'boolean':
      case 'int':
      case 'long':
      case 'float':
      case 'double':
      case 'bytes':
      case 'string':
        return t.kind;
      default:
        throw new Error(`internal: ${t.kind} has no Avro form`);
    }
  };

  const root = registry.get(rootName);
  // A file's top-level non-named schema (array, map, primitive, union): the type itself.
  if (root !== undefined && (root.kind === 'alias' || root.kind === 'union')) return type(root.type, undefined);
  return named(rootName, undefined);
}

function logicalAttrs(l: { logical: string; precision?: number; scale?: number }): Record<string, unknown> {
  return {
    logicalType: l.logical,
    ...(l.precision === undefined ? {} : { precision: l.precision }),
    ...(l.scale === undefined ? {} : { scale: l.scale }),
  };
}
