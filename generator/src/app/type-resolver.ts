import type { ModelCatalog, ModelEntry } from '../ir/model-catalog.js';
import type { TypeRef } from '../topology/types.js';
import type { ImportSet } from './imports.js';

const primitives: Readonly<Record<string, { readonly tsType: string; readonly codec: string }>> = {
  string: { tsType: 'string', codec: 'codecs.string' },
  bytes: { tsType: 'Buffer', codec: 'codecs.raw' },
  int: { tsType: 'number', codec: 'codecs.json<number>()' },
  long: { tsType: 'number', codec: 'codecs.json<number>()' },
  float: { tsType: 'number', codec: 'codecs.json<number>()' },
  double: { tsType: 'number', codec: 'codecs.json<number>()' },
  boolean: { tsType: 'boolean', codec: 'codecs.json<boolean>()' },
  json: { tsType: 'unknown', codec: 'codecs.json<unknown>()' },
};

/** The module specifier of a model, seen from a module in the generated folder. */
export function modelModule(entry: ModelEntry): string {
  const path = entry.modulePath.replaceAll('\\', '/');
  return path.startsWith('.') ? path : `./${path}`;
}

/** A model's codec: its native format first (Avro models encode as Avro). */
export function modelCodecName(entry: ModelEntry): string | undefined {
  return entry.format === 'avro' ? (entry.codecs.avro ?? entry.codecs.json) : (entry.codecs.json ?? entry.codecs.avro);
}

/**
 * Maps topology types to TypeScript types and codec expressions, adding the imports they need to
 * `imports`. Unknown models were reported by the type checks already; they map to `unknown`.
 */
export class TypeResolver {
  constructor(private readonly catalog: ModelCatalog) {}

  tsType(ref: TypeRef, imports: ImportSet): string {
    switch (ref.kind) {
      case 'primitive':
        return primitives[ref.name]?.tsType ?? 'unknown';
      case 'array': {
        const inner = this.tsType(ref.of, imports);
        return /^[\w.]+$/.test(inner) ? `${inner}[]` : `(${inner})[]`;
      }
      case 'model': {
        const entry = this.catalog.lookup(ref.name);
        return entry === undefined ? 'unknown' : imports.add(modelModule(entry), entry.className, { typeOnly: true });
      }
    }
  }

  /** The codec expression for `ref`; imports only what the expression itself uses. */
  codec(ref: TypeRef, imports: ImportSet): string {
    if (ref.kind === 'primitive') {
      imports.add('faustgen', 'codecs');
      return primitives[ref.name]?.codec ?? 'codecs.json<unknown>()';
    }
    if (ref.kind === 'model') {
      const entry = this.catalog.lookup(ref.name);
      const codecName = entry === undefined ? undefined : modelCodecName(entry);
      if (entry !== undefined && codecName !== undefined) return imports.add(modelModule(entry), codecName);
    }
    imports.add('faustgen', 'codecs');
    return `codecs.json<${this.tsType(ref, imports)}>()`;
  }
}
