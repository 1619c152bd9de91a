/**
 * Avro schemas of generated models, in parts: each generated module holds its own type's definition
 * (other named types referenced by name) and points at the parts of the types it uses. The
 * self-contained writer schema a codec needs is assembled here, on first use, by defining every named
 * type inline where it is first used, as Avro's schema parsers expect. So generated code grows with
 * the schema instead of repeating each definition in every module that uses it.
 */
import type { JsonValue } from './descriptors.js';

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

export class AvroSchemaPart {
  /**
   * @param name full name of the named type this part defines; undefined for the top-level type of a
   *   file that is not a named type (an array, a map, a union, ...)
   * @param own the definition, with other named types referenced by name
   * @param uses the parts of the named types `own` references (a function: modules may import each other)
   */
  constructor(
    readonly name: string | undefined,
    readonly own: JsonValue,
    readonly uses: () => readonly AvroSchemaPart[],
  ) {}
}

/** Called by generated modules: `$fg.avroSchemaPart('com.acme.Order', {...}, () => [CustomerAvroSchema])`. */
export function avroSchemaPart(name: string | undefined, own: JsonValue, uses: () => readonly AvroSchemaPart[]): AvroSchemaPart {
  return new AvroSchemaPart(name, own, uses);
}

type JsonObject = { readonly [key: string]: JsonValue };

function isObject(value: JsonValue): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The self-contained schema of `root`: every named type it uses, defined inline at first use. */
export function assembleAvroSchema(root: AvroSchemaPart): JsonValue {
  const parts = new Map<string, AvroSchemaPart>();
  const pending: AvroSchemaPart[] = [root];
  for (let part = pending.pop(); part !== undefined; part = pending.pop()) {
    for (const used of part.uses()) {
      if (used.name !== undefined && !parts.has(used.name)) {
        parts.set(used.name, used);
        pending.push(used);
      }
    }
  }
  const defined = new Set<string>();
  if (root.name !== undefined) defined.add(root.name);

  const inline = (node: JsonValue): JsonValue => {
    if (typeof node === 'string') {
      if (PRIMITIVES.has(node)) return node;
      const name = node.startsWith('.') ? node.slice(1) : node;
      const part = parts.get(name);
      if (part === undefined || defined.has(name)) return node;
      defined.add(name);
      return inline(part.own);
    }
    if (Array.isArray(node)) return node.map(inline);
    if (!isObject(node)) return node;
    const type = node['type'];
    if ((type === 'record' || type === 'error') && Array.isArray(node['fields'])) {
      return { ...node, fields: node['fields'].map((field) => (isObject(field) && field['type'] !== undefined ? { ...field, type: inline(field['type']) } : field)) };
    }
    if (type === 'array' && node['items'] !== undefined) return { ...node, items: inline(node['items']) };
    if (type === 'map' && node['values'] !== undefined) return { ...node, values: inline(node['values']) };
    return node;
  };
  return inline(root.own);
}
