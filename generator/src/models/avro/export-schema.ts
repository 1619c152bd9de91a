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
  const defined = new Set<string>();

  const reference = (name: string, enclosing: string | undefined): string =>
    // avsc reads a leading dot as "null namespace" where a bare name would be qualified by the enclosing one.
    namespaceOf(name) === undefined && enclosing !== undefined ? `.${name}` : name;

  const named = (name: string, enclosing: string | undefined): unknown => {
    if (defined.has(name)) return reference(name, enclosing);
    defined.add(name);
    const model: ModelIr | undefined = registry.get(name);
    if (model === undefined) throw new Error(`internal: unknown Avro type ${name}`);
    const ns = namespaceOf(name);
    const head = {
      name,
      ...(ns === undefined && enclosing !== undefined ? { namespace: '' } : {}),
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
